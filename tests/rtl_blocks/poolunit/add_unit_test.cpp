// tessera_add_unit against a plain-loop model of docs/isa.md ADD (add_check.hpp): random
// lengths, multipliers (negative, tiny, near +-2^31), shifts 0..63, zero points, clamps
// (including clamp_min > clamp_max), int8 / uint8, overlapping inputs, flushes.
#include <gtest/gtest.h>

#include "Vadd_unit_16.h"
#include "Vadd_unit_4.h"
#include "add_check.hpp"

namespace {

using namespace poolunit;
using tessera::isa::AddCmd;

TEST(AddUnit16, RandomCommands) { random_add_commands<Vadd_unit_16>(16, 12, 11, 11, 400); }
TEST(AddUnit4, RandomCommands) { random_add_commands<Vadd_unit_4>(4, 10, 9, 12, 400); }

// Every shift with the extreme multipliers: the exact 64-bit path and the rounding at each width.
TEST(AddUnit16, ExtremeMultipliersAllShifts) {
  UnitTb<Vadd_unit_16> tb(16, 12, 11, 13);
  Rng rng(13);
  for (auto& b : tb.abuf) b = rng.byte();
  for (unsigned sg = 0; sg < 2; ++sg)
    for (unsigned shift = 0; shift < 64; ++shift) {
      AddCmd c;
      c.data_signed = sg;
      c.len = 64;
      c.a_addr = rng.below(4000);
      c.b_addr = rng.below(4000);
      c.obuf_addr = rng.below(1900);
      c.a_mult = uint32_t(shift % 2 ? INT32_MIN : INT32_MAX);
      c.b_mult = uint32_t(shift % 3 ? INT32_MIN : INT32_MAX);
      c.a_zp = rng.byte();
      c.b_zp = rng.byte();
      c.out_zp = rng.byte();
      c.clamp_min = uint8_t(tessera::type_min(sg));
      c.clamp_max = uint8_t(tessera::type_max(sg));
      c.shift = shift;
      check_add(tb, c);
    }
}

// The longest command the OBUF holds, and a length-1 command right after it.
TEST(AddUnit16, LongAndShort) {
  UnitTb<Vadd_unit_16> tb(16, 12, 11, 14);
  Rng rng(14);
  for (auto& b : tb.abuf) b = rng.byte();
  AddCmd c = random_add(rng, tb.abuf_words, tb.obuf_words, 1);
  c.len = 2048;
  c.a_addr = 0;
  c.b_addr = 4096 - 2048;
  c.obuf_addr = 0;
  const RunStats st = check_add(tb, c);
  std::printf("[ add N=16 ] len %u: %llu cycles, %.3f cycles/word\n", c.len,
              (unsigned long long)st.cycles, double(st.cycles) / c.len);
  c.len = 1;
  c.a_addr = 4095;
  c.b_addr = 4095;
  c.obuf_addr = 2047;
  check_add(tb, c);
}

TEST(AddUnit16, FlushReturnsToIdle) {
  UnitTb<Vadd_unit_16> tb(16, 12, 11, 15);
  Rng rng(15);
  for (auto& b : tb.abuf) b = rng.byte();
  AddCmd big = random_add(rng, tb.abuf_words, tb.obuf_words, 1);
  big.len = 200;
  big.a_addr = 10;
  big.b_addr = 1000;
  big.obuf_addr = 300;
  const long total = 2 * 200 + 11;  // done_o in cycle total - 1
  const long points[] = {0,         1,         2,         3,         4,
                         5,         77,        total - 7, total - 6, total - 5,
                         total - 4, total - 3, total - 2, total - 1};
  for (long at : points) {
    const RunStats st = tb.run(
        big.encode(), [](uint32_t) { return true; }, total + 100, at);
    EXPECT_TRUE(st.error.empty()) << "flush at cycle " << at << ": " << st.error;
    if (at < total - 1) EXPECT_FALSE(st.done) << "done_o despite flush at cycle " << at;
    check_add(tb, random_add(rng, tb.abuf_words, tb.obuf_words, 50));
  }
}

}  // namespace
