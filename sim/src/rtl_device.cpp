#include "tessera/rtl_device.hpp"

#include <ctime>
#include <stdexcept>

#include "harness_impl.hpp"  // the register sequence of a run, shared with tests/fpga

namespace tessera::sim {

using detail::hex32;

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

  const HwConfig hw = config();  // also checks ID and VERSION
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

HwConfig RtlDevice::config() const { return detail::read_hw_config(*harness_, name()); }

RunResult RtlDevice::run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  Harness& h = *harness_;
  if (needs_reset_ || (h.reg_read(isa::reg::kStatus) & isa::reg_bits::kStatusBusy)) {
    h.reset();  // a previous run timed out: start from a clean accelerator
    needs_reset_ = false;
  }
  detail::program_run(h, cmd_addr, cmd_count, image_.base(), uint32_t(image_.size()));

  const auto t0 = Clock::now();
  const uint64_t c0 = h.cycle();
  const double cpu0 = thread_cpu_seconds();
  const Harness::Stop stop = detail::start_run(h, opts_.max_cycles, t0 + timeout);
  last_cycles_ = h.cycle() - c0;
  last_seconds_ = std::chrono::duration<double>(Clock::now() - t0).count();
  last_cpu_seconds_ = thread_cpu_seconds() - cpu0;

  const RunResult r = detail::finish_run(h, stop);
  needs_reset_ = r.timed_out;
  return r;
}

}  // namespace tessera::sim
