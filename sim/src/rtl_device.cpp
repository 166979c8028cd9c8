#include "tessera/rtl_device.hpp"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace tessera::sim {

namespace {

constexpr uint32_t kCtrlStart = 1u << 0;
constexpr uint32_t kStatusBusy = 1u << 0;
constexpr uint32_t kStatusDone = 1u << 1;
constexpr uint32_t kStatusError = 1u << 2;
constexpr uint32_t kIrqDone = 1u << 0;
constexpr uint32_t kIrqError = 1u << 1;

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

std::unique_ptr<RtlDevice> RtlDevice::create(unsigned array_dim, const SimOptions& opts) {
  return std::unique_ptr<RtlDevice>(new RtlDevice(array_dim, opts));
}

RtlDevice::RtlDevice(unsigned array_dim, const SimOptions& opts)
    : array_dim_(array_dim), opts_(opts), image_(opts.mem_base, opts.mem_size) {
  if (opts.mem_size == 0 || uint64_t(opts.mem_base) + opts.mem_size > (uint64_t(1) << 32) ||
      opts.mem_size >= (uint64_t(1) << 32))
    throw std::invalid_argument("SimOptions: memory [" + hex32(opts.mem_base) + ", +" +
                                std::to_string(opts.mem_size) +
                                ") must be non-empty and inside the 32-bit address space");
  harness_ = Harness::create(array_dim, image_, opts.axi, !opts.fst_path.empty());
  if (!opts.fst_path.empty()) harness_->trace_open(opts.fst_path);
  harness_->reset();

  const uint32_t id = harness_->reg_read(isa::reg::kId);
  if (id != isa::kIdValue)
    throw std::runtime_error("tessera_top ID register reads " + hex32(id) + ", expected " +
                             hex32(isa::kIdValue));
  const HwConfig hw = config();
  if (hw.array_dim != array_dim)
    throw std::runtime_error("Vtessera_top_" + std::to_string(array_dim) + " reports HW_ARRAY " +
                             std::to_string(hw.array_dim));
  if (hw.axi_data_bytes != harness_->axi_data_bytes())
    throw std::runtime_error("HW_AXI reports " + std::to_string(hw.axi_data_bytes) +
                             " data bytes but m_axi_rdata is " +
                             std::to_string(harness_->axi_data_bytes()) + " bytes wide");
}

RtlDevice::~RtlDevice() = default;

std::string RtlDevice::name() const {
  return "rtl-" + std::to_string(array_dim_) + "x" + std::to_string(array_dim_);
}

HwConfig RtlDevice::config() const {
  Harness& h = *harness_;
  HwConfig c;
  const uint32_t arr = h.reg_read(isa::reg::kHwArray);
  c.array_dim = arr & 0xFF;
  if (((arr >> 8) & 0xFF) != c.array_dim)
    throw std::runtime_error("HW_ARRAY " + hex32(arr) + ": rows and columns differ");
  c.abuf_words = h.reg_read(isa::reg::kHwAbufWords);
  c.wbuf_words = h.reg_read(isa::reg::kHwWbufWords);
  c.acc_words = h.reg_read(isa::reg::kHwAccWords);
  c.obuf_words = h.reg_read(isa::reg::kHwObufWords);
  c.pbuf_words = h.reg_read(isa::reg::kHwPbufWords);
  const uint32_t axi = h.reg_read(isa::reg::kHwAxi);
  c.axi_data_bytes = axi & 0xFF;
  c.axi_addr_bits = (axi >> 8) & 0xFF;
  c.queue_depth = (axi >> 16) & 0xFF;
  return c;
}

RunResult RtlDevice::run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  Harness& h = *harness_;
  if (needs_reset_ || (h.reg_read(isa::reg::kStatus) & kStatusBusy)) {
    h.reset();  // a previous run timed out: start from a clean accelerator
    needs_reset_ = false;
  }
  h.reg_write(isa::reg::kIrqStatus, kIrqDone | kIrqError);
  h.reg_write(isa::reg::kIrqEnable, kIrqDone | kIrqError);
  h.reg_write(isa::reg::kCmdBase, cmd_addr);
  h.reg_write(isa::reg::kCmdCount, cmd_count);
  h.reg_write(isa::reg::kWindowBase, image_.base());
  h.reg_write(isa::reg::kWindowSize, uint32_t(image_.size()));

  const auto t0 = Clock::now();
  const uint64_t c0 = h.cycle();
  const double cpu0 = thread_cpu_seconds();
  h.reg_write(isa::reg::kCtrl, kCtrlStart);
  const Harness::Stop stop = h.run_until_irq(opts_.max_cycles, t0 + timeout);
  last_cycles_ = h.cycle() - c0;
  last_seconds_ = std::chrono::duration<double>(Clock::now() - t0).count();
  last_cpu_seconds_ = thread_cpu_seconds() - cpu0;

  RunResult r;
  const uint32_t status = h.reg_read(isa::reg::kStatus);
  if (stop != Harness::Stop::kIrq) {
    r.timed_out = true;
    needs_reset_ = true;
  } else if (!(status & (kStatusDone | kStatusError))) {
    throw std::runtime_error("irq_o rose but STATUS = " + hex32(status) +
                             " has neither DONE nor ERROR");
  }
  r.done = (status & kStatusDone) != 0;
  if (status & kStatusError) {
    r.error = isa::Error(h.reg_read(isa::reg::kErrCode));
    r.err_info = h.reg_read(isa::reg::kErrInfo);
  }
  for (size_t i = 0; i < isa::kNumCounters; ++i)
    r.counters[i] = h.reg_read64(isa::kCounters[i].offset);
  h.reg_write(isa::reg::kIrqStatus, kIrqDone | kIrqError);
  return r;
}

}  // namespace tessera::sim
