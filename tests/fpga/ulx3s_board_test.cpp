// The ULX3S board top (fpga/boards/ulx3s/ulx3s_top.sv) driven the way a PC drives the board:
// bytes of the UART bridge protocol (fpga/boards/ulx3s/README.md), serialized bit by bit onto
// ftdi_txd and deserialized from ftdi_rxd by a model of the PC's USB-UART. Nothing reaches the
// design except through its pins. UartBoard implements tessera::Device on top of that protocol,
// so the host compiler's programs, tensors and run sequence go through the bridge into the
// board RAM and the accelerator's registers; results come back the same way and are compared,
// bit for bit, with the layer-level reference (tessera::ref). The model is verilated with
// ClksPerBit = 8 (tests/fpga/CMakeLists.txt) so a byte takes 80 cycles.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vulx3s_top.h"
#include "tessera/compiler.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"
#include "verilated.h"

namespace tessera {
namespace {

constexpr unsigned kClksPerBit = 8;          // -GClksPerBit of the verilated model
constexpr uint32_t kRamBase = 0x10000000u;   // ulx3s_top defaults
constexpr uint32_t kRamBytes = 65536;
constexpr uint64_t kRunCycleLimit = 20'000'000;  // per run(): never hang
constexpr uint8_t kStatusOk = 'K';
constexpr uint8_t kStatusErr = 'E';

/// The verilated board plus the PC side of its USB-UART, cycle by cycle.
class UartLink {
 public:
  UartLink() : ctx_(std::make_unique<VerilatedContext>()) {
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

  ~UartLink() {
    Verilated::threadContextp(ctx_.get());
    top_->final();
    top_.reset();
    ctx_.reset();
    Verilated::threadContextp(nullptr);
  }

  uint64_t cycle() const { return cycle_; }
  uint8_t leds() const { return top_->led; }

  void step(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) tick();
  }

  /// Sends `out`, then runs until `n_in` bytes have arrived (and everything was sent). Throws
  /// when that takes more than `limit` cycles.
  std::vector<uint8_t> transact(const std::vector<uint8_t>& out, size_t n_in, uint64_t limit) {
    txq_.insert(txq_.end(), out.begin(), out.end());
    const uint64_t stop = cycle_ + limit;
    while (rxq_.size() < n_in || !txq_.empty() || tx_bits_left_ != 0) {
      if (cycle_ >= stop)
        throw std::runtime_error("UART: no reply within " + std::to_string(limit) + " cycles (got " +
                                 std::to_string(rxq_.size()) + " of " + std::to_string(n_in) +
                                 " bytes)");
      tick();
    }
    std::vector<uint8_t> in(rxq_.begin(), rxq_.begin() + long(n_in));
    rxq_.erase(rxq_.begin(), rxq_.begin() + long(n_in));
    return in;
  }

  /// Bytes that arrived without being asked for (should be none).
  size_t stray_bytes() const { return rxq_.size(); }

 private:
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

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vulx3s_top> top_;
  uint64_t cycle_ = 0;
  std::deque<uint8_t> txq_, rxq_;
  uint16_t tx_frame_ = 0;
  unsigned tx_bits_left_ = 0, tx_cnt_ = 0;
  bool rx_active_ = false;
  unsigned rx_cnt_ = 0, rx_bit_ = 0;
  uint8_t rx_byte_ = 0;
};

void put32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(uint8_t(x >> (8 * i)));
}
uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

/// The PC side of the bridge protocol.
class Bridge {
 public:
  explicit Bridge(UartLink& link) : link_(link) {}

