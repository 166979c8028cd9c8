// The ULX3S board top (fpga/boards/ulx3s/ulx3s_top.sv) driven the way a PC drives the board:
// bytes of the UART bridge protocol (fpga/boards/ulx3s/README.md), serialized bit by bit onto
// ftdi_txd and deserialized from ftdi_rxd by a model of the PC's USB-UART. Nothing reaches the
// design except through its pins. The protocol side is the host library's own
// tessera::UartDevice (host/src/uart_device.cpp), the code `tessera --backend uart` uses:
// - over PinLink, a tessera::ByteLink that shifts bytes straight into the verilated pins;
// - over a pseudo-terminal, opened by path like a real serial port (SerialLink, termios), whose
//   other end feeds the verilated pins from another thread.
// Compiled programs, tensors and the run sequence go through the bridge into the board RAM and
// the accelerator's registers; results come back the same way and are compared, bit for bit,
// with the layer-level reference (tessera::ref). The model is verilated with ClksPerBit = 8 and
// TimeoutCycles = 100000 (tests/fpga/CMakeLists.txt), so a byte takes 80 cycles.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../common/test_util.hpp"
#include "Vulx3s_top.h"
#include "tessera/compiler.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"
#include "tessera/uart_device.hpp"
#include "verilated.h"

namespace tessera {
namespace {

using namespace std::chrono_literals;

constexpr unsigned kClksPerBit = 8;          // -GClksPerBit of the verilated model
constexpr uint64_t kBridgeTimeoutCycles = 100000;  // -GTimeoutCycles
constexpr uint32_t kRamBase = kUartRamBase;  // ulx3s_top defaults
constexpr uint32_t kRamBytes = kUartRamBytes;
// Wall-clock limits: a frame's reply (the simulation runs at roughly a million cycles a
// second, a 256-word burst is 82,000 cycles) and a whole run.
constexpr auto kReplyTimeout = 10s;
constexpr auto kRunTimeout = 120s;

/// The verilated board plus the PC side of its USB-UART, cycle by cycle.
class BoardPins {
 public:
  BoardPins() : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->randReset(0);
    Verilated::threadContextp(ctx_.get());
    top_ = std::make_unique<Vulx3s_top>(ctx_.get(), "ulx3s_top");
    top_->clk_25mhz = 0;
    top_->ftdi_txd = 1;
    top_->btn = 0x02;  // FIRE1 held: reset
    top_->eval();
    step(8);
    top_->btn = 0;
    step(40);  // power-on-reset counter
  }

  ~BoardPins() {
    Verilated::threadContextp(ctx_.get());
    top_->final();
    top_.reset();
    ctx_.reset();
    Verilated::threadContextp(nullptr);
  }

  uint64_t cycle() const { return cycle_; }
  uint8_t leds() const { return top_->led; }
  /// LED 0 (the accelerator's interrupt) was on at some cycle since the last call.
  bool take_irq_led_seen() {
    const bool seen = irq_led_seen_;
    irq_led_seen_ = false;
    return seen;
  }

  void step(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) tick();
  }

  /// Queues bytes for the PC's transmitter.
  void send(const uint8_t* p, size_t n) { txq_.insert(txq_.end(), p, p + n); }
  /// Bytes received from the board and not yet taken.
  std::deque<uint8_t>& received() { return rxq_; }

