#include "tessera/mmio_device.hpp"

#include "tessera/register_driver.hpp"
#include "tessera/hex.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace tessera {

namespace {

// STATUS polling interval when there is no interrupt line.
constexpr auto kPollInterval = std::chrono::microseconds(50);

std::string errno_text() { return std::strerror(errno); }

// A sysfs attribute such as maps/map0/size ("0x00001000\n").
uint64_t read_sysfs_number(const std::string& path) {
  std::ifstream f(path);
  std::string s;
  if (!(f >> s)) throw std::runtime_error("'" + path + "': cannot read it");
  try {
    size_t used = 0;
    const uint64_t v = std::stoull(s, &used, 0);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    throw std::runtime_error("'" + path + "': '" + s + "' is not a number");
  }
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

void RegisterSpace::wait(std::chrono::microseconds max) {
  std::this_thread::sleep_for(std::min<std::chrono::microseconds>(max, kPollInterval));
}

size_t register_block_bytes() { return isa::kCounters.back().offset + 8; }

FileMapping::FileMapping(const std::string& path, uint64_t offset, size_t size) : path_(path) {
  const long page = ::sysconf(_SC_PAGESIZE);
  if (size == 0) throw std::runtime_error("'" + path + "': cannot map 0 bytes");
  if (offset % uint64_t(page))
    throw std::runtime_error("'" + path + "': offset " + hex(offset) +
                             " is not a multiple of the page size (" + std::to_string(page) + ")");
  // O_SYNC makes /dev/mem mappings uncached, as device registers and DMA buffers need.
  const int fd = ::open(path.c_str(), O_RDWR | O_SYNC);
  if (fd < 0) throw std::runtime_error("'" + path + "': cannot open it (" + errno_text() + ")");
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) < offset + size) {
    ::close(fd);
    throw std::runtime_error("'" + path + "' is " + std::to_string(st.st_size) +
                             " bytes, the mapping needs [" + hex(offset) + ", " +
                             hex(offset + size) + ")");
  }
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(offset));
  const int err = errno;
  ::close(fd);  // the mapping keeps its own reference
  if (p == MAP_FAILED)
    throw std::runtime_error("'" + path + "': mmap of " + std::to_string(size) + " bytes at " +
                             hex(offset) + " failed (" + std::strerror(err) + ")");
  ptr_ = p;
  size_ = size;
}

FileMapping::~FileMapping() {
  if (ptr_) ::munmap(ptr_, size_);
}

MappedRegisters::MappedRegisters(std::unique_ptr<FileMapping> map, int irq_fd)
    : map_(std::move(map)), irq_fd_(irq_fd) {
  if (map_->size() < register_block_bytes())
    throw std::runtime_error("'" + map_->path() + "': register map is " +
                             std::to_string(map_->size()) + " bytes, the register block needs " +
                             std::to_string(register_block_bytes()));
}

MappedRegisters::~MappedRegisters() {
  if (irq_fd_ >= 0) ::close(irq_fd_);
}

volatile uint32_t* MappedRegisters::word(uint32_t offset) const {
  if (offset % 4 || size_t(offset) + 4 > map_->size())
    throw std::out_of_range("register offset " + hex(offset) + " outside the " +
                            std::to_string(map_->size()) + "-byte map of '" + map_->path() + "'");
  return reinterpret_cast<volatile uint32_t*>(map_->data() + offset);
}

uint32_t MappedRegisters::read32(uint32_t offset) { return *word(offset); }

void MappedRegisters::write32(uint32_t offset, uint32_t value) { *word(offset) = value; }

void MappedRegisters::wait(std::chrono::microseconds max) {
  if (irq_fd_ < 0) return RegisterSpace::wait(max);
  // UIO: writing 1 unmasks the interrupt; the node becomes readable once it has fired, and
  // reading returns the event count. The level-triggered irq_o stays high until IRQ_STATUS is
  // cleared, so arming after it fired still wakes us at once.
  const int32_t on = 1;
  if (::write(irq_fd_, &on, sizeof on) != sizeof on) return RegisterSpace::wait(max);
  pollfd p{irq_fd_, POLLIN, 0};
  const int ms = int(std::max<int64_t>(1, (max.count() + 999) / 1000));
  if (::poll(&p, 1, ms) > 0 && (p.revents & POLLIN)) {
    uint32_t count = 0;
    if (::read(irq_fd_, &count, sizeof count) < 0) return;  // STATUS is read next anyway
  }
}

MmioDevice::MmioDevice(std::string name, std::unique_ptr<RegisterSpace> regs, Memory mem,
                       std::vector<std::unique_ptr<FileMapping>> keep)
    : name_(std::move(name)), regs_(std::move(regs)), mem_(mem), keep_(std::move(keep)) {
  if (!mem_.host || mem_.size == 0 || mem_.size > 0xFFFFFFFFu ||
      uint64_t(mem_.phys_base) + mem_.size > (uint64_t(1) << 32))
    throw std::runtime_error(name_ + ": DMA window [" + hex(mem_.phys_base) + ", +" +
                             std::to_string(mem_.size) +
                             ") must be mapped, non-empty and inside the 32-bit address space");
  cfg_ = read_hw_config(*regs_, name_);
}

