// Whole-network benchmark driver (network_bench.hpp).
#include "network_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "tessera/isa_device.hpp"
#include "tessera/quant.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"
#include "tessera/rtl_device.hpp"

namespace tessera::bench {

// ---- network description ---------------------------------------------------------------------

const std::string& NetStep::name() const {
  return op == Op::kConv ? conv.name : op == Op::kPool ? pool.name : add.name;
}

std::string NetStep::kind() const {
  if (op == Op::kPool) return "pool";
  if (op == Op::kAdd) return "add";
  if (std::find(inputs.begin(), inputs.end(), -1) != inputs.end()) return "stem";
  if (flatten_fc) return "fc";
  if (conv.groups != 1) return "depthwise";
  if (conv.in.h == 1 && conv.in.w == 1) return "fc";
  return std::to_string(conv.kh) + "x" + std::to_string(conv.kw);
}

NetBuilder::NetBuilder(ProgramBuilder& pb, uint64_t seed, const QTensor& input,
                       const DeviceTensor& in)
    : pb_(pb), rng_(seed), input_(input), in_(in) {}

NetBuilder::Node NetBuilder::record(NetStep s) {
  steps_.push_back(std::move(s));
  return Node(steps_.size() - 1);
}

NetBuilder::Node NetBuilder::conv(Node x, const std::string& name, int out_c, int k, int stride,
                                  Act act, bool depthwise) {
  NetStep s;
  s.op = NetStep::Op::kConv;
  s.inputs = {x};
  ConvLayer& l = s.conv;
  l.name = name;
  l.in = value(x).shape;
  l.out_c = depthwise ? l.in.c : out_c;
  l.groups = depthwise ? l.in.c : 1;
  l.kh = l.kw = k;
  l.stride_h = l.stride_w = stride;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = k / 2;
  const int cin_g = depthwise ? 1 : l.in.c;
  std::uniform_int_distribution<int> w(-127, 127), b(-500, 500);
  l.weights.resize(size_t(l.out_c) * k * k * cin_g);
  for (auto& v : l.weights) v = uint8_t(int8_t(w(rng_)));
  // Outputs of int8 inputs with weights of std ~73 land mid-range.
  const Multiplier m = quantize_multiplier(1.0 / (24.0 * std::sqrt(double(k * k * cin_g))));
  for (int c = 0; c < l.out_c; ++c) {
    l.wzp.push_back(0);
    l.bias.push_back(b(rng_));
    l.mult.push_back(m.mult);
    l.shift.push_back(uint8_t(m.shift));
  }
  l.clamp_min = act == Act::kNone ? -128 : 0;
  l.clamp_max = act == Act::kRelu6 ? 96 : 127;  // ReLU6: 6.0 at a scale of 1/16
  s.out = pb_.alloc_tensor(l.out(), true);
  pb_.conv(l, tensor(x), s.out);
  s.expected = ref::conv(l, value(x));
  return record(std::move(s));
}

NetBuilder::Node NetBuilder::max_pool(Node x, const std::string& name, int k, int stride,
                                      int pad) {
  NetStep s;
  s.op = NetStep::Op::kPool;
  s.inputs = {x};
  PoolLayer& p = s.pool;
  p.name = name;
  p.in = value(x).shape;
  p.kh = p.kw = k;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  s.out = pb_.alloc_tensor(p.out(), true);
  pb_.pool(p, tensor(x), s.out);
  s.expected = ref::pool(p, value(x));
  return record(std::move(s));
}

NetBuilder::Node NetBuilder::global_avg_pool(Node x, const std::string& name) {
  NetStep s;
  s.op = NetStep::Op::kPool;
  s.inputs = {x};
  PoolLayer& p = s.pool;
  p.name = name;
  p.in = value(x).shape;
  p.avg = true;
  p.kh = p.in.h;
  p.kw = p.in.w;
  p.stride_h = p.stride_w = 1;
  const Multiplier m = quantize_multiplier(1.0 / (p.kh * p.kw));
  p.mult = m.mult;
  p.shift = m.shift;
  s.out = pb_.alloc_tensor(p.out(), true);
  pb_.pool(p, tensor(x), s.out);
  s.expected = ref::pool(p, value(x));
  return record(std::move(s));
}

NetBuilder::Node NetBuilder::add(Node a, Node b, const std::string& name, bool relu) {
  NetStep s;
  s.op = NetStep::Op::kAdd;
  s.inputs = {a, b};
  AddLayer& l = s.add;
  l.name = name;
  l.shape = value(a).shape;
  const Multiplier m = quantize_multiplier(0.5);
  l.a_mult = l.b_mult = m.mult;
  l.shift = m.shift;
  l.clamp_min = relu ? 0 : -128;
  s.out = pb_.alloc_tensor(l.shape, true);
  pb_.add(l, tensor(a), tensor(b), s.out);
  s.expected = ref::add(l, value(a), value(b));
  return record(std::move(s));
}

// ---- options ---------------------------------------------------------------------------------

BenchOptions parse_options(int argc, char** argv, const char* positional,
                           size_t max_positional) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* a = argv[i];
    const char* v = nullptr;
    if (!std::strcmp(a, "--dim") && (v = next())) o.dim = unsigned(std::atoi(v));
    else if (!std::strcmp(a, "--latency") && (v = next())) o.latency = unsigned(std::atoi(v));
    else if (!std::strcmp(a, "--bytes-per-cycle") && (v = next())) o.bytes_per_cycle = std::atof(v);
    else if (!std::strcmp(a, "--seed") && (v = next())) o.seed = std::strtoull(v, nullptr, 0);
    else if (!std::strcmp(a, "--network-only")) o.per_layer = false;
    else if (!std::strcmp(a, "--sweep")) o.sweep = true;
    else if (a[0] != '-' && o.args.size() < max_positional) o.args.push_back(a);
    else {
      std::fprintf(stderr,
                   "usage: %s%s%s [--dim N] [--latency CYCLES] [--bytes-per-cycle B] [--seed S] "
                   "[--network-only] [--sweep]\n",
                   argv[0], positional ? " " : "", positional ? positional : "");
      std::exit(2);
    }
  }
  return o;
}

