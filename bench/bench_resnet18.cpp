// ResNet-18 (ImageNet topology, 224x224x3, seeded random int8 weights, built through Tessera's
// layer API) as ONE command stream through the verilated accelerator and through the
// instruction-level model. Every layer's output tensor is read back from both devices and compared
// bit for bit with the layer-level reference run on the same input. Prints per layer the MACs and
// the compiler's cycle estimate, and for the whole network the measured cycles, MAC utilization,
// DMA bytes, RTL wall time, simulated cycles per second and the golden model's wall time.
//
//   bench_resnet18 [--dim N] [--latency CYCLES] [--seed S]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tessera/compiler.hpp"
#include "tessera/isa_device.hpp"
#include "tessera/quant.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"
#include "tessera/rtl_device.hpp"

using namespace tessera;

namespace {

/// One layer of the network: how to emit it, how to evaluate it with the reference, and where
/// its output lives on the device.
struct Step {
  std::string name;
  uint64_t macs = 0;
  DeviceTensor out;
  QTensor expected;
};

class ResNet18 {
 public:
  ResNet18(ProgramBuilder& pb, uint64_t seed) : pb_(pb), rng_(seed) {}

  /// Emits the network for `input` (224x224x3 int8) and evaluates it with the reference.
  void build(const QTensor& input, const DeviceTensor& in_dev) {
    Node x{in_dev, input};
    x = conv(x, "conv1", 64, 7, 2, true);
    x = pool_max(x, "maxpool");
    const int widths[] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage) {
      for (int block = 0; block < 2; ++block) {
        const bool down = stage > 0 && block == 0;
        const std::string n = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
        Node shortcut = down ? conv(x, n + ".downsample", widths[stage], 1, 2, false) : x;
        Node y = conv(x, n + ".conv1", widths[stage], 3, down ? 2 : 1, true);
        y = conv(y, n + ".conv2", widths[stage], 3, 1, false);
        x = add_relu(y, shortcut, n + ".add");
      }
    }
    x = pool_global_avg(x, "avgpool");
    x = conv(x, "fc", 1000, 1, 1, false);
  }

  const std::vector<Step>& steps() const { return steps_; }

 private:
  struct Node {
    DeviceTensor dev;
    QTensor value;
  };

  Node record(const std::string& name, uint64_t macs, const DeviceTensor& out, QTensor value) {
    steps_.push_back(Step{name, macs, out, value});
    return Node{out, std::move(value)};
  }

  Node conv(const Node& x, const std::string& name, int out_c, int k, int stride, bool relu) {
    ConvLayer l;
    l.name = name;
    l.in = x.value.shape;
    l.out_c = out_c;
    l.kh = l.kw = k;
    l.stride_h = l.stride_w = stride;
    l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = k / 2;
    l.act_zp = 0;
    std::uniform_int_distribution<int> w(-127, 127), b(-500, 500);
    l.weights.resize(size_t(out_c) * k * k * l.in.c);
    for (auto& v : l.weights) v = uint8_t(int8_t(w(rng_)));
    // Scale so outputs of int8 inputs with weights of std ~73 land mid-range.
    const Multiplier m = quantize_multiplier(1.0 / (24.0 * std::sqrt(double(k * k * l.in.c))));
    for (int c = 0; c < out_c; ++c) {
      l.wzp.push_back(0);
      l.bias.push_back(b(rng_));
      l.mult.push_back(m.mult);
      l.shift.push_back(uint8_t(m.shift));
    }
    l.out_zp = 0;
    l.clamp_min = relu ? 0 : -128;
    l.clamp_max = 127;
    const DeviceTensor out = pb_.alloc_tensor(l.out(), true);
    pb_.conv(l, x.dev, out);
    return record(name, l.macs(), out, ref::conv(l, x.value));
  }

  Node pool_max(const Node& x, const std::string& name) {
    PoolLayer p;
    p.name = name;
    p.in = x.value.shape;
    p.kh = p.kw = 3;
    p.stride_h = p.stride_w = 2;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    const DeviceTensor out = pb_.alloc_tensor(p.out(), true);
    pb_.pool(p, x.dev, out);
    return record(name, 0, out, ref::pool(p, x.value));
  }

  Node pool_global_avg(const Node& x, const std::string& name) {
    PoolLayer p;
    p.name = name;
    p.in = x.value.shape;
    p.avg = true;
    p.kh = p.in.h;
    p.kw = p.in.w;
    p.stride_h = p.stride_w = 1;
    const Multiplier m = quantize_multiplier(1.0 / (p.kh * p.kw));
    p.mult = m.mult;
    p.shift = m.shift;
    const DeviceTensor out = pb_.alloc_tensor(p.out(), true);
    pb_.pool(p, x.dev, out);
    return record(name, 0, out, ref::pool(p, x.value));
  }