  void tick() {
    // PC transmitter: one 8N1 frame at a time, LSB first.
    if (tx_bits_left_ == 0 && !txq_.empty()) {
      tx_frame_ = uint16_t((1u << 9) | (uint32_t(txq_.front()) << 1));
      txq_.pop_front();
      tx_bits_left_ = 10;
      tx_cnt_ = 0;
    }
    top_->ftdi_txd = tx_bits_left_ ? (tx_frame_ & 1u) : 1u;
    top_->clk_25mhz = 1;
    top_->eval();
    top_->clk_25mhz = 0;
    top_->eval();
    ++cycle_;
    irq_led_seen_ = irq_led_seen_ || (top_->led & 1u);
    if (tx_bits_left_ && ++tx_cnt_ == kClksPerBit) {
      tx_cnt_ = 0;
      tx_frame_ >>= 1;
      --tx_bits_left_;
    }
    // PC receiver: start bit confirmed at its middle, bits sampled at their middles.
    const unsigned line = top_->ftdi_rxd & 1u;
    if (!rx_active_) {
      if (!line) {
        rx_active_ = true;
        rx_cnt_ = 0;
        rx_bit_ = 0;
        rx_byte_ = 0;
      }
      return;
    }
    ++rx_cnt_;
    const unsigned mid = kClksPerBit / 2 + rx_bit_ * kClksPerBit;
    if (rx_cnt_ != mid) return;
    if (rx_bit_ == 0) {
      if (line) rx_active_ = false;  // glitch, not a start bit
    } else if (rx_bit_ <= 8) {
      rx_byte_ |= uint8_t(line << (rx_bit_ - 1));
    } else {
      if (!line) throw std::runtime_error("UART: framing error (stop bit 0) from the board");
      rxq_.push_back(rx_byte_);
      rx_active_ = false;
      return;
    }
    ++rx_bit_;
  }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vulx3s_top> top_;
  uint64_t cycle_ = 0;
  std::deque<uint8_t> txq_, rxq_;
  uint16_t tx_frame_ = 0;
  unsigned tx_bits_left_ = 0, tx_cnt_ = 0;
  bool rx_active_ = false;
  unsigned rx_cnt_ = 0, rx_bit_ = 0;
  uint8_t rx_byte_ = 0;
  bool irq_led_seen_ = false;
};

/// tessera::ByteLink onto the board's pins: write() queues the bytes, read() runs the
/// simulation until the reply has arrived or the wall-clock deadline has passed.
class PinLink final : public ByteLink {
 public:
  std::string name() const override { return "uart verilated ulx3s_top"; }
  void write(const uint8_t* data, size_t n, Clock::time_point) override { pins_.send(data, n); }
  size_t read(uint8_t* data, size_t n, Clock::time_point deadline) override {
    auto& rx = pins_.received();
    for (unsigned k = 1; rx.size() < n; ++k) {
      if (k % 1024 == 0 && Clock::now() >= deadline) break;
      pins_.tick();
    }
    const size_t got = std::min(n, rx.size());
    std::copy(rx.begin(), rx.begin() + long(got), data);
    rx.erase(rx.begin(), rx.begin() + long(got));
    return got;
  }
  /// The bridge drops a half frame after TimeoutCycles of silence.
  void resync() override {
    pins_.step(kBridgeTimeoutCycles + 20 * kClksPerBit);
    discard_input();
  }
  BoardPins& pins() { return pins_; }

 protected:
  void discard_input() override { pins_.received().clear(); }

 private:
  BoardPins pins_;
};

class Ulx3sBoard : public ::testing::Test {
 protected:
  Ulx3sBoard() {
    auto link = std::make_unique<PinLink>();
    link_ = link.get();
    dev_ = std::make_unique<UartDevice>(std::move(link), kRamBase, kRamBytes, kReplyTimeout);
  }

  BoardPins& pins() { return link_->pins(); }

  PinLink* link_ = nullptr;  // owned by dev_
  std::unique_ptr<UartDevice> dev_;
};

/// A compiled requantizing 3x3 convolution (several input-channel groups) followed by 2x2 max
/// (odd seeds) or average pooling (even seeds), its input and both layers' expected outputs.
struct ConvPoolCase {
  ConvLayer conv;
  PoolLayer pool;
  std::string what;
  QTensor in, want_conv, want_pool;
  DeviceTensor x, y, z;
  Program prog;
};

