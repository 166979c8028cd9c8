// `tessera`: runs or compiles a quantized ONNX model on the Tessera accelerator (RTL simulation),
// its golden model or the layer-level reference. Only option parsing and output live here; the
// logic is in tessera_cli (tessera/cli/cli.hpp). Exit codes: 0 ok, 1 bad input or error,
// 2 `--check` found a difference between the backends.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "tessera/cli/cli.hpp"
#include "tessera/isa_device.hpp"
#ifdef TESSERA_HAVE_RTL
#include "tessera/rtl_device.hpp"
#endif

using namespace tessera;

namespace {

constexpr auto kTimeout = std::chrono::minutes(30);

struct RunOpts {
  std::string model;
  std::vector<std::string> images;
  std::string backend = "rtl";
  unsigned dim = TESSERA_DEFAULT_DIM;
  std::string fst, json;
  int top_k = 5;
  bool check = false;
  bool layer_cycles = true;
  cli::Preprocess pre;
};

std::unique_ptr<Device> make_device(const std::string& backend, unsigned dim,
                                    const std::string& fst) {
  if (backend == "isa") return std::make_unique<IsaDevice>(default_config(dim));
  if (backend == "rtl") {
#ifdef TESSERA_HAVE_RTL
    SimOptions o;
    o.fst_path = fst;
    return RtlDevice::create(dim, o);
#else
    (void)fst;
    throw std::runtime_error("--backend rtl: this build has no RTL simulation (tessera_sim)");
#endif
  }
  throw std::runtime_error("--backend '" + backend + "': unknown (use rtl, isa or ref)");
}

std::string label(int idx, const std::vector<std::string>& names) {
  return idx < int(names.size()) ? names[idx] + " (" + std::to_string(idx) + ")"
                                 : "class " + std::to_string(idx);
}

int cmd_run(const RunOpts& o) {
  if (o.backend != "rtl" && o.backend != "isa" && o.backend != "ref")
    throw std::runtime_error("--backend '" + o.backend + "': unknown (use rtl, isa or ref)");
  if (o.backend != "rtl" && !o.fst.empty())
    throw std::runtime_error("--fst needs --backend rtl");
  onnx::Network net = onnx::import_onnx(o.model);
  const std::vector<std::string> names = cli::read_class_names(o.model);
  const onnx::Value& in = cli::image_input(net);
  const int H = int(in.dims[2]), W = int(in.dims[3]);

  // Load every image first so that a bad file fails before any simulation.
  std::vector<cli::RgbImage> imgs;
  for (const auto& p : o.images) imgs.push_back(cli::load_image(p, H, W));

  std::unique_ptr<Device> dev, golden;
  std::unique_ptr<onnx::NetworkRunner> runner, golden_runner;
  if (o.backend != "ref") {
    dev = make_device(o.backend, o.dim, o.fst);
    runner = std::make_unique<onnx::NetworkRunner>(net, *dev);
  }
  if (o.check && o.backend != "isa") {
    // The golden model gets the configuration the RTL reports, so both run the same program.
    golden = std::make_unique<IsaDevice>(dev ? dev->config() : default_config(o.dim));
    golden_runner = std::make_unique<onnx::NetworkRunner>(net, *golden);
  }
  std::cout << "model " << o.model << ": " << net.ops.size() << " ops, " << net.macs()
            << " MACs; backend " << (dev ? dev->name() : std::string("reference")) << ", array "
            << o.dim << "x" << o.dim << "\n";

  std::ostringstream json;
  json << "{\n  \"model\": " << cli::json_string(o.model) << ",\n  \"backend\": "
       << cli::json_string(o.backend) << ",\n  \"array_dim\": " << o.dim
       << ",\n  \"images\": [";
  bool all_agree = true;
  for (size_t i = 0; i < imgs.size(); ++i) {
    onnx::TensorMap inputs{{in.name, cli::preprocess(imgs[i], in, o.pre)}};
    onnx::TensorMap out =
        runner ? runner->run_all(inputs, kTimeout) : onnx::run_reference_all(net, inputs);
    const onnx::Tensor& y = out.at(net.values[net.outputs.at(0)].name);
    std::cout << "\n" << o.images[i] << ":\n";
    const auto top = cli::top_k(y, o.top_k);
    for (const auto& [idx, v] : top)
      std::cout << "  " << std::setw(24) << std::left << label(idx, names) << std::right << " "
                << std::setprecision(6) << v << "\n";
    cli::Perf perf;
    perf.array_dim = o.dim;
    if (runner) {
      const RunResult& r = runner->last_result();
      perf.mac_active = r.counter(isa::Counter::kMacActive);
      perf.cycles = r.counter(isa::Counter::kCycles);
      perf.measured = perf.cycles != 0;
      if (!perf.measured) perf.cycles = estimate(runner->program(), dev->config()).cycles;
      else if (i == 0 && o.layer_cycles)  // once: every image runs the same commands
        perf.layers = cli::measure_layer_cycles(*dev, runner->program(), kTimeout);
      std::cout << cli::format_perf(runner->layers(), perf, i == 0);
    }
    std::optional<bool> agree;
    if (o.check) {
      std::vector<std::pair<std::string, onnx::TensorMap>> runs;
      runs.emplace_back(o.backend == "ref" ? "reference" : o.backend, out);
      if (golden_runner)
        runs.emplace_back("golden model", golden_runner->run_all(inputs, kTimeout));
      if (o.backend != "ref") runs.emplace_back("reference", onnx::run_reference_all(net, inputs));
      agree = true;
      std::string who;
      for (size_t k = 0; k < runs.size(); ++k) who += (k ? ", " : "") + runs[k].first;
      for (size_t k = 1; k < runs.size(); ++k) {
        const auto d = cli::compare_runs(runs[0].second, runs[k].second);
        for (const auto& line : d)
          std::cout << "  MISMATCH " << runs[0].first << " vs " << runs[k].first << ": " << line
                    << "\n";
        if (!d.empty()) agree = false;
      }
      std::cout << "  check: " << (*agree ? "PASS, bit-exact on all " : "FAIL, differences in ")
                << runs[0].second.size() << " values (" << who << ")\n";
      all_agree = all_agree && *agree;
    }
    json << (i ? "," : "") << "\n    {\"image\": " << cli::json_string(o.images[i])
         << ", \"top_k\": [";
    for (size_t k = 0; k < top.size(); ++k)
      json << (k ? ", " : "") << "{\"index\": " << top[k].first << ", \"label\": "
           << cli::json_string(top[k].first < int(names.size()) ? names[top[k].first] : "")
           << ", \"value\": " << std::setprecision(9) << top[k].second << "}";
    json << "]";
    if (runner)
      json << ", \"cycles\": " << perf.cycles << ", \"cycles_measured\": "
           << (perf.measured ? "true" : "false") << ", \"macs\": " << net.macs();
    if (agree) json << ", \"check\": " << (*agree ? "true" : "false");
    json << "}";
  }
  json << "\n  ]\n}\n";
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    if (!(f << json.str())) throw std::runtime_error("--json '" + o.json + "': cannot write it");
  }
  if (o.check) std::cout << "\ncheck: " << (all_agree ? "PASS" : "FAIL") << "\n";
  return all_agree ? 0 : 2;
}

