// The `tessera` tool's logic (see tessera/cli/cli.hpp).
#include "tessera/cli/cli.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tessera/onnx/quantize.hpp"

namespace tessera::cli {

RgbImage load_image(const std::string& path, int h, int w) {
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw std::runtime_error("image '" + path + "': cannot open the file");
  probe.close();
  // IMREAD_ANYCOLOR keeps gray files single-channel, so a channel mismatch with the model can be
  // reported instead of silently converted; depth is still converted to 8 bits, alpha dropped.
  cv::Mat m = cv::imread(path, cv::IMREAD_ANYCOLOR);
  if (m.empty()) throw std::runtime_error("image '" + path + "': cannot decode it (not an image?)");
  RgbImage img;
  img.channels = m.channels() == 1 ? 1 : 3;
  cv::Mat rgb;
  cv::cvtColor(m, rgb, img.channels == 1 ? cv::COLOR_GRAY2RGB : cv::COLOR_BGR2RGB);
  img.h = rgb.rows;
  img.w = rgb.cols;
  img.rgb.resize(size_t(img.h) * img.w * 3);
  for (int y = 0; y < img.h; ++y)
    std::memcpy(&img.rgb[size_t(y) * img.w * 3], rgb.ptr<uint8_t>(y), size_t(img.w) * 3);
  return resize_image(img, h, w);
}

RgbImage resize_image(const RgbImage& img, int h, int w) {
  if (img.h == h && img.w == w) return img;
  cv::Mat src(img.h, img.w, CV_8UC3, const_cast<uint8_t*>(img.rgb.data()));
  cv::Mat r;
  const bool shrink = img.h > h || img.w > w;
  cv::resize(src, r, cv::Size(w, h), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  RgbImage out;
  out.h = h;
  out.w = w;
  out.channels = img.channels;
  out.rgb.resize(size_t(h) * w * 3);
  for (int y = 0; y < h; ++y)
    std::memcpy(&out.rgb[size_t(y) * w * 3], r.ptr<uint8_t>(y), size_t(w) * 3);
  return out;
}

void check_channels(const RgbImage& img, const onnx::Value& input, const std::string& source,
                    bool convert) {
  const int want = int(input.dims.at(1));
  if (img.channels == want || convert) return;
  auto what = [](int c) {
    return c == 1 ? std::string("1 channel (grayscale)") : std::to_string(c) + " channels (colour)";
  };
  throw std::runtime_error("image '" + source + "' has " + what(img.channels) + ", model input '" +
                           input.name + "' wants " + what(want) +
                           " (--convert-channels: replicate gray / average R, G, B)");
}

const onnx::Value& image_input(const onnx::Network& net) {
  if (net.inputs.size() != 1)
    throw std::runtime_error("model '" + net.source + "': expected one image input, it has " +
                             std::to_string(net.inputs.size()));
  const onnx::Value& v = net.values.at(net.inputs[0]);
  if (v.dims.size() != 4 || v.dims[0] != 1 || (v.dims[1] != 1 && v.dims[1] != 3))
    throw std::runtime_error("model '" + net.source + "': input '" + v.name +
                             "' is not an image [1, 1 or 3, H, W]");
  return v;
}

onnx::Tensor preprocess(const RgbImage& img, const onnx::Value& input, const Preprocess& p) {
  const int C = int(input.dims[1]), H = int(input.dims[2]), W = int(input.dims[3]);
  if (img.h != H || img.w != W || img.rgb.size() != size_t(H) * W * 3)
    throw std::invalid_argument("preprocess: image is " + std::to_string(img.h) + "x" +
                                std::to_string(img.w) + ", the model wants " +
                                std::to_string(H) + "x" + std::to_string(W));
  onnx::Tensor t;
  t.name = input.name;
  t.type = input.type;
  t.dims = input.dims;
  const size_t n = size_t(C) * H * W;
  std::vector<float> x(n);
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int xx = 0; xx < W; ++xx) {
        const uint8_t* px = &img.rgb[(size_t(y) * W + xx) * 3];
        float v;
        if (C == 3) {
          v = (float(px[c]) * p.scale - p.mean[c]) / p.std[c];
        } else {
          const float g = (float(px[0]) + float(px[1]) + float(px[2])) / 3.0f;
          v = (g * p.scale - p.mean[0]) / p.std[0];
        }
        x[(size_t(c) * H + y) * W + xx] = v;
      }
  if (t.is_float()) {
    t.f = std::move(x);
    return t;
  }
  int64_t lo = 0, hi = 255;
  if (t.type == onnx::ElemType::kInt8) lo = -128, hi = 127;
  else if (t.type != onnx::ElemType::kUint8)
    throw std::runtime_error("model input '" + input.name + "' has type " +
                             onnx::elem_type_name(t.type) + "; images need float, uint8 or int8");
  t.i.resize(n);
  for (size_t k = 0; k < n; ++k) {
    double q;
    if (input.quantized)  // as ONNX QuantizeLinear: float32 division, round half to even
      q = double(std::nearbyint(x[k] / input.scale)) + input.zero_point;
    else
      q = std::nearbyint(x[k] / p.scale * 1.0f);  // raw pixel values
    t.i[k] = std::clamp<int64_t>(int64_t(q), lo, hi);
  }
  return t;
}

std::vector<std::pair<int, double>> top_k(const onnx::Tensor& t, int k) {
  std::vector<int> idx(t.numel());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return t.value(a) > t.value(b); });
  std::vector<std::pair<int, double>> r;
  for (int j = 0; j < k && j < int(idx.size()); ++j) r.emplace_back(idx[j], t.value(idx[j]));
  return r;
}