// ---- running ---------------------------------------------------------------------------------

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

BuiltNet build(const Network& net, const Device& dev_cfg_source, uint64_t seed) {
  const Device& d = dev_cfg_source;
  BuiltNet b;
  std::mt19937_64 rng(seed);
  b.input = random_tensor(rng, net.input, true);
  ProgramBuilder pb(d.config(), d.mem_base(), d.mem_size());
  b.in = pb.alloc_tensor(net.input, true);
  NetBuilder nb(pb, seed, b.input, b.in);
  net.build(nb);
  b.steps = nb.steps();
  b.prog = pb.finish();
  return b;
}

Timed run_network(Device& dev, const BuiltNet& b) {
  load_program(dev, b.prog);
  write_tensor(dev, b.in, b.input);
  const auto t0 = std::chrono::steady_clock::now();
  Timed t;
  t.result = run_program(dev, b.prog, std::chrono::minutes(30));
  t.wall = seconds_since(t0);
  if (auto* rtl = dynamic_cast<RtlDevice*>(&dev)) t.cpu = rtl->last_run_cpu_seconds();
  return t;
}

/// Names of the layers whose device output differs from the reference ("" = all bit-exact).
std::string check_outputs(Device& dev, const BuiltNet& b) {
  std::string bad;
  for (const NetStep& s : b.steps) {
    const std::string m = first_mismatch(s.expected, read_tensor(dev, s.out));
    if (!m.empty()) bad += "  " + dev.name() + " " + s.name() + ": " + m + "\n";
  }
  return bad;
}