  Node add_relu(const Node& a, const Node& b, const std::string& name) {
    AddLayer l;
    l.name = name;
    l.shape = a.value.shape;
    const Multiplier m = quantize_multiplier(0.5);  // both inputs at the output's scale x 2
    l.a_mult = l.b_mult = m.mult;
    l.shift = m.shift;
    l.clamp_min = 0;
    const DeviceTensor out = pb_.alloc_tensor(l.shape, true);
    pb_.add(l, a.dev, b.dev, out);
    return record(name, 0, out, ref::add(l, a.value, b.value));
  }

  ProgramBuilder& pb_;
  std::mt19937_64 rng_;
  std::vector<Step> steps_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  unsigned dim = 16, latency = 100;
  uint64_t seed = 18;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--dim") && i + 1 < argc) dim = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--latency") && i + 1 < argc) latency = unsigned(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 0);
    else {
      std::fprintf(stderr, "usage: %s [--dim N] [--latency CYCLES] [--seed S]\n", argv[0]);
      return 2;
    }
  }
  sim::SimOptions opts;
  opts.axi.read_latency = opts.axi.write_latency = latency;
  auto rtl = sim::RtlDevice::create(dim, opts);
  const HwConfig cfg = rtl->config();
  IsaDevice isa(cfg, rtl->mem_base(), rtl->mem_size());

  std::mt19937_64 rng(seed);
  const QTensor input = random_tensor(rng, Shape{224, 224, 3}, true);
  ProgramBuilder pb(cfg, rtl->mem_base(), rtl->mem_size());
  const DeviceTensor in = pb.alloc_tensor(input.shape, true);
  ResNet18 net(pb, seed);
  net.build(input, in);
  const Program prog = pb.finish();
  const Estimate est = estimate(prog, cfg, latency);

  std::printf("ResNet-18 224x224x3 on Tessera RTL: %s, memory latency %u cycles, %zu commands\n",
              cfg.describe().c_str(), latency, prog.cmds.size());
  int failures = 0;
  double wall[2] = {0, 0};
  RunResult results[2];
  Device* devs[2] = {rtl.get(), &isa};
  for (int d = 0; d < 2; ++d) {
    load_program(*devs[d], prog);
    write_tensor(*devs[d], in, input);
    const auto t0 = std::chrono::steady_clock::now();
    results[d] = run_program(*devs[d], prog, std::chrono::minutes(30));
    wall[d] = seconds_since(t0);
  }
  std::printf("%-22s %12s %10s  %s\n", "layer", "MACs", "est cycles", "rtl / golden vs reference");
  uint64_t total_macs = 0;
  for (const LayerInfo& li : prog.layers) {
    // Per-layer cycles: the compiler's estimate of this layer's commands alone.
    Program one;
    one.cmds.assign(prog.cmds.begin() + li.first_cmd, prog.cmds.begin() + li.last_cmd + 1);
    const uint64_t layer_est = estimate(one, cfg, latency).cycles;
    std::string verdict = "?";
    for (const Step& s : net.steps()) {
      if (s.name != li.name) continue;
      const std::string r = first_mismatch(s.expected, read_tensor(*rtl, s.out));
      const std::string g = first_mismatch(s.expected, read_tensor(isa, s.out));
      verdict = (r.empty() ? "bit-exact" : "RTL " + r) + " / " + (g.empty() ? "bit-exact" : "golden " + g);
      failures += !r.empty() + !g.empty();
    }
    total_macs += li.macs;
    std::printf("%-22s %12llu %10llu  %s\n", li.name.c_str(), (unsigned long long)li.macs,
                (unsigned long long)layer_est, verdict.c_str());
  }
  const RunResult& r = results[0];
  const uint64_t cycles = r.counter(isa::Counter::kCycles);
  std::printf("\nnetwork: %llu MACs, %llu cycles measured (estimate %llu), MAC utilization %.1f%%, "
              "MAC_ACTIVE %.1f%% of cycles\n",
              (unsigned long long)total_macs, (unsigned long long)cycles,
              (unsigned long long)est.cycles, 100.0 * double(total_macs) / (double(dim) * dim * cycles),
              100.0 * double(r.counter(isa::Counter::kMacActive)) / double(cycles));
  std::printf("DMA: %llu bytes read, %llu bytes written\n",
              (unsigned long long)r.counter(isa::Counter::kDmaRdBytes),
              (unsigned long long)r.counter(isa::Counter::kDmaWrBytes));
  std::printf("RTL simulation: %.1f s wall, %.0f simulated cycles/s; golden model: %.2f s wall\n",
              wall[0], rtl->last_run_cycles_per_second(), wall[1]);
  std::printf("%s\n", failures ? "MISMATCH" : "all layers bit-exact on RTL and golden model");
  return failures ? 1 : 0;
}