  /// 'W' addr data -> status
  uint8_t write32(uint32_t addr, uint32_t data) {
    std::vector<uint8_t> f{'W'};
    put32(f, addr);
    put32(f, data);
    return link_.transact(f, 1, kFrameLimit)[0];
  }
  /// 'R' addr -> data status
  uint32_t read32(uint32_t addr, uint8_t* status = nullptr) {
    std::vector<uint8_t> f{'R'};
    put32(f, addr);
    const auto r = link_.transact(f, 5, kFrameLimit);
    if (status) *status = r[4];
    return get32(r.data());
  }
  /// 'w' addr count data... -> status
  uint8_t write_words(uint32_t addr, const uint32_t* w, size_t n) {
    std::vector<uint8_t> f{'w'};
    put32(f, addr);
    f.push_back(uint8_t(n));
    f.push_back(uint8_t(n >> 8));
    for (size_t i = 0; i < n; ++i) put32(f, w[i]);
    return link_.transact(f, 1, kFrameLimit * (n + 1))[0];
  }
  /// 'r' addr count -> data... status
  uint8_t read_words(uint32_t addr, uint32_t* w, size_t n) {
    std::vector<uint8_t> f{'r'};
    put32(f, addr);
    f.push_back(uint8_t(n));
    f.push_back(uint8_t(n >> 8));
    const auto r = link_.transact(f, 4 * n + 1, kFrameLimit * (n + 1));
    for (size_t i = 0; i < n; ++i) w[i] = get32(&r[4 * i]);
    return r[4 * n];
  }

  uint32_t reg(uint32_t off) {
    uint8_t st = 0;
    const uint32_t v = read32(off, &st);
    if (st != kStatusOk) throw std::runtime_error("register read failed at " + std::to_string(off));
    return v;
  }
  void set_reg(uint32_t off, uint32_t v) {
    if (write32(off, v) != kStatusOk)
      throw std::runtime_error("register write failed at " + std::to_string(off));
  }

 private:
  static constexpr uint64_t kFrameLimit = 200 * kClksPerBit * 10;  // per word: generous
  UartLink& link_;
};

/// tessera::Device over the UART bridge: memory is the board RAM, registers the accelerator's.
class UartBoard final : public Device {
 public:
  UartBoard() : bridge_(link_) {
    const uint32_t arr = bridge_.reg(isa::reg::kHwArray);
    cfg_.array_dim = isa::reg_field::kHwArrayRows.get(arr);
    cfg_.abuf_words = bridge_.reg(isa::reg::kHwAbufWords);
    cfg_.wbuf_words = bridge_.reg(isa::reg::kHwWbufWords);
    cfg_.acc_words = bridge_.reg(isa::reg::kHwAccWords);
    cfg_.obuf_words = bridge_.reg(isa::reg::kHwObufWords);
    cfg_.pbuf_words = bridge_.reg(isa::reg::kHwPbufWords);
    const uint32_t axi = bridge_.reg(isa::reg::kHwAxi);
    cfg_.axi_data_bytes = isa::reg_field::kHwAxiDataBytes.get(axi);
    cfg_.axi_addr_bits = isa::reg_field::kHwAxiAddrBits.get(axi);
    cfg_.queue_depth = isa::reg_field::kHwAxiQueueDepth.get(axi);
  }

  std::string name() const override { return "ulx3s-uart"; }
  HwConfig config() const override { return cfg_; }
  uint32_t mem_base() const override { return kRamBase; }
  size_t mem_size() const override { return kRamBytes; }

  void write(uint32_t addr, const void* src, size_t n) override {
    if (n == 0) return;
    const uint32_t a0 = addr & ~3u, a1 = uint32_t((uint64_t(addr) + n + 3) & ~uint64_t(3));
    std::vector<uint32_t> w((a1 - a0) / 4);
    // Partial words at either end: read-modify-write.
    if (addr != a0) w.front() = bridge_.read32(a0);
    if (addr + n != a1) w.back() = bridge_.read32(a1 - 4);
    std::memcpy(reinterpret_cast<uint8_t*>(w.data()) + (addr - a0), src, n);  // little-endian host
    for (size_t i = 0; i < w.size(); i += kChunk) {
      const size_t k = std::min(kChunk, w.size() - i);
      if (bridge_.write_words(a0 + uint32_t(4 * i), &w[i], k) != kStatusOk)
        throw std::runtime_error("UartBoard: write failed");
    }
  }

