// Whole-network benchmarks on the verilated accelerator (bench_resnet18, bench_mobilenetv2): a
// network built through Tessera's layer API with seeded random int8 weights, run as ONE command
// stream through the RTL and through the instruction-level model, every layer's output compared
// bit for bit with the layer-level reference, and a per-layer performance report.
//
// Per-layer cycles are measured, not estimated: each layer is compiled on its own, with its
// reference input, and run alone through the RTL (START to DONE, so each layer pays its own
// pipeline fill and drain; the network run overlaps neighbouring layers, so the network's cycles
// are below the sum). Its output is checked against the reference too.
//
// bench_onnx reuses the building blocks at the end (BuiltNet, print_header, report) for a network
// imported from an ONNX file and compiled by onnx::NetworkRunner.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tessera/compiler.hpp"
#include "tessera/device.hpp"
#include "tessera/layers.hpp"
#include "tessera/rtl_device.hpp"

namespace tessera::bench {

enum class Act { kNone, kRelu, kRelu6 };

/// One layer of a benchmark network: what it is, which earlier nodes it reads, where its output
/// lives on the device and what the reference says it must be.
struct NetStep {
  enum class Op { kConv, kPool, kAdd } op = Op::kConv;
  ConvLayer conv;
  PoolLayer pool;
  AddLayer add;
  std::vector<int> inputs;  // node indices (-1: the network input)
  DeviceTensor out;
  QTensor expected;
  /// kConv: an ONNX FC over a Flatten of an h x w image (conv has kh = h, kw = w over the whole
  /// input); compiled as the ONNX runner does, as an FC over the input's padded HWC bytes.
  bool flatten_fc = false;

  const std::string& name() const;
  uint64_t macs() const { return op == Op::kConv ? conv.macs() : 0; }
  /// "stem" (reads the network input), "3x3", "1x1", "depthwise", "fc", "pool", "add".
  std::string kind() const;
};

/// Emits layers into a ProgramBuilder and evaluates them with tessera::ref on the way. Weights
/// are seeded int8, scaled so outputs stay mid-range; activations are int8 with zero point 0.
class NetBuilder {
 public:
  using Node = int;
  static constexpr Node kInput = -1;

  NetBuilder(ProgramBuilder& pb, uint64_t seed, const QTensor& input, const DeviceTensor& in);

  /// k x k convolution, padding k / 2 (depthwise: out_c = the input's channels).
  Node conv(Node x, const std::string& name, int out_c, int k, int stride, Act act,
            bool depthwise = false);
  Node max_pool(Node x, const std::string& name, int k, int stride, int pad);
  Node global_avg_pool(Node x, const std::string& name);
  /// a + b, each at twice the output's scale; ReLU optional.
  Node add(Node a, Node b, const std::string& name, bool relu);

  const std::vector<NetStep>& steps() const { return steps_; }
  const QTensor& value(Node x) const { return x == kInput ? input_ : steps_[x].expected; }
  const DeviceTensor& tensor(Node x) const { return x == kInput ? in_ : steps_[x].out; }

 private:
  Node record(NetStep s);

  ProgramBuilder& pb_;
  std::mt19937_64 rng_;
  QTensor input_;
  DeviceTensor in_;
  std::vector<NetStep> steps_;
};

struct BenchOptions {
  unsigned dim = 16;
  unsigned latency = 100;          // AXI read and write latency, cycles
  double bytes_per_cycle = 0;      // sustained AXI bandwidth per direction; 0 = the bus width
  uint64_t seed = 18;
  bool per_layer = true;           // measure every layer alone (one more network's worth of sim)
  bool sweep = false;              // a table over array size, latency and bandwidth instead
  std::vector<std::string> args;   // positional arguments (bench_onnx: MODEL.onnx [IMAGE])
};

/// Parses --dim N, --latency CYCLES, --bytes-per-cycle B, --seed S, --network-only, --sweep, and
/// up to `max_positional` positional arguments into args (`positional` names them in the usage
/// line, e.g. "MODEL.onnx [IMAGE]"). Exits with a usage message on anything else.
BenchOptions parse_options(int argc, char** argv, const char* positional = nullptr,
                           size_t max_positional = 0);

/// A network: its name, its input shape, and how to emit its layers for an input node.
struct Network {
  std::string name;
  Shape input;
  std::function<void(NetBuilder&)> build;
};

/// Runs the benchmark the options ask for and prints it; returns the process exit code (1 when
/// any layer differs from the reference on any device).
int run_benchmark(const Network& net, const BenchOptions& opts);

// ---- building blocks, shared with bench_onnx ----------------------------------------------------

/// A network compiled into one program, with its device input and every layer's reference value.
struct BuiltNet {
  QTensor input;  // what the host writes to `in` (for ONNX: after the host-side QuantizeLinear)
  DeviceTensor in;
  std::vector<NetStep> steps;  // in program order; NetStep::inputs index this (-1: `in`)
  Program prog;
};

/// One whole-network run on a device.
struct Timed {
  RunResult result;
  double wall = 0;
  double cpu = 0;  // RTL only: CPU seconds of the simulating thread (the figure on a busy machine)
};

/// The RTL's simulation options for --latency / --bytes-per-cycle.
SimOptions sim_options(const BenchOptions& o);

/// "NAME HxWxC on Tessera RTL: <config>, memory latency ..., N layers, M commands".
void print_header(const std::string& name, const Shape& input, const BuiltNet& b,
                  const HwConfig& cfg, const BenchOptions& o);

/// Everything after the whole-network runs (rt: RTL, gt: golden model): with o.per_layer every
/// layer compiled and run alone through `rtl` with its reference input and checked, the per-layer
/// and per-kind tables; then the network summary (cycles, utilization, units, commands, DMA, wall
/// times). `mismatches` lists what the whole-network runs found different from the reference
/// ("" = bit-exact). Returns the exit code: 0 when everything is bit-exact, else 1.
int report(const BuiltNet& b, RtlDevice& rtl, const BenchOptions& o, const Timed& rt,
           const Timed& gt, const std::string& mismatches);

}  // namespace tessera::bench
