// tessera_top with the stand-in compute unit: random DMA streams through every buffer (compared
// byte for byte with a plain C++ model of the 3-D patterns), every fault of docs/isa.md with its
// ERR_CODE / ERR_INFO, recovery after each fault, and the performance counters.
#include <gtest/gtest.h>

#include <cstdio>
#include <array>
#include <functional>

#include "Vsys_16.h"
#include "Vsys_32_bus32.h"
#include "Vsys_4.h"
#include "Vsys_8_bus512.h"
#include "system_common.hpp"

namespace systb {
namespace {

using E = isa::Error;

// ---- DMA ------------------------------------------------------------------------------------

template <class V>
void dma_random(unsigned beat, uint64_t seed, unsigned streams, unsigned trials, uint32_t max_n,
                Stalls st) {
  Sys<V> s(seed, beat, st);
  const Hw hw = read_hw(s);
  ASSERT_EQ(hw.beat, beat);
  for (unsigned i = 0; i < streams; ++i) {
    SCOPED_TRACE("stream " + std::to_string(i));
    run_dma_stream(s, hw, trials, max_n);
    if (::testing::Test::HasFailure()) return;
  }
  // The random patterns did reach the splitting corner cases.
  const BusStats& b = s.stats();
  std::printf("bursts: %llu AR (%llu end at 4 KB, max len %u), %llu AW (%llu end at 4 KB, "
              "max len %u), %llu partial W beats\n",
              (unsigned long long)b.ar, (unsigned long long)b.ar_to_4k, b.max_arlen,
              (unsigned long long)b.aw, (unsigned long long)b.aw_to_4k, b.max_awlen,
              (unsigned long long)b.partial_w);
  EXPECT_GT(b.ar_to_4k, 0u);
  EXPECT_GT(b.aw_to_4k, 0u);
  if (hw.dim < beat) EXPECT_GT(b.partial_w, 0u);
}

Stalls busy_bus() { return Stalls{35, 40, 35, 40, 50, 100}; }
Stalls fast_bus() { return Stalls{100, 100, 100, 100, 100, 20}; }

// ---- faults ---------------------------------------------------------------------------------

// A short legal stream (LOAD -> POOL copy -> STORE -> FINISH) that must run to DONE after a fault.
template <class V>
void expect_recovers(Sys<V>& s, const Hw& hw) {
  SCOPED_TRACE("recovery run");
  run_dma_stream(s, hw, 1, 64);
}

template <class V>
void expect_fault(Sys<V>& s, const Hw& hw, const std::vector<Command>& cmds, E code, uint32_t info,
                  int count = -1, uint32_t cmd_base = Layout<V>::kCmd,
                  uint32_t wbase = Sys<V>::kMemBase, uint32_t wsize = Sys<V>::kMemSize) {
  s.put_cmds(cmd_base & ~31u, cmds);
  const RunResult res =
      s.run(cmd_base, count < 0 ? uint32_t(cmds.size()) : uint32_t(count), wbase, wsize, 400000);
  ASSERT_FALSE(res.timed_out) << "no DONE / ERROR interrupt";
  EXPECT_TRUE(res.error()) << "status " << res.status;
  EXPECT_EQ(res.err_code, uint32_t(code)) << isa::error_name(E(res.err_code));
  EXPECT_EQ(res.err_info, info);
  EXPECT_TRUE(res.irq);
  EXPECT_EQ(res.irq_status, 2u);
  for (const auto& e : s.errors()) ADD_FAILURE() << e;
  if (!::testing::Test::HasFailure()) expect_recovers(s, hw);
}

// A legal LOAD of n ABUF elements from the source area.
template <class V>
isa::LoadCmd small_load(const Hw& hw, uint32_t n = 4) {
  isa::LoadCmd c;
  c.buf = 0;
  c.sram_addr = 0;
  c.dram_addr = Layout<V>::kSrc;
  c.x_len = n;
  c.y_len = 1;
  c.z_len = 1;
  c.y_stride = hw.dim * n;
  c.z_stride = hw.dim * n;
  return c;
}
template <class V>
isa::StoreCmd small_store(const Hw& hw, uint32_t n = 4) {
  isa::StoreCmd c;
  c.buf = 0;
  c.sram_addr = 0;
  c.dram_addr = Layout<V>::kDst;
  c.x_len = n;
  c.y_len = 1;
  c.z_len = 1;
  c.y_stride = hw.dim * n;
  c.z_stride = hw.dim * n;
  return c;
}

template <class V>
void static_faults(unsigned beat, uint64_t seed) {
  Sys<V> s(seed, beat, busy_bus());
  const Hw hw = read_hw(s);
  const uint32_t N = hw.dim;
  auto ld = [&] { return small_load<V>(hw); };
  auto stc = [&] { return small_store<V>(hw); };
  auto conv = [&] { return conv_copy(0, 0, 1, {}); };
  auto pool = [&] { return pool_copy(0, 0, 1, {}); };
  auto add = [&] { return add_copy(0, 0, 1, {}); };
  const Command fin = finish_cmd();
  const Command ok_ld = ld().encode();

  struct Case {
    std::string name;
    Command cmd;
    E code;
  };
  std::vector<Case> cases;
  auto with = [](Command c, unsigned op) {
    isa::set(c, isa::field::kOpcode, op);
    return c;
  };
  // 1. opcodes
  cases.push_back({"opcode 0", Command{}, E::kIllegalOpcode});
  cases.push_back({"opcode 7", with(ok_ld, 7), E::kIllegalOpcode});
  cases.push_back({"opcode 15", with(ok_ld, 15), E::kIllegalOpcode});
  // 2. dependency flags, buffers, zero fields
  { auto c = ld(); c.deps.pop_prev = true; cases.push_back({"LOAD pop_prev", c.encode(), E::kIllegalField}); }
  { auto c = ld(); c.deps.push_prev = true; cases.push_back({"LOAD push_prev", c.encode(), E::kIllegalField}); }
  { auto c = stc(); c.deps.pop_next = true; cases.push_back({"STORE pop_next", c.encode(), E::kIllegalField}); }
  { auto c = stc(); c.deps.push_next = true; cases.push_back({"STORE push_next", c.encode(), E::kIllegalField}); }
  for (int f = 0; f < 4; ++f) {
    isa::FinishCmd c;
    (f == 0 ? c.deps.pop_prev : f == 1 ? c.deps.pop_next : f == 2 ? c.deps.push_prev : c.deps.push_next) = true;
    cases.push_back({"FINISH flag " + std::to_string(f), c.encode(), E::kIllegalField});
  }
  { auto c = ld(); c.buf = 3; cases.push_back({"LOAD buf 3", c.encode(), E::kIllegalField}); }
  { auto c = stc(); c.buf = 2; cases.push_back({"STORE buf 2", c.encode(), E::kIllegalField}); }
  { auto c = ld(); c.x_len = 0; cases.push_back({"LOAD x_len 0", c.encode(), E::kIllegalField}); }
  { auto c = ld(); c.y_len = 0; cases.push_back({"LOAD y_len 0", c.encode(), E::kIllegalField}); }
  { auto c = ld(); c.z_len = 0; cases.push_back({"LOAD z_len 0", c.encode(), E::kIllegalField}); }
  { auto c = stc(); c.x_len = 0; cases.push_back({"STORE x_len 0", c.encode(), E::kIllegalField}); }
  { auto c = stc(); c.y_len = 0; cases.push_back({"STORE y_len 0", c.encode(), E::kIllegalField}); }
  { auto c = stc(); c.z_len = 0; cases.push_back({"STORE z_len 0", c.encode(), E::kIllegalField}); }
  const std::vector<std::pair<const char*, uint32_t isa::ConvCmd::*>> conv_fields = {
      {"in_h", &isa::ConvCmd::in_h},         {"in_w", &isa::ConvCmd::in_w},
      {"kh", &isa::ConvCmd::kh},             {"kw", &isa::ConvCmd::kw},
      {"out_h", &isa::ConvCmd::out_h},       {"out_w", &isa::ConvCmd::out_w},
      {"stride_h", &isa::ConvCmd::stride_h}, {"stride_w", &isa::ConvCmd::stride_w},
      {"cg", &isa::ConvCmd::cg},             {"obuf_stride", &isa::ConvCmd::obuf_stride},
      {"dil_h", &isa::ConvCmd::dil_h},       {"dil_w", &isa::ConvCmd::dil_w}};
  for (auto& f : conv_fields) {
    auto c = conv();
    c.*(f.second) = 0;
    cases.push_back({std::string("CONV ") + f.first + " 0", c.encode(), E::kIllegalField});
  }
  const std::vector<std::pair<const char*, uint32_t isa::PoolCmd::*>> pool_fields = {
      {"in_h", &isa::PoolCmd::in_h},         {"in_w", &isa::PoolCmd::in_w},
      {"kh", &isa::PoolCmd::kh},             {"kw", &isa::PoolCmd::kw},
      {"out_h", &isa::PoolCmd::out_h},       {"out_w", &isa::PoolCmd::out_w},
      {"cg", &isa::PoolCmd::cg},             {"stride_h", &isa::PoolCmd::stride_h},
      {"stride_w", &isa::PoolCmd::stride_w}};
  for (auto& f : pool_fields) {
    auto c = pool();
    c.*(f.second) = 0;
    cases.push_back({std::string("POOL ") + f.first + " 0", c.encode(), E::kIllegalField});
  }
  { auto c = add(); c.len = 0; cases.push_back({"ADD len 0", c.encode(), E::kIllegalField}); }
  // 3. alignment (before the window check: this one is also outside the window)
  { auto c = ld(); c.dram_addr += N / 2; cases.push_back({"LOAD dram misaligned", c.encode(), E::kMisaligned}); }
  { auto c = ld(); c.y_len = 2; c.y_stride = N + 1; cases.push_back({"LOAD y_stride misaligned", c.encode(), E::kMisaligned}); }
  { auto c = ld(); c.z_stride = 3 * N + 2; cases.push_back({"LOAD z_stride misaligned", c.encode(), E::kMisaligned}); }
  { auto c = stc(); c.buf = 1; c.dram_addr += N; cases.push_back({"STORE ACC dram not 4N aligned", c.encode(), E::kMisaligned}); }
  { auto c = ld(); c.buf = 2; c.y_stride = 2 * N; cases.push_back({"LOAD PBUF y_stride not 4N aligned", c.encode(), E::kMisaligned}); }
  { auto c = ld(); c.dram_addr = 0xffffff00u + 1; cases.push_back({"misaligned wins over window", c.encode(), E::kMisaligned}); }
  { auto c = ld(); c.x_len = 0; c.dram_addr += 1; cases.push_back({"field wins over alignment", c.encode(), E::kIllegalField}); }
  // 4. window
  const uint32_t top = Sys<V>::kMemBase + Sys<V>::kMemSize;
  { auto c = ld(); c.dram_addr = top - 3 * N; cases.push_back({"LOAD past the window end", c.encode(), E::kAddrWindow}); }
  { auto c = ld(); c.dram_addr = Sys<V>::kMemBase - N; cases.push_back({"LOAD below the window", c.encode(), E::kAddrWindow}); }
  { auto c = ld(); c.y_len = 2; c.y_stride = 0x200000; c.dram_addr = top - 0x200000; cases.push_back({"LOAD y extent past the end", c.encode(), E::kAddrWindow}); }
  { auto c = stc(); c.z_len = 3; c.z_stride = 0x7fffff00u; cases.push_back({"STORE z extent huge", c.encode(), E::kAddrWindow}); }
  { auto c = ld(); c.dram_addr = 0xfffffff0u & ~(N - 1); c.x_len = 1; cases.push_back({"LOAD at the top of 4 GB", c.encode(), E::kAddrWindow}); }
  { auto c = ld(); c.sram_addr = hw.abuf; c.dram_addr = top; cases.push_back({"window wins over SRAM range", c.encode(), E::kAddrWindow}); }
  // 5. SRAM ranges
  { auto c = ld(); c.sram_addr = hw.abuf - 3; cases.push_back({"LOAD ABUF range", c.encode(), E::kSramRange}); }
  { auto c = ld(); c.buf = 1; c.x_len = 2; c.y_len = 2; c.z_len = 2; c.y_stride = 2 * N; c.z_stride = 4 * N; c.sram_addr = hw.wbuf - 7; cases.push_back({"LOAD WBUF range (3-D count)", c.encode(), E::kSramRange}); }
  { auto c = ld(); c.buf = 2; c.y_stride = 16 * N; c.z_stride = 16 * N; c.sram_addr = hw.pbuf - 3; cases.push_back({"LOAD PBUF range", c.encode(), E::kSramRange}); }
  { auto c = stc(); c.sram_addr = hw.obuf - 2; cases.push_back({"STORE OBUF range", c.encode(), E::kSramRange}); }
  { auto c = stc(); c.buf = 1; c.y_stride = 16 * N; c.z_stride = 16 * N; c.sram_addr = hw.acc - 1; cases.push_back({"STORE ACC range", c.encode(), E::kSramRange}); }
  { auto c = conv(); c.in_h = 4; c.in_w = 4; c.cg = 2; c.abuf_addr = hw.abuf - 31; cases.push_back({"CONV abuf range", c.encode(), E::kSramRange}); }
  { auto c = conv(); c.kh = 3; c.kw = 3; c.cg = 1; c.wbuf_addr = hw.wbuf - 9 * N + 1; cases.push_back({"CONV wbuf range", c.encode(), E::kSramRange}); }
  { auto c = conv(); c.pbuf_addr = hw.pbuf - 2; cases.push_back({"CONV pbuf range", c.encode(), E::kSramRange}); }
  { auto c = conv(); c.out_h = 2; c.out_w = 3; c.acc_addr = hw.acc - 5; cases.push_back({"CONV acc range", c.encode(), E::kSramRange}); }
  { auto c = conv(); c.requant = 1; c.out_h = 2; c.out_w = 2; c.obuf_stride = 3; c.obuf_addr = hw.obuf - 9; cases.push_back({"CONV obuf range", c.encode(), E::kSramRange}); }
  { auto c = pool(); c.in_h = 2; c.in_w = 2; c.cg = 3; c.abuf_addr = hw.abuf - 11; cases.push_back({"POOL abuf range", c.encode(), E::kSramRange}); }
  { auto c = pool(); c.out_h = 2; c.out_w = 2; c.cg = 3; c.obuf_addr = hw.obuf - 11; cases.push_back({"POOL obuf range", c.encode(), E::kSramRange}); }
  { auto c = add(); c.len = 5; c.a_addr = hw.abuf - 4; cases.push_back({"ADD a range", c.encode(), E::kSramRange}); }
  { auto c = add(); c.len = 5; c.b_addr = hw.abuf - 4; cases.push_back({"ADD b range", c.encode(), E::kSramRange}); }
  { auto c = add(); c.len = 5; c.obuf_addr = hw.obuf - 4; cases.push_back({"ADD obuf range", c.encode(), E::kSramRange}); }

  Rng& r = s.rng();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // The faulting command sits after a random number of legal ones.
    const uint32_t before = r.below(3);
    std::vector<Command> cmds;
    for (uint32_t i = 0; i < before; ++i) cmds.push_back(ok_ld);
    cmds.push_back(c.cmd);
    cmds.push_back(fin);
    expect_fault(s, hw, cmds, c.code, before);
    if (::testing::Test::HasFailure()) return;
  }