uint8_t* MmioDevice::host(uint32_t addr, size_t n) const {
  if (addr < mem_.phys_base || uint64_t(addr) + n > uint64_t(mem_.phys_base) + mem_.size)
    throw std::out_of_range(name_ + ": access [" + hex(addr) + ", +" + std::to_string(n) +
                            ") outside the DMA window [" + hex(mem_.phys_base) + ", +" +
                            std::to_string(mem_.size) + ")");
  return mem_.host + (addr - mem_.phys_base);
}

void MmioDevice::write(uint32_t addr, const void* src, size_t n) {
  std::memcpy(host(addr, n), src, n);
}

void MmioDevice::read(uint32_t addr, void* dst, size_t n) { std::memcpy(dst, host(addr, n), n); }

RunResult MmioDevice::run(uint32_t cmd_addr, uint32_t cmd_count,
                          std::chrono::milliseconds timeout) {
  return run_on_registers(*regs_, name_, cmd_addr, cmd_count, mem_.phys_base,
                          uint32_t(mem_.size), timeout);
}

std::unique_ptr<MmioDevice> open_mmio(const MmioOptions& opt) {
  std::vector<std::unique_ptr<FileMapping>> keep;
  std::unique_ptr<RegisterSpace> regs;
  std::string name;
  MmioDevice::Memory mem;

  auto map_window = [&](const std::string& path, uint64_t offset) {
    if (opt.dma_size == 0)
      throw std::runtime_error("mmio: no DMA window: give its size (and physical address)");
    if (opt.dma_phys + opt.dma_size > (uint64_t(1) << 32))
      throw std::runtime_error("mmio: DMA window [" + hex(opt.dma_phys) + ", +" +
                               hex(opt.dma_size) + ") is beyond the accelerator's 32-bit "
                               "addresses");
    keep.push_back(std::make_unique<FileMapping>(path, offset, opt.dma_size));
    mem = {keep.back()->data(), uint32_t(opt.dma_phys), opt.dma_size};
  };

  if (!opt.uio.empty()) {
    const std::string dev = opt.uio;
    if (!exists(dev)) throw std::runtime_error("'" + dev + "': no such UIO device");
    const std::string node = dev.substr(dev.find_last_of('/') + 1);
    const std::string maps = opt.uio_sysfs + "/" + node + "/maps";
    const long page = ::sysconf(_SC_PAGESIZE);
    // UIO selects map k by mmap offset k * page size.
    const uint64_t reg_size = read_sysfs_number(maps + "/map0/size");
    if (reg_size < register_block_bytes())
      throw std::runtime_error("'" + maps + "/map0/size': register map is " + hex(reg_size) +
                               " bytes, the register block needs " + hex(register_block_bytes()));
    auto reg_map = std::make_unique<FileMapping>(dev, 0, size_t(reg_size));
    struct stat st {};
    int irq_fd = -1;
    if (::stat(dev.c_str(), &st) == 0 && S_ISCHR(st.st_mode)) {
      irq_fd = ::open(dev.c_str(), O_RDWR);
      if (irq_fd < 0)
        throw std::runtime_error("'" + dev + "': cannot open it (" + errno_text() + ")");
    }
    regs = std::make_unique<MappedRegisters>(std::move(reg_map), irq_fd);
    name = "mmio-" + node;
    if (!opt.dma_path.empty()) {
      map_window(opt.dma_path, opt.dma_offset);
    } else if (exists(maps + "/map1/size")) {
      const uint64_t size = read_sysfs_number(maps + "/map1/size");
      const uint64_t addr = read_sysfs_number(maps + "/map1/addr");
      if (size == 0 || size > 0xFFFFFFFFu || addr + size > (uint64_t(1) << 32))
        throw std::runtime_error("'" + maps + "/map1': DMA window [" + hex(addr) + ", +" +
                                 hex(size) + ") is not inside the 32-bit address space");
      keep.push_back(std::make_unique<FileMapping>(dev, uint64_t(page), size_t(size)));
      mem = {keep.back()->data(), uint32_t(addr), size_t(size)};
    } else {
      throw std::runtime_error("'" + dev + "' has no map 1 (DMA window): give the window's "
                               "buffer, physical address and size");
    }
  } else {
    if (opt.devmem_regs == 0)
      throw std::runtime_error("mmio: give a UIO device or the registers' physical address");
    regs = std::make_unique<MappedRegisters>(std::make_unique<FileMapping>(
        opt.devmem_path, opt.devmem_regs, register_block_bytes()));
    name = "mmio-" + hex(opt.devmem_regs);
    if (!opt.dma_path.empty()) map_window(opt.dma_path, opt.dma_offset);
    else map_window(opt.devmem_path, opt.dma_phys);
  }
  return std::make_unique<MmioDevice>(name, std::move(regs), mem, std::move(keep));
}

}  // namespace tessera
