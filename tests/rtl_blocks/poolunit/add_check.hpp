// Shared by the ADD unit tests: a plain-loop model of docs/isa.md ADD, a random command
// generator and the run-and-compare check (used on the RTL and on the Yosys netlist).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/isa_gen.hpp"
#include "tessera/quant.hpp"
#include "unit_tb.hpp"

namespace poolunit {

using tessera::isa::AddCmd;

inline std::string describe(const AddCmd& c) {
  std::ostringstream o;
  o << (c.data_signed ? "int8" : "uint8") << " len " << c.len << " a@" << c.a_addr << " b@"
    << c.b_addr << " out@" << c.obuf_addr << " a_mult " << int32_t(c.a_mult) << " b_mult "
    << int32_t(c.b_mult) << " a_zp " << c.a_zp << " b_zp " << c.b_zp << " out_zp " << c.out_zp
    << " shift " << c.shift << " clamp [" << c.clamp_min << "," << c.clamp_max << "]";
  return o.str();
}

// docs/isa.md ADD, literally, in 64 bits.
inline std::vector<uint8_t> reference_add(const AddCmd& c, const std::vector<uint8_t>& abuf,
                                          unsigned lanes) {
  const bool sg = c.data_signed != 0;
  auto v = [&](uint32_t raw) { return int64_t(tessera::byte_value(uint8_t(raw), sg)); };
  std::vector<uint8_t> out(size_t(c.len) * lanes);
  for (uint32_t i = 0; i < c.len; ++i)
    for (unsigned r = 0; r < lanes; ++r) {
      const int64_t a = v(abuf[size_t(c.a_addr + i) * lanes + r]);
      const int64_t b = v(abuf[size_t(c.b_addr + i) * lanes + r]);
      const int64_t s = (a - v(c.a_zp)) * int64_t(int32_t(c.a_mult)) +
                        (b - v(c.b_zp)) * int64_t(int32_t(c.b_mult));
      const int64_t y = v(c.out_zp) + tessera::rshift_rne(s, c.shift);
      out[size_t(i) * lanes + r] = uint8_t(std::min(std::max(y, v(c.clamp_min)), v(c.clamp_max)));
    }
  return out;
}

inline int32_t random_mult(Rng& rng) {
  switch (rng.below(8)) {
    case 0:
      return INT32_MAX;
    case 1:
      return INT32_MIN;
    case 2:
      return rng.range(-4, 4);
    case 3:
      return -int32_t(rng.next() & 0x7fffffffu);
    case 4:
      return int32_t(rng.next());
    default:
      return int32_t((rng.next() & 0x3fffffffu) | 0x40000000u);  // compiler's range
  }
}

inline AddCmd random_add(Rng& rng, uint32_t abuf_words, uint32_t obuf_words, uint32_t max_len) {
  AddCmd c;
  c.data_signed = rng.below(2);
  c.len = rng.chance(10) ? 1 : uint32_t(rng.range(1, int32_t(std::min(max_len, obuf_words))));
  c.a_addr = rng.below(abuf_words - c.len + 1);
  // Sometimes B overlaps A, or is A.
  c.b_addr = rng.chance(10) ? c.a_addr : rng.below(abuf_words - c.len + 1);
  c.obuf_addr = rng.below(obuf_words - c.len + 1);
  if (rng.chance(50)) {
    // What the compiler produces: one shift, the larger multiplier in [2^30, 2^31).
    const double sa = 0.01 + double(rng.below(1000)) / 1000.0;
    const double sb = 0.01 + double(rng.below(1000)) / 1000.0;
    const auto m = tessera::quantize_multiplier(std::max(sa, sb));
    c.a_mult = uint32_t(int32_t(std::llround(sa / std::max(sa, sb) * m.mult)));
    c.b_mult = uint32_t(int32_t(std::llround(sb / std::max(sa, sb) * m.mult)));
    c.shift = m.shift;
  } else {
    c.a_mult = uint32_t(random_mult(rng));
    c.b_mult = uint32_t(random_mult(rng));
    c.shift = rng.below(64);
  }
  c.a_zp = rng.byte();
  c.b_zp = rng.byte();
  c.out_zp = rng.byte();
  const bool sg = c.data_signed != 0;
  const unsigned clamp = rng.below(4);
  if (clamp == 0) {  // full range
    c.clamp_min = uint8_t(tessera::type_min(sg));
    c.clamp_max = uint8_t(tessera::type_max(sg));
  } else if (clamp == 1) {  // fused ReLU
    c.clamp_min = c.out_zp;
    c.clamp_max = uint8_t(tessera::type_max(sg));
  } else {  // anything, including clamp_min > clamp_max
    c.clamp_min = rng.byte();
    c.clamp_max = rng.byte();
  }
  return c;
}

template <class Model>
RunStats check_add(UnitTb<Model>& tb, const AddCmd& c) {
  const unsigned n = tb.lanes;
  for (auto& b : tb.obuf) b = uint8_t(std::rand());
  const std::vector<uint8_t> before = tb.obuf;
  const std::vector<uint8_t> expect = reference_add(c, tb.abuf, n);
  const RunStats st = tb.run(
      c.encode(),
      [&](uint32_t a) {
        return (a >= c.a_addr && a < c.a_addr + c.len) || (a >= c.b_addr && a < c.b_addr + c.len);
      },
      2 * uint64_t(c.len) + 100);
  EXPECT_TRUE(st.error.empty()) << describe(c) << ": " << st.error;
  EXPECT_TRUE(st.done) << describe(c);
  EXPECT_EQ(st.reads, 2 * uint64_t(c.len)) << describe(c);
  EXPECT_EQ(st.writes, uint64_t(c.len)) << describe(c);
  // Performance contract: two cycles per word (A, B) plus the start cycle and 8 pipeline cycles.
  EXPECT_EQ(st.cycles, 2 * uint64_t(c.len) + 11) << describe(c);
  uint64_t bad = 0;
  for (uint32_t a = 0; a < tb.obuf_words && bad < 4; ++a) {
    const bool inside = a >= c.obuf_addr && a < c.obuf_addr + c.len;
    const uint8_t* want = inside ? &expect[size_t(a - c.obuf_addr) * n] : &before[size_t(a) * n];
    if (tb.write_count[a] != (inside ? 1u : 0u)) {
      ADD_FAILURE() << describe(c) << ": OBUF word " << a << " written " << tb.write_count[a]
                    << " times";
      ++bad;
    } else if (!std::equal(want, want + n, tb.obuf_word(a))) {
      std::ostringstream o;
      for (unsigned r = 0; r < n; ++r) o << " " << int(want[r]) << "/" << int(tb.obuf_word(a)[r]);
      ADD_FAILURE() << describe(c) << ": OBUF word " << a << " (want/got):" << o.str();
      ++bad;
    }
  }
  return st;
}

template <class Model>
void random_add_commands(unsigned lanes, unsigned abuf_aw, unsigned obuf_aw, uint64_t seed,
                         int commands) {
  UnitTb<Model> tb(lanes, abuf_aw, obuf_aw, seed);
  Rng rng(seed);
  static const uint8_t kExtremes[] = {0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe};
  uint64_t words = 0, cycles = 0;
  for (int i = 0; i < commands && !::testing::Test::HasFailure(); ++i) {
    const bool extreme = rng.chance(15);
    for (auto& b : tb.abuf) b = extreme ? kExtremes[rng.below(6)] : rng.byte();
    const AddCmd c = random_add(rng, tb.abuf_words, tb.obuf_words, 300);
    const RunStats st = check_add(tb, c);
    words += c.len;
    cycles += st.cycles;
  }
  std::printf("[ add N=%u ] %d commands, %llu words, %llu cycles, %.2f cycles/word\n", lanes,
              commands, (unsigned long long)words, (unsigned long long)cycles,
              double(cycles) / double(words));
}

}  // namespace poolunit