int cmd_compile(const std::string& model, unsigned dim) {
  onnx::Network net = onnx::import_onnx(model);
  IsaDevice dev(default_config(dim));
  onnx::NetworkRunner runner(net, dev);
  std::cout << net.summary() << "\n" << disassemble(runner.program()) << "\n"
            << cli::format_memory_plan(net, runner);
  const Estimate e = estimate(runner.program(), dev.config());
  std::cout << "estimate: " << e.cycles << " cycles, " << e.mac_cycles << " MAC cycles, "
            << e.load_bytes << " bytes loaded, " << e.store_bytes << " bytes stored\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tessera: run quantized ONNX CNNs on the Tessera int8 accelerator"};
  app.require_subcommand(1);
  RunOpts ro;
  auto* run = app.add_subcommand("run", "classify images with a model");
  run->add_option("model", ro.model, "ONNX model (QDQ or QOperator int8)")->required();
  run->add_option("images", ro.images, "image files (any format OpenCV reads)")->required();
  run->add_option("--backend", ro.backend, "rtl (verilated RTL), isa (golden model) or ref")
      ->capture_default_str();
  run->add_option("--dim", ro.dim, "PE array size N (N x N)")->capture_default_str();
  run->add_option("--fst", ro.fst, "FST waveform of the RTL run");
  run->add_option("--json", ro.json, "also write the results as JSON");
  run->add_option("--top-k", ro.top_k, "classes to print per image")
      ->capture_default_str()->check(CLI::PositiveNumber);
  run->add_flag("--check", ro.check,
                "also run the golden model and the reference; fail unless all agree bit for bit");
  run->add_flag("!--no-layer-cycles", ro.layer_cycles,
                "rtl: skip the per-layer prefix runs (e.g. to keep an --fst trace short)");
  run->add_option("--scale", ro.pre.scale, "pixel scale: x = (pixel * scale - mean) / std")
      ->capture_default_str();
  run->add_option("--mean", ro.pre.mean, "per-channel mean (R G B)");
  run->add_option("--std", ro.pre.std, "per-channel std (R G B)");
  std::string cmodel;
  unsigned cdim = TESSERA_DEFAULT_DIM;
  auto* comp = app.add_subcommand("compile", "print the command stream and the memory plan");
  comp->add_option("model", cmodel, "ONNX model")->required();
  comp->add_option("--dim", cdim, "PE array size N (N x N)")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 1;
  }
  try {
    if (*run) return cmd_run(ro);
    return cmd_compile(cmodel, cdim);
  } catch (const std::exception& e) {
    std::cerr << "tessera: error: " << e.what() << "\n";
    return 1;
  }
}
