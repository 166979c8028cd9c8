// tessera_top with the real compute unit (rtl/tessera_compute_unit.sv): integration of the SRAM
// and ACC wiring through commands whose results are known by construction:
//   ADD with a_mult = 1, b_mult = 0, shift 0 and full clamps is the identity on int8 data
//   (docs/isa.md ADD), so LOAD ABUF -> ADD -> STORE OBUF copies bytes;
//   a 1x1 CONV with an identity weight tile, zero zero-points and requant = 0 gives
//   ACC[p][c] = int8(a[p][c]) (docs/isa.md CONV), so LOAD -> CONV -> STORE ACC sign-extends.
// Also reports the simulation speed of the whole accelerator.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "Vreal_16.h"
#include "Vreal_4.h"
#include "system_common.hpp"

namespace systb {
namespace {

template <class V>
void real_unit(uint64_t seed) {
  Sys<V> s(seed, 16, Stalls{80, 80, 80, 80, 80, 100});
  const Hw hw = read_hw(s);
  using L = Layout<V>;
  const uint32_t N = hw.dim;
  Rng& r = s.rng();
  for (int rep = 0; rep < 2; ++rep) {
    const uint32_t n = r.range(20, 200);  // pixels
    std::vector<uint8_t> expect = s.mem;
    isa::Deps push, pop_push, pop;
    push.push_next = true;
    pop_push.pop_prev = true;
    pop_push.push_next = true;
    pop.pop_prev = true;
    Pat act;  // n activation words, contiguous
    act.dram = L::kSrc + 0x1000 * rep;
    act.x = n;
    act.ys = act.zs = n * N;
    act.e = N;
    // Identity weight tile (word r, byte c = (r == c)) and zero parameters.
    const uint32_t wt = L::kSrc + 0x80000;
    for (uint32_t i = 0; i < N; ++i)
      for (uint32_t c = 0; c < N; ++c) s.mem[wt - Sys<V>::kMemBase + i * N + c] = (i == c);
    const uint32_t prm = L::kSrc + 0x90000;
    std::memset(&s.mem[prm - Sys<V>::kMemBase], 0, 3 * 4 * N);
    Pat wpat{wt, N, 1, 1, N * N, N * N, N};
    Pat ppat{prm, 3, 1, 1, 12 * N, 12 * N, 4 * N};
    Pat out_add{L::kDst + 0x10000 * rep, n, 1, 1, n * N, n * N, N};
    Pat out_acc{L::kDst + 0x40000 + 0x40000 * rep, n, 1, 1, 4 * n * N, 4 * n * N, 4 * N};

    std::vector<Command> cmds;
    cmds.push_back(load_cmd(0, 0, act, push));
    isa::AddCmd add = add_copy(0, 0, n, pop_push);
    add.data_signed = 1;
    add.a_mult = 1;
    add.b_mult = 0;
    add.clamp_min = 0x80;
    add.clamp_max = 0x7f;
    cmds.push_back(add.encode());
    cmds.push_back(store_cmd(0, 0, out_add, pop));
    cmds.push_back(load_cmd(1, 0, wpat, {}));
    cmds.push_back(load_cmd(2, 0, ppat, push));
    isa::ConvCmd conv = conv_copy(0, 0, 1, pop_push);
    conv.in_w = n;
    conv.out_w = n;
    conv.act_signed = 1;
    conv.wgt_signed = 1;
    cmds.push_back(conv.encode());
    cmds.push_back(store_cmd(1, 0, out_acc, pop));
    cmds.push_back(finish_cmd());
    s.put_cmds(L::kCmd, cmds);
    expect = s.mem;
    for (uint32_t p = 0; p < n; ++p)
      for (uint32_t c = 0; c < N; ++c) {
        const uint8_t a = s.mem[act.addr(p) - Sys<V>::kMemBase + c];
        expect[out_add.addr(p) - Sys<V>::kMemBase + c] = a;
        const int32_t v = int8_t(a);
        std::memcpy(&expect[out_acc.addr(p) - Sys<V>::kMemBase + 4 * c], &v, 4);
      }
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = s.cycle();
    const RunResult res = s.run(L::kCmd, uint32_t(cmds.size()), Sys<V>::kMemBase, Sys<V>::kMemSize, 200000);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("ArrayDim %u: %llu cycles, %.0f cycles/s\n", N,
                (unsigned long long)(s.cycle() - c0), double(s.cycle() - c0) / sec);
    ASSERT_FALSE(res.timed_out);
    ASSERT_TRUE(res.done()) << "err " << res.err_code << " info " << res.err_info;
    for (const auto& e : s.errors()) ADD_FAILURE() << e;
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < expect.size(); ++i)
      if (expect[i] != s.mem[i]) {
        if (!bad) first = i;
        ++bad;
      }
    EXPECT_EQ(bad, 0u) << "first mismatch at 0x" << std::hex << (Sys<V>::kMemBase + first);
    EXPECT_EQ(s.counter(isa::Counter::kMacActive), uint64_t(n));  // kh*kw*cg*out_h*out_w
    EXPECT_EQ(s.counter(isa::Counter::kCmdsRetired), uint64_t(cmds.size()));
  }
}

// Simulation speed of the whole accelerator while a long CONV keeps the PE array busy: the
// commands are fetched through the memory model, then the model is clocked bare (no harness work
// per cycle) for most of the CONV. Printed, not asserted (the machine may be loaded).
template <class V>
void speed(uint64_t seed) {
  namespace r = isa::reg;
  Sys<V> s(seed, 16, Stalls{100, 100, 100, 100, 100, 20});
  const Hw hw = read_hw(s);
  using L = Layout<V>;
  isa::ConvCmd conv = conv_copy(0, 0, 8, {});
  conv.in_h = conv.in_w = 18;
  conv.kh = conv.kw = 3;
  conv.out_h = conv.out_w = 16;
  s.put_cmds(L::kCmd, {conv.encode(), finish_cmd()});
  s.write(r::kCmdBase, L::kCmd);
  s.write(r::kCmdCount, 2);
  s.write(r::kWindowBase, Sys<V>::kMemBase);
  s.write(r::kWindowSize, Sys<V>::kMemSize);
  s.write(r::kIrqEnable, 3);
  s.write(r::kCtrl, 1);
  for (int i = 0; i < 300; ++i) s.step();  // both commands fetched, the CONV running
  V& t = s.top();
  const int kBare = 15000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kBare; ++i) {
    t.clk_i = 0;
    t.eval();
    t.clk_i = 1;
    t.eval();
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (int i = 0; i < 100000 && !t.irq_o; ++i) s.step();
  std::printf("ArrayDim %u: %.0f cycles/s during CONV (bare model)\n", hw.dim, kBare / sec);
  EXPECT_TRUE(t.irq_o);
  EXPECT_EQ(s.read(r::kStatus), 2u);
  EXPECT_EQ(s.counter(isa::Counter::kMacActive), 9u * 8u * 256u);
}

TEST(SystemRealCompute16, Speed) { speed<Vreal_16>(seed(23)); }

TEST(SystemRealCompute4, AddIdentityAndConvIdentity) { real_unit<Vreal_4>(seed(21)); }
TEST(SystemRealCompute16, AddIdentityAndConvIdentity) { real_unit<Vreal_16>(seed(22)); }

}  // namespace
}  // namespace systb
