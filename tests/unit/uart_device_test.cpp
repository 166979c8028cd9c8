// UartDevice / UartBridge / SerialLink (host/src/uart_device.cpp) without a board:
// - FakeBoard, a ByteLink that answers the bridge protocol of fpga/boards/common/
//   tessera_uart_bridge.sv from a register map and a 64 KB RAM: configuration, byte-granular
//   reads and writes split into bursts, the run sequence, run() timing out on a board that
//   stays BUSY;
// - faults: a link that never answers (error naming the frame, within its deadline), a wrong
//   status byte (error, then the next frame resynchronizes), status 'E' (error naming the frame);
// - SerialLink on a pseudo-terminal: raw mode (every byte value passes unchanged), a port nobody
//   answers on, and the errors for a missing path, a file that is no terminal and a bad baud
//   rate. The verilated board behind the same code: tests/fpga/ulx3s_board_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../common/test_util.hpp"
#include "tessera/uart_device.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace bits = isa::reg_bits;

#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
void put32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(uint8_t(x >> (8 * i)));
}

// The board side of the protocol in plain C++: registers below 0x1000 (a map; unknown ones read
// 0), the RAM at kUartRamBase, 'E' for anything else.
class FakeBoard final : public ByteLink {
 public:
  enum class Mode { kAnswer, kSilent, kBadStatus };
  Mode mode = Mode::kAnswer;
  bool stay_busy = false;  // START makes STATUS BUSY forever (else DONE at once)
  bool fail_ram = false;   // RAM accesses answer with an error
  std::map<uint32_t, uint32_t> regs;
  std::vector<uint8_t> ram = std::vector<uint8_t>(kUartRamBytes);
  std::vector<std::string> frames;  // "W 0x0000_0008", "r 0x1000_0000 x 256", ...
  int resyncs = 0;

  FakeBoard() {
    regs[isa::reg::kId] = isa::kIdValue;
    regs[isa::reg::kVersion] = isa::kVersionValue;
    regs[isa::reg::kHwArray] = testutil::hw_array_word(4);
    regs[isa::reg::kHwAbufWords] = 1024;
    regs[isa::reg::kHwWbufWords] = 1024;
    regs[isa::reg::kHwAccWords] = 1024;
    regs[isa::reg::kHwObufWords] = 1024;
    regs[isa::reg::kHwPbufWords] = 64;
    regs[isa::reg::kHwAxi] = testutil::hw_axi_word(4, 32, 4);
    regs[isa::kCounters[0].offset] = 1234;  // CYCLES
  }

  std::string name() const override { return "uart fake"; }
  void write(const uint8_t* data, size_t n, Clock::time_point) override {
    in_.insert(in_.end(), data, data + n);
    while (frame()) {
    }
  }
  size_t read(uint8_t* data, size_t n, Clock::time_point deadline) override {
    if (out_.size() < n) std::this_thread::sleep_until(deadline);
    const size_t got = std::min(n, out_.size());
    std::copy(out_.begin(), out_.begin() + long(got), data);
    out_.erase(out_.begin(), out_.begin() + long(got));
    return got;
  }
  void resync() override {
    ++resyncs;
    in_.clear();
    out_.clear();
  }
  /// Replies produced so far (for serving the fake through a pty).
  std::vector<uint8_t> take_output() {
    std::vector<uint8_t> o;
    o.swap(out_);
    return o;
  }

