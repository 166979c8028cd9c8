// Agreement of Tessera with onnxruntime on a quantized model, shared by
// onnx_model_agreement_test.cpp and the tessera_onnx_agreement tool: the quantized logits a
// device computes are compared with onnxruntime's, saved by the script that wrote the model
// (scripts/make_ort_reference.py format: "<image file> <q_0> ... <q_n-1>" per line). Every
// device run can also be compared bit for bit with run_reference on every value.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/cli/cli.hpp"
#include "tessera/onnx/runner.hpp"

namespace tessera::onnx::test {

inline std::vector<int8_t> read_int8_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return std::vector<int8_t>(b.begin(), b.end());
}

/// The quantized tensor behind the first graph output: walks back over the host post-ops
/// (Softmax, DequantizeLinear).
inline int quantized_output(const Network& net) {
  int v = net.outputs.at(0);
  for (bool moved = true; moved;) {
    moved = false;
    for (const Op& op : net.ops)
      if (op.output == v && !net.is_device_op(op) && op.kind != OpKind::kQuantize) {
        v = op.inputs[0];
        moved = true;
      }
  }
  if (!net.values[v].quantized)
    throw std::runtime_error(net.source + ": the output is not a dequantized quantized tensor");
  return v;
}

/// First index of the largest element (numpy's argmax).
template <class T>
int argmax(const std::vector<T>& v) {
  return int(std::max_element(v.begin(), v.end()) - v.begin());
}

struct Agreement {
  size_t images = 0, identical = 0, top1_same = 0, correct = 0, labelled = 0;
  size_t elements = 0, elements_differ = 0;
  int64_t max_lsb = 0;

  /// One image: ours vs onnxruntime's quantized logits; label < 0: unlabelled.
  void add(const std::vector<int64_t>& ours, const std::vector<int64_t>& ort, int label) {
    if (ours.size() != ort.size())
      throw std::runtime_error("logit counts differ: " + std::to_string(ours.size()) + " vs " +
                               std::to_string(ort.size()));
    ++images;
    int64_t worst = 0;
    for (size_t k = 0; k < ours.size(); ++k) {
      const int64_t d = std::abs(ours[k] - ort[k]);
      worst = std::max(worst, d);
      elements_differ += d != 0;
    }
    elements += ours.size();
    identical += worst == 0;
    max_lsb = std::max(max_lsb, worst);
    top1_same += argmax(ours) == argmax(ort);
    if (label >= 0) {
      ++labelled;
      correct += argmax(ours) == label;
    }
  }
  std::string report(const std::string& what) const {
    std::ostringstream os;
    os << what << ": " << images << " images, identical outputs " << identical << " ("
       << 100.0 * double(identical) / double(std::max<size_t>(images, 1))
       << "%), elements differing " << elements_differ << " of " << elements << ", max diff "
       << max_lsb << " LSB, same top-1 " << top1_same << "/" << images;
    if (labelled)
      os << ", top-1 accuracy " << 100.0 * double(correct) / double(labelled) << "%";
    return os.str();
  }
};

/// One input through a device: its quantized logits and, with check_reference, the differences
/// of every value from run_reference (empty = bit-exact).
struct CheckedRun {
  std::vector<int64_t> logits;
  std::vector<std::string> reference_diffs;
};
inline CheckedRun run_checked(const Network& net, NetworkRunner& runner, const Tensor& input,
                              bool check_reference) {
  const TensorMap in{{net.values[net.inputs.at(0)].name, input}};
  const TensorMap dev = runner.run_all(in, std::chrono::minutes(10));
  CheckedRun r;
  r.logits = dev.at(net.values[quantized_output(net)].name).i;
  if (check_reference) r.reference_diffs = cli::compare_runs(dev, run_reference_all(net, in));
  return r;
}

/// onnxruntime's logits of image files (scripts/make_ort_reference.py).
struct OrtImageRef {
  std::string file;
  std::vector<int64_t> logits;
};
inline std::vector<OrtImageRef> read_ort_reference(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::vector<OrtImageRef> refs;
  int lineno = 0;
  for (std::string line; std::getline(f, line);) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    OrtImageRef r;
    ls >> r.file;
    for (int v; ls >> v;) {
      if (v < -128 || v > 255) throw std::runtime_error(path + ":" + std::to_string(lineno) +
                                                        ": value " + std::to_string(v) +
                                                        " is not 8-bit");
      r.logits.push_back(v);
    }
    if (!ls.eof() || r.logits.empty())
      throw std::runtime_error(path + ":" + std::to_string(lineno) +
                               ": expected '<file> <logit>...'");
    refs.push_back(std::move(r));
  }
  if (refs.empty()) throw std::runtime_error(path + ": no images listed");
  return refs;
}

/// Every image of `refs` (files in image_dir, read and preprocessed as `tessera run` does)
/// through `runner`. Reference differences are appended to *diffs as "<file>: <diff>".
inline Agreement image_agreement(const Network& net, NetworkRunner& runner,
                                 const std::vector<OrtImageRef>& refs,
                                 const std::string& image_dir, bool check_reference,
                                 std::vector<std::string>* diffs) {
  const Value& input = cli::image_input(net);
  Agreement a;
  for (const OrtImageRef& r : refs) {
    const std::string path = image_dir + "/" + r.file;
    const cli::RgbImage img = cli::load_image(path, int(input.dims[2]), int(input.dims[3]));
    const CheckedRun run =
        run_checked(net, runner, cli::preprocess(img, input, cli::Preprocess{}), check_reference);
    for (const std::string& d : run.reference_diffs) diffs->push_back(r.file + ": " + d);
    a.add(run.logits, r.logits, -1);
  }
  return a;
}

}  // namespace tessera::onnx::test
