// tessera_pool_unit against a plain-loop model of docs/isa.md POOL (pool_check.hpp): random max
// and average pooling commands (kernels 1..7 and global, strides, paddings, int8 / uint8, random
// zero points, multipliers and shifts, odd sizes, several channel groups), extreme sums, flushes.
#include <gtest/gtest.h>

#include "Vpool_unit_16.h"
#include "Vpool_unit_8.h"
#include "pool_check.hpp"

namespace {

using namespace poolunit;
using tessera::isa::PoolCmd;

TEST(PoolUnit16, RandomCommands) { random_pool_commands<Vpool_unit_16>(16, 12, 11, 1, 300); }
TEST(PoolUnit8, RandomCommands) { random_pool_commands<Vpool_unit_8>(8, 16, 10, 2, 200); }

// Kernels far larger than the input: 255x255 windows over a 3x3 input, mostly padding.
TEST(PoolUnit16, HugeKernelOverSmallInput) {
  UnitTb<Vpool_unit_16> tb(16, 12, 11, 3);
  Rng rng(3);
  for (auto& b : tb.abuf) b = rng.byte();
  for (unsigned avg = 0; avg < 2; ++avg) {
    PoolCmd p;
    p.avg = avg;
    p.data_signed = avg;
    p.in_h = p.in_w = 3;
    p.cg = 2;
    p.kh = p.kw = 255;
    p.stride_h = p.stride_w = 15;
    p.pad_top = 15;
    p.pad_left = 14;
    p.out_h = 1;
    p.out_w = 2;
    p.abuf_addr = 4096 - 18;  // the last words of ABUF: padding addresses wrap around
    p.obuf_addr = 7;
    p.in_zp = 0x85;
    p.out_zp = 0x03;
    p.mult = 1u << 30;
    p.shift = 32;
    check_pool(tb, p);
  }
}

// Global average pooling of 255x255 words, the largest window: the sum of x - in_zp reaches
// +-255*65025, and times a multiplier near 2^31 it needs 56 bits.
TEST(PoolUnit8, LargestWindowSums) {
  UnitTb<Vpool_unit_8> tb(8, 16, 10, 4);
  Rng rng(4);
  PoolCmd p;
  p.avg = 1;
  p.in_h = p.in_w = p.kh = p.kw = 255;
  p.cg = 1;
  p.stride_h = p.stride_w = 1;
  p.out_h = p.out_w = 1;
  p.abuf_addr = 65536 - 65025;
  p.obuf_addr = 1023;
  struct Case {
    uint8_t fill;  // 0: random bytes
    bool sgn;
    uint8_t in_zp, out_zp;
    int32_t mult;
    unsigned shift;
  };
  const auto mean = tessera::quantize_multiplier(1.0 / 65025.0);
  const Case cases[] = {
      {0x80, true, 0x7f, 0x00, INT32_MAX, 48},   // sum = -255*65025: -126.5.. rounding
      {0x7f, true, 0x80, 0x00, INT32_MAX, 48},   // sum = +255*65025
      {0xff, false, 0x00, 0x00, INT32_MAX, 48},  // uint8: +255*65025
      {0x00, false, 0xff, 0x80, INT32_MAX, 49},  // uint8: -255*65025, out_zp 128
      {0x00, false, 0x00, 0x00, mean.mult, mean.shift},
      {0x00, true, 0x12, 0xf0, mean.mult, mean.shift},
  };
  for (const Case& c : cases) {
    p.data_signed = c.sgn;
    p.in_zp = c.in_zp;
    p.out_zp = c.out_zp;
    p.mult = uint32_t(c.mult);
    p.shift = c.shift;
    for (uint32_t w = 0; w < 65025; ++w)
      for (unsigned r = 0; r < 8; ++r)
        tb.abuf_word(p.abuf_addr + w)[r] = c.fill ? c.fill : rng.byte();
    check_pool(tb, p);
  }
}

// flush_i at every phase (start cycle, setup, run, drain): idle from the next cycle, no more
// writes, no done_o; the next command then runs correctly.
TEST(PoolUnit16, FlushReturnsToIdle) {
  UnitTb<Vpool_unit_16> tb(16, 12, 11, 5);
  Rng rng(5);
  for (auto& b : tb.abuf) b = rng.byte();
  PoolCmd big;
  big.avg = 1;
  big.data_signed = 1;
  big.in_h = big.in_w = 9;
  big.cg = 3;
  big.kh = big.kw = 3;
  big.stride_h = big.stride_w = 1;
  big.pad_top = big.pad_left = 1;
  big.out_h = big.out_w = 9;
  big.abuf_addr = 100;
  big.obuf_addr = 50;
  big.mult = uint32_t(tessera::quantize_multiplier(1.0 / 9).mult);
  big.shift = tessera::quantize_multiplier(1.0 / 9).shift;
  const long total = long(pool_work(big)) + 15;
  // The command's done_o cycle is total - 1; a flush in that very cycle may see done_o.
  const long points[] = {0,         1,         2,         3,         4,
                         5,         6,         100,       total / 2, total - 8,
                         total - 6, total - 4, total - 3, total - 2, total - 1};
  for (long at : points) {
    const RunStats st = tb.run(
        big.encode(), [](uint32_t) { return true; }, total + 100, at);
    EXPECT_TRUE(st.error.empty()) << "flush at cycle " << at << ": " << st.error;
    if (at < total - 1) EXPECT_FALSE(st.done) << "done_o despite flush at cycle " << at;
    EXPECT_LE(st.writes, uint64_t(std::max(0L, at - 6))) << "flush at " << at;
    // The unit must be clean: a different command right after gives exact results.
    PoolCmd p = random_pool(rng, tb.abuf_words, tb.obuf_words, 3000);
    check_pool(tb, p);
  }
}

// Cycles per output word for typical shapes (printed; the exact count is checked in check_pool).
TEST(PoolUnit16, CyclesPerWord) {
  UnitTb<Vpool_unit_16> tb(16, 12, 11, 6);
  Rng rng(6);
  for (auto& b : tb.abuf) b = rng.byte();
  struct Shape {
    const char* name;
    uint32_t in, cg, k, s, pad, out;
  };
  const Shape shapes[] = {{"max 2x2/2 on 16x16x4", 16, 4, 2, 2, 0, 8},
                          {"max 3x3/2 pad 1 on 15x15x4", 15, 4, 3, 2, 1, 8},
                          {"avg 3x3/1 pad 1 on 8x8x2", 8, 2, 3, 1, 1, 8},
                          {"global avg 7x7x8", 7, 8, 7, 1, 0, 1},
                          {"1x1 copy 8x8x16", 8, 16, 1, 1, 0, 8}};
  for (const Shape& s : shapes) {
    PoolCmd p;
    p.avg = s.name[0] == 'a' || s.name[0] == 'g';
    p.in_h = p.in_w = s.in;
    p.cg = s.cg;
    p.kh = p.kw = s.k;
    p.stride_h = p.stride_w = s.s;
    p.pad_top = p.pad_left = s.pad;
    p.out_h = p.out_w = s.out;
    p.mult = 1u << 30;
    p.shift = 31;
    const RunStats st = check_pool(tb, p);
    std::printf("[ pool N=16 ] %-28s %6llu words %8llu cycles  %.2f cycles/word\n", s.name,
                (unsigned long long)pool_words(p), (unsigned long long)st.cycles,
                double(st.cycles) / double(pool_words(p)));
  }
}

}  // namespace
