// `tessera`: runs or compiles a quantized ONNX model on the Tessera accelerator (RTL simulation),
// its golden model or the layer-level reference. Only option parsing and output live here; the
// logic is in tessera_cli (tessera/cli/cli.hpp). Exit codes: 0 ok, 1 bad input or error,
// 2 `--check` found a difference between the backends.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "tessera/cli/cli.hpp"
#include "tessera/cli/eval.hpp"
#include "tessera/isa_device.hpp"
#include "tessera/mmio_device.hpp"
#include "tessera/uart_device.hpp"
#ifdef TESSERA_HAVE_RTL
#include "tessera/rtl_device.hpp"
#endif

using namespace tessera;

namespace {

// Host-side limit of one device run (--timeout); the RTL simulation of a big network takes minutes.
std::chrono::milliseconds run_timeout(double seconds) {
  return std::chrono::milliseconds(int64_t(seconds * 1000.0));
}

struct RunOpts {
  std::string model;
  std::vector<std::string> images;
  std::string backend = "rtl";
  unsigned dim = TESSERA_DEFAULT_DIM;
  std::string fst, json;
  int top_k = 5;
  bool check = false;
  bool layer_cycles = true;
  bool convert_channels = false;
  double clock_mhz = 100;
  double timeout_s = 1800;
  cli::Preprocess pre;
  MmioOptions mmio;
  UartOptions uart;
  std::vector<std::string> calibrate;  // float models: calibration images / directories
};

struct EvalOpts {
  std::string model, dataset;
  std::string backend = "rtl";
  unsigned dim = TESSERA_DEFAULT_DIM;
  std::string json;
  size_t limit = 0;
  bool check = false;
  bool convert_channels = false;
  double timeout_s = 1800;
  cli::Preprocess pre;
  MmioOptions mmio;
  UartOptions uart;
  std::vector<std::string> calibrate;  // float models: calibration images / directories
};

const char* const kBackends = "rtl, isa, ref, mmio or uart";

// Hardware reports its array size; --dim must agree (it sizes the report and the golden model).
std::unique_ptr<Device> check_dim(std::unique_ptr<Device> d, unsigned dim) {
  if (d->config().array_dim != dim)
    throw std::runtime_error(d->name() + " has a " + std::to_string(d->config().array_dim) + "x" +
                             std::to_string(d->config().array_dim) + " array, not --dim " +
                             std::to_string(dim));
  return d;
}

std::unique_ptr<Device> make_device(const std::string& backend, unsigned dim,
                                    const std::string& fst, const MmioOptions& mmio,
                                    const UartOptions& uart) {
  if (backend == "isa") return std::make_unique<IsaDevice>(default_config(dim));
  if (backend == "mmio") return check_dim(open_mmio(mmio), dim);
  if (backend == "uart") return check_dim(open_uart(uart), dim);
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
  throw std::runtime_error("--backend '" + backend + "': unknown (use " + kBackends + ")");
}

std::string label(int idx, const std::vector<std::string>& names) {
  return idx < int(names.size()) ? names[idx] + " (" + std::to_string(idx) + ")"
                                 : "class " + std::to_string(idx);
}

bool mmio_given(const MmioOptions& m) {
  return !m.uio.empty() || m.devmem_regs || !m.dma_path.empty() || m.dma_phys || m.dma_size;
}

void check_backend(const std::string& backend, const MmioOptions& mmio, const UartOptions& uart) {
  if (backend != "rtl" && backend != "isa" && backend != "ref" && backend != "mmio" &&
      backend != "uart")
    throw std::runtime_error("--backend '" + backend + "': unknown (use " + kBackends + ")");
  if (backend != "mmio" && mmio_given(mmio))
    throw std::runtime_error("--uio / --devmem / --dma-*: need --backend mmio");
  if (backend != "uart" && (!uart.port.empty() || uart.baud != kUartDefaultBaud))
    throw std::runtime_error("--serial / --baud: need --backend uart");
  if (backend == "uart" && uart.port.empty())
    throw std::runtime_error("--backend uart needs --serial PATH (the board's serial port, e.g. "
                             "/dev/ttyUSB0)");
}

// The host timeout; for --backend mmio where the registers and the DMA window are, for
// --backend uart the serial port.
void add_device_options(CLI::App* app, MmioOptions& m, UartOptions& u, double& timeout_s) {
  app->add_option("--timeout", timeout_s, "seconds one device run may take")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--uio", m.uio, "mmio: UIO device (map 0 registers, map 1 DMA window)");
  app->add_option("--devmem", m.devmem_regs,
                  "mmio: physical address of the registers, mapped through /dev/mem");
  app->add_option("--mem-dev", m.devmem_path, "mmio: the file --devmem maps")
      ->capture_default_str();
  app->add_option("--dma-buf", m.dma_path,
                  "mmio: file holding the DMA window (e.g. /dev/udmabuf0); default: UIO map 1, "
                  "or /dev/mem at --dma-phys");
  app->add_option("--dma-offset", m.dma_offset, "mmio: offset of the window in --dma-buf");
  app->add_option("--dma-phys", m.dma_phys, "mmio: bus address of the DMA window");
  app->add_option("--dma-size", m.dma_size, "mmio: bytes in the DMA window");
  app->add_option("--serial", u.port,
                  "uart: serial port of a board with the UART bridge (e.g. /dev/ttyUSB0)");
  app->add_option("--baud", u.baud, "uart: baud rate of --serial")
      ->capture_default_str()->check(CLI::PositiveNumber);
}

void write_json(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!(f << text)) throw std::runtime_error("--json '" + path + "': cannot write it");
}

