#include "tessera/register_driver.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "tessera/mmio_device.hpp"
#include "tessera/hex.hpp"

namespace tessera {

namespace {

// Register bits and fields: isa::reg_bits (masks) and isa::reg_field (generated).
namespace bits = isa::reg_bits;
namespace fields = isa::reg_field;

constexpr uint32_t kIrqEnableAll = bits::kIrqEnableDone | bits::kIrqEnableError;
constexpr uint32_t kIrqStatusAll = bits::kIrqStatusDone | bits::kIrqStatusError;

// Longest single wait between STATUS reads, so a lost interrupt costs at most this much.
constexpr auto kMaxWaitSlice = std::chrono::milliseconds(10);

}  // namespace

HwConfig read_hw_config(RegisterSpace& r, const std::string& who) {
  const uint32_t id = r.read32(isa::reg::kId);
  if (id != isa::kIdValue)
    throw std::runtime_error(who + ": register ID reads " + hex(id) + ", expected " +
                             hex(isa::kIdValue) + " ('TESS'): not a Tessera accelerator");
  const uint32_t version = r.read32(isa::reg::kVersion);
  constexpr isa::RegField kMajor = fields::kVersionMajor;
  if (kMajor.get(version) != kMajor.get(isa::kVersionValue))
    throw std::runtime_error(who + ": VERSION " + hex(version) + " has another major version "
                             "than this host's command format (" + hex(isa::kVersionValue) + ")");
  HwConfig cfg;
  const uint32_t arr = r.read32(isa::reg::kHwArray);
  cfg.array_dim = fields::kHwArrayRows.get(arr);
  if (fields::kHwArrayCols.get(arr) != cfg.array_dim || cfg.array_dim == 0)
    throw std::runtime_error(who + ": HW_ARRAY " + hex(arr) + ": rows and columns differ");
  cfg.out_lanes = fields::kHwArrayOutLanes.get(arr);
  if (cfg.out_lanes == 0 || cfg.out_lanes > cfg.array_dim || (cfg.out_lanes & (cfg.out_lanes - 1)))
    throw std::runtime_error(who + ": HW_ARRAY " + hex(arr) + ": OUT_LANES " +
                             std::to_string(cfg.out_lanes) +
                             " is not a power of two up to the column count");
  cfg.abuf_words = r.read32(isa::reg::kHwAbufWords);
  cfg.wbuf_words = r.read32(isa::reg::kHwWbufWords);
  cfg.acc_words = r.read32(isa::reg::kHwAccWords);
  cfg.obuf_words = r.read32(isa::reg::kHwObufWords);
  cfg.pbuf_words = r.read32(isa::reg::kHwPbufWords);
  const uint32_t axi = r.read32(isa::reg::kHwAxi);
  cfg.axi_data_bytes = fields::kHwAxiDataBytes.get(axi);
  cfg.axi_addr_bits = fields::kHwAxiAddrBits.get(axi);
  cfg.queue_depth = fields::kHwAxiQueueDepth.get(axi);
  return cfg;
}

RunResult run_on_registers(RegisterSpace& r, const std::string& who, uint32_t cmd_addr,
                           uint32_t cmd_count, uint32_t window_base, uint32_t window_size,
                           std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  if (r.read32(isa::reg::kStatus) & bits::kStatusBusy)
    throw std::runtime_error(who + ": STATUS.BUSY before START (an earlier run is still "
                             "executing, e.g. after a host timeout); reset the accelerator");
  r.write32(isa::reg::kIrqStatus, kIrqStatusAll);  // drop stale interrupts
  r.write32(isa::reg::kIrqEnable, kIrqEnableAll);
  r.write32(isa::reg::kCmdBase, cmd_addr);
  r.write32(isa::reg::kCmdCount, cmd_count);
  r.write32(isa::reg::kWindowBase, window_base);
  r.write32(isa::reg::kWindowSize, window_size);
  // Commands and inputs written through a DMA mapping must be visible before START.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  r.write32(isa::reg::kCtrl, bits::kCtrlStart);

  RunResult res;
  const auto deadline = Clock::now() + timeout;
  uint32_t status = 0;
  for (;;) {
    status = r.read32(isa::reg::kStatus);
    if (status & (bits::kStatusDone | bits::kStatusError)) break;
    const auto now = Clock::now();
    if (now >= deadline) {
      res.timed_out = true;
      break;
    }
    r.wait(std::chrono::duration_cast<std::chrono::microseconds>(
        std::min<Clock::duration>(deadline - now, kMaxWaitSlice)));
  }
  std::atomic_thread_fence(std::memory_order_seq_cst);  // outputs are read after DONE
  res.done = (status & bits::kStatusDone) != 0;
  if (status & bits::kStatusError) {
    res.error = isa::Error(r.read32(isa::reg::kErrCode));
    res.err_info = r.read32(isa::reg::kErrInfo);
  }
  for (size_t i = 0; i < isa::kNumCounters; ++i) {
    const uint32_t lo = r.read32(isa::kCounters[i].offset);  // latches HI
    res.counters[i] = lo | uint64_t(r.read32(isa::kCounters[i].offset + 4)) << 32;
  }
  r.write32(isa::reg::kIrqStatus, kIrqStatusAll);
  return res;
}

}  // namespace tessera