 private:
  // Parses one complete frame from in_ and answers it; false when none is complete.
  bool frame() {
    if (in_.empty()) return false;
    const uint8_t cmd = in_[0];
    const size_t head = (cmd == 'W') ? 9 : (cmd == 'R') ? 5 : (cmd == 'w' || cmd == 'r') ? 7 : 1;
    if (head == 1) {  // unknown command byte: ignored
      in_.erase(in_.begin());
      return true;
    }
    if (in_.size() < head) return false;
    const uint32_t addr = get32(&in_[1]);
    const size_t count = (cmd == 'w' || cmd == 'r') ? size_t(in_[5] | in_[6] << 8) : 1;
    const size_t len = cmd == 'w' ? head + 4 * count : head;
    if (in_.size() < len) return false;
    frames.push_back(std::string(1, char(cmd)) + " " + uart_address(addr) +
                     (cmd == 'w' || cmd == 'r' ? " x " + std::to_string(count) : ""));
    bool ok = true;
    std::vector<uint8_t> reply;
    for (size_t i = 0; i < count; ++i) {
      const uint32_t a = addr + uint32_t(4 * i);
      if (cmd == 'W' || cmd == 'w') ok &= store(a, get32(&in_[(cmd == 'W' ? 5 : 7) + 4 * i]));
      else put32(reply, load(a, ok));
    }
    in_.erase(in_.begin(), in_.begin() + long(len));
    if (mode == Mode::kSilent) return true;
    reply.push_back(mode == Mode::kBadStatus ? 'X' : ok ? kUartStatusOk : kUartStatusError);
    out_.insert(out_.end(), reply.begin(), reply.end());
    return true;
  }
  uint32_t load(uint32_t a, bool& ok) {
    if (a < 0x1000) return regs.count(a) ? regs[a] : 0;
    if (!fail_ram && a >= kUartRamBase && a - kUartRamBase < kUartRamBytes)
      return get32(&ram[a - kUartRamBase]);
    ok = false;
    return 0;
  }
  bool store(uint32_t a, uint32_t v) {
    if (a == isa::reg::kCtrl) {
      if (v & bits::kCtrlStart) regs[isa::reg::kStatus] = stay_busy ? bits::kStatusBusy
                                                                     : bits::kStatusDone;
      return true;
    }
    if (a < 0x1000) {
      regs[a] = v;
      return true;
    }
    if (!fail_ram && a >= kUartRamBase && a - kUartRamBase < kUartRamBytes) {
      for (int k = 0; k < 4; ++k) ram[a - kUartRamBase + k] = uint8_t(v >> (8 * k));
      return true;
    }
    return false;
  }

  std::vector<uint8_t> in_, out_;
};

struct Fake {
  FakeBoard* board = nullptr;  // owned by dev
  std::unique_ptr<UartDevice> dev;
  explicit Fake(std::chrono::milliseconds reply = 200ms, FakeBoard::Mode mode = {}) {
    auto b = std::make_unique<FakeBoard>();
    board = b.get();
    board->mode = mode;
    dev = std::make_unique<UartDevice>(std::move(b), kUartRamBase, kUartRamBytes, reply);
  }
};

TEST(UartDevice, ReadsTheConfigurationAndMovesBytesInBursts) {
  Fake f;
  const HwConfig cfg = f.dev->config();
  EXPECT_EQ(cfg.array_dim, 4u);
  EXPECT_EQ(cfg.pbuf_words, 64u);
  EXPECT_EQ(cfg.axi_data_bytes, 4u);
  EXPECT_EQ(cfg.queue_depth, 4u);
  EXPECT_EQ(f.dev->mem_base(), kUartRamBase);
  EXPECT_EQ(f.dev->mem_size(), kUartRamBytes);
  EXPECT_EQ(f.board->frames.front(), "R 0x0000_0000");  // ID first

  // 1,030 bytes from an odd address: 258 words in two bursts after reading both end words.
  std::vector<uint8_t> data(1030);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + 3);
  f.board->ram.assign(kUartRamBytes, 0xEE);
  f.board->frames.clear();
  f.dev->write(kUartRamBase + 0x201, data.data(), data.size());
  EXPECT_EQ(f.board->frames,
            (std::vector<std::string>{"r 0x1000_0200 x 1", "r 0x1000_0604 x 1",
                                      "w 0x1000_0200 x 256", "w 0x1000_0600 x 2"}));
  EXPECT_EQ(f.board->ram[0x200], 0xEE);
  EXPECT_EQ(f.board->ram[0x201 + 1030], 0xEE);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), f.board->ram.begin() + 0x201));
  std::vector<uint8_t> back(data.size());
  f.dev->read(kUartRamBase + 0x201, back.data(), back.size());
  EXPECT_EQ(back, data);
  // Inside one word: one read, one write.
  f.board->frames.clear();
  const uint8_t two[] = {0xAB, 0xCD};
  f.dev->write(kUartRamBase + 0x11, two, 2);
  EXPECT_EQ(f.board->frames,
            (std::vector<std::string>{"r 0x1000_0010 x 1", "w 0x1000_0010 x 1"}));
  EXPECT_EQ(f.board->ram[0x10], 0xEE);
  EXPECT_EQ(f.board->ram[0x11], 0xAB);
  EXPECT_EQ(f.board->ram[0x13], 0xEE);

  uint8_t b = 0;
  EXPECT_THROW(f.dev->read(kUartRamBase - 4, &b, 1), std::out_of_range);
  EXPECT_THROW(f.dev->write(kUartRamBase + kUartRamBytes - 1, two, 2), std::out_of_range);
}

