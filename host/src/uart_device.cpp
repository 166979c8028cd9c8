#include "tessera/uart_device.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tessera/register_driver.hpp"

namespace tessera {

namespace {

using Clock = ByteLink::Clock;

// The bridge drops a half-received frame after 0.1 s without a byte (TimeoutCycles).
constexpr auto kResyncPause = std::chrono::milliseconds(150);

std::string errno_text(int err) { return std::strerror(err); }

// Milliseconds until `deadline` for poll(): at least 0, rounded up.
int ms_until(Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  return int(std::min<int64_t>(
      std::chrono::ceil<std::chrono::milliseconds>(left).count(), 60'000));
}

// Moves n bytes through `step(done)` (one non-blocking ::read or ::write of what is left) on fd,
// waiting in poll() for `events` whenever the port has nothing to give or take, until all n have
// moved or `deadline` has passed; returns how many moved. Port errors throw, naming `who`.
template <class Step>
size_t move_bytes(int fd, short events, size_t n, Clock::time_point deadline,
                  const std::string& who, const char* verb, Step step) {
  size_t done = 0;
  while (done < n) {
    const ssize_t k = step(done);
    if (k > 0) {
      done += size_t(k);
      continue;
    }
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      throw std::runtime_error(who + ": " + verb + " failed (" + errno_text(errno) + ")");
    const int ms = ms_until(deadline);
    if (ms == 0) break;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, ms);
    if (r < 0 && errno != EINTR)
      throw std::runtime_error(who + ": poll failed (" + errno_text(errno) + ")");
    if (r > 0 && (p.revents & (POLLERR | POLLNVAL)))
      throw std::runtime_error(who + ": the port reports an error (unplugged?)");
    // POLLHUP (e.g. a pty whose other side closed): the next read() or write() tells.
  }
  return done;
}

speed_t baud_constant(unsigned baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
#ifdef B460800
    case 460800: return B460800;
#endif
#ifdef B500000
    case 500000: return B500000;
#endif
#ifdef B921600
    case 921600: return B921600;
#endif
#ifdef B1000000
    case 1000000: return B1000000;
#endif
#ifdef B1500000
    case 1500000: return B1500000;
#endif
#ifdef B2000000
    case 2000000: return B2000000;
#endif
#ifdef B3000000
    case 3000000: return B3000000;
#endif
  }
  return B0;
}

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// "'R' 0x1000_0040", "'r' 0x1000_0000 x 256 words"
std::string frame_name(char cmd, uint32_t addr, size_t words = 1, bool burst = false) {
  std::string s = std::string("'") + cmd + "' " + uart_address(addr);
  if (burst) s += " x " + std::to_string(words) + (words == 1 ? " word" : " words");
  return s;
}

void expect_ok(uint8_t status, const std::string& link, const std::string& frame) {
  if (status != kUartStatusOk)
    throw std::runtime_error(link + ": the board answered 'E' to " + frame +
                             " (an address outside its RAM and registers, or a register slave "
                             "error)");
}

}  // namespace

std::string uart_address(uint32_t addr) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%04x_%04x", unsigned(addr >> 16), unsigned(addr & 0xFFFFu));
  return b;
}

// ---- ByteLink / SerialLink ----

void ByteLink::resync() {
  std::this_thread::sleep_for(kResyncPause);
  discard_input();
}

SerialLink::SerialLink(const std::string& path, unsigned baud) : path_(path), baud_(baud) {
  const speed_t speed = baud_constant(baud);
  if (speed == B0)
    throw std::runtime_error(name() + ": baud rate " + std::to_string(baud) +
                             " is not one the port supports (9600 ... 3000000, standard rates)");
  fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error(name() + ": cannot open the serial port (" + errno_text(errno) +
                             ")");
  termios t{};
  if (!::isatty(fd_) || ::tcgetattr(fd_, &t) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error(name() + ": not a serial port (" + errno_text(err) + ")");
  }
  ::cfmakeraw(&t);  // no echo, no line editing, no CR/LF translation, 8 bits
  t.c_cflag &= ~tcflag_t(CSTOPB | PARENB | CRTSCTS | CSIZE);
  t.c_cflag |= CS8 | CLOCAL | CREAD;
  t.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  if (::cfsetispeed(&t, speed) != 0 || ::cfsetospeed(&t, speed) != 0 ||
      ::tcsetattr(fd_, TCSANOW, &t) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error(name() + ": cannot set raw 8N1 at " + std::to_string(baud) +
                             " baud (" + errno_text(err) + ")");
  }
  ::tcflush(fd_, TCIOFLUSH);  // nothing stale from before we opened it
}

SerialLink::~SerialLink() {
  if (fd_ >= 0) ::close(fd_);
}

