// MmioDevice without hardware or root:
// - through an emulated register block that runs the instruction-level model on START (sharing
//   the DMA memory with the device), compiled layers give tessera::ref's results bit for bit;
// - a block that never finishes makes run() time out instead of hanging, and the next run()
//   refuses to START over a BUSY accelerator;
// - faults come back with their code and ERR_INFO, 64-bit counters through the LO/HI latch;
// - the real mapping code (open_mmio, FileMapping, MappedRegisters) on temporary files standing
//   in for /dev/uioN (with a fake sysfs tree) and /dev/mem, and its errors for bad paths / maps;
//   the UIO interrupt protocol (arm by writing 1, wake on a readable count) over a socket pair.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "../common/test_util.hpp"
#include "tessera/compiler.hpp"
#include "tessera/isa_model.hpp"
#include "tessera/mmio_device.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

namespace bits = isa::reg_bits;  // register bits, generated from the ISA spec
constexpr uint32_t kMemBase = 0x20000000;
constexpr size_t kMemBytes = size_t(8) << 20;

// The accelerator's register block as docs/isa_reference.md describes it, executing START on
// the golden model (or, with hang = true, staying BUSY forever).
class EmulatedRegisters : public RegisterSpace {
 public:
  EmulatedRegisters(const HwConfig& cfg, DramImage& mem) : cfg_(cfg), model_(cfg), mem_(mem) {}

  bool hang = false;
  std::array<uint64_t, isa::kNumCounters> counter_offset{};  // added to the model's counters
  int starts = 0;

  uint32_t read32(uint32_t off) override {
    for (size_t i = 0; i < isa::kNumCounters; ++i) {
      if (off == isa::kCounters[i].offset) {
        latched_hi_ = uint32_t(counters_[i] >> 32);  // reading LO latches HI
        return uint32_t(counters_[i]);
      }
      if (off == isa::kCounters[i].offset + 4) return latched_hi_;
    }
    switch (off) {
      case isa::reg::kId: return isa::kIdValue;
      case isa::reg::kVersion: return isa::kVersionValue;
      case isa::reg::kStatus: return status_;
      case isa::reg::kErrCode: return err_code_;
      case isa::reg::kErrInfo: return err_info_;
      case isa::reg::kIrqEnable: return irq_enable_;
      case isa::reg::kIrqStatus: return irq_status_;
      case isa::reg::kCmdBase: return cmd_base_;
      case isa::reg::kCmdCount: return cmd_count_;
      case isa::reg::kWindowBase: return window_base_;
      case isa::reg::kWindowSize: return window_size_;
      case isa::reg::kHwArray: return testutil::hw_array_word(cfg_.array_dim, cfg_.out_lanes);
      case isa::reg::kHwAbufWords: return cfg_.abuf_words;
      case isa::reg::kHwWbufWords: return cfg_.wbuf_words;
      case isa::reg::kHwAccWords: return cfg_.acc_words;
      case isa::reg::kHwObufWords: return cfg_.obuf_words;
      case isa::reg::kHwPbufWords: return cfg_.pbuf_words;
      case isa::reg::kHwAxi:
        return testutil::hw_axi_word(cfg_.axi_data_bytes, cfg_.axi_addr_bits, cfg_.queue_depth);
    }
    ADD_FAILURE() << "read of unknown register " << off;
    return 0;
  }

  void write32(uint32_t off, uint32_t v) override {
    switch (off) {
      case isa::reg::kCtrl:
        if ((v & bits::kCtrlStart) && !(status_ & bits::kStatusBusy)) start();
        return;
      case isa::reg::kIrqEnable: irq_enable_ = v; return;
      case isa::reg::kIrqStatus: irq_status_ &= ~v; return;  // write 1 to clear
      case isa::reg::kCmdBase: cmd_base_ = v; return;
      case isa::reg::kCmdCount: cmd_count_ = v; return;
      case isa::reg::kWindowBase: window_base_ = v; return;
      case isa::reg::kWindowSize: window_size_ = v; return;
    }
    ADD_FAILURE() << "write of read-only or unknown register " << off;
  }

  uint32_t irq_status() const { return irq_status_; }

 private:
  void start() {
    ++starts;
    counters_.fill(0);
    status_ = bits::kStatusBusy;
    if (hang) return;
    const RunResult r = model_.run(mem_, cmd_base_, cmd_count_, window_base_, window_size_);
    for (size_t i = 0; i < isa::kNumCounters; ++i) counters_[i] = r.counters[i] + counter_offset[i];
    const bool fault = r.error != isa::Error::kNone;
    status_ = fault ? bits::kStatusError : bits::kStatusDone;
    err_code_ = uint32_t(r.error);
    err_info_ = r.err_info;
    irq_status_ |= fault ? bits::kIrqStatusError : bits::kIrqStatusDone;
  }