ConvPoolCase conv_pool_case(const Device& dev, unsigned seed) {
  ConvPoolCase c;
  const HwConfig cfg = dev.config();
  std::mt19937_64 rng(seed);
  const RandomLayerLimits lim{12, 12, 3, 1, 1, 8};
  do {
    c.conv = random_conv(rng, cfg, lim, ConvKind::kConv);
  } while (!c.conv.requant || c.conv.kh != 3 || c.conv.kw != 3 ||
           c.conv.in.c <= int(cfg.array_dim) || c.conv.out_h() < 4 || c.conv.out_w() < 4);
  PoolLayer& pool = c.pool;
  pool.in = c.conv.out();
  pool.is_signed = c.conv.out_signed;
  pool.kh = pool.kw = 2;
  pool.stride_h = pool.stride_w = 2;
  pool.avg = (seed % 2) == 0;
  if (pool.avg) {  // divide by 4: mult 2^30, shift 32
    pool.in_zp = c.conv.out_zp;
    pool.out_zp = c.conv.out_zp;
    pool.mult = 1 << 30;
    pool.shift = 32;
  }
  c.what = describe(c.conv) + " + " + describe(pool);
  c.in = random_tensor(rng, c.conv.in, c.conv.act_signed);
  c.want_conv = ref::conv(c.conv, c.in);
  c.want_pool = ref::pool(pool, c.want_conv);
  ProgramBuilder pb(cfg, dev.mem_base(), dev.mem_size());
  c.x = pb.alloc_tensor(c.conv.in, c.conv.act_signed);
  c.y = pb.alloc_tensor(c.conv.out(), c.conv.out_signed);
  c.z = pb.alloc_tensor(pool.out(), pool.is_signed);
  pb.conv(c.conv, c.x, c.y);
  pb.pool(pool, c.y, c.z);
  c.prog = pb.finish();
  return c;
}

// The bridge itself through UartBridge's frames: the accelerator's ID register, RAM round trips
// (single and burst), unmapped addresses, a frame abandoned mid-way (the bridge times out and
// resynchronizes), unknown command bytes; UartDevice's byte-granular read / write (partial
// words are read, merged and written back).
TEST_F(Ulx3sBoard, BridgeProtocol) {
  UartBridge& b = dev_->bridge();
  EXPECT_EQ(dev_->registers().read32(isa::reg::kId), isa::kIdValue);  // 'TESS'
  const HwConfig cfg = dev_->config();
  EXPECT_EQ(cfg.array_dim, 4u);
  EXPECT_EQ(cfg.axi_data_bytes, 4u);
  EXPECT_EQ(dev_->name(), "uart verilated ulx3s_top");

  EXPECT_EQ(b.write32(kRamBase + 0x40, 0xDEADBEEFu), kUartStatusOk);
  uint32_t v = 0;
  EXPECT_EQ(b.read32(kRamBase + 0x40, v), kUartStatusOk);
  EXPECT_EQ(v, 0xDEADBEEFu);
  std::vector<uint32_t> w(37), r(37);
  for (size_t i = 0; i < w.size(); ++i) w[i] = uint32_t(0x01020304u * (i + 1) ^ 0xA5A5A5A5u);
  EXPECT_EQ(b.write_words(kRamBase + kRamBytes - 4 * 37, w.data(), w.size()), kUartStatusOk);
  EXPECT_EQ(b.read_words(kRamBase + kRamBytes - 4 * 37, r.data(), r.size()), kUartStatusOk);
  EXPECT_EQ(r, w);
  EXPECT_EQ(b.write_words(kRamBase, w.data(), 0), kUartStatusOk);  // empty burst

  // Unmapped: between the registers and the RAM, and just past the RAM.
  EXPECT_EQ(b.write32(0x00002000u, 1), kUartStatusError);
  EXPECT_EQ(b.read32(kRamBase + kRamBytes, v), kUartStatusError);
  EXPECT_EQ(v, 0u);
  // A burst running off the end of the RAM: in-range words are read, the status is 'E'.
  EXPECT_EQ(b.read_words(kRamBase + kRamBytes - 8, r.data(), 3), kUartStatusError);
  EXPECT_EQ(r[0], w[35]);
  EXPECT_EQ(r[1], w[36]);
  EXPECT_EQ(r[2], 0u);
  // ... and through UartDevice: an error naming the frame; outside the RAM: out_of_range.
  try {
    dev_->registers().write32(0x2000u, 1);
    ADD_FAILURE() << "no error for an unmapped register";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("answered 'E' to 'W' 0x0000_2000"), std::string::npos)
        << e.what();
  }
  uint8_t byte = 0;
  EXPECT_THROW(dev_->read(kRamBase + kRamBytes, &byte, 1), std::out_of_range);

  // Byte-granular access: 11 bytes from an odd address keep the bytes around them.
  const std::vector<uint8_t> bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  std::vector<uint8_t> around(20, 0xEE), back(20);
  dev_->write(kRamBase + 0x100, around.data(), around.size());
  dev_->write(kRamBase + 0x103, bytes.data(), bytes.size());
  dev_->read(kRamBase + 0x100, back.data(), back.size());
  std::copy(bytes.begin(), bytes.end(), around.begin() + 3);
  EXPECT_EQ(back, around);
  std::vector<uint8_t> mid(2);
  dev_->read(kRamBase + 0x105, mid.data(), 2);  // inside one word
  EXPECT_EQ(mid, (std::vector<uint8_t>{3, 4}));

  // Half a frame, a pause longer than the bridge's timeout, then a good frame.
  const uint8_t half[] = {'W', 0x00, 0x00};
  pins().send(half, sizeof half);
  pins().step(kBridgeTimeoutCycles + 20000);
  EXPECT_EQ(dev_->registers().read32(isa::reg::kId), isa::kIdValue);
  // Unknown command bytes are ignored.
  const uint8_t junk[] = {'x', 0x00, 'z'};
  pins().send(junk, sizeof junk);
  pins().step(1000);
  EXPECT_EQ(dev_->registers().read32(isa::reg::kId), isa::kIdValue);
  EXPECT_EQ(pins().received().size(), 0u) << "bytes nobody asked for";
}

