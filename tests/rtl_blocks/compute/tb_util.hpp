// Small helpers shared by the compute-unit block tests: a PRNG and access to Verilator ports of
// any width (uint8/16/32 for <= 32 bits, uint64 for <= 64, VlWide<W> beyond).
#pragma once

#include <verilated.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace computetb {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
  int32_t range(int32_t lo, int32_t hi) {
    return int32_t(int64_t(lo) + int64_t(next() % uint64_t(int64_t(hi) - lo + 1)));
  }
  bool chance(unsigned percent) { return below(100) < percent; }
  uint8_t byte() { return uint8_t(next() >> 56); }
  uint32_t u32() { return uint32_t(next() >> 32); }

 private:
  uint64_t s_;
};

// Bit-field access, for ports of any width.
template <class P>
inline std::enable_if_t<std::is_integral<P>::value> set_bits(P& p, unsigned lsb, unsigned w,
                                                             uint64_t v) {
  const uint64_t mask = (w >= 64) ? ~0ull : ((1ull << w) - 1);
  uint64_t x = uint64_t(p);
  x = (x & ~(mask << lsb)) | ((v & mask) << lsb);
  p = P(x);
}
template <std::size_t W>
inline void set_bits(VlWide<W>& p, unsigned lsb, unsigned w, uint64_t v) {
  for (unsigned i = 0; i < w; ++i) {
    const unsigned b = lsb + i;
    const uint32_t bit = uint32_t((v >> i) & 1u);
    p[b / 32] = (p[b / 32] & ~(1u << (b % 32))) | (bit << (b % 32));
  }
}
template <class P>
inline std::enable_if_t<std::is_integral<P>::value, uint64_t> get_bits(const P& p, unsigned lsb,
                                                                       unsigned w) {
  const uint64_t mask = (w >= 64) ? ~0ull : ((1ull << w) - 1);
  return (uint64_t(p) >> lsb) & mask;
}
template <std::size_t W>
inline uint64_t get_bits(const VlWide<W>& p, unsigned lsb, unsigned w) {
  uint64_t v = 0;
  for (unsigned i = 0; i < w; ++i) {
    const unsigned b = lsb + i;
    v |= uint64_t((p[b / 32] >> (b % 32)) & 1u) << i;
  }
  return v;
}

// Whole 32-bit words (fast path for the memory data ports; nw words, little-endian).
template <class P>
inline std::enable_if_t<std::is_integral<P>::value> put_words(P& p, const uint32_t* src,
                                                              unsigned nw) {
  uint64_t x = src[0];
  if (nw > 1) x |= uint64_t(src[1]) << 32;
  p = P(x);
}
template <std::size_t W>
inline void put_words(VlWide<W>& p, const uint32_t* src, unsigned nw) {
  for (unsigned i = 0; i < nw && i < W; ++i) p[i] = src[i];
}
template <class P>
inline std::enable_if_t<std::is_integral<P>::value> get_words(const P& p, uint32_t* dst,
                                                              unsigned nw) {
  const uint64_t x = uint64_t(p);
  dst[0] = uint32_t(x);
  if (nw > 1) dst[1] = uint32_t(x >> 32);
}
template <std::size_t W>
inline void get_words(const VlWide<W>& p, uint32_t* dst, unsigned nw) {
  for (unsigned i = 0; i < nw && i < W; ++i) dst[i] = p[i];
}

}  // namespace computetb
