// Shared by the POOL unit tests: a plain-loop model of docs/isa.md POOL, a random command
// generator and the run-and-compare check (used on the RTL and on the Yosys netlist).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/isa_gen.hpp"
#include "tessera/quant.hpp"
#include "unit_tb.hpp"

namespace poolunit {

using tessera::isa::PoolCmd;

inline std::string describe(const PoolCmd& p) {
  std::ostringstream o;
  o << (p.avg ? "avg" : "max") << (p.data_signed ? " int8" : " uint8") << " in " << p.in_h << "x"
    << p.in_w << " cg " << p.cg << " k " << p.kh << "x" << p.kw << " s " << p.stride_h << ","
    << p.stride_w << " pad " << p.pad_top << "," << p.pad_left << " out " << p.out_h << "x"
    << p.out_w << " abuf@" << p.abuf_addr << " obuf@" << p.obuf_addr;
  if (p.avg)
    o << " in_zp " << p.in_zp << " out_zp " << p.out_zp << " mult " << int32_t(p.mult) << " shift "
      << p.shift;
  return o.str();
}

inline uint64_t pool_words(const PoolCmd& p) { return uint64_t(p.out_h) * p.out_w * p.cg; }
inline uint64_t pool_work(const PoolCmd& p) { return pool_words(p) * p.kh * p.kw; }

// docs/isa.md POOL, literally: returns out_h*out_w*cg words of `lanes` bytes; *valid counts the
// window positions inside the input (the ABUF reads a unit needs).
inline std::vector<uint8_t> reference_pool(const PoolCmd& p, const std::vector<uint8_t>& abuf,
                                           unsigned lanes, uint64_t* valid) {
  const bool sg = p.data_signed != 0;
  const int32_t in_zp = tessera::byte_value(uint8_t(p.in_zp), sg);
  const int32_t out_zp = tessera::byte_value(uint8_t(p.out_zp), sg);
  std::vector<uint8_t> out(pool_words(p) * lanes);
  *valid = 0;
  for (uint32_t oy = 0; oy < p.out_h; ++oy)
    for (uint32_t ox = 0; ox < p.out_w; ++ox)
      for (uint32_t g = 0; g < p.cg; ++g)
        for (unsigned r = 0; r < lanes; ++r) {
          int32_t mx = tessera::type_min(sg);
          int64_t sum = 0;
          for (uint32_t ky = 0; ky < p.kh; ++ky)
            for (uint32_t kx = 0; kx < p.kw; ++kx) {
              const int64_t iy = int64_t(oy) * p.stride_h + ky - p.pad_top;
              const int64_t ix = int64_t(ox) * p.stride_w + kx - p.pad_left;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
              if (r == 0) ++*valid;
              const uint64_t word = p.abuf_addr + (uint64_t(iy) * p.in_w + uint64_t(ix)) * p.cg + g;
              const int32_t x = tessera::byte_value(abuf[word * lanes + r], sg);
              mx = std::max(mx, x);
              sum += x - in_zp;
            }
          int32_t y = mx;
          if (p.avg) {
            const int64_t v = out_zp + tessera::rshift_rne(sum * int64_t(int32_t(p.mult)), p.shift);
            y = int32_t(std::clamp<int64_t>(v, tessera::type_min(sg), tessera::type_max(sg)));
          }
          out[((uint64_t(oy) * p.out_w + ox) * p.cg + g) * lanes + r] = uint8_t(y);
        }
  return out;
}

// Average-pooling parameters: usually what a compiler would pick, sometimes arbitrary.
inline void random_avg_params(Rng& rng, PoolCmd& p) {
  p.in_zp = rng.byte();
  p.out_zp = rng.byte();
  const unsigned kind = rng.below(20);
  if (kind < 12) {
    const double ratio = 0.25 + 3.75 * double(rng.below(1000)) / 1000.0;
    const auto m = tessera::quantize_multiplier(ratio / (double(p.kh) * p.kw));
    p.mult = uint32_t(m.mult);
    p.shift = m.shift;
  } else if (kind < 19) {
    p.mult = uint32_t(rng.next() & 0x7fffffffu);
    p.shift = rng.below(64);
  } else {
    // Outside the documented range (mult >= 0): the unit multiplies as signed 32-bit.
    p.mult = uint32_t(rng.next());
    p.shift = rng.below(64);
  }
}

// A random command that fits the buffers and takes at most max_work window positions.
inline PoolCmd random_pool(Rng& rng, uint32_t abuf_words, uint32_t obuf_words, uint64_t max_work) {
  for (;;) {
    PoolCmd p;
    p.avg = rng.below(2);
    p.data_signed = rng.below(2);
    static const uint32_t kCg[] = {1, 1, 2, 3, 4, 5, 7, 16};
    p.cg = kCg[rng.below(8)];
    const unsigned shape = rng.below(10);
    if (shape == 0) {
      // global pooling
      p.in_h = rng.range(1, 16);
      p.in_w = rng.range(1, 16);
      p.kh = p.in_h;
      p.kw = p.in_w;
      p.stride_h = rng.range(1, 15);
      p.stride_w = rng.range(1, 15);
      p.out_h = p.out_w = 1;
    } else {
      p.in_h = rng.chance(60) ? 2 * rng.range(0, 9) + 1 : rng.range(1, 20);
      p.in_w = rng.chance(60) ? 2 * rng.range(0, 9) + 1 : rng.range(1, 20);
      p.kh = rng.range(1, 7);
      p.kw = rng.chance(80) ? p.kh : rng.range(1, 7);
      const bool wild = shape == 1;  // large strides and paddings, windows off the input
      p.stride_h = wild ? rng.range(1, 15) : rng.range(1, 3);
      p.stride_w = wild ? rng.range(1, 15) : rng.range(1, 3);
      p.pad_top = wild ? rng.range(0, 15) : rng.range(0, int32_t(p.kh) - 1);
      p.pad_left = wild ? rng.range(0, 15) : rng.range(0, int32_t(p.kw) - 1);
      const int32_t nat_h =
          (int32_t(p.in_h) + 2 * int32_t(p.pad_top) - int32_t(p.kh)) / int32_t(p.stride_h) + 1;
      const int32_t nat_w =
          (int32_t(p.in_w) + 2 * int32_t(p.pad_left) - int32_t(p.kw)) / int32_t(p.stride_w) + 1;
      p.out_h = uint32_t(std::max(1, nat_h + (wild ? rng.range(0, 3) : 0)));
      p.out_w = uint32_t(std::max(1, nat_w + (wild ? rng.range(0, 3) : 0)));
    }
    const uint64_t in_words = uint64_t(p.in_h) * p.in_w * p.cg;
    if (in_words > abuf_words || pool_words(p) > obuf_words || pool_work(p) > max_work) continue;
    p.abuf_addr = rng.below(uint32_t(abuf_words - in_words + 1));
    p.obuf_addr = rng.below(uint32_t(obuf_words - pool_words(p) + 1));
    if (p.avg) random_avg_params(rng, p);
    return p;
  }
}

// Runs p on tb and compares every OBUF word with the reference (outside the output: unchanged).
template <class Model>
RunStats check_pool(UnitTb<Model>& tb, const PoolCmd& p) {
  const unsigned n = tb.lanes;
  for (auto& b : tb.obuf) b = uint8_t(std::rand());
  const std::vector<uint8_t> before = tb.obuf;
  uint64_t valid = 0;
  const std::vector<uint8_t> expect = reference_pool(p, tb.abuf, n, &valid);
  const uint64_t in_end = uint64_t(p.abuf_addr) + uint64_t(p.in_h) * p.in_w * p.cg;
  const RunStats st = tb.run(
      p.encode(), [&](uint32_t a) { return a >= p.abuf_addr && a < in_end; }, pool_work(p) + 100);
  EXPECT_TRUE(st.error.empty()) << describe(p) << ": " << st.error;
  EXPECT_TRUE(st.done) << describe(p);
  EXPECT_EQ(st.reads, valid) << describe(p) << ": one read per valid window position";
  EXPECT_EQ(st.writes, pool_words(p)) << describe(p);
  // Performance contract: one window position per cycle, 3 setup and 11 pipeline cycles + start.
  EXPECT_EQ(st.cycles, pool_work(p) + 15) << describe(p);
  uint64_t bad = 0;
  for (uint32_t a = 0; a < tb.obuf_words; ++a) {
    const bool inside = a >= p.obuf_addr && a < p.obuf_addr + pool_words(p);
    const uint8_t* want = inside ? &expect[(a - p.obuf_addr) * n] : &before[size_t(a) * n];
    if (tb.write_count[a] != (inside ? 1u : 0u)) {
      ADD_FAILURE() << describe(p) << ": OBUF word " << a << " written " << tb.write_count[a]
                    << " times";
      ++bad;
    } else if (!std::equal(want, want + n, tb.obuf_word(a))) {
      std::ostringstream o;
      for (unsigned r = 0; r < n; ++r) o << " " << int(want[r]) << "/" << int(tb.obuf_word(a)[r]);
      ADD_FAILURE() << describe(p) << ": OBUF word " << a << " (want/got):" << o.str();
      ++bad;
    }
    if (bad >= 4) break;
  }
  return st;
}

// The input region of p: random bytes, or sometimes few distinct extreme values (ties, limits).
inline void fill_input(Rng& rng, std::vector<uint8_t>& abuf, unsigned lanes, const PoolCmd& p) {
  const size_t lo = size_t(p.abuf_addr) * lanes;
  const size_t hi = lo + size_t(p.in_h) * p.in_w * p.cg * lanes;
  static const uint8_t kExtremes[] = {0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe};
  const bool extreme = rng.chance(15);
  for (size_t i = lo; i < hi; ++i) abuf[i] = extreme ? kExtremes[rng.below(6)] : rng.byte();
}

template <class Model>
void random_pool_commands(unsigned lanes, unsigned abuf_aw, unsigned obuf_aw, uint64_t seed,
                          int commands) {
  UnitTb<Model> tb(lanes, abuf_aw, obuf_aw, seed);
  Rng rng(seed);
  for (auto& b : tb.abuf) b = rng.byte();
  uint64_t positions = 0, cycles = 0, words = 0;
  for (int i = 0; i < commands && !::testing::Test::HasFailure(); ++i) {
    const PoolCmd p = random_pool(rng, tb.abuf_words, tb.obuf_words, 20000);
    fill_input(rng, tb.abuf, lanes, p);
    const RunStats st = check_pool(tb, p);
    positions += pool_work(p);
    cycles += st.cycles;
    words += pool_words(p);
  }
  std::printf("[ pool N=%u ] %d commands, %llu output words, %llu window positions, %llu cycles\n",
              lanes, commands, (unsigned long long)words, (unsigned long long)positions,
              (unsigned long long)cycles);
}

}  // namespace poolunit