// A frame whose reply never completes: UartBridge gives up at its deadline and says which
// frame; the next frame resynchronizes (PinLink::resync waits out the bridge's frame timeout)
// and works. The half frame here is sent by hand: the bridge waits for the rest, so the 'R'
// that follows completes it as data and no reply comes within the deadline.
TEST_F(Ulx3sBoard, LostReplyTimesOutAndResynchronizes) {
  UartBridge short_bridge(*link_, std::chrono::milliseconds(300));
  const uint8_t half[] = {'w', 0x00, 0x00, 0x00, 0x10, 0x10, 0x00};  // 'w' x 16 words, no data
  pins().send(half, sizeof half);
  uint32_t v = 0;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    short_bridge.read32(isa::reg::kId, v);
    ADD_FAILURE() << "no timeout";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "uart verilated ulx3s_top: no reply to 'R' 0x0000_0000 (expected 4 data bytes and "
              "a status byte) within 300 ms");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(short_bridge.read32(isa::reg::kId, v), kUartStatusOk);
  EXPECT_EQ(v, isa::kIdValue);
}

// Compiled two-layer programs (a requantizing 3x3 convolution with several input-channel
// groups, then 2x2 max or average pooling) and their data go into the board RAM through
// UartDevice; the accelerator runs them from there while UartDevice::run polls STATUS and a
// poll hook reads the RAM (bridge and DMA share the RAM's ports); both layers' outputs come
// back over the UART equal, bit for bit, to the layer-level reference.
TEST_F(Ulx3sBoard, ConvPoolProgramMatchesReference) {
  for (const unsigned seed : {41u, 42u, 43u}) {
    const ConvPoolCase c = conv_pool_case(*dev_, seed);
    const Program& prog = c.prog;
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = pins().cycle();
    load_program(*dev_, prog);
    write_tensor(*dev_, c.x, c.in);
    const uint64_t c1 = pins().cycle();
    unsigned probes = 0, probe_errors = 0;
    dev_->set_poll_hook([&] {
      uint32_t v = 0;
      const uint8_t st = dev_->bridge().read32(prog.cmd_addr, v);
      ++probes;
      if (v != prog.cmds[0][0] || st != kUartStatusOk) ++probe_errors;
    });
    pins().take_irq_led_seen();
    const RunResult r = dev_->run(prog.cmd_addr, uint32_t(prog.cmds.size()), kRunTimeout);
    dev_->set_poll_hook(nullptr);
    const uint64_t c2 = pins().cycle();
    ASSERT_TRUE(r.ok()) << r.describe() << " for " << c.what;
    EXPECT_TRUE(pins().take_irq_led_seen()) << "LED 0 shows the accelerator's interrupt";
    EXPECT_EQ(probe_errors, 0u);
    EXPECT_GT(r.counter(isa::Counter::kCycles), 0u);
    EXPECT_EQ(first_mismatch(c.want_conv, read_tensor(*dev_, c.y)), "") << c.what;
    EXPECT_EQ(first_mismatch(c.want_pool, read_tensor(*dev_, c.z)), "") << c.what;
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("ulx3s: %s: %zu commands; upload %llu cycles, run %llu cycles (accelerator "
                "%llu, %u RAM reads meanwhile), total %llu cycles in %.2f s\n",
                c.what.c_str(), prog.cmds.size(), (unsigned long long)(c1 - c0),
                (unsigned long long)(c2 - c1),
                (unsigned long long)r.counter(isa::Counter::kCycles), probes,
                (unsigned long long)(pins().cycle() - c0), s);
  }
}

