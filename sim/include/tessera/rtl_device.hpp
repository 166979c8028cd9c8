// tessera::Device backed by the verilated RTL: the accelerator's AXI4 master talks to an
// AxiMemModel over the device memory image, the host side goes through AXI4-Lite registers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/axi_mem_model.hpp"
#include "tessera/device.hpp"
#include "tessera/harness.hpp"
#include "tessera/memory.hpp"

namespace tessera::sim {

struct SimOptions {
  uint32_t mem_base = 0x10000000;     // device memory image = the accelerator's window
  size_t mem_size = size_t(256) << 20;
  // Memory timing and faults: latency, bandwidth, outstanding bursts, stall seed / probabilities,
  // error-injection range (AxiMemConfig). data_bytes = 0 takes the model's AXI width.
  AxiMemConfig axi{0};
  std::string fst_path;      // non-empty: FST trace of the whole life of the device into this
                             // file (uses the slower traced model, TESSERA_SIM_FST_DIMS)
  uint64_t max_cycles = 0;   // per run(); 0 = no limit (the wall-clock timeout still applies)
};

class RtlDevice final : public Device {
 public:
  /// Throws std::invalid_argument listing the built sizes when array_dim was not verilated, and
  /// std::runtime_error when the ID / HW_ARRAY / HW_AXI registers disagree with the model.
  static std::unique_ptr<RtlDevice> create(unsigned array_dim, const SimOptions& opts = {});
  static std::vector<unsigned> built_array_dims() { return Harness::built_array_dims(); }

  ~RtlDevice() override;

  std::string name() const override;
  HwConfig config() const override;  // read from the HW_* registers
  uint32_t mem_base() const override { return image_.base(); }
  size_t mem_size() const override { return image_.size(); }
  void write(uint32_t addr, const void* src, size_t n) override { image_.write(addr, src, n); }
  void read(uint32_t addr, void* dst, size_t n) override { image_.read(addr, dst, n); }
  /// Programs CMD_BASE / CMD_COUNT / WINDOW_* / IRQ_ENABLE, writes CTRL.START and simulates until
  /// irq_o, the cycle limit or the wall-clock timeout (both: timed_out = true; the next run()
  /// then resets the hardware first). Throws AxiProtocolError on a bus protocol violation.
  RunResult run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds timeout) override;

  /// Clock cycles, wall time and CPU time of this thread in the last run() (from CTRL.START to
  /// the end of simulation). Simulated cycles per second use the wall time; the CPU-time figure
  /// is the one to compare on a loaded machine.
  uint64_t last_run_cycles() const { return last_cycles_; }
  double last_run_seconds() const { return last_seconds_; }
  double last_run_cpu_seconds() const { return last_cpu_seconds_; }
  double last_run_cycles_per_second() const {
    return last_seconds_ > 0 ? double(last_cycles_) / last_seconds_ : 0.0;
  }
  double last_run_cycles_per_cpu_second() const {
    return last_cpu_seconds_ > 0 ? double(last_cycles_) / last_cpu_seconds_ : 0.0;
  }

  /// Cycle limit of later run()s (SimOptions::max_cycles; 0 = none).
  void set_cycle_limit(uint64_t max_cycles) { opts_.max_cycles = max_cycles; }

  Harness& harness() { return *harness_; }
  DramImage& image() { return image_; }
  const SimOptions& options() const { return opts_; }

 private:
  RtlDevice(unsigned array_dim, const SimOptions& opts);

  unsigned array_dim_;
  SimOptions opts_;
  DramImage image_;
  std::unique_ptr<Harness> harness_;
  bool needs_reset_ = false;
  uint64_t last_cycles_ = 0;
  double last_seconds_ = 0;
  double last_cpu_seconds_ = 0;
};

/// CPU time consumed by the calling thread, in seconds.
double thread_cpu_seconds();

}  // namespace tessera::sim

namespace tessera {
using sim::AxiMemConfig;
using sim::AxiResp;
using sim::RtlDevice;
using sim::SimOptions;
}  // namespace tessera
