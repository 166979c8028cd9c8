// The `tessera` tool's logic (see tessera/cli/cli.hpp).
#include "tessera/cli/cli.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace tessera::cli {

RgbImage load_image(const std::string& path, int h, int w) {
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw std::runtime_error("image '" + path + "': cannot open the file");
  probe.close();
  cv::Mat m = cv::imread(path, cv::IMREAD_COLOR);  // 8-bit BGR; gray and alpha are converted
  if (m.empty()) throw std::runtime_error("image '" + path + "': cannot decode it (not an image?)");
  cv::Mat rgb;
  cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB);
  if (rgb.rows != h || rgb.cols != w) {
    cv::Mat r;
    const bool shrink = rgb.rows > h || rgb.cols > w;
    cv::resize(rgb, r, cv::Size(w, h), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    rgb = r;
  }
  RgbImage img;
  img.h = h;
  img.w = w;
  img.rgb.resize(size_t(h) * w * 3);
  for (int y = 0; y < h; ++y)
    std::memcpy(&img.rgb[size_t(y) * w * 3], rgb.ptr<uint8_t>(y), size_t(w) * 3);
  return img;
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
    LayerCycles cum{res.counter(isa::Counter::kCycles), res.counter(isa::Counter::kMacActive)};
    r.push_back({cum.cycles - std::min(cum.cycles, prev.cycles),
                 cum.mac_active - std::min(cum.mac_active, prev.mac_active)});
    prev = cum;
  }
  return r;
}

std::string format_perf(const std::vector<LayerInfo>& layers, const Perf& perf,
                        bool with_table) {
  const uint64_t pes = uint64_t(perf.array_dim) * perf.array_dim;
  const bool per_layer = perf.layers.size() == layers.size() && !layers.empty();
  auto pct = [](double num, double den) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(1) << (den > 0 ? 100.0 * num / den : 0.0) << "%";
    return o.str();
  };
  std::ostringstream os;
  size_t wname = 5;
  for (const auto& l : layers) wname = std::max(wname, l.name.size());
  uint64_t macs = 0;
  for (const auto& l : layers) macs += l.macs;
  if (with_table) {
    os << "  " << std::left << std::setw(int(wname)) << "layer" << std::right << std::setw(10)
       << "MACs" << std::setw(6) << "cmds" << std::setw(9) << "ideal";
    if (per_layer) os << std::setw(9) << "cycles" << std::setw(9) << "MAC util";
    os << "  plan\n";
    for (size_t k = 0; k < layers.size(); ++k) {
      const LayerInfo& l = layers[k];
      os << "  " << std::left << std::setw(int(wname)) << l.name << std::right << std::setw(10)
         << l.macs << std::setw(6) << (l.last_cmd - l.first_cmd + 1) << std::setw(9)
         << (pes ? (l.macs + pes - 1) / pes : 0);
      if (per_layer)
        os << std::setw(9) << perf.layers[k].cycles << std::setw(9)
           << (l.macs ? pct(double(l.macs), double(pes) * double(perf.layers[k].cycles)) : "-");
      os << "  " << l.plan << "\n";
    }
    os << "  (ideal = MACs / " << pes << " PEs; MAC util = useful MACs / (PEs x cycles); ";
    if (per_layer)
      os << "layer cycles measured by prefix runs: CYCLES through the layer minus through the "
            "previous one)\n";
    else
      os << "per-layer cycles not measured: the whole network runs as one program)\n";
  }
  os << "  network: " << macs << " MACs, " << perf.cycles << " cycles ("
     << (perf.measured ? "measured, CYCLES counter" : "tessera::estimate, not measured") << ")";
  if (perf.cycles && pes) {
    os << ", MAC utilization " << pct(double(macs), double(pes) * double(perf.cycles));
    if (perf.mac_active)
      os << ", MAC_ACTIVE " << perf.mac_active << " ("
         << pct(double(perf.mac_active), double(perf.cycles)) << " of cycles)";
  }
  os << "\n";
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
