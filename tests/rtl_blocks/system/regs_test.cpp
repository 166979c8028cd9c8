// tessera_regs on its own: reset values and access types of every register, HW_* values, w1c,
// START pulses, LO-read-latches-HI counters, and AXI4-Lite handshake orderings and back-pressure.
// Expected values come from the generated register table (isa_gen.hpp) and the build parameters
// the model is verilated with (CMakeLists.txt), never from the RTL.
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "Vregs.h"
#include "tb_system.hpp"

namespace systb {
namespace {

namespace reg = tessera::isa::reg;

// Build parameters of Vregs (see CMakeLists.txt).
constexpr uint32_t kHwArray = 8 | (8 << 8) | (8 << 16);  // rows, columns, output lanes
constexpr uint32_t kHwAxi = 32 | (40 << 8) | (5 << 16);

class Regs {
 public:
  explicit Regs(uint64_t seed) : rng_(seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(2);
    top_ = std::make_unique<Vregs>(ctx_.get());
    for (auto& v : ctr) v = (uint64_t(rng_.u32()) << 32) | rng_.u32();
    auto& v = *top_;
    v.busy_i = v.done_i = v.error_i = 0;
    v.err_code_i = 0;
    v.err_info_i = 0;
    v.s_axil_awvalid = v.s_axil_wvalid = v.s_axil_bready = 0;
    v.s_axil_arvalid = v.s_axil_rready = 0;
    top_->rst_ni = 0;
    for (int i = 0; i < 4; ++i) step();
    top_->rst_ni = 1;
    step();
  }
  ~Regs() { top_->final(); }
  Vregs& t() { return *top_; }
  Rng& rng() { return rng_; }

  std::array<uint64_t, tessera::isa::kNumCounters> ctr{};
  unsigned starts = 0;  // start_o pulses seen
  bool aw_fire = false, w_fire = false, b_fire = false, ar_fire = false, r_fire = false;

  void step() {
    auto& v = *top_;
    v.clk_i = 0;
    v.eval();
    v.ctr_value_i = v.ctr_idx_o < ctr.size() ? ctr[v.ctr_idx_o] : 0xdeadbeefdeadbeefull;
    v.eval();
    aw_fire = v.s_axil_awvalid && v.s_axil_awready;
    w_fire = v.s_axil_wvalid && v.s_axil_wready;
    b_fire = v.s_axil_bvalid && v.s_axil_bready;
    ar_fire = v.s_axil_arvalid && v.s_axil_arready;
    r_fire = v.s_axil_rvalid && v.s_axil_rready;
    starts += v.start_o;
    v.clk_i = 1;
    v.eval();
    // Pulses last one cycle.
    v.done_i = 0;
    v.error_i = 0;
  }

  // order: 0 AW and W together, 1 AW first, 2 W first; `gap` cycles between them.
  void write(uint32_t a, uint32_t d, uint32_t strb = 0xf, int order = 0, unsigned gap = 0,
             unsigned b_delay = 0) {
    auto& v = *top_;
    bool aw = false, w = false;
    unsigned n = 0;
    while (!(aw && w)) {
      v.s_axil_awvalid = !aw && (order != 2 || n >= gap);
      v.s_axil_wvalid = !w && (order != 1 || n >= gap);
      v.s_axil_awaddr = a;
      v.s_axil_wdata = d;
      v.s_axil_wstrb = strb;
      v.s_axil_bready = 0;
      step();
      aw |= aw_fire;
      w |= w_fire;
      ASSERT_LT(++n, 50u);
    }
    v.s_axil_awvalid = 0;
    v.s_axil_wvalid = 0;
    for (unsigned i = 0; i < b_delay; ++i) step();
    v.s_axil_bready = 1;
    n = 0;
    do {
      step();
      ASSERT_LT(++n, 50u);
    } while (!b_fire);
    EXPECT_EQ(v.s_axil_bresp, 0u);
    v.s_axil_bready = 0;
  }