std::vector<std::string> read_class_names(const std::string& model_path) {
  std::ifstream f(model_path, std::ios::binary);
  if (!f) throw std::runtime_error("model '" + model_path + "': cannot open the file");
  ::onnx::ModelProto m;
  if (!m.ParseFromIstream(&f))
    throw std::runtime_error("model '" + model_path + "': not a valid ONNX model");
  std::vector<std::string> names;
  for (const auto& kv : m.metadata_props()) {
    if (kv.key() != "class_names") continue;
    std::stringstream ss(kv.value());
    std::string s;
    while (std::getline(ss, s, ',')) names.push_back(s);
  }
  return names;
}

namespace {
std::string elem_str(const onnx::Tensor& t, size_t k) {
  std::ostringstream os;
  if (t.is_float()) os << std::setprecision(9) << t.f[k];
  else os << t.i[k];
  return os.str();
}
}  // namespace

std::vector<std::string> compare_runs(const onnx::TensorMap& a, const onnx::TensorMap& b) {
  std::vector<std::string> diffs;
  for (const auto& [name, ta] : a) {
    auto it = b.find(name);
    if (it == b.end()) {
      diffs.push_back("'" + name + "': missing in the second run");
      continue;
    }
    const onnx::Tensor& tb = it->second;
    if (ta.type != tb.type || ta.dims != tb.dims) {
      diffs.push_back("'" + name + "': type or shape differs");
      continue;
    }
    size_t n = 0, first = 0;
    for (size_t k = 0; k < ta.numel(); ++k) {
      const bool same = ta.is_float() ? std::memcmp(&ta.f[k], &tb.f[k], sizeof(float)) == 0
                                      : ta.i[k] == tb.i[k];
      if (!same && n++ == 0) first = k;
    }
    if (n)
      diffs.push_back("'" + name + "': " + std::to_string(n) + " of " +
                      std::to_string(ta.numel()) + " elements differ, first at " +
                      std::to_string(first) + ": " + elem_str(ta, first) + " vs " +
                      elem_str(tb, first));
  }
  for (const auto& [name, tb] : b)
    if (!a.count(name)) diffs.push_back("'" + name + "': missing in the first run");
  return diffs;
}

namespace {
void write_cmd(Device& dev, const Program& prog, size_t i, const isa::Command& c) {
  uint8_t b[isa::kCmdBytes];
  for (unsigned w = 0; w < isa::kCmdBytes / 4; ++w)
    for (unsigned k = 0; k < 4; ++k) b[w * 4 + k] = uint8_t(c[w] >> (8 * k));
  dev.write(uint32_t(prog.cmd_addr + i * isa::kCmdBytes), b, sizeof b);
}
}  // namespace

