// Cycle-level simulation harness for one verilated tessera_top.
//
// A Harness owns its VerilatedContext, the verilated model and an AxiMemModel attached to the
// model's AXI4 master port; the host drives the AXI4-Lite slave port through reg_read() /
// reg_write(). One clock cycle = one rising edge (the memory model and the AXI-Lite driver sample
// the design's outputs just before it) and one falling edge (new inputs are applied before it).
// The pin-level code is a template on the verilated class (Vtessera_top_<N> all have the same
// members); this interface hides it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/axi_mem_model.hpp"
#include "tessera/memory.hpp"

namespace tessera::sim {

class Harness {
 public:
  enum class Stop { kIrq, kCycleLimit, kWallClock };

  /// The harness for the verilated model of an N x N array. mem.data_bytes = 0 selects the model's
  /// AXI data width; any other value must equal it. The image must outlive the harness.
  /// traced = true selects the model verilated with --trace-fst (about 25% slower), which
  /// trace_open() needs. Throws std::invalid_argument listing the built sizes when array_dim (or
  /// its traced model) was not verilated.
  static std::unique_ptr<Harness> create(unsigned array_dim, DramImage& image,
                                         AxiMemConfig mem = AxiMemConfig{0}, bool traced = false);
  /// Array sizes verilated into this build (TESSERA_ARRAY_DIMS), in configuration order.
  static std::vector<unsigned> built_array_dims();
  /// Whether a traced model exists for this size (TESSERA_SIM_FST_DIMS).
  static bool trace_supported(unsigned array_dim);

  virtual ~Harness() = default;
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  virtual unsigned array_dim() const = 0;
  /// AXI4 master data width of the verilated model, in bytes.
  virtual unsigned axi_data_bytes() const = 0;

  /// Holds rst_ni low for `cycles` cycles, then resets the memory model (drops bursts in flight).
  virtual void reset(unsigned cycles = 4) = 0;
  /// Advances `cycles` clock cycles.
  virtual void step(uint64_t cycles = 1) = 0;
  /// Steps until irq_o is high after an edge, `max_cycles` cycles have passed (0 = no limit) or
  /// the wall clock passes `deadline`.
  virtual Stop run_until_irq(uint64_t max_cycles,
                             std::chrono::steady_clock::time_point deadline) = 0;

  /// AXI4-Lite register access (blocking; a few cycles). Throws std::runtime_error when the
  /// slave does not answer within 1000 cycles. resp (optional) receives BRESP / RRESP.
  virtual uint32_t reg_read(uint32_t addr, AxiResp* resp = nullptr) = 0;
  virtual void reg_write(uint32_t addr, uint32_t value, AxiResp* resp = nullptr) = 0;
  /// 64-bit counter: LO at addr (latches HI), then HI at addr + 4.
  uint64_t reg_read64(uint32_t addr) {
    const uint64_t lo = reg_read(addr);
    return lo | uint64_t(reg_read(addr + 4)) << 32;
  }

  virtual bool irq() const = 0;
  /// Clock cycles since construction (reset cycles included).
  virtual uint64_t cycle() const = 0;

  /// FST waveform of everything from now until trace_close() (or destruction). Throws unless the
  /// harness was created with traced = true.
  virtual void trace_open(const std::string& path) = 0;
  virtual void trace_close() = 0;
  virtual bool tracing() const = 0;

  /// Runs the model's final blocks and closes the trace; the harness is unusable afterwards.
  /// Called by the destructor if not called before.
  virtual void final() = 0;

  virtual AxiMemModel& mem() = 0;

 protected:
  Harness() = default;
};

/// FST tracing for the lifetime of this object.
class ScopedTrace {
 public:
  ScopedTrace(Harness& h, const std::string& path) : h_(h) { h_.trace_open(path); }
  ~ScopedTrace() { h_.trace_close(); }
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  Harness& h_;
};

}  // namespace tessera::sim