// DMA outside the board RAM (but inside the accelerator's window): the RAM answers DECERR and
// the accelerator stops with AXI_RESP, for a LOAD (read) and for a STORE (write); afterwards
// the board still runs programs.
TEST_F(Ulx3sBoard, DmaOutsideRamIsAxiRespError) {
  const uint32_t cmd_addr = kRamBase;
  const uint32_t wide_window = 0x00100000u;  // 1 MB window, 64 KB of RAM
  auto upload = [&](const std::vector<isa::Command>& cmds) {
    std::vector<uint8_t> bytes;
    for (const auto& c : cmds) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(&c);
      bytes.insert(bytes.end(), p, p + sizeof(c));
    }
    dev_->write(cmd_addr, bytes.data(), bytes.size());
  };
  isa::FinishCmd fin;

  // LOAD from just past the end of the RAM.
  isa::LoadCmd ld;
  ld.buf = uint32_t(isa::LoadBuf::kAbuf);
  ld.dram_addr = kRamBase + kRamBytes;
  ld.x_len = 4;
  ld.y_len = ld.z_len = 1;
  upload({ld.encode(), fin.encode()});
  RunResult r = dev_->run_window(cmd_addr, 2, kRamBase, wide_window, kRunTimeout);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, isa::Error::kAxiResp) << r.describe();
  EXPECT_EQ(r.err_info, 0u);

  // STORE to 512 KB past the RAM (after a LOAD that is fine).
  isa::LoadCmd ld_ok = ld;
  ld_ok.dram_addr = kRamBase + 0x1000;
  ld_ok.deps.push_next = true;
  isa::StoreCmd st;
  st.buf = uint32_t(isa::StoreBuf::kObuf);
  st.dram_addr = kRamBase + 0x80000;
  st.x_len = 4;
  st.y_len = st.z_len = 1;
  // compute: a 1x1 pool from ABUF to OBUF between them keeps the token chain legal
  isa::PoolCmd pl;
  pl.deps.pop_prev = true;
  pl.deps.push_next = true;
  pl.in_h = pl.in_w = 1;
  pl.out_h = pl.out_w = 1;
  pl.kh = pl.kw = 1;
  pl.stride_h = pl.stride_w = 1;
  pl.cg = 4;
  st.deps.pop_prev = true;
  upload({ld_ok.encode(), pl.encode(), st.encode(), fin.encode()});
  r = dev_->run_window(cmd_addr, 4, kRamBase, wide_window, kRunTimeout);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, isa::Error::kAxiResp) << r.describe();
  EXPECT_EQ(r.err_info, 2u);

  // The same STORE inside the RAM runs cleanly.
  st.dram_addr = kRamBase + 0x2000;
  upload({ld_ok.encode(), pl.encode(), st.encode(), fin.encode()});
  r = dev_->run_window(cmd_addr, 4, kRamBase, wide_window, kRunTimeout);
  EXPECT_TRUE(r.ok()) << r.describe();
}

