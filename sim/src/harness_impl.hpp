// Pin-level harness for one verilated tessera_top class (private to tessera_sim). Included by the
// per-array-size translation units that CMake generates (tessera_model_<N>.cpp), and by
// tests/fpga's netlist test, which also shares the host's register sequence for a run (below).
#pragma once

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "tessera/device.hpp"
#include "tessera/harness.hpp"
#include "tessera/isa_gen.hpp"
#include "tessera/mmio_device.hpp"
#include "tessera/register_driver.hpp"
#include "verilated.h"
#if TESSERA_SIM_FST
#include "verilated_fst_c.h"
#endif

namespace tessera::sim::detail {

// ---- The host's register sequence for one run, on any Harness (sim::RtlDevice, and the netlist
// device of tests/fpga, which does not link tessera_sim: hence inline). Register offsets and bits
// come from isa_gen.hpp.

inline std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

/// The harness's register port as the host driver's RegisterSpace.
class HarnessRegisters final : public RegisterSpace {
 public:
  explicit HarnessRegisters(Harness& h) : h_(h) {}
  uint32_t read32(uint32_t offset) override { return h_.reg_read(offset); }
  void write32(uint32_t offset, uint32_t value) override { h_.reg_write(offset, value); }

 private:
  Harness& h_;
};

/// ID, VERSION and the HW_* registers, checked as every backend checks them
/// (tessera::read_hw_config).
inline HwConfig read_hw_config(Harness& h, const std::string& who) {
  HarnessRegisters regs(h);
  return tessera::read_hw_config(regs, who);
}

/// Before START: clears stale interrupts, enables DONE and ERROR, programs the command stream and
/// the DMA window.
inline void program_run(Harness& h, uint32_t cmd_addr, uint32_t cmd_count, uint32_t win_base,
                        uint32_t win_size) {
  namespace b = isa::reg_bits;
  h.reg_write(isa::reg::kIrqStatus, b::kIrqStatusDone | b::kIrqStatusError);
  h.reg_write(isa::reg::kIrqEnable, b::kIrqEnableDone | b::kIrqEnableError);
  h.reg_write(isa::reg::kCmdBase, cmd_addr);
  h.reg_write(isa::reg::kCmdCount, cmd_count);
  h.reg_write(isa::reg::kWindowBase, win_base);
  h.reg_write(isa::reg::kWindowSize, win_size);
}

/// Writes CTRL.START and clocks until irq_o rises, max_cycles pass (0: no limit) or the deadline.
inline Harness::Stop start_run(Harness& h, uint64_t max_cycles,
                               std::chrono::steady_clock::time_point deadline) {
  h.reg_write(isa::reg::kCtrl, isa::reg_bits::kCtrlStart);
  return h.run_until_irq(max_cycles, deadline);
}

/// After start_run: STATUS, ERR_CODE / ERR_INFO on an error, the 64-bit counters; then clears
/// IRQ_STATUS. A stop other than kIrq is a timeout. Throws std::runtime_error when irq_o rose but
/// STATUS has neither DONE nor ERROR.
inline RunResult finish_run(Harness& h, Harness::Stop stop) {
  namespace b = isa::reg_bits;
  RunResult r;
  const uint32_t status = h.reg_read(isa::reg::kStatus);
  if (stop != Harness::Stop::kIrq)
    r.timed_out = true;
  else if (!(status & (b::kStatusDone | b::kStatusError)))
    throw std::runtime_error("irq_o rose but STATUS = " + hex32(status) +
                             " has neither DONE nor ERROR");
  r.done = (status & b::kStatusDone) != 0;
  if (status & b::kStatusError) {
    r.error = isa::Error(h.reg_read(isa::reg::kErrCode));
    r.err_info = h.reg_read(isa::reg::kErrInfo);
  }
  for (size_t i = 0; i < isa::kNumCounters; ++i)
    r.counters[i] = h.reg_read64(isa::kCounters[i].offset);
  h.reg_write(isa::reg::kIrqStatus, b::kIrqStatusDone | b::kIrqStatusError);
  return r;
}

// ---- HarnessImpl

// Verilator maps ports of <= 8/16/32/64 bits to integers and wider ports to VlWide<words>.
template <class Port>
constexpr unsigned port_bytes() {
  return unsigned(sizeof(std::remove_reference_t<Port>));
}

template <class Port>
inline void get_data(const Port& port, AxiData& dst, unsigned bytes) {
  if constexpr (std::is_integral_v<std::remove_reference_t<Port>>) {
    const uint64_t v = uint64_t(port);
    dst[0] = uint32_t(v);
    if (bytes > 4) dst[1] = uint32_t(v >> 32);
  } else {
    std::memcpy(dst.data(), port.data(), bytes);
  }
}

template <class Port>
inline void set_data(Port& port, const AxiData& src, unsigned bytes) {
  if constexpr (std::is_integral_v<std::remove_reference_t<Port>>) {
    using T = std::remove_reference_t<Port>;
    port = bytes > 4 ? T(uint64_t(src[0]) | uint64_t(src[1]) << 32) : T(src[0]);
  } else {
    std::memcpy(port.data(), src.data(), bytes);
  }
}

#if TESSERA_SIM_FST
template <class Top, class = void>
struct HasFst : std::false_type {};
template <class Top>
struct HasFst<Top, std::void_t<decltype(std::declval<Top&>().trace(
                       static_cast<VerilatedFstC*>(nullptr), 99))>> : std::true_type {};
#endif

template <class Top>
class HarnessImpl final : public Harness {
 public:
  static constexpr unsigned kDataBytes = port_bytes<decltype(std::declval<Top&>().m_axi_rdata)>();
#if TESSERA_SIM_FST
  static constexpr bool kHasTrace = HasFst<Top>::value;
#else
  static constexpr bool kHasTrace = false;
#endif