/// One layer compiled alone and run through the RTL with its reference input.
struct LayerRun {
  RunResult r;
  uint64_t overhead = 0;  // fixed per-command cycles of its compute commands (docs/architecture.md)
  std::string plan;
  std::string mismatch;
};

LayerRun run_alone(RtlDevice& dev, const BuiltNet& b, const NetStep& s) {
  ProgramBuilder pb(dev.config(), dev.mem_base(), dev.mem_size());
  // Same compilation as in the network: host-side layouts only for the network input.
  pb.set_host_im2col(std::find(s.inputs.begin(), s.inputs.end(), -1) != s.inputs.end());
  std::vector<DeviceTensor> ins;
  std::vector<const QTensor*> vals;
  for (int i : s.inputs) {
    const QTensor& v = i < 0 ? b.input : b.steps[size_t(i)].expected;
    ins.push_back(pb.alloc_tensor(v.shape, v.is_signed));
    vals.push_back(&v);
  }
  const DeviceTensor out = pb.alloc_tensor(s.expected.shape, s.expected.is_signed);
  switch (s.op) {
    case NetStep::Op::kConv:
      if (s.flatten_fc) pb.conv(flatten_fc_layer(s.conv, ins[0].cpad), flat_view(ins[0]), out);
      else pb.conv(s.conv, ins[0], out);
      break;
    case NetStep::Op::kPool: pb.pool(s.pool, ins[0], out); break;
    case NetStep::Op::kAdd: pb.add(s.add, ins[0], ins[1], out); break;
  }
  const Program p = pb.finish();
  load_program(dev, p);
  for (size_t i = 0; i < ins.size(); ++i) write_tensor(dev, ins[i], *vals[i]);
  LayerRun lr;
  lr.r = run_program(dev, p, std::chrono::minutes(30));
  lr.plan = p.layers.at(0).plan;
  lr.mismatch = first_mismatch(s.expected, read_tensor(dev, out));
  const unsigned n = dev.config().array_dim;
  for (const isa::Command& c : p.cmds) {
    const auto op = isa::Opcode(isa::get(c, isa::field::kOpcode));
    if (op == isa::Opcode::kConv) {
      // What a CONV costs beyond streaming its tiles (the drain overlaps the next command).
      const auto v = isa::ConvCmd::decode(c);
      const uint64_t tiles = uint64_t(v.kh) * v.kw * v.cg, px = uint64_t(v.out_h) * v.out_w;
      lr.overhead += conv_issue_cycles(tiles, px, n, v.requant, dev.config().cols_per_lane()) -
                     tiles * std::max<uint64_t>(px, n);
    } else {
      lr.overhead += op == isa::Opcode::kPool ? 8 : op == isa::Opcode::kAdd ? 5 : 0;
    }
  }
  // The last command's drain is not hidden.
  lr.overhead += conv_drain_cycles(n);
  return lr;
}

/// Where a layer's cycles go beyond its useful MACs, in cycles, and the largest part's name.
/// compute: the array streams but the layer's shape leaves PEs idle (MAC_ACTIVE above
/// MACs / PEs); memory: DMA needs more cycles than the array; control: fixed per-command cycles;
/// fill-drain: the rest (latency of the first loads and the last stores, token waits).
const char* why(const NetStep& s, const LayerRun& lr, unsigned pes, double bpc) {
  const double cycles = double(lr.r.counter(isa::Counter::kCycles));
  const double active = double(lr.r.counter(isa::Counter::kMacActive));
  const double mem = double(std::max(lr.r.counter(isa::Counter::kDmaRdBytes),
                                     lr.r.counter(isa::Counter::kDmaWrBytes))) / bpc;
  // Pool and add run at their unit's rate (docs/architecture.md) unless the DMA is slower.
  if (s.op != NetStep::Op::kConv) return mem > 0.5 * cycles ? "memory" : "compute";
  const double compute = active - double(s.macs()) / pes;
  const double memory = std::max(0.0, mem - active);
  const double rest = std::max(0.0, cycles - std::max(active, mem));
  const double control = std::min(rest, double(lr.overhead));
  const double fill = rest - control;
  const double worst = std::max({compute, memory, control, fill});
  return worst == compute ? "compute" : worst == memory ? "memory"
         : worst == control ? "control" : "fill-drain";
}