TEST(UartDevice, RunProgramsTheRegistersAndReadsTheCounters) {
  Fake f;
  f.board->frames.clear();
  const RunResult r = f.dev->run(kUartRamBase + 0x40, 7, 1s);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.counter(isa::Counter::kCycles), 1234u);
  EXPECT_EQ(f.board->regs[isa::reg::kCmdBase], kUartRamBase + 0x40);
  EXPECT_EQ(f.board->regs[isa::reg::kCmdCount], 7u);
  EXPECT_EQ(f.board->regs[isa::reg::kWindowBase], kUartRamBase);
  EXPECT_EQ(f.board->regs[isa::reg::kWindowSize], kUartRamBytes);
  // START after the window, then STATUS polled.
  const auto& fr = f.board->frames;
  const auto start = std::find(fr.begin(), fr.end(), "W " + uart_address(isa::reg::kCtrl));
  ASSERT_NE(start, fr.end());
  EXPECT_LT(std::find(fr.begin(), fr.end(), "W " + uart_address(isa::reg::kWindowSize)), start);
  EXPECT_EQ(*(start + 1), "R " + uart_address(isa::reg::kStatus));
}

TEST(UartDevice, RunHonoursTheHostTimeout) {
  Fake f;
  f.board->stay_busy = true;
  const auto t0 = Clock::now();
  const RunResult r = f.dev->run(kUartRamBase, 1, 150ms);
  const auto dt = Clock::now() - t0;
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.done);
  EXPECT_GE(dt, 150ms);
  EXPECT_LT(dt, 2s);
  // The accelerator is still BUSY: the next run refuses to START.
  try {
    f.dev->run(kUartRamBase, 1, 150ms);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_HAS(e.what(), "uart fake: STATUS.BUSY before START");
  }
}

TEST(UartBridge, NoReplyIsATimeoutNamingTheFrame) {
  const auto t0 = Clock::now();
  try {
    Fake f(250ms, FakeBoard::Mode::kSilent);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "uart fake: no reply to 'R' 0x0000_0000 (expected 4 data bytes and a status byte) "
              "within 250 ms");
  }
  const auto dt = Clock::now() - t0;
  EXPECT_GE(dt, 250ms);
  EXPECT_LT(dt, 1s);

  Fake f(100ms);
  f.board->mode = FakeBoard::Mode::kSilent;
  uint32_t words[3] = {1, 2, 3};
  try {
    f.dev->bridge().write_words(kUartRamBase + 0x40, words, 3);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "uart fake: no status byte for 'w' 0x1000_0040 x 3 words within 100 ms");
  }
}

TEST(UartBridge, WrongStatusByteIsAnErrorAndTheNextFrameResynchronizes) {
  Fake f;
  f.board->mode = FakeBoard::Mode::kBadStatus;
  uint32_t v = 0;
  try {
    f.dev->bridge().read32(kUartRamBase + 0x40, v);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "uart fake: status byte 0x58 for 'R' 0x1000_0040 is neither 'K' nor 'E' (out of "
              "step with the bridge, or another baud rate?)");
  }
  EXPECT_EQ(f.board->resyncs, 0);
  f.board->mode = FakeBoard::Mode::kAnswer;
  EXPECT_EQ(f.dev->registers().read32(isa::reg::kId), isa::kIdValue);
  EXPECT_EQ(f.board->resyncs, 1);
  EXPECT_EQ(f.dev->registers().read32(isa::reg::kId), isa::kIdValue);
  EXPECT_EQ(f.board->resyncs, 1);
}

