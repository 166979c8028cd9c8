// tessera_lut_mul against the integer product, for every pair of 9-bit signed factors: the
// activation goes in recoded (a + 341 in 10 bits, as tessera_pe_array recodes it).
#include <gtest/gtest.h>

#include <memory>

#include "Vlut_mul.h"

namespace {

TEST(LutMul, EveryPairOfNineBitFactors) {
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<Vlut_mul>(ctx.get());
  constexpr int kLutMulBias = 341;  // tessera_arith_pkg::LutMulBias
  long mismatches = 0;
  for (int a = -256; a <= 255; ++a) {
    top->u_i = unsigned(a + kLutMulBias) & 0x3ff;
    for (int w = -256; w <= 255; ++w) {
      top->w_i = unsigned(w) & 0x1ff;
      top->eval();
      const int p = int(top->p_o << 14) >> 14;  // 18-bit signed
      if (p != a * w && ++mismatches <= 5) ADD_FAILURE() << a << " * " << w << " gave " << p;
    }
  }
  EXPECT_EQ(mismatches, 0);
  top->final();
}

}  // namespace