std::vector<LayerCycles> measure_layer_cycles(Device& dev, const Program& prog,
                                              std::chrono::milliseconds timeout) {
  std::vector<LayerCycles> r;
  if (prog.cmds.empty()) return r;
  const isa::Command finish = prog.cmds.back();
  LayerCycles prev;
  for (const LayerInfo& l : prog.layers) {
    const size_t end = size_t(l.last_cmd) + 1;  // FINISH goes here
    if (end >= prog.cmds.size()) throw std::runtime_error("layer '" + l.name + "': bad range");
    write_cmd(dev, prog, end, finish);
    RunResult res;
    try {
      res = dev.run(prog.cmd_addr, uint32_t(end + 1), timeout);
    } catch (...) {
      write_cmd(dev, prog, end, prog.cmds[end]);
      throw;
    }
    write_cmd(dev, prog, end, prog.cmds[end]);
    if (!res.ok())
      throw std::runtime_error(dev.name() + ": prefix run through layer '" + l.name +
                               "' did not finish: " + res.describe());
    const LayerCycles cum{res.counter(isa::Counter::kCycles),
                          res.counter(isa::Counter::kMacActive),
                          res.counter(isa::Counter::kDmaRdBytes),
                          res.counter(isa::Counter::kDmaWrBytes)};
    auto delta = [](uint64_t now, uint64_t before) { return now - std::min(now, before); };
    r.push_back({delta(cum.cycles, prev.cycles), delta(cum.mac_active, prev.mac_active),
                 delta(cum.dma_rd_bytes, prev.dma_rd_bytes),
                 delta(cum.dma_wr_bytes, prev.dma_wr_bytes)});
    prev = cum;
  }
  return r;
}

namespace {
std::string percent(double num, double den) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << (den > 0 ? 100.0 * num / den : 0.0) << "%";
  return o.str();
}

std::string micros(uint64_t cycles, double mhz) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << (mhz > 0 ? double(cycles) / mhz : 0.0);
  return o.str();
}

uint64_t total_macs(const std::vector<LayerInfo>& layers) {
  uint64_t m = 0;
  for (const auto& l : layers) m += l.macs;
  return m;
}
}  // namespace

std::string format_perf(const std::vector<LayerInfo>& layers, const Perf& perf,
                        bool with_table) {
  const uint64_t pes = uint64_t(perf.array_dim) * perf.array_dim;
  const bool per_layer = perf.layers.size() == layers.size() && !layers.empty();
  const bool layer_cycles = per_layer && perf.measured;
  std::ostringstream os;
  size_t wname = 5;
  for (const auto& l : layers) wname = std::max(wname, l.name.size());
  const uint64_t macs = total_macs(layers);
  if (with_table) {
    os << "  " << std::left << std::setw(int(wname)) << "layer" << std::right << std::setw(10)
       << "MACs" << std::setw(6) << "cmds" << std::setw(9) << "ideal";
    if (layer_cycles) os << std::setw(9) << "cycles" << std::setw(9) << "MAC util" << std::setw(9)
                         << "time us";
    if (per_layer) os << std::setw(10) << "DMA rd B" << std::setw(10) << "DMA wr B";
    os << "  plan\n";
    for (size_t k = 0; k < layers.size(); ++k) {
      const LayerInfo& l = layers[k];
      os << "  " << std::left << std::setw(int(wname)) << l.name << std::right << std::setw(10)
         << l.macs << std::setw(6) << (l.last_cmd - l.first_cmd + 1) << std::setw(9)
         << (pes ? (l.macs + pes - 1) / pes : 0);
      if (layer_cycles) {
        const LayerCycles& c = perf.layers[k];
        os << std::setw(9) << c.cycles << std::setw(9)
           << (l.macs ? percent(double(l.macs), double(pes) * double(c.cycles)) : "-")
           << std::setw(9) << micros(c.cycles, perf.clock_mhz);
      }
      if (per_layer)
        os << std::setw(10) << perf.layers[k].dma_rd_bytes << std::setw(10)
           << perf.layers[k].dma_wr_bytes;
      os << "  " << l.plan << "\n";
    }
    os << "  (ideal = MACs / " << pes << " PEs; MAC util = useful MACs / (PEs x cycles); ";
    if (layer_cycles)
      os << "time at " << perf.clock_mhz << " MHz; layer cycles and DMA bytes measured by prefix "
            "runs: counters through the layer minus through the previous one)\n";
    else if (per_layer)
      os << "DMA bytes by prefix runs; per-layer cycles not measured: the backend has no cycle "
            "counter)\n";
    else
      os << "per-layer cycles not measured: the whole network runs as one program)\n";
  }
  os << "  network: " << macs << " MACs, " << perf.cycles << " cycles ("
     << (perf.measured ? "measured, CYCLES counter" : "tessera::estimate, not measured") << ")";
  if (perf.cycles && perf.clock_mhz > 0)
    os << ", " << micros(perf.cycles, perf.clock_mhz) << " us at " << perf.clock_mhz << " MHz";
  if (perf.cycles && pes) {
    os << ", MAC utilization " << percent(double(macs), double(pes) * double(perf.cycles));
    if (perf.mac_active)
      os << ", MAC_ACTIVE " << perf.mac_active << " ("
         << percent(double(perf.mac_active), double(perf.cycles)) << " of cycles)";
  }
  if (perf.dma_rd_bytes || perf.dma_wr_bytes)
    os << ", DMA " << perf.dma_rd_bytes << " B read / " << perf.dma_wr_bytes << " B written";
  os << "\n";
  return os.str();
}

