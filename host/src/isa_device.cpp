#include "tessera/isa_device.hpp"

#include <stdexcept>

namespace tessera {

IsaDevice::IsaDevice(const HwConfig& cfg, uint32_t base, size_t size)
    : model_(cfg), mem_(base, size), bump_(base) {
  if (uint64_t(base) + size > (uint64_t(1) << 32) || size > 0xFFFFFFFFu)
    throw std::invalid_argument("IsaDevice: memory must lie inside the 32-bit address space");
}

RunResult IsaDevice::run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds) {
  return model_.run(mem_, cmd_addr, cmd_count, mem_.base(), uint32_t(mem_.size()), opt_);
}

uint32_t IsaDevice::alloc(size_t bytes, size_t align) {
  const uint64_t a = (bump_ + align - 1) / align * align;
  if (a + bytes > uint64_t(mem_.base()) + mem_.size())
    throw std::runtime_error("IsaDevice: out of memory");
  bump_ = a + bytes;
  return uint32_t(a);
}

}  // namespace tessera