  // Boundary cases that are legal: exactly at the window end and at the buffer depth.
  {
    SCOPED_TRACE("legal boundaries");
    auto a = ld();
    a.dram_addr = top - 4 * N;
    a.sram_addr = hw.abuf - 4;
    auto c = conv();
    c.requant = 1;
    c.out_h = 2;
    c.out_w = 2;
    c.obuf_stride = 3;
    c.obuf_addr = hw.obuf - 10;
    c.pbuf_addr = hw.pbuf - 3;
    c.cg = 3;
    std::vector<Command> cmds = {a.encode(), c.encode(), fin};
    s.put_cmds(Layout<V>::kCmd, cmds);
    const RunResult res = s.run(Layout<V>::kCmd, 3, Sys<V>::kMemBase, Sys<V>::kMemSize);
    EXPECT_TRUE(res.done()) << "err " << res.err_code << " info " << res.err_info;
  }
}

template <class V>
void run_faults(unsigned beat, uint64_t seed) {
  Sys<V> s(seed, beat, busy_bus());
  const Hw hw = read_hw(s);
  using L = Layout<V>;
  const Command fin = finish_cmd();
  isa::Deps push_next, pop_prev;
  push_next.push_next = true;
  pop_prev.pop_prev = true;

  {
    SCOPED_TRACE("CMD_BASE misaligned");
    expect_fault(s, hw, {fin}, E::kMisaligned, 0, 1, L::kCmd + 16);
  }
  {
    SCOPED_TRACE("fetch outside the window");
    // The window ends inside command 2: commands 0, 1 are legal LOADs (of data below the
    // commands), command 2 cannot be fetched.
    auto l = small_load<V>(hw);
    l.dram_addr = L::kCmd;
    std::vector<Command> cmds = {l.encode(), l.encode(), fin};
    expect_fault(s, hw, cmds, E::kAddrWindow, 2, 3, L::kCmd + 0x800, L::kCmd, 0x800 + 64 + 31);
  }
  {
    SCOPED_TRACE("fetch window fault after FINISH is never reached");
    auto l = small_load<V>(hw);
    l.dram_addr = L::kCmd;
    s.put_cmds(L::kCmd + 0x800, {l.encode(), fin});
    const RunResult res = s.run(L::kCmd + 0x800, 1000, L::kCmd, 0x800 + 64);
    EXPECT_TRUE(res.done()) << res.err_code;
    EXPECT_EQ(s.counter(isa::Counter::kCmdsRetired), 2u);
  }
  {
    SCOPED_TRACE("CMD_OVERRUN");
    expect_fault(s, hw, {small_load<V>(hw).encode(), small_load<V>(hw).encode()}, E::kCmdOverrun, 2);
    expect_fault(s, hw, {}, E::kCmdOverrun, 0, 0);
  }
  {
    SCOPED_TRACE("DEADLOCK: compute pops a token nobody pushes");
    expect_fault(s, hw, {small_load<V>(hw).encode(), pool_copy(0, 0, 1, pop_prev).encode(), fin},
                 E::kDeadlock, 1);
  }
  {
    SCOPED_TRACE("DEADLOCK: lowest waiting index, queue full");
    std::vector<Command> cmds;
    auto st = small_store<V>(hw);
    st.deps = pop_prev;
    cmds.push_back(st.encode());                                   // 0 waits
    cmds.push_back(pool_copy(0, 0, 1, pop_prev).encode());         // 1 waits
    for (unsigned i = 0; i < hw.qdepth + 2; ++i) cmds.push_back(st.encode());  // fills the queue
    cmds.push_back(fin);
    expect_fault(s, hw, cmds, E::kDeadlock, 0);
  }
  {
    SCOPED_TRACE("DEADLOCK at stream end (no FINISH)");
    expect_fault(s, hw, {pool_copy(0, 0, 1, pop_prev).encode()}, E::kDeadlock, 0);
  }
  {
    SCOPED_TRACE("TOKEN_OVERFLOW");
    std::vector<Command> cmds;
    auto l = small_load<V>(hw, 1);
    l.deps = push_next;
    for (int i = 0; i < 256; ++i) cmds.push_back(l.encode());
    cmds.push_back(fin);
    expect_fault(s, hw, cmds, E::kTokenOverflow, 255);
  }
  {
    SCOPED_TRACE("AXI_RESP on a command fetch");
    // Command 4's first byte answers SLVERR (with a 64-byte bus its beat also holds command 5).
    s.rd_err.push_back({L::kCmd + 4 * 32, L::kCmd + 4 * 32 + 1});
    std::vector<Command> cmds(5, small_load<V>(hw).encode());
    cmds.push_back(fin);
    expect_fault(s, hw, cmds, E::kAxiResp, 4);
    s.rd_err.clear();
  }
  {
    SCOPED_TRACE("AXI_RESP on a load");
    auto bad = small_load<V>(hw, 40);
    bad.dram_addr = L::kSrc + 0x3000;
    s.rd_err.push_back({L::kSrc + 0x3000 + 20 * hw.dim, L::kSrc + 0x3000 + 20 * hw.dim + 1});
    expect_fault(s, hw, {small_load<V>(hw).encode(), bad.encode(), small_load<V>(hw).encode(), fin},
                 E::kAxiResp, 1);
    s.rd_err.clear();
  }
  {
    SCOPED_TRACE("AXI_RESP on a store");
    auto bad = small_store<V>(hw, 30);
    bad.dram_addr = L::kDst + 0x5000;
    s.wr_err.push_back({L::kDst + 0x5000 + 29 * hw.dim, L::kDst + 0x5000 + 30 * hw.dim});
    expect_fault(s, hw, {small_load<V>(hw).encode(), small_store<V>(hw).encode(), bad.encode(), fin},
                 E::kAxiResp, 2);
    s.wr_err.clear();
  }
  {
    SCOPED_TRACE("fault while long transfers are in flight");
    auto big = small_load<V>(hw, 1500);
    auto bst = small_store<V>(hw, 1500);
    bst.deps = pop_prev;
    auto c = pool_copy(0, 0, 1, pop_prev);
    c.deps.push_next = true;
    auto blc = small_load<V>(hw, 1500);
    blc.deps = push_next;
    // load (pushes) -> compute -> store runs long; a later illegal opcode stops everything.
    expect_fault(s, hw, {blc.encode(), c.encode(), bst.encode(), big.encode(), Command{}},
                 E::kIllegalOpcode, 4);
  }
}

template <class V>
void smoke(unsigned beat, uint64_t seed) {
  Sys<V> s(seed, beat, fast_bus());
  const Hw hw = read_hw(s);
  {
    SCOPED_TRACE("FINISH only");
    s.put_cmds(Layout<V>::kCmd, {finish_cmd()});
    const RunResult res = s.run(Layout<V>::kCmd, 1, Sys<V>::kMemBase, Sys<V>::kMemSize, 20000);
    ASSERT_FALSE(res.timed_out);
    EXPECT_TRUE(res.done());
    EXPECT_EQ(s.counter(isa::Counter::kCmdsRetired), 1u);
  }
  {
    SCOPED_TRACE("LOAD + FINISH");
    s.put_cmds(Layout<V>::kCmd, {small_load<V>(hw).encode(), finish_cmd()});
    const RunResult res = s.run(Layout<V>::kCmd, 2, Sys<V>::kMemBase, Sys<V>::kMemSize, 20000);
    ASSERT_FALSE(res.timed_out);
    EXPECT_TRUE(res.done());
    EXPECT_EQ(s.counter(isa::Counter::kDmaRdBytes), 4u * hw.dim);
  }
  for (const auto& e : s.errors()) ADD_FAILURE() << e;
  run_dma_stream(s, hw, 1, 8);
}

// Nothing a host sends may hang the accelerator: legal streams with random bit flips, random
// words, wrong CMD_COUNTs and random SLVERR regions must each end in DONE or ERROR, with a clean
// AXI protocol, and a legal stream must run correctly afterwards.
template <class V>
void fuzz(unsigned beat, uint64_t seed, int runs) {
  Sys<V> s(seed, beat, busy_bus());
  const Hw hw = read_hw(s);
  Rng& r = s.rng();
  using L = Layout<V>;
  unsigned done = 0, error = 0;
  std::array<unsigned, 10> codes{};
  for (int run = 0; run < runs; ++run) {
    SCOPED_TRACE("fuzz run " + std::to_string(run));
    std::vector<uint8_t> scratch = s.mem;
    StreamStats st;
    auto cmds = dma_stream(s, hw, r.range(1, 4), 300, scratch, st);
    for (auto& c : cmds) {
      const unsigned k = r.below(100);
      if (k < 25) {
        for (unsigned f = r.range(1, 3); f > 0; --f) {
          const unsigned bit = r.chance(50) ? r.below(8) : r.below(256);
          c[bit / 32] ^= 1u << (bit % 32);
        }
      } else if (k < 30) {
        for (auto& w : c) w = r.u32();
      }
    }
    if (r.chance(20)) std::swap(cmds[r.below(uint32_t(cmds.size()))], cmds.back());
    s.put_cmds(L::kCmd, cmds);
    uint32_t count = uint32_t(cmds.size());
    if (r.chance(20)) count = r.below(count + 3);
    if (r.chance(20)) s.rd_err.push_back({L::kSrc + r.below(0x100000), L::kSrc + 0x100000});
    if (r.chance(20)) s.wr_err.push_back({L::kDst + r.below(0x100000), L::kDst + 0x100000});
    const RunResult res = s.run(L::kCmd, count, Sys<V>::kMemBase, Sys<V>::kMemSize, 3000000);
    s.rd_err.clear();
    s.wr_err.clear();
    ASSERT_FALSE(res.timed_out) << "hung";
    ASSERT_TRUE(res.done() || res.error()) << "status " << res.status;
    EXPECT_EQ(res.irq_status, res.done() ? 1u : 2u);
    if (res.error()) {
      EXPECT_NE(res.err_code, 0u);
      if (res.err_code < codes.size()) ++codes[res.err_code];
    }
    (res.done() ? done : error)++;
    for (const auto& e : s.errors()) ADD_FAILURE() << e;
    if (::testing::Test::HasFailure()) return;
    if (run % 4 == 3) run_dma_stream(s, hw, 2, 200);
  }
  std::printf("fuzz: %u DONE, %u ERROR (by code:", done, error);
  for (unsigned i = 1; i < codes.size(); ++i) std::printf(" %u", codes[i]);
  std::printf(")\n");
  run_dma_stream(s, hw, 2, 200);
}

// The DMA engines hide a 100-cycle memory latency: with an always-ready bus a LOAD or STORE
// takes about one cycle per beat or per element (whichever is more), for long contiguous rows and
// for one-beat rows alike (many outstanding bursts).
template <class V>
void throughput(unsigned beat, uint64_t seed) {
  Sys<V> s(seed, beat, Stalls{100, 100, 100, 100, 100, 100});
  const Hw hw = read_hw(s);
  using L = Layout<V>;
  using C = isa::Counter;
  const uint32_t N = hw.dim;
  struct Case {
    const char* name;
    bool store;
    Pat p;
  };
  const uint32_t nl = std::min(hw.abuf, 4096u), ns = std::min(hw.obuf, 2048u);
  const uint32_t gap = std::max(2 * beat, 2 * N);  // rows one beat apart (or more)
  const uint32_t rl = std::min(hw.abuf, 1024u), rs = std::min(hw.obuf, 1024u);
  std::vector<Case> cases = {
      {"contiguous LOAD", false, Pat{L::kSrc, nl, 1, 1, nl * N, nl * N, N}},
      {"one-element rows LOAD", false, Pat{L::kSrc, 1, rl, 1, gap, rl * gap, N}},
      {"contiguous STORE", true, Pat{L::kDst, ns, 1, 1, ns * N, ns * N, N}},
      {"one-element rows STORE", true, Pat{L::kDst, 1, rs, 1, gap, rs * gap, N}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Command cmd = c.store ? store_cmd(0, 0, c.p, {}) : load_cmd(0, 0, c.p, {});
    s.put_cmds(L::kCmd, {cmd, finish_cmd()});
    const RunResult res = s.run(L::kCmd, 2, Sys<V>::kMemBase, Sys<V>::kMemSize);
    ASSERT_TRUE(res.done()) << "err " << res.err_code;
    const uint64_t busy = s.counter(c.store ? C::kStoreBusy : C::kLoadBusy);
    const uint64_t elems = c.p.n();
    uint64_t beats = 0;
    for (uint32_t row = 0; row < c.p.y * c.p.z; ++row) {
      const uint64_t a = c.p.addr(row * c.p.x);
      beats += (a + uint64_t(c.p.x) * N - 1) / beat - a / beat + 1;
    }
    const uint64_t work = std::max(elems, beats);
    std::printf("%s: %llu elements, %llu beats, busy %llu cycles\n", c.name,
                (unsigned long long)elems, (unsigned long long)beats, (unsigned long long)busy);
    EXPECT_LE(busy, work + work / 10 + 300);
  }
  // Long rows are split at 4 KB and, with narrow beats, at 256 beats first.
  EXPECT_GT(s.stats().ar_to_4k, 0u);
  EXPECT_EQ(s.stats().max_arlen, std::min(255u, 4096 / beat - 1));
  EXPECT_EQ(s.stats().max_awlen, std::min(255u, 4096 / beat - 1));
  for (const auto& e : s.errors()) ADD_FAILURE() << e;
}

// ---- instantiations: ArrayDim 16 (bus 128), 4 (bus 128), 32 (bus 32), 8 (bus 512) -------------

TEST(SystemSmoke16, FinishLoadStore) { smoke<Vsys_16>(16, seed(7)); }
TEST(SystemSmoke4, FinishLoadStore) { smoke<Vsys_4>(16, seed(8)); }
TEST(SystemDma16, RandomStreamsBusyBus) {
  dma_random<Vsys_16>(16, seed(1), 6, 8, 1200, busy_bus());
}
TEST(SystemDma16, RandomStreamsFastBus) {
  dma_random<Vsys_16>(16, seed(2), 6, 8, 1200, fast_bus());
}
TEST(SystemDma4, RandomStreamsBusyBus) { dma_random<Vsys_4>(16, seed(3), 6, 8, 2000, busy_bus()); }
TEST(SystemDma4, RandomStreamsFastBus) { dma_random<Vsys_4>(16, seed(4), 6, 8, 2000, fast_bus()); }
TEST(SystemDma32Bus32, RandomStreams) {
  dma_random<Vsys_32_bus32>(4, seed(5), 4, 6, 300, busy_bus());
}
TEST(SystemDma8Bus512, RandomStreams) {
  dma_random<Vsys_8_bus512>(64, seed(6), 6, 8, 1200, busy_bus());
}

TEST(SystemFuzz16, NothingHangs) { fuzz<Vsys_16>(16, seed(31), 150); }
TEST(SystemFuzz4, NothingHangs) { fuzz<Vsys_4>(16, seed(32), 150); }
TEST(SystemFuzz8Bus512, NothingHangs) { fuzz<Vsys_8_bus512>(64, seed(33), 80); }
TEST(SystemThroughput16, LatencyHidden) { throughput<Vsys_16>(16, seed(41)); }
TEST(SystemThroughput4, LatencyHidden) { throughput<Vsys_4>(16, seed(42)); }
TEST(SystemThroughput32Bus32, LatencyHidden) { throughput<Vsys_32_bus32>(4, seed(44)); }
TEST(SystemThroughput8Bus512, LatencyHidden) { throughput<Vsys_8_bus512>(64, seed(43)); }
TEST(SystemFaults16, StaticChecks) { static_faults<Vsys_16>(16, seed(11)); }
TEST(SystemFaults4, StaticChecks) { static_faults<Vsys_4>(16, seed(12)); }
TEST(SystemFaults16, RuntimeFaults) { run_faults<Vsys_16>(16, seed(13)); }
TEST(SystemFaults4, RuntimeFaults) { run_faults<Vsys_4>(16, seed(14)); }
TEST(SystemFaults8Bus512, RuntimeFaults) { run_faults<Vsys_8_bus512>(64, seed(15)); }

}  // namespace
}  // namespace systb