  HwConfig cfg_;
  IsaModel model_;
  DramImage& mem_;
  uint32_t status_ = 0, err_code_ = 0, err_info_ = 0, irq_enable_ = 0, irq_status_ = 0;
  uint32_t cmd_base_ = 0, cmd_count_ = 0, window_base_ = 0, window_size_ = 0, latched_hi_ = 0;
  std::array<uint64_t, isa::kNumCounters> counters_{};
};

struct Emulated {
  DramImage mem{kMemBase, kMemBytes};
  EmulatedRegisters* regs = nullptr;  // owned by dev
  std::unique_ptr<MmioDevice> dev;

  explicit Emulated(const HwConfig& cfg = default_config(16)) {
    auto r = std::make_unique<EmulatedRegisters>(cfg, mem);
    regs = r.get();
    dev = std::make_unique<MmioDevice>("emulated", std::move(r),
                                       MmioDevice::Memory{mem.bytes().data(), kMemBase, kMemBytes});
  }
};

TEST(MmioDevice, ReadsTheConfigurationRegisters) {
  HwConfig cfg = default_config(8);
  cfg.abuf_words = 1234;
  cfg.queue_depth = 5;
  cfg.out_lanes = 2;
  Emulated e(cfg);
  const HwConfig got = e.dev->config();
  EXPECT_EQ(got.array_dim, 8u);
  EXPECT_EQ(got.out_lanes, 2u);
  EXPECT_EQ(got.cols_per_lane(), 4u);
  EXPECT_EQ(got.abuf_words, 1234u);
  EXPECT_EQ(got.wbuf_words, cfg.wbuf_words);
  EXPECT_EQ(got.pbuf_words, cfg.pbuf_words);
  EXPECT_EQ(got.axi_data_bytes, cfg.axi_data_bytes);
  EXPECT_EQ(got.queue_depth, 5u);
  EXPECT_EQ(e.dev->mem_base(), kMemBase);
  EXPECT_EQ(e.dev->mem_size(), kMemBytes);
}

// Compiled random convolutions through MmioDevice equal tessera::ref; the window registers are
// programmed with the device memory, the counters read back and the interrupt acknowledged.
TEST(MmioDevice, CompiledConvolutionsMatchTheReference) {
  Emulated e;
  Device& dev = *e.dev;
  std::mt19937_64 rng(42);
  RandomLayerLimits lim;
  lim.max_hw = 12;
  lim.max_c = 24;
  for (int k = 0; k < 4; ++k) {
    const ConvLayer l = random_conv(rng, dev.config(), lim, ConvKind::kConv);
    const QTensor x = random_tensor(rng, l.in, l.act_signed);
    ProgramBuilder pb(dev.config(), dev.mem_base(), dev.mem_size());
    const DeviceTensor in = pb.alloc_tensor(l.in, l.act_signed);
    const DeviceTensor out = pb.alloc_tensor(l.out(), l.out_signed, l.requant ? 1 : 4);
    pb.conv(l, in, out);
    const Program prog = pb.finish();
    load_program(dev, prog);
    write_tensor(dev, in, x);
    const RunResult r = run_program(dev, prog, std::chrono::seconds(10));
    if (l.requant)
      EXPECT_EQ(first_mismatch(ref::conv(l, x), read_tensor(dev, out)), "") << describe(l);
    else
      EXPECT_EQ(first_mismatch(ref::conv_acc(l, x), read_tensor_i32(dev, out), l.out()), "")
          << describe(l);
    EXPECT_EQ(r.counter(isa::Counter::kCmdsRetired), prog.cmds.size());
    const uint64_t pes = uint64_t(dev.config().array_dim) * dev.config().array_dim;
    EXPECT_GE(r.counter(isa::Counter::kMacActive) * pes, l.macs());
    EXPECT_GT(r.counter(isa::Counter::kDmaRdBytes), 0u);
    EXPECT_EQ(e.regs->read32(isa::reg::kWindowBase), kMemBase);
    EXPECT_EQ(e.regs->read32(isa::reg::kWindowSize), kMemBytes);
    EXPECT_EQ(e.regs->read32(isa::reg::kIrqEnable),
              bits::kIrqEnableDone | bits::kIrqEnableError);
    EXPECT_EQ(e.regs->irq_status(), 0u) << "run() must acknowledge the interrupt";
  }
}