  void read(uint32_t addr, void* dst, size_t n) override {
    if (n == 0) return;
    const uint32_t a0 = addr & ~3u, a1 = uint32_t((uint64_t(addr) + n + 3) & ~uint64_t(3));
    std::vector<uint32_t> w((a1 - a0) / 4);
    for (size_t i = 0; i < w.size(); i += kChunk) {
      const size_t k = std::min(kChunk, w.size() - i);
      if (bridge_.read_words(a0 + uint32_t(4 * i), &w[i], k) != kStatusOk)
        throw std::runtime_error("UartBoard: read failed");
    }
    std::memcpy(dst, reinterpret_cast<const uint8_t*>(w.data()) + (addr - a0), n);
  }

  /// The register sequence of a driver: clear stale interrupts, program the run, START, poll
  /// STATUS over the UART until DONE or ERROR (or the cycle limit), read ERR_* and counters.
  RunResult run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds) override {
    return run_window(cmd_addr, cmd_count, kRamBase, kRamBytes);
  }

  RunResult run_window(uint32_t cmd_addr, uint32_t cmd_count, uint32_t win_base, uint32_t win_size) {
    using namespace isa;
    bridge_.set_reg(reg::kIrqStatus, reg_bits::kIrqStatusDone | reg_bits::kIrqStatusError);
    bridge_.set_reg(reg::kCmdBase, cmd_addr);
    bridge_.set_reg(reg::kCmdCount, cmd_count);
    bridge_.set_reg(reg::kWindowBase, win_base);
    bridge_.set_reg(reg::kWindowSize, win_size);
    bridge_.set_reg(reg::kIrqEnable, reg_bits::kIrqEnableDone | reg_bits::kIrqEnableError);
    const uint64_t c0 = link_.cycle();
    bridge_.set_reg(reg::kCtrl, reg_bits::kCtrlStart);
    RunResult r;
    uint32_t status = 0;
    for (;;) {
      status = bridge_.reg(reg::kStatus);
      if (status & (reg_bits::kStatusDone | reg_bits::kStatusError)) break;
      if (probe_) {
        // A RAM read while the accelerator's DMA uses the RAM (port arbitration).
        uint8_t st = 0;
        const uint32_t v = bridge_.read32(probe_addr_, &st);
        ++probes_;
        if (v != probe_value_ || st != kStatusOk) ++probe_errors_;
      }
      if (link_.cycle() - c0 > kRunCycleLimit) {
        r.timed_out = true;
        return r;
      }
    }
    irq_led_ = link_.leds() & 1u;
    r.done = status & reg_bits::kStatusDone;
    if (status & reg_bits::kStatusError) {
      r.error = Error(bridge_.reg(reg::kErrCode));
      r.err_info = bridge_.reg(reg::kErrInfo);
    }
    for (size_t i = 0; i < kNumCounters; ++i) {
      const uint32_t lo = bridge_.reg(0x100 + 8 * uint32_t(i));
      const uint32_t hi = bridge_.reg(0x104 + 8 * uint32_t(i));
      r.counters[i] = uint64_t(hi) << 32 | lo;
    }
    bridge_.set_reg(reg::kIrqStatus, reg_bits::kIrqStatusDone | reg_bits::kIrqStatusError);
    return r;
  }

  /// While a run is polled, also read the RAM word at addr and count reads != value.
  void probe_ram(uint32_t addr, uint32_t value) {
    probe_ = true;
    probe_addr_ = addr;
    probe_value_ = value;
    probes_ = probe_errors_ = 0;
  }
  unsigned probes() const { return probes_; }
  unsigned probe_errors() const { return probe_errors_; }

  UartLink& link() { return link_; }
  Bridge& bridge() { return bridge_; }
  bool irq_led_at_end() const { return irq_led_; }

 private:
  static constexpr size_t kChunk = 256;  // words per burst frame
  UartLink link_;
  Bridge bridge_;
  HwConfig cfg_;
  bool irq_led_ = false;
  bool probe_ = false;
  uint32_t probe_addr_ = 0, probe_value_ = 0;
  unsigned probes_ = 0, probe_errors_ = 0;
};

class Ulx3sBoard : public ::testing::Test {
 protected:
  UartBoard board_;
};

