// tessera::Device for a board whose accelerator sits behind the UART bridge of
// fpga/boards/common/tessera_uart_bridge.sv (the ULX3S design, fpga/boards/ulx3s/README.md):
// memory accesses are burst frames into the board RAM, register accesses single-word frames,
// and run() is the shared register sequence (tessera/register_driver.hpp) over those frames.
//
// Layers:
//   ByteLink    a byte stream with deadlines: SerialLink (a termios serial port, raw 8N1), or
//               anything a test supplies (tests/fpga: the verilated board's UART pins);
//   UartBridge  the framed protocol: 'W' / 'R' / 'w' / 'r' frames, each ending in a status byte;
//               every reply has a deadline, and errors name the link, the frame and the address;
//   UartDevice  tessera::Device on top (read-modify-write of partial words, bursts of at most
//               kUartBurstWords words, ID / VERSION / HW_* checks when it is opened).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tessera/device.hpp"
#include "tessera/mmio_device.hpp"  // RegisterSpace

namespace tessera {

constexpr unsigned kUartDefaultBaud = 115200;      // the board's (ClksPerBit 217 at 25 MHz)
constexpr uint32_t kUartRamBase = 0x10000000u;     // ulx3s_top's RamBase
constexpr uint32_t kUartRamBytes = 65536;          // ... and RamBytes
constexpr size_t kUartBurstWords = 256;            // words per 'w' / 'r' frame UartDevice sends
constexpr uint8_t kUartStatusOk = 'K';             // every access of the frame was OKAY
constexpr uint8_t kUartStatusError = 'E';          // at least one was not (unmapped, SLVERR)

/// A byte stream to the board.
class ByteLink {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~ByteLink() = default;
  /// What errors call it, e.g. "uart /dev/ttyUSB0".
  virtual std::string name() const = 0;
  /// Wire time of one byte (0 when unknown); frame deadlines allow twice this per byte.
  virtual std::chrono::nanoseconds byte_time() const { return {}; }
  /// Sends n bytes. Throws std::runtime_error naming the link when they cannot all be handed
  /// to the port before `deadline`.
  virtual void write(const uint8_t* data, size_t n, Clock::time_point deadline) = 0;
  /// Reads until n bytes have arrived or `deadline` has passed; returns how many arrived.
  /// Throws std::runtime_error naming the link on a port error.
  virtual size_t read(uint8_t* data, size_t n, Clock::time_point deadline) = 0;
  /// After a lost or garbled reply: lets the bridge drop any half-received frame (it does so
  /// after 0.1 s of silence) and discards bytes received meanwhile. Default: sleeps 150 ms,
  /// then discards what the port holds.
  virtual void resync();

 protected:
  /// Drops received, unread bytes (resync()).
  virtual void discard_input() {}
};

/// A serial port in raw mode: 8 data bits, no parity, 1 stop bit, no flow control, `baud`
/// (a standard rate). Throws std::runtime_error naming the port when it cannot be opened, is
/// not a terminal, or refuses the settings.
class SerialLink final : public ByteLink {
 public:
  SerialLink(const std::string& path, unsigned baud = kUartDefaultBaud);
  ~SerialLink() override;
  SerialLink(const SerialLink&) = delete;
  SerialLink& operator=(const SerialLink&) = delete;

  std::string name() const override { return "uart " + path_; }
  std::chrono::nanoseconds byte_time() const override;
  void write(const uint8_t* data, size_t n, Clock::time_point deadline) override;
  size_t read(uint8_t* data, size_t n, Clock::time_point deadline) override;

 protected:
  void discard_input() override;

 private:
  std::string path_;
  unsigned baud_;
  int fd_ = -1;
};

/// The bridge protocol (fpga/boards/ulx3s/README.md, "UART protocol"). Each call sends one frame
/// and returns its status byte (kUartStatusOk or kUartStatusError). Throws std::runtime_error
/// naming the link, the frame ('W' / 'R' / 'w' / 'r'), its address (and word count) when the
/// reply is not complete within reply_timeout plus twice its wire time, or when the status
/// byte is neither 'K' nor 'E'; the next frame then first resynchronizes the link.
class UartBridge {
 public:
  UartBridge(ByteLink& link, std::chrono::milliseconds reply_timeout);