void print_layers(const BuiltNet& b, const std::vector<LayerRun>& runs, unsigned n, double bpc) {
  const unsigned pes = n * n;
  std::printf("\nPer layer, each compiled and run alone through the RTL (START..DONE):\n");
  int wname = 26;  // ONNX node names can be longer than the layer API's
  for (const NetStep& s : b.steps) wname = std::max(wname, int(s.name().size()));
  std::printf("%-*s %-9s %11s %9s %6s %6s %9s %9s %9s %-7s %-10s %s\n", wname, "layer", "kind", "MACs",
              "cycles", "util%", "busy%", "DMA rd B", "DMA wr B", "bound", "by", "why (<80%)",
              "alone vs ref");
  struct Kind {
    int layers = 0;
    uint64_t macs = 0, cycles = 0, active = 0;
  };
  std::map<std::string, Kind> kinds;
  uint64_t sum = 0, sum_active = 0, macs = 0;
  for (size_t k = 0; k < b.steps.size(); ++k) {
    const NetStep& s = b.steps[k];
    const LayerRun& lr = runs[k];
    const uint64_t cyc = lr.r.counter(isa::Counter::kCycles);
    const uint64_t act = lr.r.counter(isa::Counter::kMacActive);
    const uint64_t rd = lr.r.counter(isa::Counter::kDmaRdBytes);
    const uint64_t wr = lr.r.counter(isa::Counter::kDmaWrBytes);
    const double ideal = double(s.macs()) / pes, mem = double(std::max(rd, wr)) / bpc;
    const double util = double(s.macs()) / (double(pes) * double(cyc));
    char utils[16] = "-";
    if (s.macs()) std::snprintf(utils, sizeof utils, "%.1f", 100 * util);
    std::printf("%-*s %-9s %11llu %9llu %6s %6.1f %9llu %9llu %9.0f %-7s %-10s %s\n", wname,
                s.name().c_str(), s.kind().c_str(), (unsigned long long)s.macs(),
                (unsigned long long)cyc, utils, 100.0 * double(act) / double(cyc),
                (unsigned long long)rd, (unsigned long long)wr, std::max(ideal, mem),
                ideal >= mem ? "compute" : "memory",
                s.macs() == 0 || util < 0.8 ? why(s, lr, pes, bpc) : "",
                lr.mismatch.empty() ? "bit-exact" : lr.mismatch.c_str());
    Kind& kd = kinds[s.kind()];
    ++kd.layers;
    kd.macs += s.macs();
    kd.cycles += cyc;
    kd.active += act;
    sum += cyc;
    sum_active += act;
    macs += s.macs();
  }
  std::printf("(util = useful MACs / (%u PEs x cycles); busy = MAC_ACTIVE / cycles; bound = "
              "max(MACs / PEs, max(DMA rd, DMA wr) / %.0f B per cycle); why: compute = the array "
              "streams but the layer's shape leaves PEs idle (pool / add: their unit's rate), memory = "
              "DMA-bound, control = fixed cycles per command, fill-drain = first-load / "
              "last-store latency and waits)\n",
              pes, bpc);
  std::printf("\nBy kind (sums of the layers run alone):\n%-10s %6s %12s %11s %7s %8s %9s\n",
              "kind", "layers", "MACs", "cycles", "share%", "util%", "ceiling%");
  for (const auto& [name, kd] : kinds)
    std::printf("%-10s %6d %12llu %11llu %7.1f %8.1f %9.1f\n", name.c_str(), kd.layers,
                (unsigned long long)kd.macs, (unsigned long long)kd.cycles,
                100.0 * double(kd.cycles) / double(sum),
                100.0 * double(kd.macs) / (double(pes) * double(kd.cycles)),
                kd.active ? 100.0 * double(kd.macs) / (double(pes) * double(kd.active)) : 0.0);
  std::printf("%-10s %6zu %12llu %11llu %7.1f %8.1f %9.1f\n", "all", b.steps.size(),
              (unsigned long long)macs, (unsigned long long)sum, 100.0,
              100.0 * double(macs) / (double(pes) * double(sum)),
              100.0 * double(macs) / (double(pes) * double(sum_active)));
  std::printf("(ceiling = useful MACs / (PEs x MAC_ACTIVE): the utilization if the array never "
              "waited, set by how the layer shape maps onto the %ux%u array)\n", n, n);
}

