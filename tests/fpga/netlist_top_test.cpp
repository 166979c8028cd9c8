// The synthesized netlist of the whole accelerator against the golden models: Yosys 0.23 turns
// tessera_top (ArrayDim 4, small buffers, 32-bit AXI, the last two PE rows on LUT multipliers and
// two output lanes shared by the four columns, the FPGA-only options; tests/fpga/CMakeLists.txt)
// into a gate-level netlist, Verilator simulates it through the same pin-level harness and AXI
// memory model as the RTL, and layers compiled by the host compiler must leave a memory image
// equal, bit for bit, to the layer-level reference (tessera::ref) and to the instruction-level
// model (IsaDevice). This is what catches a synthesis front end that reads the RTL differently
// from Verilator (TOOLCHAIN.md: Yosys 0.23 silently shrinks arrays of typedef'd elements).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include "Vtessera_top_net.h"
#include "harness_impl.hpp"
#include "tessera/compiler.hpp"
#include "tessera/isa_device.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"

namespace tessera {
namespace {

constexpr uint32_t kMemBase = 0x10000000u;
constexpr size_t kMemSize = size_t(1) << 20;
constexpr auto kTimeout = std::chrono::seconds(300);

/// tessera::Device on the netlist: the register sequence of sim::RtlDevice::run (shared, in
/// harness_impl.hpp), on a harness of the netlist model instead of one of the RTL models.
class NetlistDevice final : public Device {
 public:
  NetlistDevice()
      : image_(kMemBase, kMemSize),
        harness_(std::make_unique<sim::detail::HarnessImpl<Vtessera_top_net>>(
            4, image_, sim::AxiMemConfig{0})) {}

  std::string name() const override { return "netlist"; }
  HwConfig config() const override { return sim::detail::read_hw_config(*harness_, name()); }
  uint32_t mem_base() const override { return image_.base(); }
  size_t mem_size() const override { return image_.size(); }
  void write(uint32_t addr, const void* src, size_t n) override { image_.write(addr, src, n); }
  void read(uint32_t addr, void* dst, size_t n) override { image_.read(addr, dst, n); }

  RunResult run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds timeout) override {
    sim::Harness& h = *harness_;
    sim::detail::program_run(h, cmd_addr, cmd_count, image_.base(), uint32_t(image_.size()));
    const uint64_t c0 = h.cycle();
    const auto stop = sim::detail::start_run(h, 0, std::chrono::steady_clock::now() + timeout);
    cycles_ += h.cycle() - c0;
    return sim::detail::finish_run(h, stop);
  }

  uint64_t cycles() const { return cycles_; }

 private:
  DramImage image_;
  std::unique_ptr<sim::Harness> harness_;
  uint64_t cycles_ = 0;
};

class NetlistTop : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_ = net_.config();
    ASSERT_EQ(cfg_.array_dim, 4u) << "the netlist is built at ArrayDim 4";
    ASSERT_EQ(cfg_.out_lanes, 2u) << "the netlist is built with OutLanes 2";
    isa_ = std::make_unique<IsaDevice>(cfg_, kMemBase, kMemSize);
  }

  /// Compiles one layer (inputs in, and in_b for ADD), runs it on the netlist and on the
  /// instruction-level model, and compares both outputs with `expected` from the layer-level
  /// reference.
  template <typename Emit>
  void check(const std::string& what, const QTensor& in, const QTensor* in_b, Shape out_shape,
             bool out_signed, const QTensor& expected, Emit emit) {
    ProgramBuilder pb(cfg_, kMemBase, kMemSize);
    const DeviceTensor x = pb.alloc_tensor(in.shape, in.is_signed);
    const DeviceTensor xb = in_b ? pb.alloc_tensor(in_b->shape, in_b->is_signed) : DeviceTensor{};
    const DeviceTensor y = pb.alloc_tensor(out_shape, out_signed);
    emit(pb, x, xb, y);
    const Program prog = pb.finish();
    for (Device* dev : {static_cast<Device*>(&net_), static_cast<Device*>(isa_.get())}) {
      const uint64_t c0 = net_.cycles();
      const auto t0 = std::chrono::steady_clock::now();
      load_program(*dev, prog);
      write_tensor(*dev, x, in);
      if (in_b) write_tensor(*dev, xb, *in_b);
      const RunResult r = dev->run(prog.cmd_addr, uint32_t(prog.cmds.size()), kTimeout);
      ASSERT_TRUE(r.ok()) << dev->name() << ": " << r.describe() << " for " << what;
      ASSERT_EQ(first_mismatch(expected, read_tensor(*dev, y)), "")
          << dev->name() << " differs from the reference for " << what;
      if (dev == &net_) {
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("netlist: %s: %zu commands, %llu cycles in %.2f s\n", what.c_str(),
                    prog.cmds.size(), (unsigned long long)(net_.cycles() - c0), s);
      }
    }
  }

  NetlistDevice net_;
  HwConfig cfg_;
  std::unique_ptr<IsaDevice> isa_;
};

// A requantizing convolution with several input-channel groups, a 3x3 kernel and padding:
// weight tiles, ACC accumulation, the output pipeline with its clamp, LOAD and STORE.
TEST_F(NetlistTop, ConvMatchesReference) {
  std::mt19937_64 rng(11);
  const RandomLayerLimits lim{6, 9, 3, 2, 1, 8};
  ConvLayer conv;
  do {
    conv = random_conv(rng, cfg_, lim, ConvKind::kConv);
  } while (!conv.requant || conv.kh < 2 || conv.in.c <= int(cfg_.array_dim));
  const QTensor in = random_tensor(rng, conv.in, conv.act_signed);
  check(describe(conv), in, nullptr, conv.out(), conv.out_signed, ref::conv(conv, in),
        [&](ProgramBuilder& pb, const DeviceTensor& x, const DeviceTensor&, const DeviceTensor& y) {
          pb.conv(conv, x, y);
        });
}

// Average pooling with padding (the rounding shift and saturation) and max pooling.
TEST_F(NetlistTop, PoolMatchesReference) {
  std::mt19937_64 rng(12);
  const RandomLayerLimits lim{6, 9, 3, 2, 1, 8};
  for (const bool avg : {true, false}) {
    PoolLayer pool;
    do {
      pool = random_pool(rng, cfg_, lim);
    } while (pool.avg != avg || pool.in.h < 3);
    const QTensor in = random_tensor(rng, pool.in, pool.is_signed);
    check(describe(pool), in, nullptr, pool.out(), pool.is_signed, ref::pool(pool, in),
          [&](ProgramBuilder& pb, const DeviceTensor& x, const DeviceTensor&,
              const DeviceTensor& y) { pb.pool(pool, x, y); });
  }
}

// Elementwise add (two ABUF operands per word, one shared shift, clamp).
TEST_F(NetlistTop, AddMatchesReference) {
  std::mt19937_64 rng(13);
  const AddLayer add = random_add(rng, cfg_, RandomLayerLimits{6, 9, 3, 2, 1, 8});
  const QTensor a = random_tensor(rng, add.shape, add.is_signed);
  const QTensor b = random_tensor(rng, add.shape, add.is_signed);
  check(describe(add), a, &b, add.shape, add.is_signed, ref::add(add, a, b),
        [&](ProgramBuilder& pb, const DeviceTensor& x, const DeviceTensor& y,
            const DeviceTensor& z) { pb.add(add, x, y, z); });
}

}  // namespace
}  // namespace tessera