  uint32_t read(uint32_t a, unsigned r_delay = 0) {
    auto& v = *top_;
    v.s_axil_araddr = a;
    v.s_axil_arvalid = 1;
    v.s_axil_rready = 0;
    unsigned n = 0;
    do {
      step();
      EXPECT_LT(++n, 50u);
    } while (!ar_fire && n < 50);
    v.s_axil_arvalid = 0;
    for (unsigned i = 0; i < r_delay; ++i) {
      step();
      EXPECT_TRUE(v.s_axil_rvalid);
      EXPECT_FALSE(v.s_axil_arready) << "a new read accepted while the response is held";
    }
    v.s_axil_rready = 1;
    uint32_t d = 0;
    n = 0;
    for (;;) {
      d = v.s_axil_rdata;
      step();
      if (r_fire) break;
      EXPECT_LT(++n, 50u);
      if (n >= 50) break;
    }
    EXPECT_EQ(v.s_axil_rresp, 0u);
    v.s_axil_rready = 0;
    return d;
  }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vregs> top_;
  Rng rng_;
};

TEST(Regs, ResetValuesAndHwParameters) {
  Regs r(1);
  EXPECT_EQ(r.read(reg::kId), tessera::isa::kIdValue);
  EXPECT_EQ(r.read(reg::kVersion), tessera::isa::kVersionValue);
  EXPECT_EQ(r.read(reg::kCtrl), 0u);
  EXPECT_EQ(r.read(reg::kStatus), 0u);
  EXPECT_EQ(r.read(reg::kErrCode), 0u);
  EXPECT_EQ(r.read(reg::kErrInfo), 0u);
  EXPECT_EQ(r.read(reg::kIrqEnable), 0u);
  EXPECT_EQ(r.read(reg::kIrqStatus), 0u);
  EXPECT_EQ(r.read(reg::kCmdBase), 0u);
  EXPECT_EQ(r.read(reg::kCmdCount), 0u);
  EXPECT_EQ(r.read(reg::kWindowBase), 0u);
  EXPECT_EQ(r.read(reg::kWindowSize), 0u);
  EXPECT_EQ(r.read(reg::kHwArray), kHwArray);
  EXPECT_EQ(r.read(reg::kHwAbufWords), 1000u);
  EXPECT_EQ(r.read(reg::kHwWbufWords), 2000u);
  EXPECT_EQ(r.read(reg::kHwAccWords), 300u);
  EXPECT_EQ(r.read(reg::kHwObufWords), 400u);
  EXPECT_EQ(r.read(reg::kHwPbufWords), 50u);
  EXPECT_EQ(r.read(reg::kHwAxi), kHwAxi);
  EXPECT_FALSE(r.t().irq_o);
  // Unmapped addresses answer OKAY and read 0.
  for (uint32_t a : {0x030u, 0x03Cu, 0x05Cu, 0x060u, 0x0FCu, 0x158u, 0x15Cu, 0x200u, 0xFFCu})
    EXPECT_EQ(r.read(a), 0u) << std::hex << a;
  // Status inputs are visible.
  r.t().err_code_i = 7;
  r.t().err_info_i = 0x12345678;
  r.t().busy_i = 1;
  EXPECT_EQ(r.read(reg::kErrCode), 7u);
  EXPECT_EQ(r.read(reg::kErrInfo), 0x12345678u);
  EXPECT_EQ(r.read(reg::kStatus), 1u);
}

TEST(Regs, ReadWriteAndReadOnly) {
  Regs r(2);
  Rng& g = r.rng();
  const uint32_t rw[] = {reg::kCmdBase, reg::kCmdCount, reg::kWindowBase, reg::kWindowSize};
  uint32_t model[4] = {0, 0, 0, 0};
  for (int it = 0; it < 40; ++it) {
    const unsigned k = g.below(4);
    const uint32_t d = g.u32();
    const uint32_t strb = g.chance(50) ? 0xf : g.below(16);
    r.write(rw[k], d, strb, int(g.below(3)), g.below(4));
    for (unsigned b = 0; b < 4; ++b)
      if ((strb >> b) & 1) model[k] = (model[k] & ~(0xffu << (8 * b))) | (d & (0xffu << (8 * b)));
    for (unsigned j = 0; j < 4; ++j) EXPECT_EQ(r.read(rw[j]), model[j]) << "reg " << j;
  }
  EXPECT_EQ(r.t().cmd_base_o, model[0]);
  EXPECT_EQ(r.t().cmd_count_o, model[1]);
  EXPECT_EQ(r.t().win_base_o, model[2]);
  EXPECT_EQ(r.t().win_size_o, model[3]);
  r.write(reg::kIrqEnable, 0xffffffff);
  EXPECT_EQ(r.read(reg::kIrqEnable), 3u);
  r.write(reg::kIrqEnable, 0xfffffffe, 0xf);
  EXPECT_EQ(r.read(reg::kIrqEnable), 2u);
  // Read-only registers ignore writes; unmapped writes answer OKAY and change nothing.
  for (uint32_t a : {reg::kId, reg::kVersion, reg::kStatus, reg::kErrCode, reg::kErrInfo,
                     reg::kHwArray, reg::kHwAxi, reg::kHwAbufWords, 0x100u, 0x104u, 0x030u})
    r.write(a, 0xa5a5a5a5);
  EXPECT_EQ(r.read(reg::kId), tessera::isa::kIdValue);
  EXPECT_EQ(r.read(reg::kVersion), tessera::isa::kVersionValue);
  EXPECT_EQ(r.read(reg::kStatus), 0u);
  EXPECT_EQ(r.read(reg::kHwArray), kHwArray);
  EXPECT_EQ(r.read(reg::kHwAxi), kHwAxi);
  EXPECT_EQ(r.read(0x030), 0u);
  for (unsigned j = 0; j < 4; ++j) EXPECT_EQ(r.read(rw[j]), model[j]);
  EXPECT_EQ(r.starts, 0u);
}

TEST(Regs, StartDoneErrorAndInterrupts) {
  Regs r(3);
  auto& t = r.t();
  r.write(reg::kCtrl, 0);
  EXPECT_EQ(r.starts, 0u);
  r.write(reg::kCtrl, 1, 0x2);  // strobe excludes byte 0
  EXPECT_EQ(r.starts, 0u);
  r.write(reg::kCtrl, 1);
  EXPECT_EQ(r.starts, 1u);  // exactly one cycle
  t.busy_i = 1;
  r.write(reg::kCtrl, 1);
  EXPECT_EQ(r.starts, 1u) << "START while BUSY must be ignored";
  // DONE event: STATUS.DONE and IRQ_STATUS.DONE, irq only when enabled.
  t.busy_i = 0;
  t.done_i = 1;
  r.step();
  EXPECT_EQ(r.read(reg::kStatus), 2u);
  EXPECT_EQ(r.read(reg::kIrqStatus), 1u);
  EXPECT_FALSE(t.irq_o);
  r.write(reg::kIrqEnable, 2);
  EXPECT_FALSE(t.irq_o);
  r.write(reg::kIrqEnable, 1);
  EXPECT_TRUE(t.irq_o);
  // ERROR event.
  t.error_i = 1;
  r.step();
  EXPECT_EQ(r.read(reg::kStatus), 6u);
  EXPECT_EQ(r.read(reg::kIrqStatus), 3u);
  // w1c: clearing bit 0 leaves bit 1; a 0 write clears nothing.
  r.write(reg::kIrqStatus, 0);
  EXPECT_EQ(r.read(reg::kIrqStatus), 3u);
  r.write(reg::kIrqStatus, 1);
  EXPECT_EQ(r.read(reg::kIrqStatus), 2u);
  EXPECT_FALSE(t.irq_o);
  r.write(reg::kIrqEnable, 3);
  EXPECT_TRUE(t.irq_o);
  r.write(reg::kIrqStatus, 2, 0x2);  // strobe excludes the byte: nothing cleared
  EXPECT_EQ(r.read(reg::kIrqStatus), 2u);
  r.write(reg::kIrqStatus, 2);
  EXPECT_EQ(r.read(reg::kIrqStatus), 0u);
  EXPECT_FALSE(t.irq_o);
  // START clears DONE and ERROR (not IRQ_STATUS).
  t.done_i = 1;
  t.error_i = 1;
  r.step();
  EXPECT_EQ(r.read(reg::kStatus), 6u);
  r.write(reg::kCtrl, 1);
  EXPECT_EQ(r.starts, 2u);
  EXPECT_EQ(r.read(reg::kStatus), 0u);
  EXPECT_EQ(r.read(reg::kIrqStatus), 3u);
}

TEST(Regs, CountersLatchHiOnLoRead) {
  Regs r(4);
  namespace isa = tessera::isa;
  // HI before any LO read returns the reset latch (0).
  EXPECT_EQ(r.read(isa::kCounters[3].offset + 4), 0u);
  for (int it = 0; it < 30; ++it) {
    const unsigned i = r.rng().below(isa::kNumCounters);
    const uint32_t off = isa::kCounters[i].offset;
    const uint64_t v = r.ctr[i];
    EXPECT_EQ(r.read(off), uint32_t(v));
    // The counter moves on between the two reads: HI still returns the latched value.
    r.ctr[i] = (uint64_t(r.rng().u32()) << 32) | r.rng().u32();
    // Another counter's LO read in between does not disturb this latch.
    const unsigned j = (i + 1) % isa::kNumCounters;
    EXPECT_EQ(r.read(isa::kCounters[j].offset), uint32_t(r.ctr[j]));
    EXPECT_EQ(r.read(off + 4), uint32_t(v >> 32)) << isa::kCounters[i].name;
  }
}

TEST(Regs, HandshakeOrderingsAndBackPressure) {
  Regs r(5);
  Rng& g = r.rng();
  for (int it = 0; it < 60; ++it) {
    const uint32_t d = g.u32();
    const uint32_t a = g.chance(50) ? reg::kCmdBase : reg::kWindowSize;
    r.write(a, d, 0xf, int(g.below(3)), g.below(6), g.below(8));
    EXPECT_EQ(r.read(a, g.below(8)), d);
  }
  // A second write whose AW and W arrive while the first B is held waits for that B.
  auto& t = r.t();
  t.s_axil_awaddr = reg::kCmdCount;
  t.s_axil_wdata = 11;
  t.s_axil_wstrb = 0xf;
  t.s_axil_awvalid = 1;
  t.s_axil_wvalid = 1;
  t.s_axil_bready = 0;
  do r.step(); while (!(r.aw_fire && r.w_fire));
  t.s_axil_wdata = 22;  // second write, captured while B of the first is pending
  r.step();
  r.step();
  t.s_axil_awvalid = 0;
  t.s_axil_wvalid = 0;
  for (int i = 0; i < 5; ++i) {
    r.step();
    EXPECT_TRUE(t.s_axil_bvalid);
  }
  EXPECT_EQ(t.cmd_count_o, 11u);
  t.s_axil_bready = 1;
  int bs = 0;
  for (int i = 0; i < 10; ++i) {
    r.step();
    bs += r.b_fire;
  }
  EXPECT_EQ(bs, 2);
  EXPECT_EQ(t.cmd_count_o, 22u);
  t.s_axil_bready = 0;
}

}  // namespace
}  // namespace systb