int cmd_run(const RunOpts& o) {
  check_backend(o.backend, o.mmio, o.uart);
  const auto timeout = run_timeout(o.timeout_s);
  if (o.backend != "rtl" && !o.fst.empty())
    throw std::runtime_error("--fst needs --backend rtl");
  onnx::Network net = cli::load_model(o.model, o.calibrate, o.pre, o.convert_channels);
  const std::vector<std::string> names = cli::read_class_names(o.model);
  const onnx::Value& in = cli::image_input(net);
  const int H = int(in.dims[2]), W = int(in.dims[3]);

  // Load every image first so that a bad file fails before any simulation.
  std::vector<cli::RgbImage> imgs;
  for (const auto& p : o.images) {
    imgs.push_back(cli::load_image(p, H, W));
    cli::check_channels(imgs.back(), in, p, o.convert_channels);
  }

  std::unique_ptr<Device> dev, golden;
  std::unique_ptr<onnx::NetworkRunner> runner, golden_runner;
  if (o.backend != "ref") {
    dev = make_device(o.backend, o.dim, o.fst, o.mmio, o.uart);
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
  cli::Perf first_perf;  // image 0's, with the per-layer prefix runs
  for (size_t i = 0; i < imgs.size(); ++i) {
    onnx::TensorMap inputs{{in.name, cli::preprocess(imgs[i], in, o.pre)}};
    onnx::TensorMap out =
        runner ? runner->run_all(inputs, timeout) : onnx::run_reference_all(net, inputs);
    const onnx::Tensor& y = out.at(net.values[net.outputs.at(0)].name);
    std::cout << "\n" << o.images[i] << ":\n";
    const auto top = cli::top_k(y, o.top_k);
    for (const auto& [idx, v] : top)
      std::cout << "  " << std::setw(24) << std::left << label(idx, names) << std::right << " "
                << std::setprecision(6) << v << "\n";
    cli::Perf perf;
    perf.array_dim = o.dim;
    perf.clock_mhz = o.clock_mhz;
    if (runner) {
      const RunResult& r = runner->last_result();
      perf.mac_active = r.counter(isa::Counter::kMacActive);
      perf.dma_rd_bytes = r.counter(isa::Counter::kDmaRdBytes);
      perf.dma_wr_bytes = r.counter(isa::Counter::kDmaWrBytes);
      perf.cycles = r.counter(isa::Counter::kCycles);
      perf.measured = perf.cycles != 0;
      if (!perf.measured) perf.cycles = estimate(runner->program(), dev->config()).cycles;
      if (i == 0 && o.layer_cycles) {  // once: every image runs the same commands
        perf.layers = cli::measure_layer_cycles(*dev, runner->program(), timeout);
        first_perf = perf;
      }
      std::cout << cli::format_perf(runner->layers(), perf, i == 0);
    }
    std::optional<bool> agree;
    if (o.check) {
      std::vector<std::pair<std::string, onnx::TensorMap>> runs;
      runs.emplace_back(o.backend == "ref" ? "reference" : o.backend, out);
      if (golden_runner)
        runs.emplace_back("golden model", golden_runner->run_all(inputs, timeout));
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
           << (perf.measured ? "true" : "false") << ", \"macs\": " << net.macs()
           << ", \"dma_rd_bytes\": " << perf.dma_rd_bytes
           << ", \"dma_wr_bytes\": " << perf.dma_wr_bytes;
    if (agree) json << ", \"check\": " << (*agree ? "true" : "false");
    json << "}";
  }
  json << "\n  ]";
  if (runner) json << ",\n  \"perf\": " << cli::perf_json(runner->layers(), first_perf, "  ");
  json << "\n}\n";
  if (!o.json.empty()) write_json(o.json, json.str());
  if (o.check) std::cout << "\ncheck: " << (all_agree ? "PASS" : "FAIL") << "\n";
  return all_agree ? 0 : 2;
}

int cmd_eval(const EvalOpts& o) {
  check_backend(o.backend, o.mmio, o.uart);
  if (o.check && o.backend == "ref")
    throw std::runtime_error("--check compares a device backend with the reference: use "
                             "--backend rtl, isa, mmio or uart");
  onnx::Network net = cli::load_model(o.model, o.calibrate, o.pre, o.convert_channels);
  const std::vector<std::string> names = cli::read_class_names(o.model);
  const onnx::Value& in = cli::image_input(net);
  cli::Dataset d =
      cli::load_dataset(o.dataset, int(in.dims[2]), int(in.dims[3]), o.limit, names);
  if (d.class_names.empty()) d.class_names = names;

  std::unique_ptr<Device> dev, golden;
  std::unique_ptr<onnx::NetworkRunner> runner, golden_runner;
  if (o.backend != "ref") {
    dev = make_device(o.backend, o.dim, "", o.mmio, o.uart);
    runner = std::make_unique<onnx::NetworkRunner>(net, *dev);  // compiled once for every image
  }
  if (o.check && o.backend != "isa") {  // rtl, mmio, uart: also the golden model
    golden = std::make_unique<IsaDevice>(dev->config());
    golden_runner = std::make_unique<onnx::NetworkRunner>(net, *golden);
  }
  const std::string backend = dev ? dev->name() : std::string("reference");
  std::cout << "model " << o.model << ": " << net.ops.size() << " ops, " << net.macs()
            << " MACs; backend " << backend << ", array " << o.dim << "x" << o.dim << "\n";

  cli::Progress progress(&std::cerr, d.items.size(), isatty(STDERR_FILENO) != 0);
  cli::EvalSetup s;
  s.net = &net;
  s.runner = runner.get();
  s.backend = o.backend;
  s.golden = golden_runner.get();
  s.check = o.check;
  s.pre = o.pre;
  s.convert_channels = o.convert_channels;
  s.timeout = run_timeout(o.timeout_s);
  s.progress = &progress;
  const cli::EvalResult r = cli::evaluate(s, d);
  std::cout << cli::format_eval(r, d, backend, net.macs(), o.dim);
  if (!o.json.empty())
    write_json(o.json, cli::eval_json(r, d, o.model, backend, net.macs(), o.dim));
  return r.disagreements.empty() ? 0 : 2;
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
  run->add_option("--backend", ro.backend,
                  "rtl (verilated RTL), isa (golden model), ref (reference), mmio or uart "
                 "(hardware)")
      ->capture_default_str();
  add_device_options(run, ro.mmio, ro.uart, ro.timeout_s);
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
  run->add_option("--clock-mhz", ro.clock_mhz, "clock for the time columns (cycles / MHz)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  run->add_flag("--convert-channels", ro.convert_channels,
                "accept images whose channel count differs from the model's (gray is replicated "
                "to R, G, B; R, G, B are averaged for a 1-channel model)");
  run->add_option("--calibrate", ro.calibrate,
                  "float model: quantize it, calibrated on these images (files or directories)");
  EvalOpts eo;
  auto* ev = app.add_subcommand("eval", "top-1 / top-5 accuracy over a labelled dataset");
  ev->add_option("model", eo.model, "ONNX model (QDQ or QOperator int8)")->required();
  ev->add_option("--dataset", eo.dataset,
                 "directory with t10k-images-idx3-ubyte[.gz] + t10k-labels-idx1-ubyte[.gz], or "
                 "one subfolder of images per class")
      ->required();
  ev->add_option("--limit", eo.limit, "evaluate the first N images only (0: all)")
      ->capture_default_str();
  ev->add_option("--backend", eo.backend,
                 "rtl (verilated RTL), isa (golden model), ref (reference), mmio or uart "
                 "(hardware)")
      ->capture_default_str();
  add_device_options(ev, eo.mmio, eo.uart, eo.timeout_s);
  ev->add_option("--dim", eo.dim, "PE array size N (N x N)")->capture_default_str();
  ev->add_option("--json", eo.json, "also write the results as JSON");
  ev->add_flag("--check", eo.check,
               "compare every value with the golden model and the reference per image; exit 2 "
               "on any difference");
  ev->add_flag("--convert-channels", eo.convert_channels,
               "accept images whose channel count differs from the model's (see run)");
  ev->add_option("--scale", eo.pre.scale, "pixel scale: x = (pixel * scale - mean) / std")
      ->capture_default_str();
  ev->add_option("--mean", eo.pre.mean, "per-channel mean (R G B)");
  ev->add_option("--std", eo.pre.std, "per-channel std (R G B)");
  ev->add_option("--calibrate", eo.calibrate,
                 "float model: quantize it, calibrated on these images (files or directories)");
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
    if (*ev) return cmd_eval(eo);
    return cmd_compile(cmodel, cdim);
  } catch (const std::exception& e) {
    std::cerr << "tessera: error: " << e.what() << "\n";
    return 1;
  }
}