  uint8_t write32(uint32_t addr, uint32_t value);                    // 'W'
  uint8_t read32(uint32_t addr, uint32_t& value);                    // 'R'
  uint8_t write_words(uint32_t addr, const uint32_t* words, size_t n);  // 'w', n <= 65535
  uint8_t read_words(uint32_t addr, uint32_t* words, size_t n);         // 'r', n <= 65535

  ByteLink& link() { return link_; }
  std::chrono::milliseconds reply_timeout() const { return reply_timeout_; }

 private:
  /// Sends `frame` and reads `reply.size()` bytes; the last one is the status byte.
  uint8_t transact(const std::string& what, const uint8_t* frame, size_t frame_bytes,
                   uint8_t* reply, size_t reply_bytes);

  ByteLink& link_;
  std::chrono::milliseconds reply_timeout_;
  bool resync_ = false;
};

/// Registers over the bridge: 'R' / 'W' frames; a status 'E' throws, naming the register
/// frame. wait() calls the poll hook (if any) instead of sleeping: a STATUS frame already takes
/// about half a millisecond at 115200 baud.
class UartRegisters final : public RegisterSpace {
 public:
  explicit UartRegisters(UartBridge& bridge) : bridge_(bridge) {}
  uint32_t read32(uint32_t offset) override;
  void write32(uint32_t offset, uint32_t value) override;
  void wait(std::chrono::microseconds max) override;

  std::function<void()> poll_hook;

 private:
  UartBridge& bridge_;
};

/// Where the board is.
struct UartOptions {
  std::string port;                                     // e.g. /dev/ttyUSB0
  unsigned baud = kUartDefaultBaud;
  std::chrono::milliseconds reply_timeout{500};         // per frame, plus its wire time
  uint32_t ram_base = kUartRamBase;
  uint32_t ram_bytes = kUartRamBytes;
};

class UartDevice final : public Device {
 public:
  /// Reads ID, VERSION and HW_* over the link (read_hw_config). Throws std::runtime_error
  /// naming the link on a timeout, a bad status byte or a wrong ID / VERSION / HW_ARRAY.
  UartDevice(std::unique_ptr<ByteLink> link, uint32_t ram_base = kUartRamBase,
             uint32_t ram_bytes = kUartRamBytes,
             std::chrono::milliseconds reply_timeout = std::chrono::milliseconds(500));

  std::string name() const override { return link_->name(); }
  HwConfig config() const override { return cfg_; }
  uint32_t mem_base() const override { return ram_base_; }
  size_t mem_size() const override { return ram_bytes_; }
  /// Bursts of 'w' / 'r' frames; partial words at either end are read, merged and written.
  /// Throws std::out_of_range outside the RAM, std::runtime_error on a link error or status 'E'.
  void write(uint32_t addr, const void* src, size_t n) override;
  void read(uint32_t addr, void* dst, size_t n) override;
  /// run_on_registers() with the board RAM as the window; `timeout` bounds the STATUS polling
  /// (each frame has its own reply deadline besides).
  RunResult run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds timeout) override;
  /// The same with another DMA window (e.g. one larger than the RAM, to test bus errors).
  RunResult run_window(uint32_t cmd_addr, uint32_t cmd_count, uint32_t window_base,
                       uint32_t window_size, std::chrono::milliseconds timeout);

  UartBridge& bridge() { return bridge_; }
  ByteLink& link() { return *link_; }
  RegisterSpace& registers() { return regs_; }
  /// Called between STATUS reads while run() waits (tests: bridge traffic during DMA).
  void set_poll_hook(std::function<void()> hook) { regs_.poll_hook = std::move(hook); }

 private:
  /// Word-aligned burst frames over [a0, a0 + 4 * n).
  void transfer(bool write, uint32_t a0, uint32_t* words, size_t n);
  void check_range(uint32_t addr, size_t n) const;

  std::unique_ptr<ByteLink> link_;
  UartBridge bridge_;
  UartRegisters regs_;
  uint32_t ram_base_, ram_bytes_;
  HwConfig cfg_;
};

/// Opens opt.port as a SerialLink and the UartDevice on it.
std::unique_ptr<UartDevice> open_uart(const UartOptions& opt);

/// "0x1000_0040": how UART errors write addresses.
std::string uart_address(uint32_t addr);

}  // namespace tessera