int run_single(const Network& net, const BenchOptions& o) {
  auto rtl = RtlDevice::create(o.dim, sim_options(o));
  IsaDevice isa(rtl->config(), rtl->mem_base(), rtl->mem_size());
  const BuiltNet b = build(net, *rtl, o.seed);
  print_header(net.name, net.input, b, rtl->config(), o);
  const Timed rt = run_network(*rtl, b);
  const std::string rtl_bad = check_outputs(*rtl, b);
  const Timed gt = run_network(isa, b);
  const std::string isa_bad = check_outputs(isa, b);
  return report(b, *rtl, o, rt, gt, rtl_bad + isa_bad);
}

int run_sweep(const Network& net, const BenchOptions& o) {
  std::printf("%s sweep: whole network through the RTL per configuration, every layer checked "
              "against the reference\n", net.name.c_str());
  std::printf("%4s %8s %6s %11s %7s %7s %8s %8s %12s %s\n", "dim", "latency", "B/cyc", "cycles",
              "util%", "busy%", "wall s", "CPU s", "cycles/CPUs", "vs reference");
  int failures = 0;
  const auto built = RtlDevice::built_array_dims();
  for (unsigned dim : {16u, 8u}) {  // the default size first: it is the faster one
    if (std::find(built.begin(), built.end(), dim) == built.end()) continue;
    for (unsigned lat : {50u, 100u, 200u})
      for (double bpc : {8.0, 16.0}) {
        BenchOptions c = o;
        c.dim = dim;
        c.latency = lat;
        c.bytes_per_cycle = bpc;
        auto rtl = RtlDevice::create(dim, sim_options(c));
        const BuiltNet b = build(net, *rtl, o.seed);
        const Timed t = run_network(*rtl, b);
        const std::string bad = check_outputs(*rtl, b);
        failures += !bad.empty();
        uint64_t macs = 0;
        for (const NetStep& s : b.steps) macs += s.macs();
        const uint64_t cycles = t.result.counter(isa::Counter::kCycles);
        std::printf("%4u %8u %6.0f %11llu %7.1f %7.1f %8.1f %8.1f %12.0f %s\n", dim, lat, bpc,
                    (unsigned long long)cycles,
                    100.0 * double(macs) / (double(dim) * dim * double(cycles)),
                    100.0 * double(t.result.counter(isa::Counter::kMacActive)) / double(cycles),
                    t.wall, t.cpu, double(cycles) / t.cpu, bad.empty() ? "bit-exact" : "MISMATCH");
        std::fflush(stdout);
      }
  }
  return failures ? 1 : 0;
}

}  // namespace

SimOptions sim_options(const BenchOptions& o) {
  SimOptions s;
  s.axi.read_latency = s.axi.write_latency = o.latency;
  s.axi.bytes_per_cycle = o.bytes_per_cycle;
  return s;
}

void print_header(const std::string& name, const Shape& input, const BuiltNet& b,
                  const HwConfig& cfg, const BenchOptions& o) {
  const double bpc = o.bytes_per_cycle > 0 ? o.bytes_per_cycle : cfg.axi_data_bytes;
  std::printf("%s %dx%dx%d on Tessera RTL: %s, memory latency %u cycles, %.0f B/cycle per "
              "direction, %zu layers, %zu commands\n",
              name.c_str(), input.h, input.w, input.c, cfg.describe().c_str(), o.latency, bpc,
              b.steps.size(), b.prog.cmds.size());
  std::fflush(stdout);
}