  HarnessImpl(unsigned array_dim, DramImage& image, const AxiMemConfig& cfg)
      : array_dim_(array_dim),
        ctx_(std::make_unique<VerilatedContext>()),
        mem_(image, with_width(cfg)) {
    ctx_->randReset(0);  // deterministic: every register starts at 0
    if constexpr (kHasTrace) ctx_->traceEverOn(true);
    // Verilator 5.006 registers (and on destruction erases) a model's scopes in the *thread's*
    // current context, not the model's own; point it at ours around construction/destruction,
    // or destroying one harness while another exists locks a freed mutex.
    Verilated::threadContextp(ctx_.get());
    top_ = std::make_unique<Top>(ctx_.get(), "tessera_top");
    top_->clk_i = 0;
    top_->rst_ni = 0;
    drive_lite();
    drive_mem(AxiSlavePins{});
    top_->eval();
    reset(4);
  }

  ~HarnessImpl() override {
    try {
      final();
    } catch (...) {
    }
    Verilated::threadContextp(ctx_.get());
#if TESSERA_SIM_FST
    tfp_.reset();
#endif
    top_.reset();
    ctx_.reset();
    Verilated::threadContextp(nullptr);  // never leave the thread pointing at a freed context
  }

  unsigned array_dim() const override { return array_dim_; }
  unsigned axi_data_bytes() const override { return kDataBytes; }

  void reset(unsigned cycles) override {
    alive();
    lite_ = Lite{};
    drive_lite();
    drive_mem(AxiSlavePins{});
    top_->rst_ni = 0;
    for (unsigned i = 0; i < cycles; ++i) {
      half(1);
      half(0);
      ++cycle_;
    }
    top_->rst_ni = 1;
    mem_.reset();
    drive_mem(mem_.outputs());
    top_->eval();
  }

  void step(uint64_t cycles) override {
    alive();
    for (uint64_t i = 0; i < cycles; ++i) edge();
  }