// The bridge itself: the accelerator's ID register, RAM round trips (single and burst),
// unmapped addresses, and a frame abandoned mid-way (the bridge times out and resynchronizes).
TEST_F(Ulx3sBoard, BridgeProtocol) {
  Bridge& b = board_.bridge();
  EXPECT_EQ(b.reg(isa::reg::kId), 0x54455353u);  // 'TESS'
  const HwConfig cfg = board_.config();
  EXPECT_EQ(cfg.array_dim, 4u);
  EXPECT_EQ(cfg.axi_data_bytes, 4u);

  EXPECT_EQ(b.write32(kRamBase + 0x40, 0xDEADBEEFu), kStatusOk);
  uint8_t st = 0;
  EXPECT_EQ(b.read32(kRamBase + 0x40, &st), 0xDEADBEEFu);
  EXPECT_EQ(st, kStatusOk);
  std::vector<uint32_t> w(37), r(37);
  for (size_t i = 0; i < w.size(); ++i) w[i] = uint32_t(0x01020304u * (i + 1) ^ 0xA5A5A5A5u);
  EXPECT_EQ(b.write_words(kRamBase + kRamBytes - 4 * 37, w.data(), w.size()), kStatusOk);
  EXPECT_EQ(b.read_words(kRamBase + kRamBytes - 4 * 37, r.data(), r.size()), kStatusOk);
  EXPECT_EQ(r, w);
  EXPECT_EQ(b.write_words(kRamBase, w.data(), 0), kStatusOk);  // empty burst

  // Unmapped: between the registers and the RAM, and just past the RAM.
  EXPECT_EQ(b.write32(0x00002000u, 1), kStatusErr);
  EXPECT_EQ(b.read32(kRamBase + kRamBytes, &st), 0u);
  EXPECT_EQ(st, kStatusErr);
  // A burst running off the end of the RAM: in-range words are read, the status is 'E'.
  EXPECT_EQ(b.read_words(kRamBase + kRamBytes - 8, r.data(), 3), kStatusErr);
  EXPECT_EQ(r[0], w[35]);
  EXPECT_EQ(r[1], w[36]);
  EXPECT_EQ(r[2], 0u);

  // Half a frame, a pause longer than the bridge's timeout, then a good frame.
  std::vector<uint8_t> half{'W', 0x00, 0x00};
  board_.link().transact(half, 0, 1000);
  board_.link().step(120000);
  EXPECT_EQ(b.reg(isa::reg::kId), 0x54455353u);
  // Unknown command bytes are ignored.
  board_.link().transact({'x', 0x00, 'z'}, 0, 1000);
  EXPECT_EQ(b.reg(isa::reg::kId), 0x54455353u);
  EXPECT_EQ(board_.link().stray_bytes(), 0u);
}

