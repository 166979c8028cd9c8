// One CONV column's requantization as the compute unit builds it (requant_tb.sv:
// tessera_bias_sat, then the shared tessera_out_lane) against tessera::requantize
// (host/include/tessera/quant.hpp), with random and corner inputs; also pins the latency of
// 9 cycles, which tessera_conv_unit relies on.
#include <gtest/gtest.h>

#include <climits>
#include <memory>
#include <vector>

#include "Vrequant.h"
#include "tb_util.hpp"
#include "tessera/quant.hpp"

namespace {

using computetb::Rng;

constexpr unsigned kLatency = 9;  // RqLat in the conv unit: 2 (bias) + 7 (lane)

struct Params {
  int32_t bias, mult;
  unsigned shift;
  uint8_t zp, cmin, cmax;
  bool out_signed;
};

TEST(Requant, RandomAndCorners) {
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vrequant>(ctx.get());
  Rng rng(7);
  auto tick = [&] {
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
  };

  const int32_t acc_corner[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX,
                                1 << 30, -(1 << 30)};
  const int32_t bias_corner[] = {INT32_MIN, -1, 0, 1, INT32_MAX};
  const int32_t mult_corner[] = {0, 1, -1, INT32_MAX, INT32_MIN, 1 << 30, (1 << 30) + 12345};
  const unsigned shift_corner[] = {0, 1, 2, 30, 31, 32, 33, 62, 63};

  unsigned checked = 0;
  for (unsigned set = 0; set < 400; ++set) {
    Params p;
    p.bias = rng.chance(30) ? bias_corner[rng.below(5)] : int32_t(rng.u32()) >> rng.below(32);
    p.mult = rng.chance(30) ? mult_corner[rng.below(7)]
                            : (rng.chance(80) ? int32_t((1u << 30) + (rng.u32() >> 2))
                                              : int32_t(rng.u32()));
    p.shift = rng.chance(30) ? shift_corner[rng.below(9)] : rng.below(64);
    p.out_signed = rng.chance(50);
    p.zp = rng.byte();
    p.cmin = rng.byte();
    p.cmax = rng.byte();
    if (rng.chance(50)) {  // the usual full range / ReLU
      p.cmin = p.out_signed ? 0x80 : 0x00;
      p.cmax = p.out_signed ? 0x7f : 0xff;
      if (rng.chance(50)) p.cmin = p.zp;
    }
    top->bias_i = uint32_t(p.bias);
    top->mult_i = uint32_t(p.mult);
    top->shift_i = p.shift;
    const int32_t zp = tessera::byte_value(p.zp, p.out_signed);
    const int32_t lo = tessera::byte_value(p.cmin, p.out_signed);
    const int32_t hi = tessera::byte_value(p.cmax, p.out_signed);
    top->out_zp_i = uint32_t(zp) & 0x1ff;  // typed bytes, 9-bit two's complement
    top->clamp_min_i = uint32_t(lo) & 0x1ff;
    top->clamp_max_i = uint32_t(hi) & 0x1ff;

    // Stream 32 values one per cycle, then kLatency more cycles with the same parameters.
    std::vector<int32_t> accs;
    for (unsigned i = 0; i < 32; ++i) {
      int32_t a;
      switch (rng.below(4)) {
        case 0: a = acc_corner[rng.below(9)]; break;
        case 1: a = int32_t(rng.u32()); break;
        default: a = int32_t(rng.u32()) >> rng.below(31); break;
      }
      accs.push_back(a);
    }
    for (unsigned i = 0; i < accs.size() + kLatency; ++i) {
      top->acc_i = uint32_t(i < accs.size() ? accs[i] : int32_t(rng.u32()));
      tick();
      // after the edge ending cycle i, out_o holds the result of the value of cycle
      // i + 1 - kLatency
      if (i + 1 >= kLatency && i + 1 - kLatency < accs.size()) {
        const int32_t a = accs[i + 1 - kLatency];
        const int32_t want = tessera::requantize(a, p.bias, p.mult, p.shift, zp, lo, hi);
        ASSERT_EQ(unsigned(top->out_o), unsigned(uint8_t(want)))
            << "acc " << a << " bias " << p.bias << " mult " << p.mult << " shift " << p.shift
            << " zp " << zp << " clamp [" << lo << ", " << hi << "] signed " << p.out_signed;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 400u * 32u);
  top->final();
}

}  // namespace