  Stop run_until_irq(uint64_t max_cycles,
                     std::chrono::steady_clock::time_point deadline) override {
    alive();
    uint64_t n = 0;
    for (;;) {
      // Check the wall clock every 4096 cycles (a clock read costs about as much as a cycle).
      for (unsigned i = 0; i < 4096; ++i) {
        if (max_cycles != 0 && n == max_cycles) return Stop::kCycleLimit;
        edge();
        ++n;
        if (top_->irq_o) return Stop::kIrq;
      }
      if (std::chrono::steady_clock::now() >= deadline) return Stop::kWallClock;
    }
  }

  uint32_t reg_read(uint32_t addr, AxiResp* resp) override {
    alive();
    lite_.araddr = addr;
    lite_.arvalid = true;
    lite_.rready = true;
    lite_.r_done = false;
    lite_run([this] { return lite_.r_done; }, "read", addr);
    if (resp) *resp = AxiResp(lite_.resp);
    return lite_.rdata;
  }

  void reg_write(uint32_t addr, uint32_t value, AxiResp* resp) override {
    alive();
    lite_.awaddr = addr;
    lite_.awvalid = true;
    lite_.wdata = value;
    lite_.wvalid = true;
    lite_.bready = true;
    lite_.b_done = false;
    lite_run([this] { return lite_.b_done; }, "write", addr);
    if (resp) *resp = AxiResp(lite_.resp);
  }

  bool irq() const override { return top_->irq_o; }
  uint64_t cycle() const override { return cycle_; }

  void trace_open(const std::string& path) override {
    alive();
#if TESSERA_SIM_FST
    if constexpr (kHasTrace) {
      trace_close();
      tfp_ = std::make_unique<VerilatedFstC>();
      top_->trace(tfp_.get(), 99);
      tfp_->open(path.c_str());
      if (!tfp_->isOpen()) {
        tfp_.reset();
        throw std::runtime_error("cannot open FST trace file " + path);
      }
      tfp_->dump(ctx_->time());
      return;
    }
#endif
    throw std::runtime_error("FST tracing requested (" + path +
                             ") on a model verilated without --trace-fst; create the harness with "
                             "traced = true (SimOptions::fst_path does this)");
  }

  void trace_close() override {
#if TESSERA_SIM_FST
    if (tfp_) {
      tfp_->close();
      tfp_.reset();
    }
#endif
  }

  bool tracing() const override {
#if TESSERA_SIM_FST
    return tfp_ != nullptr;
#else
    return false;
#endif
  }

  void final() override {
    if (finished_) return;
    finished_ = true;
    Verilated::threadContextp(ctx_.get());
    top_->final();
    trace_close();
  }

  AxiMemModel& mem() override { return mem_; }

 private:
  // Host-side AXI4-Lite master state.
  struct Lite {
    bool awvalid = false, wvalid = false, bready = false, arvalid = false, rready = false;
    uint32_t awaddr = 0, wdata = 0, araddr = 0;
    bool b_done = false, r_done = false;
    uint8_t resp = 0;
    uint32_t rdata = 0;
  };

  static AxiMemConfig with_width(AxiMemConfig cfg) {
    if (cfg.data_bytes == 0) cfg.data_bytes = kDataBytes;
    if (cfg.data_bytes != kDataBytes)
      throw std::invalid_argument("AxiMemConfig.data_bytes = " + std::to_string(cfg.data_bytes) +
                                  " but the verilated m_axi_rdata is " +
                                  std::to_string(kDataBytes) + " bytes wide");
    return cfg;
  }

  void alive() const {
    if (finished_) throw std::logic_error("Harness used after final()");
  }

  void half(bool clk) {
    top_->clk_i = clk;
    top_->eval();
    ctx_->timeInc(1);
#if TESSERA_SIM_FST
    if (tfp_) tfp_->dump(ctx_->time());
#endif
  }

  void drive_lite() {
    Top& t = *top_;
    t.s_axil_awaddr = lite_.awaddr & 0xFFF;
    t.s_axil_awvalid = lite_.awvalid;
    t.s_axil_wdata = lite_.wdata;
    t.s_axil_wstrb = 0xF;
    t.s_axil_wvalid = lite_.wvalid;
    t.s_axil_bready = lite_.bready;
    t.s_axil_araddr = lite_.araddr & 0xFFF;
    t.s_axil_arvalid = lite_.arvalid;
    t.s_axil_rready = lite_.rready;
  }

