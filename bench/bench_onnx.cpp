// An int8 ONNX model (QDQ or QOperator, e.g. build/models/resnet18_int8.onnx from
// scripts/make_resnet18_onnx.py) end to end through the verilated accelerator, the way `tessera
// run` runs it: import_onnx, one NetworkRunner program, one image (a file, resized as the CLI
// does, gray / colour converted to the model's channels as with --convert-channels, or seeded
// random pixels) preprocessed as the CLI does (pixel / 255). The same program
// runs on the RTL and on the instruction-level model; every value (the quantized input, every
// layer's output, the graph outputs) is compared bit for bit with onnx::run_reference_all
// (tessera::ref), and every layer is also compiled and run alone through the RTL with its
// reference input. Prints the per-layer report and network summary of the layer-API benchmarks
// (common/network_bench.hpp), plus the reference's wall time and the top-5 outputs.
//
//   bench_onnx MODEL.onnx [IMAGE] [--dim N] [--latency CYCLES] [--bytes-per-cycle B] [--seed S]
//              [--network-only]
//
// Exit code: 0 all bit-exact, 1 a difference, 2 bad arguments, a bad file or an unsupported model.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "common/network_bench.hpp"
#include "tessera/cli/cli.hpp"
#include "tessera/isa_device.hpp"
#include "tessera/onnx/network.hpp"
#include "tessera/onnx/runner.hpp"

using namespace tessera;
using namespace tessera::bench;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// A quantized value's ONNX-order tensor as the HWC bytes of its single item (the inverse of the
/// runner's layout, tessera/onnx/network.hpp Value).
QTensor to_qtensor(const onnx::Value& v, const onnx::Tensor& t) {
  QTensor q(v.shape, v.type == onnx::ElemType::kInt8);
  const size_t hw = size_t(v.shape.h) * v.shape.w;
  for (size_t k = 0; k < q.data.size(); ++k) {
    const size_t at = v.chw_order ? (k % hw) * size_t(v.shape.c) + k / hw : k;
    q.data[at] = uint8_t(t.i.at(k));
  }
  return q;
}

/// The network's device layers as benchmark steps: the runner's program and device tensors, the
/// reference's values.
BuiltNet built_net(const onnx::Network& net, const onnx::NetworkRunner& runner,
                   const onnx::TensorMap& ref) {
  auto value = [&](int v) -> const onnx::Value& { return net.values.at(size_t(v)); };
  auto reference = [&](int v) -> QTensor {
    const onnx::Value& x = value(v);
    auto it = ref.find(x.name);
    if (it == ref.end()) throw std::logic_error("reference run has no value '" + x.name + "'");
    return to_qtensor(x, it->second);
  };
  BuiltNet b;
  b.prog = runner.program();
  std::vector<int> step_of(net.values.size(), -2);  // storage value -> step (-2: none yet)
  int device_input = -1;
  for (const onnx::Op& op : net.ops) {
    if (!net.is_device_op(op)) continue;
    const onnx::Value& out = value(op.output);
    if (out.batch != 1 || out.type == onnx::ElemType::kInt32)
      throw std::runtime_error("op '" + op.name + "' (" + op.onnx_op + "): " +
                               (out.batch != 1 ? "batched values" : "int32 outputs") +
                               " are not supported by bench_onnx (use tessera run --check)");
    NetStep s;
    for (int i : op.inputs) {
      const int st = value(i).storage;
      if (step_of[size_t(st)] == -2) {  // a value the host writes: the network's device input
        if (device_input >= 0 && device_input != st)
          throw std::runtime_error("the network has more than one device input ('" +
                                   value(device_input).name + "', '" + value(st).name +
                                   "'); bench_onnx handles one");
        device_input = st;
        step_of[size_t(st)] = -1;
      }
      s.inputs.push_back(step_of[size_t(st)]);
    }
    if (op.kind == onnx::OpKind::kConv) {
      s.op = NetStep::Op::kConv;
      s.conv = op.conv.at(0);
      s.flatten_fc = op.flatten_fc;
    } else if (op.kind == onnx::OpKind::kPool) {
      s.op = NetStep::Op::kPool;
      s.pool = op.pool;
    } else {
      s.op = NetStep::Op::kAdd;
      s.add = op.add;
    }
    s.out = runner.device_tensors(op.output).at(0);
    s.expected = reference(op.output);
    step_of[size_t(out.storage)] = int(b.steps.size());
    b.steps.push_back(std::move(s));
  }
  if (device_input < 0) throw std::runtime_error("the network has no device layers");
  b.input = reference(device_input);
  b.in = runner.device_tensors(device_input).at(0);
  return b;
}

