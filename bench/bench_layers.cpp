// Per-layer benchmark of the RTL (issue: core): the ResNet-18 convolution shapes, the 1x1 s2
// shortcuts and FC 512->1000, each compiled on its own and run through the verilated accelerator
// with the default memory model. Prints cycles, MACs, MAC utilization (useful MACs / (PEs x
// cycles)), DMA bytes, simulated cycles per wall second, and whether the output matches the
// layer-level reference bit for bit.
//
//   bench_layers [--dim N] [--latency CYCLES] [--quick]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tessera/compiler.hpp"
#include "tessera/quant.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"
#include "tessera/rtl_device.hpp"

using namespace tessera;

namespace {

struct Shape4 {
  const char* name;
  int cin, cout, hw, k, stride;
};

// ResNet-18 (ImageNet, 224x224) convolution shapes: stem, one 3x3 of each stage kind, the 1x1 s2
// shortcuts, and the classifier as a 1x1 convolution on a 1x1 map.
const Shape4 kLayers[] = {
    {"conv1 3->64 224 k7 s2", 3, 64, 224, 7, 2},
    {"l1 64->64 56 k3", 64, 64, 56, 3, 1},
    {"l2a 64->128 56 k3 s2", 64, 128, 56, 3, 2},
    {"l2 128->128 28 k3", 128, 128, 28, 3, 1},
    {"l3a 128->256 28 k3 s2", 128, 256, 28, 3, 2},
    {"l3 256->256 14 k3", 256, 256, 14, 3, 1},
    {"l4a 256->512 14 k3 s2", 256, 512, 14, 3, 2},
    {"l4 512->512 7 k3", 512, 512, 7, 3, 1},
    {"sc2 64->128 56 k1 s2", 64, 128, 56, 1, 2},
    {"sc3 128->256 28 k1 s2", 128, 256, 28, 1, 2},
    {"sc4 256->512 14 k1 s2", 256, 512, 14, 1, 2},
    {"fc 512->1000", 512, 1000, 1, 1, 1},
};

ConvLayer make_layer(const Shape4& s, std::mt19937_64& rng) {
  ConvLayer l;
  l.name = s.name;
  l.in = Shape{s.hw, s.hw, s.cin};
  l.out_c = s.cout;
  l.kh = l.kw = s.k;
  l.stride_h = l.stride_w = s.stride;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = s.k / 2;
  l.act_signed = true;
  l.wgt_signed = true;
  l.out_signed = true;
  l.act_zp = -3;
  std::uniform_int_distribution<int> w(-127, 127), b(-2000, 2000);
  l.weights.resize(size_t(s.cout) * s.k * s.k * s.cin);
  for (auto& x : l.weights) x = uint8_t(int8_t(w(rng)));
  const Multiplier m = quantize_multiplier(1.0 / (64.0 * std::sqrt(double(s.k * s.k * s.cin))));
  for (int c = 0; c < s.cout; ++c) {
    l.wzp.push_back(0);
    l.bias.push_back(b(rng));
    l.mult.push_back(m.mult);
    l.shift.push_back(uint8_t(m.shift));
  }
  l.out_zp = 5;
  l.clamp_min = 5;  // fused ReLU
  l.clamp_max = 127;
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  unsigned dim = 16;
  unsigned latency = 100;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--dim") && i + 1 < argc) dim = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--latency") && i + 1 < argc) latency = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--quick")) quick = true;
    else {
      std::fprintf(stderr, "usage: %s [--dim N] [--latency CYCLES] [--quick]\n", argv[0]);
      return 2;
    }
  }
  sim::SimOptions opts;
  opts.axi.read_latency = latency;
  opts.axi.write_latency = latency;
  auto dev = sim::RtlDevice::create(dim, opts);
  const HwConfig cfg = dev->config();
  std::printf("Tessera RTL, %s, memory latency %u cycles\n", cfg.describe().c_str(), latency);
  std::printf("%-24s %10s %12s %7s %11s %11s %9s %s\n", "layer", "cycles", "MACs", "util%",
              "DMA rd B", "DMA wr B", "sim kc/s", "vs reference");
  std::mt19937_64 rng(2024);
  uint64_t total_cycles = 0, total_sim_cycles = 0;
  double total_seconds = 0;
  int failures = 0;
  for (const Shape4& s : kLayers) {
    if (quick && s.hw > 28) continue;
    const ConvLayer layer = make_layer(s, rng);
    const QTensor input = random_tensor(rng, layer.in, layer.act_signed);
    ProgramBuilder pb(cfg, dev->mem_base(), dev->mem_size());
    const DeviceTensor in = pb.alloc_tensor(layer.in, true);
    const DeviceTensor out = pb.alloc_tensor(layer.out(), true);
    pb.conv(layer, in, out);
    const Program prog = pb.finish();
    load_program(*dev, prog);
    write_tensor(*dev, in, input);
    const RunResult r = run_program(*dev, prog, std::chrono::minutes(10));
    const uint64_t cycles = r.counter(isa::Counter::kCycles);
    const double util = double(layer.macs()) / (double(dim) * dim * double(cycles));
    const std::string mismatch = first_mismatch(ref::conv(layer, input), read_tensor(*dev, out));
    failures += !mismatch.empty();
    std::printf("%-24s %10llu %12llu %6.1f%% %11llu %11llu %9.0f %s\n", s.name,
                (unsigned long long)cycles, (unsigned long long)layer.macs(), 100.0 * util,
                (unsigned long long)r.counter(isa::Counter::kDmaRdBytes),
                (unsigned long long)r.counter(isa::Counter::kDmaWrBytes),
                dev->last_run_cycles_per_second() / 1e3,
                mismatch.empty() ? "bit-exact" : mismatch.c_str());
    std::fflush(stdout);
    total_cycles += cycles;
    total_sim_cycles += dev->last_run_cycles();
    total_seconds += dev->last_run_seconds();
  }
  std::printf("total: %llu cycles; simulation speed %.0f cycles/s (%.1f s wall)\n",
              (unsigned long long)total_cycles, double(total_sim_cycles) / total_seconds,
              total_seconds);
  return failures ? 1 : 0;
}