TEST(MmioDevice, CountersAre64BitThroughTheLatch) {
  Emulated e;
  e.regs->counter_offset[size_t(isa::Counter::kCycles)] = 0x123456789ull;
  const uint32_t cmd = kMemBase;
  const isa::Command finish = isa::FinishCmd{}.encode();
  e.dev->write(cmd, finish.data(), sizeof finish);
  const RunResult r = e.dev->run(cmd, 1, std::chrono::seconds(1));
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.counter(isa::Counter::kCycles), 0x123456789ull);
  EXPECT_EQ(r.counter(isa::Counter::kCmdsRetired), 1u);
}

// A fault stops the run with ERROR; code and ERR_INFO (the faulting command) reach the caller.
TEST(MmioDevice, FaultCodeAndInfoArePropagated) {
  Emulated e;
  isa::LoadCmd load;
  load.dram_addr = kMemBase + 0x1000;
  load.x_len = load.y_len = load.z_len = 1;
  const isa::Command cmds[2] = {load.encode(), isa::Command{}};  // then opcode 0: illegal
  e.dev->write(kMemBase, cmds, sizeof cmds);
  const RunResult r = e.dev->run(kMemBase, 2, std::chrono::seconds(1));
  EXPECT_FALSE(r.done);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, isa::Error::kIllegalOpcode);
  EXPECT_EQ(r.err_info, 1u);
  EXPECT_EQ(e.regs->irq_status(), 0u);
  // The program helper turns it into an exception naming the fault.
  Program p;
  p.cmds = {cmds[0], cmds[1]};
  p.cmd_addr = kMemBase;
  try {
    run_program(*e.dev, p, std::chrono::seconds(1));
    FAIL() << "run_program must throw on a fault";
  } catch (const std::runtime_error& ex) {
    EXPECT_NE(std::string(ex.what()).find("ILLEGAL_OPCODE"), std::string::npos) << ex.what();
  }
}

// STATUS never shows DONE: run() gives up after the host timeout instead of hanging, and a
// later run() refuses to START while the accelerator is still BUSY.
TEST(MmioDevice, TimesOutWhenDoneNeverComes) {
  Emulated e;
  e.regs->hang = true;
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = e.dev->run(kMemBase, 1, std::chrono::milliseconds(50));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.done);
  EXPECT_FALSE(r.ok());
  EXPECT_GE(s, 0.05);
  EXPECT_LT(s, 2.0);
  EXPECT_EQ(e.regs->starts, 1);
  try {
    e.dev->run(kMemBase, 1, std::chrono::milliseconds(50));
    FAIL() << "START over a BUSY accelerator must be refused";
  } catch (const std::runtime_error& ex) {
    EXPECT_NE(std::string(ex.what()).find("BUSY"), std::string::npos) << ex.what();
  }
  EXPECT_EQ(e.regs->starts, 1);
}

TEST(MmioDevice, AccessesOutsideTheWindowAreRejected) {
  Emulated e;
  uint8_t b[4] = {};
  EXPECT_THROW(e.dev->write(kMemBase - 1, b, 4), std::out_of_range);
  EXPECT_THROW(e.dev->read(uint32_t(kMemBase + kMemBytes - 2), b, 4), std::out_of_range);
}

// ---- the mapping code on temporary files ----

size_t page() { return size_t(::sysconf(_SC_PAGESIZE)); }

void put32(std::vector<uint8_t>& f, size_t off, uint32_t v) {
  for (int k = 0; k < 4; ++k) f[off + k] = uint8_t(v >> (8 * k));
}
uint32_t get32(const std::vector<uint8_t>& f, size_t off) {
  return uint32_t(f[off]) | uint32_t(f[off + 1]) << 8 | uint32_t(f[off + 2]) << 16 |
         uint32_t(f[off + 3]) << 24;
}

// A register block image as the hardware's reset state shows it, at `off` of the file.
void put_id_block(std::vector<uint8_t>& f, size_t off, unsigned dim) {
  put32(f, off + isa::reg::kId, isa::kIdValue);
  put32(f, off + isa::reg::kVersion, isa::kVersionValue);
  put32(f, off + isa::reg::kHwArray, testutil::hw_array_word(dim));
  put32(f, off + isa::reg::kHwAbufWords, 4096);
  put32(f, off + isa::reg::kHwWbufWords, 2048);
  put32(f, off + isa::reg::kHwAccWords, 1024);
  put32(f, off + isa::reg::kHwObufWords, 512);
  put32(f, off + isa::reg::kHwPbufWords, 64);
  put32(f, off + isa::reg::kHwAxi, testutil::hw_axi_word(16, 32, 8));
}