// The verilated board behind a pseudo-terminal: a thread moves the bytes the host writes to the
// pty's slave side from the master side into the board's RX pin, and the board's TX bytes
// back. The host side is exactly what `tessera --backend uart --serial PATH` runs: open_uart
// on the slave's path (SerialLink: termios raw mode, poll() deadlines), then UartDevice.
class PtyBoard {
 public:
  PtyBoard() : sim_([this] { serve(); }) {}
  ~PtyBoard() { stop(); }
  const std::string& path() const { return pty_.slave_path(); }
  /// Stops the simulation thread; returns what went wrong in it, if anything.
  std::string stop() {
    stop_ = true;
    if (sim_.joinable()) sim_.join();
    return error_;
  }

 private:
  void serve() {
    try {
      BoardPins pins;
      while (!stop_) {
        const std::vector<uint8_t> in = pty_.read_available();
        pins.send(in.data(), in.size());
        pins.step(256);
        auto& out = pins.received();
        if (!out.empty()) {
          const std::vector<uint8_t> bytes(out.begin(), out.end());
          out.clear();
          pty_.write_all(bytes.data(), bytes.size());
        }
      }
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }

  testutil::Pty pty_;
  std::atomic<bool> stop_{false};
  std::string error_;
  std::thread sim_;  // last: starts after the members it uses
};

TEST(Ulx3sBoardPty, CompiledLayersThroughASerialPort) {
  PtyBoard board;
  {
    UartOptions o;
    o.port = board.path();
    o.reply_timeout = kReplyTimeout;
    std::unique_ptr<UartDevice> dev = open_uart(o);
    EXPECT_EQ(dev->name(), "uart " + board.path());
    EXPECT_EQ(dev->config().array_dim, 4u);
    const ConvPoolCase c = conv_pool_case(*dev, 44);
    load_program(*dev, c.prog);
    write_tensor(*dev, c.x, c.in);
    const RunResult r = dev->run(c.prog.cmd_addr, uint32_t(c.prog.cmds.size()), kRunTimeout);
    ASSERT_TRUE(r.ok()) << r.describe() << " for " << c.what;
    EXPECT_EQ(first_mismatch(c.want_conv, read_tensor(*dev, c.y)), "") << c.what;
    EXPECT_EQ(first_mismatch(c.want_pool, read_tensor(*dev, c.z)), "") << c.what;
  }
  EXPECT_EQ(board.stop(), "");
}

#ifdef TESSERA_CLI_EXE
// `tessera run --backend uart --serial PTY` against the board: a float CNN (tests/onnx/data/
// float_convnet: convolutions, residual add, max / average / global pooling, FC), quantized by
// Tessera on the shipped images, runs on the board; --check compares every value with the golden
// model and the reference.
TEST(Ulx3sBoardPty, TesseraCliRunsAModelOverTheSerialPort) {
  PtyBoard board;
  const std::string src = TESSERA_SOURCE_DIR;
  const std::string cmd = std::string(TESSERA_CLI_EXE) + " run " + src +
                          "/tests/onnx/data/float_convnet/model.onnx " + src +
                          "/models/images/fmnist_0_ankle-boot.png --calibrate " + src +
                          "/models/images --convert-channels --dim 4 --check --timeout 60 "
                          "--backend uart --serial " + board.path() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  EXPECT_NE(out.find("backend uart " + board.path()), std::string::npos) << out;
  EXPECT_NE(out.find("check: PASS"), std::string::npos) << out;
  EXPECT_EQ(board.stop(), "");
  std::printf("%s", out.c_str());
}
#endif

}  // namespace
}  // namespace tessera