std::string perf_json(const std::vector<LayerInfo>& layers, const Perf& perf,
                      const std::string& indent) {
  const double pes = double(perf.array_dim) * perf.array_dim;
  const bool per_layer = perf.layers.size() == layers.size();
  auto util = [&](uint64_t macs, uint64_t cycles) {
    return cycles && pes > 0 ? double(macs) / (pes * double(cycles)) : 0.0;
  };
  auto time_us = [&](uint64_t cycles) {
    return perf.clock_mhz > 0 ? double(cycles) / perf.clock_mhz : 0.0;
  };
  const uint64_t macs = total_macs(layers);
  std::ostringstream os;
  os << std::setprecision(9);
  const std::string i1 = indent + "  ", i2 = indent + "    ";
  os << "{\n" << i1 << "\"clock_mhz\": " << perf.clock_mhz << ",\n"
     << i1 << "\"cycles_measured\": " << (perf.measured ? "true" : "false") << ",\n"
     << i1 << "\"network\": {\"macs\": " << macs << ", \"cycles\": " << perf.cycles
     << ", \"mac_utilization\": " << util(macs, perf.cycles)
     << ", \"time_us\": " << time_us(perf.cycles) << ", \"dma_rd_bytes\": " << perf.dma_rd_bytes
     << ", \"dma_wr_bytes\": " << perf.dma_wr_bytes << "},\n"
     << i1 << "\"layers\": [";
  for (size_t k = 0; per_layer && k < layers.size(); ++k) {
    const LayerInfo& l = layers[k];
    const LayerCycles& c = perf.layers[k];
    os << (k ? "," : "") << "\n" << i2 << "{\"name\": " << json_string(l.name)
       << ", \"macs\": " << l.macs << ", \"commands\": " << (l.last_cmd - l.first_cmd + 1)
       << ", \"ideal_cycles\": "
       << (pes > 0 ? (l.macs + uint64_t(pes) - 1) / uint64_t(pes) : 0)
       << ", \"dma_rd_bytes\": " << c.dma_rd_bytes << ", \"dma_wr_bytes\": " << c.dma_wr_bytes;
    if (perf.measured)
      os << ", \"cycles\": " << c.cycles << ", \"mac_utilization\": " << util(l.macs, c.cycles)
         << ", \"time_us\": " << time_us(c.cycles);
    os << "}";
  }
  os << (per_layer && !layers.empty() ? "\n" + i1 : "") << "]\n" << indent << "}";
  return os.str();
}

