// The same checks on the Yosys 0.23 view of the RTL (read_verilog -sv; proc; flatten; opt;
// wreduce; written back as Verilog, or the gate netlist of `synth` with
// -DTESSERA_POOLUNIT_GATES=ON): guards against SystemVerilog that Yosys reads differently from
// Verilator (docs: ../shared/TOOLCHAIN.md, "silently miscompiles"). ArrayDim 4, AbufAw 10, ObufAw 9.
#include <gtest/gtest.h>

#include "Vadd_unit_net_4.h"
#include "Vpool_unit_net_4.h"
#include "add_check.hpp"
#include "pool_check.hpp"

namespace {

using namespace poolunit;

TEST(PoolUnitYosys4, RandomCommands) {
  random_pool_commands<Vpool_unit_net_4>(4, 10, 9, 21, 150);
}

TEST(PoolUnitYosys4, FlushThenCommand) {
  UnitTb<Vpool_unit_net_4> tb(4, 10, 9, 22);
  Rng rng(22);
  for (auto& b : tb.abuf) b = rng.byte();
  for (long at : {0L, 2L, 40L}) {
    const tessera::isa::PoolCmd big = random_pool(rng, tb.abuf_words, tb.obuf_words, 3000);
    const RunStats st = tb.run(big.encode(), [](uint32_t) { return true; }, 4000, at);
    EXPECT_TRUE(st.error.empty()) << "flush at " << at << ": " << st.error;
    check_pool(tb, random_pool(rng, tb.abuf_words, tb.obuf_words, 3000));
  }
}

TEST(AddUnitYosys4, RandomCommands) { random_add_commands<Vadd_unit_net_4>(4, 10, 9, 23, 200); }

}  // namespace