std::chrono::nanoseconds SerialLink::byte_time() const {
  return std::chrono::nanoseconds(10'000'000'000LL / baud_);  // start + 8 data + stop bits
}

void SerialLink::write(const uint8_t* data, size_t n, Clock::time_point deadline) {
  const size_t done = move_bytes(fd_, POLLOUT, n, deadline, name(), "write", [&](size_t d) {
    return ::write(fd_, data + d, n - d);
  });
  if (done < n)
    throw std::runtime_error(name() + ": the port took only " + std::to_string(done) + " of " +
                             std::to_string(n) + " bytes before the deadline");
}

size_t SerialLink::read(uint8_t* data, size_t n, Clock::time_point deadline) {
  return move_bytes(fd_, POLLIN, n, deadline, name(), "read", [&](size_t d) {
    return ::read(fd_, data + d, n - d);
  });
}

void SerialLink::discard_input() { ::tcflush(fd_, TCIFLUSH); }

// ---- UartBridge ----

UartBridge::UartBridge(ByteLink& link, std::chrono::milliseconds reply_timeout)
    : link_(link), reply_timeout_(reply_timeout) {}

uint8_t UartBridge::transact(const std::string& what, const uint8_t* frame, size_t frame_bytes,
                             uint8_t* reply, size_t reply_bytes) {
  if (resync_) {
    link_.resync();
    resync_ = false;
  }
  const auto allowed = std::chrono::duration_cast<std::chrono::milliseconds>(
      reply_timeout_ + 2 * link_.byte_time() * int64_t(frame_bytes + reply_bytes));
  const auto deadline = Clock::now() + allowed;
  resync_ = true;  // until the whole reply is in
  link_.write(frame, frame_bytes, deadline);
  const size_t got = link_.read(reply, reply_bytes, deadline);
  const std::string within = " within " + std::to_string(allowed.count()) + " ms";
  if (got < reply_bytes) {
    const size_t data = reply_bytes - 1;
    std::string msg;
    if (data == 0) msg = "no status byte for " + what;
    else if (got == 0)
      msg = "no reply to " + what + " (expected " + std::to_string(data) +
            " data bytes and a status byte)";
    else if (got == data) msg = "no status byte after the data of " + what;
    else
      msg = "only " + std::to_string(got) + " of " + std::to_string(reply_bytes) +
            " reply bytes for " + what;
    throw std::runtime_error(link_.name() + ": " + msg + within);
  }
  const uint8_t status = reply[reply_bytes - 1];
  if (status != kUartStatusOk && status != kUartStatusError) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", unsigned(status));
    throw std::runtime_error(link_.name() + ": status byte " + b + " for " + what +
                             " is neither 'K' nor 'E' (out of step with the bridge, or another "
                             "baud rate?)");
  }
  resync_ = false;
  return status;
}

uint8_t UartBridge::write32(uint32_t addr, uint32_t value) {
  uint8_t f[9] = {'W'}, r[1];
  put32(f + 1, addr);
  put32(f + 5, value);
  return transact(frame_name('W', addr), f, sizeof f, r, sizeof r);
}

uint8_t UartBridge::read32(uint32_t addr, uint32_t& value) {
  uint8_t f[5] = {'R'}, r[5];
  put32(f + 1, addr);
  const uint8_t st = transact(frame_name('R', addr), f, sizeof f, r, sizeof r);
  value = get32(r);
  return st;
}

uint8_t UartBridge::write_words(uint32_t addr, const uint32_t* words, size_t n) {
  if (n > 0xFFFF) throw std::invalid_argument("UartBridge: more than 65535 words in one frame");
  std::vector<uint8_t> f(7 + 4 * n);
  f[0] = 'w';
  put32(&f[1], addr);
  f[5] = uint8_t(n);
  f[6] = uint8_t(n >> 8);
  for (size_t i = 0; i < n; ++i) put32(&f[7 + 4 * i], words[i]);
  uint8_t r[1];
  return transact(frame_name('w', addr, n, true), f.data(), f.size(), r, sizeof r);
}

uint8_t UartBridge::read_words(uint32_t addr, uint32_t* words, size_t n) {
  if (n > 0xFFFF) throw std::invalid_argument("UartBridge: more than 65535 words in one frame");
  uint8_t f[7] = {'r'};
  put32(f + 1, addr);
  f[5] = uint8_t(n);
  f[6] = uint8_t(n >> 8);
  std::vector<uint8_t> r(4 * n + 1);
  const uint8_t st = transact(frame_name('r', addr, n, true), f, sizeof f, r.data(), r.size());
  for (size_t i = 0; i < n; ++i) words[i] = get32(&r[4 * i]);
  return st;
}

// ---- UartRegisters ----

uint32_t UartRegisters::read32(uint32_t offset) {
  uint32_t v = 0;
  expect_ok(bridge_.read32(offset, v), bridge_.link().name(), frame_name('R', offset));
  return v;
}