  void drive_mem(const AxiSlavePins& s) {
    Top& t = *top_;
    t.m_axi_arready = s.arready;
    t.m_axi_rvalid = s.rvalid;
    set_data(t.m_axi_rdata, s.rdata, kDataBytes);
    t.m_axi_rresp = s.rresp;
    t.m_axi_rlast = s.rlast;
    t.m_axi_awready = s.awready;
    t.m_axi_wready = s.wready;
    t.m_axi_bvalid = s.bvalid;
    t.m_axi_bresp = s.bresp;
  }

  // One clock cycle; on entry clk is low and the design's outputs are settled.
  void edge() {
    Top& t = *top_;
    AxiMasterPins& m = mpins_;
    m.arvalid = t.m_axi_arvalid;
    m.araddr = t.m_axi_araddr;
    m.arlen = t.m_axi_arlen;
    m.arsize = t.m_axi_arsize;
    m.arburst = t.m_axi_arburst;
    m.rready = t.m_axi_rready;
    m.awvalid = t.m_axi_awvalid;
    m.awaddr = t.m_axi_awaddr;
    m.awlen = t.m_axi_awlen;
    m.awsize = t.m_axi_awsize;
    m.awburst = t.m_axi_awburst;
    m.wvalid = t.m_axi_wvalid;
    if (m.wvalid) {
      get_data(t.m_axi_wdata, m.wdata, kDataBytes);
      m.wstrb = uint64_t(t.m_axi_wstrb);
      m.wlast = t.m_axi_wlast;
    }
    m.bready = t.m_axi_bready;
    const AxiSlavePins& s = mem_.tick(m);

    bool aw_fire = false, w_fire = false, b_fire = false, ar_fire = false, r_fire = false;
    if (lite_active_) {
      aw_fire = lite_.awvalid && t.s_axil_awready;
      w_fire = lite_.wvalid && t.s_axil_wready;
      ar_fire = lite_.arvalid && t.s_axil_arready;
      b_fire = lite_.bready && t.s_axil_bvalid;
      r_fire = lite_.rready && t.s_axil_rvalid;
      if (b_fire) lite_.resp = t.s_axil_bresp;
      if (r_fire) {
        lite_.resp = t.s_axil_rresp;
        lite_.rdata = t.s_axil_rdata;
      }
    }

    half(1);
    drive_mem(s);
    if (lite_active_) {
      if (aw_fire) lite_.awvalid = false;
      if (w_fire) lite_.wvalid = false;
      if (ar_fire) lite_.arvalid = false;
      if (b_fire) {
        lite_.bready = false;
        lite_.b_done = true;
      }
      if (r_fire) {
        lite_.rready = false;
        lite_.r_done = true;
      }
      drive_lite();
    }
    half(0);
    ++cycle_;
  }

  template <class Done>
  void lite_run(Done done, const char* what, uint32_t addr) {
    lite_active_ = true;
    drive_lite();
    top_->eval();  // let combinational READY / VALID paths see the new inputs
    for (unsigned i = 0; i < 1000 && !done(); ++i) edge();
    lite_active_ = false;
    if (!done()) {
      lite_ = Lite{};
      drive_lite();
      top_->eval();
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%03x", addr);
      throw std::runtime_error(std::string("AXI-Lite register ") + what + " at " + buf +
                               " got no response within 1000 cycles");
    }
  }

  unsigned array_dim_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Top> top_;
  AxiMemModel mem_;
  AxiMasterPins mpins_;
  Lite lite_;
  bool lite_active_ = false;
  bool finished_ = false;
  uint64_t cycle_ = 0;
#if TESSERA_SIM_FST
  std::unique_ptr<VerilatedFstC> tfp_;
#endif
};

}  // namespace tessera::sim::detail