int report(const BuiltNet& b, RtlDevice& rtl, const BenchOptions& o, const Timed& rt,
           const Timed& gt, const std::string& mismatches) {
  const HwConfig cfg = rtl.config();
  const double bpc = o.bytes_per_cycle > 0 ? o.bytes_per_cycle : cfg.axi_data_bytes;
  const Estimate est = estimate(b.prog, cfg, o.latency);
  std::vector<LayerRun> runs;
  if (o.per_layer) {
    for (const NetStep& s : b.steps) runs.push_back(run_alone(rtl, b, s));
    print_layers(b, runs, cfg.array_dim, bpc);
  }
  uint64_t macs = 0, sum = 0;
  for (const NetStep& s : b.steps) macs += s.macs();
  for (const LayerRun& lr : runs) sum += lr.r.counter(isa::Counter::kCycles);
  const RunResult& r = rt.result;
  const uint64_t cycles = r.counter(isa::Counter::kCycles);
  const double pes = double(cfg.array_dim) * cfg.array_dim;
  std::printf("\nnetwork: %llu MACs, %llu cycles measured (estimate %llu%s), MAC utilization "
              "%.1f%%, MAC_ACTIVE %.1f%% of cycles\n",
              (unsigned long long)macs, (unsigned long long)cycles,
              (unsigned long long)est.cycles,
              runs.empty() ? "" : (", layers alone " + std::to_string(sum)).c_str(),
              100.0 * double(macs) / (pes * double(cycles)),
              100.0 * double(r.counter(isa::Counter::kMacActive)) / double(cycles));
  std::printf("units (%% of cycles): load busy %.1f wait %.1f, compute busy %.1f wait %.1f, "
              "store busy %.1f wait %.1f\n",
              100.0 * double(r.counter(isa::Counter::kLoadBusy)) / double(cycles),
              100.0 * double(r.counter(isa::Counter::kLoadWait)) / double(cycles),
              100.0 * double(r.counter(isa::Counter::kComputeBusy)) / double(cycles),
              100.0 * double(r.counter(isa::Counter::kComputeWait)) / double(cycles),
              100.0 * double(r.counter(isa::Counter::kStoreBusy)) / double(cycles),
              100.0 * double(r.counter(isa::Counter::kStoreWait)) / double(cycles));
  {
    std::map<uint32_t, int> ops;
    for (const isa::Command& c : b.prog.cmds)
      ++ops[isa::get(c, isa::field::kOpcode)];
    std::printf("commands:");
    for (const auto& [op, count] : ops) std::printf(" op%u: %d", unsigned(op), count);
    std::printf("\n");
  }
  std::printf("DMA: %llu bytes read, %llu bytes written\n",
              (unsigned long long)r.counter(isa::Counter::kDmaRdBytes),
              (unsigned long long)r.counter(isa::Counter::kDmaWrBytes));
  std::printf("RTL simulation: %.1f s wall, %.0f simulated cycles/s (%.1f s CPU, %.0f cycles per "
              "CPU second); golden model: %.2f s wall\n",
              rt.wall, double(cycles) / rt.wall, rt.cpu, double(cycles) / rt.cpu, gt.wall);
  bool alone_ok = true;
  for (const LayerRun& lr : runs) alone_ok = alone_ok && lr.mismatch.empty();
  if (mismatches.empty() && alone_ok) {
    std::printf("all %zu layers bit-exact against the reference on RTL and golden model\n",
                b.steps.size());
    return 0;
  }
  std::printf("MISMATCH\n%s", mismatches.c_str());
  return 1;
}

int run_benchmark(const Network& net, const BenchOptions& opts) {
  return opts.sweep ? run_sweep(net, opts) : run_single(net, opts);
}

}  // namespace tessera::bench
