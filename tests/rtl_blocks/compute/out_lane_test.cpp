// tessera_out_lane, the output lane CONV, POOL and ADD share, on its own: single products
// (any signed 32-bit x and multiplier) and paired products (ADD: the B product added to the A
// product of the cycle before), against docs/quantization.md's arithmetic written out here with
// tessera::rshift_rne; also checks the lane's latency against the spec's out_lane_latency
// (rtl/spec/tessera_isa.toml), which the three units and the host's cycle model rely on.
#include <gtest/gtest.h>

#include <climits>
#include <memory>
#include <vector>

#include "Vout_lane.h"
#include "tb_util.hpp"
#include "tessera/isa_gen.hpp"
#include "tessera/quant.hpp"

namespace {

using computetb::Rng;

constexpr unsigned kLatency = tessera::isa::kOutLaneLat;

struct Input {
  int32_t x, m;
  bool pair;
};

int32_t random_x(Rng& rng) {
  static const int32_t corner[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX, -256, 255};
  switch (rng.below(4)) {
    case 0: return corner[rng.below(8)];
    case 1: return int32_t(rng.u32());
    case 2: return rng.range(-255, 255);  // ADD's (x - zp)
    default: return int32_t(rng.u32()) >> rng.below(32);
  }
}

int32_t random_m(Rng& rng) {
  static const int32_t corner[] = {0, 1, -1, INT32_MAX, INT32_MIN, 1 << 30};
  if (rng.chance(20)) return corner[rng.below(6)];
  return rng.chance(70) ? int32_t((1u << 30) + (rng.u32() >> 2)) : int32_t(rng.u32());
}

TEST(OutLane, SingleAndPairedProducts) {
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vout_lane>(ctx.get());
  Rng rng(11);
  auto tick = [&] {
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
  };

  unsigned single = 0, paired = 0;
  for (unsigned set = 0; set < 300; ++set) {
    const unsigned shift = rng.chance(20) ? rng.below(3) : rng.below(64);
    const bool out_signed = rng.chance(50);
    const int32_t zp = tessera::byte_value(rng.byte(), out_signed);
    int32_t lo = tessera::byte_value(rng.byte(), out_signed);
    int32_t hi = tessera::byte_value(rng.byte(), out_signed);
    if (rng.chance(50)) {
      lo = tessera::type_min(out_signed);
      hi = tessera::type_max(out_signed);
    }
    top->shift_i = shift;
    top->zp_i = uint32_t(zp) & 0x1ff;  // typed bytes, 9-bit two's complement
    top->cmin_i = uint32_t(lo) & 0x1ff;
    top->cmax_i = uint32_t(hi) & 0x1ff;

    // A stream of single products and (A, B) pairs; a pair's inputs are ADD-sized (a 9-bit
    // difference times a 32-bit multiplier), as only ADD pairs products.
    std::vector<Input> in;
    while (in.size() < 40) {
      if (rng.chance(40)) {
        in.push_back({rng.range(-255, 255), random_m(rng), false});
        in.push_back({rng.range(-255, 255), random_m(rng), true});
      } else {
        in.push_back({random_x(rng), random_m(rng), false});
      }
    }
    for (unsigned i = 0; i < in.size() + kLatency; ++i) {
      const bool live = i < in.size();
      top->x_i = uint32_t(live ? in[i].x : int32_t(rng.u32()));
      top->m_i = uint32_t(live ? in[i].m : int32_t(rng.u32()));
      top->pair_i = live ? in[i].pair : false;
      tick();
      // After the edge ending cycle i, out_o holds the result of the input of cycle
      // i + 1 - kLatency; the A half of a pair has no result of its own.
      if (i + 1 < kLatency) continue;
      const size_t k = i + 1 - kLatency;
      if (k >= in.size() || (k + 1 < in.size() && in[k + 1].pair)) continue;
      int64_t p = int64_t(in[k].x) * in[k].m;
      if (in[k].pair) p += int64_t(in[k - 1].x) * in[k - 1].m;
      const int64_t y = tessera::rshift_rne(p, shift) + zp;
      const int32_t want = int32_t(std::min<int64_t>(std::max<int64_t>(y, lo), hi));
      ASSERT_EQ(unsigned(top->out_o), unsigned(uint8_t(want)))
          << "input " << k << " x " << in[k].x << " m " << in[k].m << " pair " << in[k].pair
          << " shift " << shift << " zp " << zp << " clamp [" << lo << ", " << hi << "]";
      ++(in[k].pair ? paired : single);
    }
  }
  EXPECT_GT(single, 5000u);
  EXPECT_GT(paired, 1500u);
  top->final();
}

}  // namespace