// Compiled two-layer programs (a requantizing 3x3 convolution with several input-channel
// groups, then 2x2 max or average pooling) and their data go into the board RAM through the
// bridge; the accelerator runs them from there while the PC polls STATUS and reads the RAM
// (bridge and DMA share the RAM's ports); both layers' outputs come back over the UART equal,
// bit for bit, to the layer-level reference.
TEST_F(Ulx3sBoard, ConvPoolProgramMatchesReference) {
  const HwConfig cfg = board_.config();
  for (const unsigned seed : {41u, 42u, 43u}) {
    std::mt19937_64 rng(seed);
    const RandomLayerLimits lim{12, 12, 3, 1, 1, 8};
    ConvLayer conv;
    do {
      conv = random_conv(rng, cfg, lim, ConvKind::kConv);
    } while (!conv.requant || conv.kh != 3 || conv.kw != 3 || conv.in.c <= int(cfg.array_dim) ||
             conv.out_h() < 4 || conv.out_w() < 4);
    PoolLayer pool;
    pool.in = conv.out();
    pool.is_signed = conv.out_signed;
    pool.kh = pool.kw = 2;
    pool.stride_h = pool.stride_w = 2;
    pool.avg = (seed % 2) == 0;
    if (pool.avg) {  // divide by 4: mult 2^30, shift 32
      pool.in_zp = conv.out_zp;
      pool.out_zp = conv.out_zp;
      pool.mult = 1 << 30;
      pool.shift = 32;
    }
    const std::string what = describe(conv) + " + " + describe(pool);

    const QTensor in = random_tensor(rng, conv.in, conv.act_signed);
    const QTensor want_conv = ref::conv(conv, in);
    const QTensor want_pool = ref::pool(pool, want_conv);

    ProgramBuilder pb(cfg, board_.mem_base(), board_.mem_size());
    const DeviceTensor x = pb.alloc_tensor(conv.in, conv.act_signed);
    const DeviceTensor y = pb.alloc_tensor(conv.out(), conv.out_signed);
    const DeviceTensor z = pb.alloc_tensor(pool.out(), pool.is_signed);
    pb.conv(conv, x, y);
    pb.pool(pool, y, z);
    const Program prog = pb.finish();

    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = board_.link().cycle();
    load_program(board_, prog);
    write_tensor(board_, x, in);
    const uint64_t c1 = board_.link().cycle();
    board_.probe_ram(prog.cmd_addr, prog.cmds[0][0]);
    const RunResult r = board_.run(prog.cmd_addr, uint32_t(prog.cmds.size()), {});
    const uint64_t c2 = board_.link().cycle();
    ASSERT_TRUE(r.ok()) << r.describe() << " for " << what;
    EXPECT_TRUE(board_.irq_led_at_end()) << "LED 0 shows the accelerator's interrupt";
    EXPECT_EQ(board_.probe_errors(), 0u);
    EXPECT_EQ(first_mismatch(want_conv, read_tensor(board_, y)), "") << what;
    EXPECT_EQ(first_mismatch(want_pool, read_tensor(board_, z)), "") << what;
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("ulx3s: %s: %zu commands; upload %llu cycles, run %llu cycles (accelerator "
                "%llu, %u RAM reads meanwhile), total %llu cycles in %.2f s\n",
                what.c_str(), prog.cmds.size(), (unsigned long long)(c1 - c0),
                (unsigned long long)(c2 - c1),
                (unsigned long long)r.counter(isa::Counter::kCycles), board_.probes(),
                (unsigned long long)(board_.link().cycle() - c0), s);
  }
}

// DMA outside the board RAM (but inside the accelerator's window): the RAM answers DECERR and
// the accelerator stops with AXI_RESP, for a LOAD (read) and for a STORE (write); afterwards
// the board still runs programs.
TEST_F(Ulx3sBoard, DmaOutsideRamIsAxiRespError) {
  const HwConfig cfg = board_.config();
  const uint32_t cmd_addr = kRamBase;
  const uint32_t wide_window = 0x00100000u;  // 1 MB window, 64 KB of RAM
  auto upload = [&](const std::vector<isa::Command>& cmds) {
    std::vector<uint8_t> bytes;
    for (const auto& c : cmds) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(&c);
      bytes.insert(bytes.end(), p, p + sizeof(c));
    }
    board_.write(cmd_addr, bytes.data(), bytes.size());
  };
  isa::FinishCmd fin;

  // LOAD from just past the end of the RAM.
  isa::LoadCmd ld;
  ld.buf = uint32_t(isa::LoadBuf::kAbuf);
  ld.dram_addr = kRamBase + kRamBytes;
  ld.x_len = 4;
  ld.y_len = ld.z_len = 1;
  upload({ld.encode(), fin.encode()});
  RunResult r = board_.run_window(cmd_addr, 2, kRamBase, wide_window);
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
  r = board_.run_window(cmd_addr, 4, kRamBase, wide_window);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, isa::Error::kAxiResp) << r.describe();
  EXPECT_EQ(r.err_info, 2u);
  (void)cfg;

  // The same STORE inside the RAM runs cleanly.
  st.dram_addr = kRamBase + 0x2000;
  upload({ld_ok.encode(), pl.encode(), st.encode(), fin.encode()});
  r = board_.run_window(cmd_addr, 4, kRamBase, wide_window);
  EXPECT_TRUE(r.ok()) << r.describe();
}

}  // namespace
}  // namespace tessera
