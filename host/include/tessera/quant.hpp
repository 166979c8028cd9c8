// Integer arithmetic of docs/quantization.md, shared by the layer-level reference, the
// instruction-level model and the compiler. Header-only so every target sees one definition.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace tessera {

/// Divides p by 2^s, rounding half to even. s in 0..63.
inline int64_t rshift_rne(int64_t p, unsigned s) {
  if (s == 0) return p;
  const int64_t q = p >> s;  // arithmetic shift: floor
  const uint64_t mask = (uint64_t(1) << s) - 1;
  const uint64_t rem = uint64_t(p) & mask;
  const uint64_t half = uint64_t(1) << (s - 1);
  return q + ((rem > half || (rem == half && (q & 1))) ? 1 : 0);
}

inline int32_t saturate_int32(int64_t v) {
  return int32_t(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
}

/// Value of a raw byte as int8 or uint8.
inline int32_t byte_value(uint8_t raw, bool is_signed) {
  return is_signed ? int32_t(int8_t(raw)) : int32_t(raw);
}

inline int32_t type_min(bool is_signed) { return is_signed ? -128 : 0; }
inline int32_t type_max(bool is_signed) { return is_signed ? 127 : 255; }

/// Output pipeline of CONV (docs/quantization.md). Returns the typed output value.
inline int32_t requantize(int32_t acc, int32_t bias, int32_t mult, unsigned shift, int32_t out_zp,
                          int32_t clamp_min, int32_t clamp_max) {
  const int64_t v = saturate_int32(int64_t(acc) + bias);
  const int64_t y = rshift_rne(v * int64_t(mult), shift & 63u) + out_zp;
  return int32_t(std::min<int64_t>(std::max<int64_t>(y, clamp_min), clamp_max));
}

/// Fixed-point form of a positive real factor: factor ~= mult * 2^-shift, 2^30 <= mult < 2^31.
struct Multiplier {
  int32_t mult = 0;
  unsigned shift = 0;
};

/// Throws std::invalid_argument when the factor is not finite, not positive, or too small/large to
/// be represented with a shift in 0..63.
inline Multiplier quantize_multiplier(double factor) {
  if (!std::isfinite(factor) || factor <= 0.0)
    throw std::invalid_argument("requantization factor must be finite and > 0, got " +
                                std::to_string(factor));
  int exp = 0;
  const double frac = std::frexp(factor, &exp);  // factor = frac * 2^exp, frac in [0.5, 1)
  int64_t m = std::llround(frac * double(int64_t(1) << 31));
  if (m == (int64_t(1) << 31)) {  // rounding carried into the next power of two
    m /= 2;
    ++exp;
  }
  int shift = 31 - exp;
  while (shift > 63) {  // tiny factor: give up precision rather than range
    m >>= 1;
    --shift;
  }
  if (shift < 0)
    throw std::invalid_argument("requantization factor " + std::to_string(factor) +
                                " is too large (needs a left shift)");
  return Multiplier{int32_t(m), unsigned(shift)};
}

}  // namespace tessera
