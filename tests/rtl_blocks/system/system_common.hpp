// Command-stream helpers for the tessera_top system tests (stand-in compute unit): random 3-D
// transfer patterns with a plain C++ model of their byte addresses, and the LOAD -> copy -> STORE
// trial that moves data DRAM -> SRAM -> DRAM through every buffer.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "tb_system.hpp"

namespace systb {

using tessera::isa::Command;
namespace isa = tessera::isa;

struct Hw {
  unsigned dim = 0, abuf = 0, wbuf = 0, acc = 0, obuf = 0, pbuf = 0, beat = 0, qdepth = 0;
};

template <class V>
Hw read_hw(Sys<V>& s) {
  namespace r = isa::reg;
  namespace f = isa::reg_field;
  Hw h;
  h.dim = f::kHwArrayRows.get(s.read(r::kHwArray));
  h.abuf = s.read(r::kHwAbufWords);
  h.wbuf = s.read(r::kHwWbufWords);
  h.acc = s.read(r::kHwAccWords);
  h.obuf = s.read(r::kHwObufWords);
  h.pbuf = s.read(r::kHwPbufWords);
  const uint32_t axi = s.read(r::kHwAxi);
  h.beat = f::kHwAxiDataBytes.get(axi);
  h.qdepth = f::kHwAxiQueueDepth.get(axi);
  return h;
}

// A 3-D pattern: element i = (z*y_len + y)*x_len + x at dram + z*zs + y*ys + x*e.
struct Pat {
  uint32_t dram = 0, x = 1, y = 1, z = 1, ys = 0, zs = 0, e = 1;
  uint32_t n() const { return x * y * z; }
  uint32_t addr(uint32_t i) const {
    const uint32_t xi = i % x, yi = (i / x) % y, zi = i / (x * y);
    return dram + zi * zs + yi * ys + xi * e;
  }
  uint64_t span() const { return uint64_t(z - 1) * zs + uint64_t(y - 1) * ys + uint64_t(x) * e; }
};

inline uint32_t rand_divisor(Rng& r, uint32_t n) {
  std::vector<uint32_t> d;
  for (uint32_t k = 1; k <= n; ++k)
    if (n % k == 0) d.push_back(k);
  // Favour the extremes (one long row, or many short rows) now and then.
  const uint32_t c = r.below(8);
  if (c == 0) return n;
  if (c == 1) return 1;
  return d[r.below(uint32_t(d.size()))];
}

// A random pattern of exactly n elements inside [lo, hi). Overlapping rows (strides smaller than
// a row, even 0) only when `overlap` (reads); writes never overlap themselves.
inline Pat rand_pat(Rng& r, uint32_t n, uint32_t e, uint32_t lo, uint32_t hi, bool overlap) {
  Pat p;
  p.e = e;
  p.x = rand_divisor(r, n);
  p.y = rand_divisor(r, n / p.x);
  p.z = n / (p.x * p.y);
  const uint32_t row = p.x * e;
  if (overlap && r.chance(25)) p.ys = e * r.below(p.x + 1);
  else p.ys = row + e * (r.chance(50) ? 0 : r.below(5));
  const uint32_t plane = (p.y - 1) * p.ys + row;
  if (overlap && r.chance(25)) p.zs = e * r.below(plane / e + 1);
  else p.zs = plane + e * (r.chance(50) ? 0 : r.below(9));
  const uint64_t span = p.span();
  const uint32_t slots = uint32_t((uint64_t(hi - lo) - span) / e);
  p.dram = lo + e * r.below(slots + 1);
  return p;
}

inline Command load_cmd(uint32_t buf, uint32_t sram, const Pat& p, isa::Deps d) {
  isa::LoadCmd c;
  c.deps = d;
  c.buf = buf;
  c.sram_addr = sram;
  c.dram_addr = p.dram;
  c.x_len = p.x;
  c.y_len = p.y;
  c.z_len = p.z;
  c.y_stride = p.ys;
  c.z_stride = p.zs;
  return c.encode();
}

inline Command store_cmd(uint32_t buf, uint32_t sram, const Pat& p, isa::Deps d) {
  isa::StoreCmd c;
  c.deps = d;
  c.buf = buf;
  c.sram_addr = sram;
  c.dram_addr = p.dram;
  c.x_len = p.x;
  c.y_len = p.y;
  c.z_len = p.z;
  c.y_stride = p.ys;
  c.z_stride = p.zs;
  return c.encode();
}

// Legal CONV / POOL / ADD commands the stand-in turns into copies of n words.
inline isa::ConvCmd conv_copy(uint32_t pbuf, uint32_t acc, uint32_t n, isa::Deps d) {
  isa::ConvCmd c;
  c.deps = d;
  c.pbuf_addr = pbuf;
  c.acc_addr = acc;
  c.in_h = c.in_w = c.kh = c.kw = c.out_h = c.out_w = 1;
  c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
  c.cg = n;
  c.obuf_stride = 1;
  return c;
}
inline isa::PoolCmd pool_copy(uint32_t abuf, uint32_t obuf, uint32_t n, isa::Deps d) {
  isa::PoolCmd c;
  c.deps = d;
  c.abuf_addr = abuf;
  c.obuf_addr = obuf;
  c.in_h = c.in_w = c.kh = c.kw = c.out_h = c.out_w = 1;
  c.stride_h = c.stride_w = 1;
  c.cg = n;
  return c;
}
inline isa::AddCmd add_copy(uint32_t wbuf, uint32_t obuf, uint32_t n, isa::Deps d) {
  isa::AddCmd c;
  c.deps = d;
  c.a_addr = wbuf;
  c.obuf_addr = obuf;
  c.len = n;
  return c;
}
inline Command finish_cmd() { return isa::FinishCmd{}.encode(); }

// Memory layout of every test: commands, then a read-only source area, then the store area.
template <class V>
struct Layout {
  static constexpr uint32_t kCmd = Sys<V>::kMemBase;
  static constexpr uint32_t kSrc = Sys<V>::kMemBase + 0x10000;
  static constexpr uint32_t kDst = Sys<V>::kMemBase + (2u << 20);
  static constexpr uint32_t kEnd = Sys<V>::kMemBase + Sys<V>::kMemSize;
};

// Builds `trials` LOAD -> copy -> STORE chains ordered only by tokens (compute waits for its
// load and for the previous store; the next load waits for the previous compute), appends
// FINISH, and applies the expected effect of each STORE to `expect` in order.
struct StreamStats {
  uint64_t rd_bytes = 0, wr_bytes = 0, words = 0;
  uint32_t cmds = 0;
};

template <class V>
std::vector<Command> dma_stream(Sys<V>& s, const Hw& hw, unsigned trials, uint32_t max_n,
                                std::vector<uint8_t>& expect, StreamStats& st) {
  using L = Layout<V>;
  Rng& r = s.rng();
  std::vector<Command> cmds;
  for (unsigned k = 0; k < trials; ++k) {
    const unsigned path = r.below(3);  // 0 ABUF->POOL->OBUF, 1 WBUF->ADD->OBUF, 2 PBUF->CONV->ACC
    const uint32_t e = (path == 2) ? 4 * hw.dim : hw.dim;
    uint32_t lim = 0, src_words = 0, dst_words = 0;
    if (path == 0) { src_words = hw.abuf; dst_words = hw.obuf; }
    if (path == 1) { src_words = std::min(hw.abuf, hw.wbuf); dst_words = hw.obuf; }
    if (path == 2) { src_words = hw.pbuf; dst_words = hw.acc; }
    lim = std::min({src_words, dst_words, max_n});
    if (path == 2) lim = std::min(lim, hw.pbuf - 3);
    uint32_t n = r.chance(30) ? r.range(1, 8) : r.range(1, lim);
    const uint32_t sram = r.below(src_words - std::max(n, path == 2 ? 3u : 1u) + 1);
    const uint32_t dsram = r.below(dst_words - n + 1);
    const Pat a = rand_pat(r, n, e, L::kSrc, L::kDst, true);
    const Pat b = rand_pat(r, n, e, L::kDst, L::kEnd, false);
    isa::Deps dl, dc, ds;
    dl.pop_next = k > 0;
    dl.push_next = true;
    dc.pop_prev = true;
    dc.pop_next = k > 0;
    dc.push_prev = true;
    dc.push_next = true;
    ds.pop_prev = true;
    ds.push_prev = true;
    const uint32_t lbuf = path == 0 ? 0 : path == 1 ? 1 : 2;
    cmds.push_back(load_cmd(lbuf, sram, a, dl));
    if (path == 0) cmds.push_back(pool_copy(sram, dsram, n, dc).encode());
    if (path == 1) cmds.push_back(add_copy(sram, dsram, n, dc).encode());
    if (path == 2) cmds.push_back(conv_copy(sram, dsram, n, dc).encode());
    cmds.push_back(store_cmd(path == 2 ? 1 : 0, dsram, b, ds));
    // The plain model of the two patterns: element i goes from a.addr(i) to b.addr(i).
    for (uint32_t i = 0; i < n; ++i)
      std::memcpy(&expect[b.addr(i) - Sys<V>::kMemBase], &s.mem[a.addr(i) - Sys<V>::kMemBase], e);
    st.rd_bytes += uint64_t(n) * e;
    st.wr_bytes += uint64_t(n) * e;
    st.words += n;
  }
  cmds.push_back(finish_cmd());
  st.cmds = uint32_t(cmds.size());
  return cmds;
}

// Runs one random DMA stream and checks memory byte for byte and the counters.
template <class V>
void run_dma_stream(Sys<V>& s, const Hw& hw, unsigned trials, uint32_t max_n) {
  using L = Layout<V>;
  std::vector<uint8_t> expect = s.mem;
  StreamStats st;
  auto cmds = dma_stream(s, hw, trials, max_n, expect, st);
  s.put_cmds(L::kCmd, cmds);
  for (size_t i = 0; i < cmds.size(); ++i)
    std::memcpy(&expect[i * 32], &s.mem[i * 32], 32);
  const RunResult res = s.run(L::kCmd, uint32_t(cmds.size()), Sys<V>::kMemBase, Sys<V>::kMemSize);
  ASSERT_FALSE(res.timed_out);
  ASSERT_TRUE(res.done()) << "status " << res.status << " err " << res.err_code << " info "
                          << res.err_info;
  EXPECT_EQ(res.err_code, 0u);
  EXPECT_EQ(res.irq_status, isa::reg_bits::kIrqStatusDone);
  for (const auto& e : s.errors()) ADD_FAILURE() << e;
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < expect.size(); ++i)
    if (expect[i] != s.mem[i]) {
      if (!bad) first = i;
      ++bad;
    }
  EXPECT_EQ(bad, 0u) << "first mismatch at 0x" << std::hex << (Sys<V>::kMemBase + first);
  using C = isa::Counter;
  EXPECT_EQ(s.counter(C::kDmaRdBytes), st.rd_bytes);
  EXPECT_EQ(s.counter(C::kDmaWrBytes), st.wr_bytes);
  EXPECT_EQ(s.counter(C::kCmdsRetired), st.cmds);
  EXPECT_EQ(s.counter(C::kMacActive), st.words);  // the stand-in reports one per copied word
  const uint64_t cyc = s.counter(C::kCycles);
  EXPECT_GT(cyc, 0u);
  EXPECT_LE(cyc, res.cycles);
  EXPECT_GT(s.counter(C::kLoadBusy), 0u);
  EXPECT_GT(s.counter(C::kStoreBusy), 0u);
  EXPECT_GT(s.counter(C::kComputeBusy), 0u);
  EXPECT_LT(s.counter(C::kLoadBusy), cyc);
  // Compute always waits for its load's token, the store for its compute's.
  EXPECT_GT(s.counter(C::kComputeWait), 0u);
  EXPECT_GT(s.counter(C::kStoreWait), 0u);
}

// Seeds can be moved with TESSERA_SEED=<n> to explore other random cases.
inline uint64_t seed(uint64_t base) {
  const char* e = std::getenv("TESSERA_SEED");
  return base + (e ? 1000003ull * std::strtoull(e, nullptr, 10) : 0);
}

}  // namespace systb