void write_file(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                           std::streamsize(bytes.size()));
}
std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}
void write_text(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

// HW_ARRAY.OUT_LANES must be a power of two no larger than the column count.
TEST(MmioDevice, RejectsAnImpossibleOutputLaneCount) {
  for (unsigned lanes : {0u, 3u, 16u}) {
    HwConfig cfg = default_config(8);
    cfg.out_lanes = lanes;
    const std::string err = error_of([&] { Emulated e(cfg); });
    EXPECT_NE(err.find("OUT_LANES " + std::to_string(lanes)), std::string::npos) << err;
  }
}

// A regular file laid out like /dev/uioN (map 0 at offset 0, map 1 at one page) and a sysfs
// tree describing the maps: the config comes from the file, DMA writes land in map 1, and run()
// writes the command and window registers into map 0 (STATUS stays 0, so it times out).
TEST(MmioMapping, UioLayoutFromAFileAndFakeSysfs) {
  testutil::TempDir dir("tessera_mmio");
  const size_t win = 0x10000;
  std::vector<uint8_t> f(page() + win, 0);
  put_id_block(f, 0, 16);
  write_file(dir / "uio7", f);
  write_text(dir / "sys/uio7/maps/map0/size", "0x00001000\n");
  write_text(dir / "sys/uio7/maps/map1/addr", "0x30000000\n");
  write_text(dir / "sys/uio7/maps/map1/size", "0x10000\n");
  MmioOptions o;
  o.uio = dir / "uio7";
  o.uio_sysfs = dir / "sys";
  auto dev = open_mmio(o);
  EXPECT_EQ(dev->name(), "mmio-uio7");
  EXPECT_EQ(dev->config().array_dim, 16u);
  EXPECT_EQ(dev->config().wbuf_words, 2048u);
  EXPECT_EQ(dev->config().obuf_words, 512u);
  EXPECT_EQ(dev->mem_base(), 0x30000000u);
  EXPECT_EQ(dev->mem_size(), win);
  const uint8_t data[5] = {1, 2, 3, 4, 5};
  dev->write(0x30000010, data, 5);
  const RunResult r = dev->run(0x30000100, 7, std::chrono::milliseconds(20));
  EXPECT_TRUE(r.timed_out);
  const std::vector<uint8_t> back = read_file(dir / "uio7");
  EXPECT_EQ(std::vector<uint8_t>(back.begin() + long(page()) + 0x10,
                                 back.begin() + long(page()) + 0x15),
            std::vector<uint8_t>(data, data + 5));
  EXPECT_EQ(get32(back, isa::reg::kCmdBase), 0x30000100u);
  EXPECT_EQ(get32(back, isa::reg::kCmdCount), 7u);
  EXPECT_EQ(get32(back, isa::reg::kWindowBase), 0x30000000u);
  EXPECT_EQ(get32(back, isa::reg::kWindowSize), win);
  EXPECT_EQ(get32(back, isa::reg::kCtrl), bits::kCtrlStart);
}

// /dev/mem style: registers and window at their physical addresses as file offsets.
TEST(MmioMapping, DevmemLayoutFromAFile) {
  testutil::TempDir dir("tessera_mmio");
  std::vector<uint8_t> f(4 * page(), 0);
  put_id_block(f, page(), 8);
  write_file(dir / "mem", f);
  MmioOptions o;
  o.devmem_path = dir / "mem";
  o.devmem_regs = page();
  o.dma_phys = 2 * page();
  o.dma_size = 2 * page();
  auto dev = open_mmio(o);
  EXPECT_EQ(dev->config().array_dim, 8u);
  EXPECT_EQ(dev->mem_base(), 2 * page());
  const uint32_t v = 0xCAFEF00D;
  dev->write(uint32_t(2 * page() + 8), &v, 4);
  EXPECT_EQ(get32(read_file(dir / "mem"), 2 * page() + 8), v);
}

// UIO semantics over a socket pair standing in for the device node: wait() arms the interrupt
// (writes int32 1), sleeps in poll() up to its limit, and returns at once when a count arrives.
TEST(MmioMapping, WaitArmsAndSleepsOnTheInterrupt) {
  testutil::TempDir dir("tessera_mmio");
  write_file(dir / "regs", std::vector<uint8_t>(page(), 0));
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  MappedRegisters regs(std::make_unique<FileMapping>(dir / "regs", 0, page()), sv[0]);
  auto seconds_of = [&](std::chrono::microseconds max) {
    const auto t0 = std::chrono::steady_clock::now();
    regs.wait(max);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  auto armed = [&] {
    int32_t v = 0;
    return ::recv(sv[1], &v, sizeof v, MSG_DONTWAIT) == sizeof v && v == 1;  // never blocks
  };
  EXPECT_GE(seconds_of(std::chrono::milliseconds(30)), 0.025);  // no interrupt: the full wait
  EXPECT_TRUE(armed());
  const uint32_t count = 1;
  ASSERT_EQ(::write(sv[1], &count, sizeof count), ssize_t(sizeof count));  // the interrupt
  EXPECT_LT(seconds_of(std::chrono::seconds(5)), 1.0);
  EXPECT_TRUE(armed());
  ::close(sv[1]);
}

TEST(MmioMapping, BadPathsAndMapsGiveClearErrors) {
  testutil::TempDir dir("tessera_mmio");
  MmioOptions o;
  o.uio = "/dev/uio99";
  EXPECT_NE(error_of([&] { open_mmio(o); }).find("'/dev/uio99': no such UIO device"),
            std::string::npos);

  // map 0 smaller than the register block.
  std::vector<uint8_t> f(2 * page(), 0);
  put_id_block(f, 0, 16);
  write_file(dir / "uio3", f);
  write_text(dir / "sys/uio3/maps/map0/size", "0x10\n");
  o.uio = dir / "uio3";
  o.uio_sysfs = dir / "sys";
  std::string e = error_of([&] { open_mmio(o); });
  EXPECT_NE(e.find("map0/size"), std::string::npos) << e;
  EXPECT_NE(e.find("register block"), std::string::npos) << e;

  // Unparsable size, missing sysfs entry, no DMA window.
  write_text(dir / "sys/uio3/maps/map0/size", "lots\n");
  e = error_of([&] { open_mmio(o); });
  EXPECT_NE(e.find("'lots' is not a number"), std::string::npos) << e;
  o.uio_sysfs = dir / "nosys";
  e = error_of([&] { open_mmio(o); });
  EXPECT_NE(e.find("nosys/uio3/maps/map0/size"), std::string::npos) << e;
  o.uio_sysfs = dir / "sys";
  write_text(dir / "sys/uio3/maps/map0/size", "0x1000\n");
  e = error_of([&] { open_mmio(o); });
  EXPECT_NE(e.find("no map 1"), std::string::npos) << e;

  // Map 1 reaching past the end of the file.
  write_text(dir / "sys/uio3/maps/map1/addr", "0x40000000\n");
  write_text(dir / "sys/uio3/maps/map1/size", "0x100000\n");
  e = error_of([&] { open_mmio(o); });
  EXPECT_NE(e.find("uio3' is " + std::to_string(2 * page()) + " bytes"), std::string::npos) << e;

  // Not a Tessera register block.
  std::vector<uint8_t> zeros(2 * page(), 0);
  write_file(dir / "uio3", zeros);
  write_text(dir / "sys/uio3/maps/map1/size", "0x100\n");
  e = error_of([&] { open_mmio(o); });
  EXPECT_NE(e.find("not a Tessera accelerator"), std::string::npos) << e;

  // /dev/mem style: missing file, unaligned offset, no window, window beyond 32 bits.
  MmioOptions m;
  m.devmem_path = dir / "missing";
  m.devmem_regs = page();
  m.dma_size = page();
  e = error_of([&] { open_mmio(m); });
  EXPECT_NE(e.find("missing': cannot open it"), std::string::npos) << e;
  m.devmem_path = dir / "uio3";
  m.devmem_regs = 12;
  e = error_of([&] { open_mmio(m); });
  EXPECT_NE(e.find("not a multiple of the page size"), std::string::npos) << e;
  m.devmem_regs = 0;
  e = error_of([&] { open_mmio(m); });
  EXPECT_NE(e.find("physical address"), std::string::npos) << e;
  m.devmem_regs = page();
  m.dma_phys = 0xFFFFF000;
  m.dma_size = 0x2000;
  e = error_of([&] { open_mmio(m); });
  EXPECT_NE(e.find("32-bit"), std::string::npos) << e;
}

}  // namespace
}  // namespace tessera