std::string compare(const std::string& who, const onnx::TensorMap& got,
                    const onnx::TensorMap& ref) {
  std::string r;
  for (const std::string& d : cli::compare_runs(got, ref)) r += "  " + who + " vs reference: " + d + "\n";
  return r;
}

int run(const BenchOptions& o) {
  const std::string path = o.args.at(0);
  if (!std::filesystem::is_regular_file(path))
    throw std::runtime_error("model '" + path + "': no such file");
  const onnx::Network net = onnx::import_onnx(path);
  const onnx::Value& in = cli::image_input(net);
  const int C = int(in.dims[1]), H = int(in.dims[2]), W = int(in.dims[3]);
  cli::RgbImage img;
  std::string source;
  if (o.args.size() > 1) {
    source = o.args[1];
    img = cli::load_image(source, H, W);
    if (img.channels != C)  // preprocess() replicates gray / averages R, G, B
      source += " (" + std::to_string(img.channels) + " channels, converted to " +
                std::to_string(C) + ")";
  } else {
    source = "seeded random pixels (seed " + std::to_string(o.seed) + ")";
    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<int> px(0, 255);
    img.h = H;
    img.w = W;
    img.channels = C;
    img.rgb.resize(size_t(H) * W * 3);
    for (size_t k = 0; k < img.rgb.size(); k += 3)
      for (int c = 0; c < 3; ++c) img.rgb[k + size_t(c)] = uint8_t(C == 3 ? px(rng) : 0);
    if (C == 1)  // gray: R = G = B
      for (size_t k = 0; k < img.rgb.size(); k += 3)
        img.rgb[k] = img.rgb[k + 1] = img.rgb[k + 2] = uint8_t(px(rng));
  }
  const onnx::TensorMap inputs{{in.name, cli::preprocess(img, in, cli::Preprocess{})}};

  auto rtl = RtlDevice::create(o.dim, sim_options(o));
  IsaDevice isa(rtl->config(), rtl->mem_base(), rtl->mem_size());
  auto t0 = std::chrono::steady_clock::now();
  onnx::NetworkRunner rtl_runner(net, *rtl);  // compiled for the RTL's configuration
  const double compile_s = seconds_since(t0);
  onnx::NetworkRunner isa_runner(net, isa);

  t0 = std::chrono::steady_clock::now();
  const onnx::TensorMap ref = onnx::run_reference_all(net, inputs);
  const double ref_s = seconds_since(t0);
  const BuiltNet b = built_net(net, rtl_runner, ref);

  const std::string name = std::filesystem::path(path).filename().string();
  std::printf("model %s: %zu ops (%zu on the device), %llu MACs; input: %s; compiled in %.2f s\n",
              path.c_str(), net.ops.size(), b.steps.size(), (unsigned long long)net.macs(),
              source.c_str(), compile_s);
  print_header(name, Shape{H, W, C}, b, rtl->config(), o);

  const auto timeout = std::chrono::minutes(30);
  Timed rt, gt;
  t0 = std::chrono::steady_clock::now();
  const onnx::TensorMap rtl_all = rtl_runner.run_all(inputs, timeout);
  rt.wall = seconds_since(t0);
  rt.result = rtl_runner.last_result();
  rt.cpu = rtl->last_run_cpu_seconds();
  t0 = std::chrono::steady_clock::now();
  const onnx::TensorMap isa_all = isa_runner.run_all(inputs, timeout);
  gt.wall = seconds_since(t0);
  gt.result = isa_runner.last_result();
  const std::string bad = compare("RTL", rtl_all, ref) + compare("golden model", isa_all, ref);

  const onnx::Value& y = net.values.at(size_t(net.outputs.at(0)));
  std::printf("end to end (NetworkRunner::run_all vs onnx::run_reference_all, %zu values: the "
              "input, every layer's output, the graph outputs): RTL %s, golden model %s; "
              "reference %.2f s wall\n",
              ref.size(), compare("", rtl_all, ref).empty() ? "bit-exact" : "DIFFERS",
              compare("", isa_all, ref).empty() ? "bit-exact" : "DIFFERS", ref_s);
  std::printf("output '%s' top-5 (RTL):", y.name.c_str());
  for (const auto& [idx, v] : cli::top_k(rtl_all.at(y.name), 5)) std::printf(" %d:%g", idx, v);
  std::printf("\n");
  std::fflush(stdout);
  return report(b, *rtl, o, rt, gt, bad);
}

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions o = parse_options(argc, argv, "MODEL.onnx [IMAGE]", 2);
  if (o.args.empty() || o.sweep) {
    std::fprintf(stderr,
                 "usage: %s MODEL.onnx [IMAGE] [--dim N] [--latency CYCLES] [--bytes-per-cycle B] "
                 "[--seed S] [--network-only]\n",
                 argv[0]);
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_onnx: %s\n", e.what());
    return 2;
  }
}
