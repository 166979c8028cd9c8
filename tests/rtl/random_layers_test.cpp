// Randomized layers through the RTL: every layer is compiled once and run on the verilated
// accelerator and on the instruction-level model; both must equal the layer-level reference bit
// for bit. Runs at every verilated array size, with and without random AXI back-pressure.
// TESSERA_SEED and TESSERA_RANDOM_LAYERS change the seed and the number of layers per kind.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "tessera/compiler.hpp"
#include "tessera/isa_device.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"
#include "tessera/rtl_device.hpp"

namespace tessera {
namespace {

constexpr unsigned kDefaultLayers = 100;  // per kind (conv, pool, add) and array size
constexpr size_t kMemSize = size_t(64) << 20;

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 0) : fallback;
}

/// Runs compiled layers on the RTL and on the golden model and compares both with the
/// layer-level reference.
class LayerChecker {
 public:
  LayerChecker(unsigned dim, const AxiMemConfig& axi) {
    SimOptions opts;
    opts.mem_size = kMemSize;
    opts.axi = axi;
    rtl_ = RtlDevice::create(dim, opts);
    cfg_ = rtl_->config();
    isa_ = std::make_unique<IsaDevice>(cfg_, rtl_->mem_base(), kMemSize);
  }

  const HwConfig& config() const { return cfg_; }
  ~LayerChecker() {
    std::printf("%u layers checked on %s: %llu RTL cycles (%.0f cycles/layer)\n", layers_,
                rtl_->name().c_str(), (unsigned long long)rtl_cycles_,
                layers_ ? double(rtl_cycles_) / layers_ : 0.0);
  }

  /// `emit` adds the layer to a ProgramBuilder given the input and output device tensors;
  /// exactly one of expected8 / expected32 is set.
  template <typename Emit>
  void check(const std::string& what, const QTensor& in_a, const QTensor* in_b, Shape out_shape,
             bool out_signed, Emit emit, const QTensor* expected8,
             const std::vector<int32_t>* expected32) {
    ProgramBuilder pb(cfg_, rtl_->mem_base(), kMemSize);
    const DeviceTensor a = pb.alloc_tensor(in_a.shape, in_a.is_signed);
    const DeviceTensor b = in_b ? pb.alloc_tensor(in_b->shape, in_b->is_signed) : DeviceTensor{};
    const DeviceTensor out = pb.alloc_tensor(out_shape, out_signed, expected8 ? 1 : 4);
    emit(pb, a, b, out);
    const Program prog = pb.finish();
    for (Device* dev : {static_cast<Device*>(rtl_.get()), static_cast<Device*>(isa_.get())}) {
      load_program(*dev, prog);
      write_tensor(*dev, a, in_a);
      if (in_b) write_tensor(*dev, b, *in_b);
      const RunResult r =
          dev->run(prog.cmd_addr, uint32_t(prog.cmds.size()), std::chrono::seconds(120));
      ASSERT_TRUE(r.ok()) << dev->name() << ": " << r.describe() << " for " << what;
      if (dev == rtl_.get()) {
        ++layers_;
        rtl_cycles_ += r.counter(isa::Counter::kCycles);
      }
      const std::string diff =
          expected8 ? first_mismatch(*expected8, read_tensor(*dev, out))
                    : first_mismatch(*expected32, read_tensor_i32(*dev, out), out_shape);
      ASSERT_EQ(diff, "") << dev->name() << " differs from the reference for " << what;
    }
  }

 private:
  std::unique_ptr<RtlDevice> rtl_;
  std::unique_ptr<IsaDevice> isa_;
  HwConfig cfg_;
  unsigned layers_ = 0;
  uint64_t rtl_cycles_ = 0;
};