TEST(UartBridge, StatusEIsAnErrorNamingTheFrame) {
  Fake f;
  try {
    f.dev->registers().read32(0x2000);  // unmapped
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_HAS(e.what(), "uart fake: the board answered 'E' to 'R' 0x0000_2000");
  }
  f.board->fail_ram = true;  // the RAM answers with errors: 'E' for the burst
  const uint8_t bytes[8] = {};
  try {
    f.dev->write(kUartRamBase + 0x40, bytes, sizeof bytes);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_HAS(e.what(), "uart fake: the board answered 'E' to 'w' 0x1000_0040 x 2 words");
  }
}

// ---- SerialLink ----

TEST(SerialLink, OpenErrorsNameThePort) {
  try {
    UartOptions o;
    o.port = "/nonexistent/ttyUSB9";
    open_uart(o);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "uart /nonexistent/ttyUSB9: cannot open the serial port (No such file or "
              "directory)");
  }
  testutil::TempDir d("tessera_uart");
  std::ofstream(d / "plain") << "not a tty";
  try {
    SerialLink l(d / "plain");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_HAS(e.what(), "uart " + d / "plain" + ": not a serial port");
  }
  testutil::Pty pty;
  try {
    SerialLink l(pty.slave_path(), 12345);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_HAS(e.what(), "uart " + pty.slave_path() + ": baud rate 12345 is not one");
  }
  EXPECT_THROW(open_uart(UartOptions{}), std::runtime_error);  // no port at all
}

// Nobody on the other end: the first frame (the ID read) times out after the reply timeout
// plus its wire time, with the frame named; the frame itself went out unchanged.
TEST(SerialLink, PortNobodyAnswersTimesOut) {
  testutil::Pty pty;
  UartOptions o;
  o.port = pty.slave_path();
  o.reply_timeout = 200ms;
  const auto t0 = Clock::now();
  try {
    open_uart(o);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "uart " + pty.slave_path() +
                  ": no reply to 'R' 0x0000_0000 (expected 4 data bytes and a status byte) "
                  "within 201 ms");
  }
  const auto dt = Clock::now() - t0;
  EXPECT_GE(dt, 200ms);
  EXPECT_LT(dt, 1s);
  EXPECT_EQ(pty.read_available(), (std::vector<uint8_t>{'R', 0, 0, 0, 0}));
}

// FakeBoard served through a pty: the termios link in raw mode carries every byte value
// (CR, LF, ^C, ^D, XON / XOFF, DEL, 0xFF) both ways unchanged.
TEST(SerialLink, RawModeCarriesEveryByteValue) {
  testutil::Pty pty;
  std::atomic<bool> stop{false};
  std::thread server([&] {
    FakeBoard board;
    while (!stop) {
      const std::vector<uint8_t> in = pty.read_available();
      if (!in.empty()) board.write(in.data(), in.size(), Clock::now());
      const std::vector<uint8_t> out = board.take_output();
      if (!out.empty()) pty.write_all(out.data(), out.size());
      std::this_thread::sleep_for(200us);
    }
  });
  {
    UartOptions o;
    o.port = pty.slave_path();
    o.reply_timeout = 2s;
    auto dev = open_uart(o);
    EXPECT_EQ(dev->name(), "uart " + pty.slave_path());
    EXPECT_EQ(dev->config().array_dim, 4u);
    std::vector<uint8_t> all(256 * 3);
    for (size_t i = 0; i < all.size(); ++i) all[i] = uint8_t(i);
    dev->write(kUartRamBase + 0x100, all.data(), all.size());
    std::vector<uint8_t> back(all.size());
    dev->read(kUartRamBase + 0x100, back.data(), back.size());
    EXPECT_EQ(back, all);
    // Addresses and counts whose bytes are control characters.
    const uint8_t ctl[] = {0x0D, 0x0A, 0x03, 0x04, 0x11, 0x13, 0x7F, 0xFF};
    dev->write(kUartRamBase + 0x0D0A, ctl, sizeof ctl);
    uint8_t ctl_back[sizeof ctl] = {};
    dev->read(kUartRamBase + 0x0D0A, ctl_back, sizeof ctl);
    EXPECT_EQ(std::memcmp(ctl, ctl_back, sizeof ctl), 0);
  }
  stop = true;
  server.join();
}

}  // namespace
}  // namespace tessera
