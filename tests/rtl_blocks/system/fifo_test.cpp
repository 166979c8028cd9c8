// tessera_fifo against a std::deque, under random pushes, pops and clears: every cycle its
// valid, ready, count and head must be the deque's. Both head forms (read from the storage, and
// RegHead: a register refilled on pops) at a depth that is not a power of two, and the one-entry
// RegHead FIFO, whose head is always the pushed entry.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>

#include "Vfifo_comb3.h"
#include "Vfifo_reg1.h"
#include "Vfifo_reg3.h"

namespace {

template <class Fifo>
void RunAgainstDeque(size_t depth, uint32_t seed) {
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->randReset(2);
  auto dut = std::make_unique<Fifo>(ctx.get());
  std::mt19937 rng(seed);
  std::deque<uint32_t> model;

  auto tick = [&] {
    dut->clk_i = 0;
    dut->eval();
    dut->clk_i = 1;
    dut->eval();
  };
  dut->rst_ni = 0;
  dut->clear_i = 0;
  dut->in_valid_i = 0;
  dut->out_ready_i = 0;
  tick();
  tick();
  dut->rst_ni = 1;

  long pushes = 0, pops = 0, full = 0, empty = 0;
  for (int cycle = 0; cycle < 20000; ++cycle) {
    // Phases of push-heavy and pop-heavy traffic, so the FIFO runs both full and empty.
    const bool fill = (cycle / 64) % 2 == 0;
    dut->in_valid_i = (rng() % 4) < (fill ? 3u : 1u);
    dut->in_data_i = rng() & 0xff;
    dut->out_ready_i = (rng() % 4) < (fill ? 1u : 3u);
    dut->clear_i = (rng() % 500) == 0;
    dut->clk_i = 0;
    dut->eval();

    ASSERT_EQ(dut->out_valid_o, !model.empty()) << "cycle " << cycle;
    ASSERT_EQ(dut->in_ready_o, model.size() < depth) << "cycle " << cycle;
    ASSERT_EQ(dut->count_o, model.size()) << "cycle " << cycle;
    if (!model.empty()) ASSERT_EQ(dut->out_data_o, model.front()) << "cycle " << cycle;

    full += model.size() == depth;
    empty += model.empty();
    const bool push = dut->in_valid_i && model.size() < depth;
    const bool pop = dut->out_ready_i && !model.empty();
    if (dut->clear_i) {
      model.clear();
    } else {
      if (pop) model.pop_front(), ++pops;
      if (push) model.push_back(dut->in_data_i), ++pushes;
    }
    dut->clk_i = 1;
    dut->eval();
  }
  // Entries flowed, and the FIFO was full and empty many times.
  EXPECT_GT(pushes, 2000);
  EXPECT_GT(pops, 2000);
  EXPECT_GT(full, 1000);
  EXPECT_GT(empty, 1000);
  dut->final();
}

TEST(Fifo, HeadFromStorageMatchesDeque) { RunAgainstDeque<Vfifo_comb3>(3, 1); }
TEST(Fifo, RegisteredHeadMatchesDeque) { RunAgainstDeque<Vfifo_reg3>(3, 2); }
TEST(Fifo, OneEntryRegisteredHeadMatchesDeque) { RunAgainstDeque<Vfifo_reg1>(1, 3); }

}  // namespace
