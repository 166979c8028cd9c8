// rshift_rne / requantize / quantize_multiplier against exact rational arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tessera/quant.hpp"

namespace tessera {
namespace {

// Independent reference: round-half-even of p / 2^s through long double (exact for |p| < 2^63
// because the division by a power of two only changes the exponent).
int64_t rne_reference(int64_t p, unsigned s) {
  const long double x = std::ldexp(static_cast<long double>(p), -int(s));
  const long double f = std::floor(x);
  const long double diff = x - f;
  if (diff > 0.5L) return int64_t(f) + 1;
  if (diff < 0.5L) return int64_t(f);
  return (int64_t(f) % 2 == 0) ? int64_t(f) : int64_t(f) + 1;
}

TEST(Quant, RshiftRneTies) {
  EXPECT_EQ(rshift_rne(5, 1), 2);    // 2.5 -> 2
  EXPECT_EQ(rshift_rne(7, 1), 4);    // 3.5 -> 4
  EXPECT_EQ(rshift_rne(-5, 1), -2);  // -2.5 -> -2
  EXPECT_EQ(rshift_rne(-7, 1), -4);  // -3.5 -> -4
  EXPECT_EQ(rshift_rne(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(rshift_rne(123, 0), 123);
}

TEST(Quant, RshiftRneMatchesExactRounding) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200000; ++i) {
    const unsigned s = rng() % 64;
    const int64_t p = int64_t(rng()) >> (rng() % 63);
    ASSERT_EQ(rshift_rne(p, s), rne_reference(p, s)) << "p=" << p << " s=" << s;
  }
}

TEST(Quant, RequantizeClampsAndSaturates) {
  EXPECT_EQ(requantize(100, 0, 1 << 30, 31, 0, -128, 127), 50);
  EXPECT_EQ(requantize(INT32_MAX, INT32_MAX, 1 << 30, 0, 0, -128, 127), 127);
  EXPECT_EQ(requantize(-1000, 0, 1 << 30, 30, 10, 10, 127), 10);  // fused ReLU at zp 10
}

TEST(Quant, QuantizeMultiplierIsAccurate) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> e(-20, 4);
  for (int i = 0; i < 10000; ++i) {
    const double f = std::pow(2.0, e(rng));
    const Multiplier m = quantize_multiplier(f);
    ASSERT_GE(m.mult, 1 << 30);
    const double back = std::ldexp(double(m.mult), -int(m.shift));
    ASSERT_NEAR(back / f, 1.0, 1e-9);
  }
  EXPECT_THROW(quantize_multiplier(0.0), std::invalid_argument);
  EXPECT_THROW(quantize_multiplier(NAN), std::invalid_argument);
}

}  // namespace
}  // namespace tessera