std::string format_memory_plan(const onnx::Network& net, const onnx::NetworkRunner& runner) {
  const Program& p = runner.program();
  std::ostringstream os;
  auto hex = [](uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%08llx", static_cast<unsigned long long>(v));
    return std::string(b);
  };
  os << "memory plan:\n";
  os << "  commands   " << hex(p.cmd_addr) << "  " << p.cmds.size() << " x "
     << sizeof(isa::Command) << " bytes\n";
  size_t cbytes = 0;
  for (const auto& b : p.constants) cbytes += b.bytes.size();
  os << "  constants  " << p.constants.size() << " blobs, " << cbytes << " bytes";
  if (!p.constants.empty()) {
    uint64_t lo = p.constants.front().addr, hi = 0;
    for (const auto& b : p.constants) {
      lo = std::min<uint64_t>(lo, b.addr);
      hi = std::max<uint64_t>(hi, uint64_t(b.addr) + b.bytes.size());
    }
    os << " in [" << hex(lo) << ", " << hex(hi) << ")";
  }
  os << "\n  values (HWC, channels padded to cpad):\n";
  for (size_t v = 0; v < net.values.size(); ++v) {
    const auto& ts = runner.device_tensors(int(v));
    if (ts.empty()) continue;
    for (size_t b = 0; b < ts.size(); ++b) {
      const DeviceTensor& t = ts[b];
      os << "    " << hex(t.addr) << "  " << std::setw(8) << t.bytes() << " B  "
         << net.values[v].name << (ts.size() > 1 ? "[" + std::to_string(b) + "]" : "") << "  "
         << t.shape.h << "x" << t.shape.w << "x" << t.shape.c << " cpad " << t.cpad
         << (t.elem_bytes == 4 ? " int32" : t.is_signed ? " int8" : " uint8") << "\n";
    }
  }
  os << "  layers:\n";
  for (const auto& l : p.layers)
    os << "    " << l.name << ": commands " << l.first_cmd << ".." << l.last_cmd << ", "
       << l.macs << " MACs, " << l.plan << "\n";
  return os.str();
}

onnx::Network load_model(const std::string& model, const std::vector<std::string>& calibrate,
                         const Preprocess& pre, bool convert_channels) {
  if (calibrate.empty()) return onnx::import_onnx(model);
  if (!onnx::is_float_model(model))
    throw std::runtime_error("--calibrate: model '" + model +
                             "' is not a float model (it is quantized already)");
  const onnx::FloatModel fm = onnx::load_float_model(model);
  if (fm.inputs.size() != 1 || fm.inputs[0].dims.size() != 4 || fm.inputs[0].dims[0] != 1 ||
      (fm.inputs[0].dims[1] != 1 && fm.inputs[0].dims[1] != 3))
    throw std::runtime_error("model '" + model + "': --calibrate needs one image input [1, 1 or 3, H, W]");
  const onnx::Value& in = fm.inputs[0];
  static const std::set<std::string> kImageExt{".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm",
                                               ".pbm", ".tif", ".tiff", ".webp"};
  std::vector<std::string> files;
  for (const std::string& a : calibrate) {
    if (!std::filesystem::is_directory(a)) {
      files.push_back(a);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::recursive_directory_iterator(a)) {
      std::string ext = e.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
      if (e.is_regular_file() && kImageExt.count(ext)) found.push_back(e.path().string());
    }
    if (found.empty()) throw std::runtime_error("--calibrate: no image files under '" + a + "'");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  std::vector<onnx::TensorMap> calib;
  for (const std::string& f : files) {
    const RgbImage img = load_image(f, int(in.dims[2]), int(in.dims[3]));
    check_channels(img, in, f, convert_channels);
    calib.push_back({{in.name, preprocess(img, in, pre)}});
  }
  return onnx::quantize_float_model(fm, calib);
}

std::string json_string(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') r += '\\', r += char(c);
    else if (c == '\n') r += "\\n";
    else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      r += b;
    } else r += char(c);
  }
  return r + "\"";
}

}  // namespace tessera::cli
