// The one small device interface every backend implements (golden model, RTL simulation, MMIO).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tessera/hw_config.hpp"
#include "tessera/isa_gen.hpp"

namespace tessera {

/// Outcome of one command-stream execution.
struct RunResult {
  bool done = false;                    // FINISH retired
  bool timed_out = false;               // host gave up waiting (never a hardware state)
  isa::Error error = isa::Error::kNone;  // error code when the accelerator stopped on a fault
  uint32_t err_info = 0;                // ERR_INFO: index of the faulting command
  std::array<uint64_t, isa::kNumCounters> counters{};

  uint64_t counter(isa::Counter c) const { return counters[size_t(c)]; }
  bool ok() const { return done && !timed_out && error == isa::Error::kNone; }
  std::string describe() const;
};

class Device {
 public:
  virtual ~Device() = default;

  virtual std::string name() const = 0;
  /// Build parameters, as the HW_* registers report them.
  virtual HwConfig config() const = 0;
  /// Device memory window [base, base + size) that commands may touch.
  virtual uint32_t mem_base() const = 0;
  virtual size_t mem_size() const = 0;
  virtual void write(uint32_t addr, const void* src, size_t n) = 0;
  virtual void read(uint32_t addr, void* dst, size_t n) = 0;
  /// Runs cmd_count commands at cmd_addr and waits until DONE, ERROR or the timeout.
  virtual RunResult run(uint32_t cmd_addr, uint32_t cmd_count,
                        std::chrono::milliseconds timeout) = 0;
};

}  // namespace tessera