void UartRegisters::write32(uint32_t offset, uint32_t value) {
  expect_ok(bridge_.write32(offset, value), bridge_.link().name(), frame_name('W', offset));
}

void UartRegisters::wait(std::chrono::microseconds) {
  if (poll_hook) poll_hook();
}

// ---- UartDevice ----

UartDevice::UartDevice(std::unique_ptr<ByteLink> link, uint32_t ram_base, uint32_t ram_bytes,
                       std::chrono::milliseconds reply_timeout)
    : link_(std::move(link)),
      bridge_(*link_, reply_timeout),
      regs_(bridge_),
      ram_base_(ram_base),
      ram_bytes_(ram_bytes) {
  if (ram_bytes_ == 0 || ram_bytes_ % 4 || ram_base_ % 4 ||
      uint64_t(ram_base_) + ram_bytes_ > (uint64_t(1) << 32))
    throw std::invalid_argument(name() + ": board RAM [" + uart_address(ram_base_) + ", +" +
                                std::to_string(ram_bytes_) +
                                ") must be word-aligned, non-empty and inside 32 bits");
  cfg_ = read_hw_config(regs_, name());
}

void UartDevice::check_range(uint32_t addr, size_t n) const {
  if (addr < ram_base_ || uint64_t(addr) + n > uint64_t(ram_base_) + ram_bytes_)
    throw std::out_of_range(name() + ": access [" + uart_address(addr) + ", +" +
                            std::to_string(n) + ") outside the board RAM [" +
                            uart_address(ram_base_) + ", +" + std::to_string(ram_bytes_) + ")");
}

void UartDevice::transfer(bool write, uint32_t a0, uint32_t* words, size_t n) {
  for (size_t i = 0; i < n; i += kUartBurstWords) {
    const size_t k = std::min(kUartBurstWords, n - i);
    const uint32_t a = a0 + uint32_t(4 * i);
    const uint8_t st = write ? bridge_.write_words(a, words + i, k)
                             : bridge_.read_words(a, words + i, k);
    expect_ok(st, name(), frame_name(write ? 'w' : 'r', a, k, true));
  }
}

void UartDevice::write(uint32_t addr, const void* src, size_t n) {
  if (n == 0) return;
  check_range(addr, n);
  const uint32_t a0 = addr & ~3u;
  const uint64_t a1 = (uint64_t(addr) + n + 3) & ~uint64_t(3);
  std::vector<uint32_t> w(size_t(a1 - a0) / 4);
  // Partial words at either end: read-modify-write.
  const bool head = addr != a0, tail = uint64_t(addr) + n != a1;
  if (head) transfer(false, a0, &w.front(), 1);
  if (tail && (w.size() > 1 || !head)) transfer(false, uint32_t(a1 - 4), &w.back(), 1);
  const uint8_t* s = static_cast<const uint8_t*>(src);
  for (size_t i = 0; i < n; ++i) {
    const size_t b = addr - a0 + i;  // byte index in the words, little-endian
    uint32_t& word = w[b / 4];
    const unsigned sh = 8 * unsigned(b % 4);
    word = (word & ~(0xFFu << sh)) | uint32_t(s[i]) << sh;
  }
  transfer(true, a0, w.data(), w.size());
}

void UartDevice::read(uint32_t addr, void* dst, size_t n) {
  if (n == 0) return;
  check_range(addr, n);
  const uint32_t a0 = addr & ~3u;
  const uint64_t a1 = (uint64_t(addr) + n + 3) & ~uint64_t(3);
  std::vector<uint32_t> w(size_t(a1 - a0) / 4);
  transfer(false, a0, w.data(), w.size());
  uint8_t* d = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < n; ++i) {
    const size_t b = addr - a0 + i;
    d[i] = uint8_t(w[b / 4] >> (8 * (b % 4)));
  }
}

RunResult UartDevice::run(uint32_t cmd_addr, uint32_t cmd_count,
                          std::chrono::milliseconds timeout) {
  return run_window(cmd_addr, cmd_count, ram_base_, ram_bytes_, timeout);
}

RunResult UartDevice::run_window(uint32_t cmd_addr, uint32_t cmd_count, uint32_t window_base,
                                 uint32_t window_size, std::chrono::milliseconds timeout) {
  return run_on_registers(regs_, name(), cmd_addr, cmd_count, window_base, window_size, timeout);
}

std::unique_ptr<UartDevice> open_uart(const UartOptions& opt) {
  if (opt.port.empty()) throw std::runtime_error("uart: no serial port given (--serial PATH)");
  return std::make_unique<UartDevice>(std::make_unique<SerialLink>(opt.port, opt.baud),
                                      opt.ram_base, opt.ram_bytes, opt.reply_timeout);
}

}  // namespace tessera