void run_random_layers(LayerChecker& lc, unsigned count, uint64_t seed,
                       RandomLayerLimits lim = {24, 48}) {
  std::mt19937_64 rng(seed);
  for (unsigned i = 0; i < count && !::testing::Test::HasFatalFailure(); ++i) {
    const ConvLayer conv = random_conv(rng, lc.config(), lim);
    const QTensor in = random_tensor(rng, conv.in, conv.act_signed);
    const auto emit_conv = [&](ProgramBuilder& pb, const DeviceTensor& x, const DeviceTensor&,
                               const DeviceTensor& y) { pb.conv(conv, x, y); };
    if (conv.requant) {
      const QTensor expected = ref::conv(conv, in);
      lc.check(describe(conv), in, nullptr, conv.out(), conv.out_signed, emit_conv, &expected,
               nullptr);
    } else {
      const std::vector<int32_t> expected = ref::conv_acc(conv, in);
      lc.check(describe(conv), in, nullptr, conv.out(), true, emit_conv, nullptr, &expected);
    }

    const PoolLayer pool = random_pool(rng, lc.config(), lim);
    const QTensor pin = random_tensor(rng, pool.in, pool.is_signed);
    const QTensor pexp = ref::pool(pool, pin);
    lc.check(describe(pool), pin, nullptr, pool.out(), pool.is_signed,
             [&](ProgramBuilder& pb, const DeviceTensor& x, const DeviceTensor&,
                 const DeviceTensor& y) { pb.pool(pool, x, y); },
             &pexp, nullptr);

    const AddLayer add = random_add(rng, lc.config(), lim);
    const QTensor xa = random_tensor(rng, add.shape, add.is_signed);
    const QTensor xb = random_tensor(rng, add.shape, add.is_signed);
    const QTensor aexp = ref::add(add, xa, xb);
    lc.check(describe(add), xa, &xb, add.shape, add.is_signed,
             [&](ProgramBuilder& pb, const DeviceTensor& x, const DeviceTensor& y,
                 const DeviceTensor& z) { pb.add(add, x, y, z); },
             &aexp, nullptr);
  }
}

class RandomLayers : public ::testing::TestWithParam<unsigned> {};

TEST_P(RandomLayers, ConvPoolAddMatchReference) {
  LayerChecker lc(GetParam(), AxiMemConfig{});
  run_random_layers(lc, unsigned(env_or("TESSERA_RANDOM_LAYERS", kDefaultLayers)),
                    env_or("TESSERA_SEED", 1) * 1000 + GetParam());
}

// The first quarter of the same layers (same seed) with random AXI ready stalls, response gaps
// and extra latency: results must not change.
TEST_P(RandomLayers, UnderBackPressureMatchReference) {
  AxiMemConfig axi;
  axi.ready_stall_prob = 0.3;
  axi.resp_delay_prob = 0.3;
  axi.max_extra_latency = 40;
  axi.seed = env_or("TESSERA_SEED", 1) + 77;
  LayerChecker lc(GetParam(), axi);
  run_random_layers(lc, unsigned(env_or("TESSERA_RANDOM_LAYERS", kDefaultLayers)) / 4,
                    env_or("TESSERA_SEED", 1) * 1000 + GetParam());
}

// Fewer, larger layers: several output tiles, channel groups and weight passes per layer on the
// RTL's real buffer depths.
TEST_P(RandomLayers, LargerLayersTileAndMatchReference) {
  LayerChecker lc(GetParam(), AxiMemConfig{});
  RandomLayerLimits lim;
  lim.max_hw = 48;
  lim.max_c = 72;
  run_random_layers(lc, unsigned(env_or("TESSERA_RANDOM_LAYERS", kDefaultLayers)) / 10,
                    env_or("TESSERA_SEED", 1) * 1000 + 500 + GetParam(), lim);
}

INSTANTIATE_TEST_SUITE_P(Rtl, RandomLayers, ::testing::ValuesIn(RtlDevice::built_array_dims()),
                         [](const ::testing::TestParamInfo<unsigned>& info) {
                           return "dim" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace tessera
