// tessera::Device for real hardware: the accelerator's AXI4-Lite registers and its DMA window
// are memory-mapped into this process, through a Linux UIO device (/dev/uioN) or /dev/mem.
// Register offsets and bits come from the generated isa_gen.hpp (isa::reg, isa::reg_bits,
// isa::reg_field), nothing else.
//
// Register access sits behind RegisterSpace so that tests (and other transports) can substitute
// their own: tests/unit/mmio_device_test.cpp drives MmioDevice through a register block that
// runs the golden model on START.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/device.hpp"

namespace tessera {

/// 32-bit registers at byte offsets (isa::reg::*, counter offsets).
class RegisterSpace {
 public:
  virtual ~RegisterSpace() = default;
  virtual uint32_t read32(uint32_t offset) = 0;
  virtual void write32(uint32_t offset, uint32_t value) = 0;
  /// Blocks until the accelerator may have raised its interrupt or `max` has passed, whichever
  /// comes first; the caller then reads STATUS. Without an interrupt line: a short sleep.
  virtual void wait(std::chrono::microseconds max);
};

/// Bytes of the register block the host uses (through the last counter's HI word).
size_t register_block_bytes();

/// A shared mmap of [offset, offset + size) of a file or device node. Throws std::runtime_error
/// naming the path: cannot open, offset not page-aligned, file too short (regular files),
/// mmap failure.
class FileMapping {
 public:
  FileMapping(const std::string& path, uint64_t offset, size_t size);
  ~FileMapping();
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;

  uint8_t* data() const { return static_cast<uint8_t*>(ptr_); }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

/// Registers in a mapping: volatile 32-bit loads and stores. With an irq_fd (a UIO device node)
/// wait() blocks in poll() on it and re-arms the interrupt (UIO: write 1, read the count).
class MappedRegisters : public RegisterSpace {
 public:
  /// Throws std::runtime_error when the mapping is smaller than register_block_bytes().
  explicit MappedRegisters(std::unique_ptr<FileMapping> map, int irq_fd = -1);
  ~MappedRegisters() override;
  uint32_t read32(uint32_t offset) override;
  void write32(uint32_t offset, uint32_t value) override;
  void wait(std::chrono::microseconds max) override;

 private:
  volatile uint32_t* word(uint32_t offset) const;
  std::unique_ptr<FileMapping> map_;
  int irq_fd_;
};

class MmioDevice final : public Device {
 public:
  /// The DMA window as the host sees it (host) and as the accelerator addresses it (phys_base).
  struct Memory {
    uint8_t* host = nullptr;
    uint32_t phys_base = 0;
    size_t size = 0;
  };

  /// Reads ID, VERSION and the HW_* registers. Throws std::runtime_error naming `name` when ID
  /// is not 'TESS', the major version differs from isa_gen.hpp's, HW_ARRAY is inconsistent, or
  /// the window does not lie inside the 32-bit address space. `keep` holds mappings that
  /// back `mem` for the device's lifetime.
  MmioDevice(std::string name, std::unique_ptr<RegisterSpace> regs, Memory mem,
             std::vector<std::unique_ptr<FileMapping>> keep = {});

  std::string name() const override { return name_; }
  HwConfig config() const override { return cfg_; }
  uint32_t mem_base() const override { return mem_.phys_base; }
  size_t mem_size() const override { return mem_.size; }
  void write(uint32_t addr, const void* src, size_t n) override;
  void read(uint32_t addr, void* dst, size_t n) override;
  /// Acknowledges stale interrupts, programs CMD_BASE / CMD_COUNT / WINDOW_* / IRQ_ENABLE,
  /// writes CTRL.START and waits (interrupt or STATUS polling) until DONE or ERROR, or until the
  /// host timeout (timed_out = true; the accelerator may still be running). Reads ERR_CODE /
  /// ERR_INFO and the counters, then clears IRQ_STATUS. Throws std::runtime_error when the
  /// accelerator is still BUSY from an earlier run (START would be ignored).
  RunResult run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds timeout) override;

  RegisterSpace& registers() { return *regs_; }

 private:
  uint8_t* host(uint32_t addr, size_t n) const;

  std::string name_;
  std::unique_ptr<RegisterSpace> regs_;
  Memory mem_;
  std::vector<std::unique_ptr<FileMapping>> keep_;
  HwConfig cfg_;
};

/// Where the registers and the DMA window are.
struct MmioOptions {
  /// UIO: "/dev/uioN". Map 0 is the register block; map 1, when the device has one, is the DMA
  /// window (its physical address and size from sysfs) unless dma_path is given. The
  /// interrupt is used when the node is a character device.
  std::string uio;
  std::string uio_sysfs = "/sys/class/uio";  // maps/mapK/{addr,size} live under <sysfs>/uioN
  /// /dev/mem (or another file, for tests): registers at this physical address (without uio).
  uint64_t devmem_regs = 0;
  std::string devmem_path = "/dev/mem";
  /// DMA window from a separate mapping: dma_size bytes at dma_offset of dma_path (e.g. a
  /// u-dma-buf node; /dev/mem with dma_offset = dma_phys). Without dma_path and uio map 1, the
  /// window is mapped from devmem_path at dma_phys.
  std::string dma_path;
  uint64_t dma_offset = 0;
  uint64_t dma_phys = 0;  // the window's bus address (what the accelerator sees)
  size_t dma_size = 0;
};

/// Opens and maps everything MmioOptions names. Throws std::runtime_error naming the path or
/// the sysfs file on every failure (missing node, unreadable or too small map, no window).
std::unique_ptr<MmioDevice> open_mmio(const MmioOptions& opt);

}  // namespace tessera
