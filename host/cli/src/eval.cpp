// `tessera eval` (see tessera/cli/eval.hpp).
#include "tessera/cli/eval.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace tessera::cli {

namespace {

constexpr int kTopK = 5;

std::string pct(size_t num, size_t den) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(2) << (den ? 100.0 * double(num) / double(den) : 0.0)
    << "%";
  return o.str();
}

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

std::string duration(double s) {
  const long t = long(std::lround(s));
  std::ostringstream o;
  if (t >= 3600) o << t / 3600 << "h" << std::setw(2) << std::setfill('0') << t / 60 % 60 << "m";
  else if (t >= 60) o << t / 60 << "m" << std::setw(2) << std::setfill('0') << t % 60 << "s";
  else o << t << "s";
  return o.str();
}

size_t numel(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= size_t(std::max<int64_t>(d, 0));
  return n;
}

std::string class_label(const Dataset& d, size_t c) {
  return c < d.class_names.size() ? d.class_names[c] + " (" + std::to_string(c) + ")"
                                  : "class " + std::to_string(c);
}

// Up to kTopK class indices, best first.
std::vector<int> top_classes(const onnx::Tensor& y) {
  std::vector<int> r;
  for (const auto& [idx, v] : top_k(y, kTopK)) r.push_back(idx);
  return r;
}

// The first difference of each compared run, "" when all agree.
std::string first_differences(const onnx::TensorMap& main, const std::string& main_name,
                              const std::vector<std::pair<std::string, onnx::TensorMap>>& others) {
  std::string r;
  for (const auto& [name, run] : others) {
    const auto d = compare_runs(main, run);
    if (d.empty()) continue;
    r += (r.empty() ? "" : "; ") + main_name + " vs " + name + ": " + d.front();
    if (d.size() > 1) r += " (+" + std::to_string(d.size() - 1) + " more values)";
  }
  return r;
}

}  // namespace

void AccuracyTally::add(int label, const std::vector<int>& top) {
  if (label < 0 || size_t(label) >= per_class_.size())
    throw std::out_of_range("label " + std::to_string(label) + " outside the model's " +
                            std::to_string(per_class_.size()) + " classes");
  if (top.empty()) throw std::invalid_argument("AccuracyTally::add: no prediction");
  const bool t1 = top.front() == label;
  const auto top5_end = top.begin() + long(std::min<size_t>(top.size(), kTopK));
  const bool t5 = std::find(top.begin(), top5_end, label) != top5_end;
  for (Counts* c : {&total_, &per_class_[size_t(label)]}) {
    ++c->images;
    c->top1 += t1;
    c->top5 += t5;
  }
}

std::string format_progress(size_t done, size_t total, double seconds, size_t correct) {
  constexpr int kBar = 24;
  const int fill = total ? int(double(kBar) * double(done) / double(total)) : kBar;
  const double rate = ratio(double(done), seconds);
  std::ostringstream o;
  o << done << "/" << total << " [" << std::string(size_t(fill), '=')
    << (fill < kBar ? ">" + std::string(size_t(kBar - fill - 1), ' ') : "") << "] "
    << std::fixed << std::setprecision(1) << rate << " img/s, top-1 " << pct(correct, done);
  if (done < total && rate > 0) o << ", ETA " << duration(double(total - done) / rate);
  else if (done == total) o << ", " << duration(seconds);
  return o.str();
}

Progress::Progress(std::ostream* os, size_t total, bool tty)
    : os_(os), total_(total), tty_(tty), start_(Clock::now()), last_(start_) {}

void Progress::update(size_t done, size_t correct) {
  if (!os_) return;
  const auto now = Clock::now();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (tty_) {
    if (since_last < 0.2 && done < total_) return;
    *os_ << "\r\033[K" << format_progress(done, total_, elapsed, correct) << std::flush;
  } else {
    // Plain lines for logs: every 10% of the images, or after a minute without one.
    const size_t step = std::max<size_t>(1, total_ / 10);
    if (done < next_line_ && since_last < 60 && done < total_) return;
    while (next_line_ <= done) next_line_ += step;
    *os_ << "eval: " << format_progress(done, total_, elapsed, correct) << "\n" << std::flush;
  }
  last_ = now;
}

void Progress::finish(size_t correct) {
  if (os_ && tty_) {
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    *os_ << "\r\033[K" << format_progress(total_, total_, s, correct) << "\n" << std::flush;
  }
}

EvalResult evaluate(const EvalSetup& s, const Dataset& d) {
  const onnx::Network& net = *s.net;
  const onnx::Value& in = image_input(net);
  if (net.outputs.size() != 1)
    throw std::runtime_error("model '" + net.source + "': eval needs one output of class scores, "
                             "it has " + std::to_string(net.outputs.size()));
  const onnx::Value& out = net.values[net.outputs[0]];
  EvalResult r;
  r.num_classes = numel(out.dims);
  r.tally = AccuracyTally(r.num_classes);
  if (d.class_names.size() > r.num_classes)
    throw std::runtime_error("dataset '" + d.path + "' has " +
                             std::to_string(d.class_names.size()) + " classes, model output '" +
                             out.name + "' has " + std::to_string(r.num_classes) + " scores");
  // Every image is validated before the first inference.
  for (const LabelledImage& it : d.items) {
    check_channels(it.image, in, it.source, s.convert_channels);
    if (it.label < 0 || size_t(it.label) >= r.num_classes)
      throw std::runtime_error("'" + it.source + "': label " + std::to_string(it.label) +
                               " is outside model output '" + out.name + "' (" +
                               std::to_string(r.num_classes) + " classes)");
  }

  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < d.items.size(); ++i) {
    const LabelledImage& it = d.items[i];
    const onnx::TensorMap inputs{{in.name, preprocess(it.image, in, s.pre)}};
    onnx::Tensor y;
    if (s.check) {
      // Every value of the network, not only the scores, must agree bit for bit.
      const onnx::TensorMap all =
          s.runner ? s.runner->run_all(inputs, s.timeout) : onnx::run_reference_all(net, inputs);
      y = all.at(out.name);
      std::vector<std::pair<std::string, onnx::TensorMap>> others;
      if (s.golden) others.emplace_back("golden model", s.golden->run_all(inputs, s.timeout));
      if (s.runner) others.emplace_back("reference", onnx::run_reference_all(net, inputs));
      const std::string diff = first_differences(all, s.backend, others);
      if (!diff.empty()) r.disagreements.push_back("'" + it.source + "': " + diff);
      ++r.checked;
    } else {
      y = s.runner ? s.runner->run(inputs, s.timeout).at(0)
                   : onnx::run_reference(net, inputs).at(0);
    }
    if (y.numel() != r.num_classes)
      throw std::runtime_error("model output '" + out.name + "' has " +
                               std::to_string(y.numel()) + " elements, expected " +
                               std::to_string(r.num_classes));
    const std::vector<int> top = top_classes(y);
    r.tally.add(it.label, top);
    r.predictions.push_back(top.front());
    if (s.runner) {
      const RunResult& res = s.runner->last_result();
      const uint64_t c = res.counter(isa::Counter::kCycles);
      if (c) {
        r.cycles_measured = true;
        r.cycles_min = r.cycles_total ? std::min(r.cycles_min, c) : c;
        r.cycles_max = std::max(r.cycles_max, c);
        r.cycles_total += c;
      }
      r.mac_active_total += res.counter(isa::Counter::kMacActive);
    }
    if (s.progress) s.progress->update(i + 1, r.tally.total().top1);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (s.progress) s.progress->finish(r.tally.total().top1);
  return r;
}

std::string format_eval(const EvalResult& r, const Dataset& d, const std::string& backend,
                        uint64_t macs_per_image, unsigned array_dim) {
  const AccuracyTally::Counts& t = r.tally.total();
  std::ostringstream os;
  os << "dataset " << d.path << ": " << (d.idx ? "IDX files" : "class folders") << ", " << t.images
     << " of " << d.available << " images, " << r.num_classes << " classes; backend " << backend
     << "\n";
  os << "  top-1 accuracy " << pct(t.top1, t.images) << " (" << t.top1 << "/" << t.images
     << "), top-5 accuracy " << pct(t.top5, t.images) << " (" << t.top5 << "/" << t.images
     << ")\n";
  size_t wname = 5;
  for (size_t c = 0; c < r.num_classes; ++c) wname = std::max(wname, class_label(d, c).size());
  os << "  " << std::left << std::setw(int(wname)) << "class" << std::right << std::setw(8)
     << "images" << std::setw(9) << "top-1" << std::setw(9) << "top-5" << "\n";
  for (size_t c = 0; c < r.num_classes; ++c) {
    const auto& k = r.tally.per_class()[c];
    if (!k.images) continue;
    os << "  " << std::left << std::setw(int(wname)) << class_label(d, c) << std::right
       << std::setw(8) << k.images << std::setw(9) << pct(k.top1, k.images) << std::setw(9)
       << pct(k.top5, k.images) << "\n";
  }
  os << "  speed: " << std::fixed << std::setprecision(2) << ratio(double(t.images), r.seconds)
     << " images/s (" << std::setprecision(1) << r.seconds << " s"
     << (r.checked ? ", including the --check runs" : "") << ")\n";
  if (r.cycles_measured && t.images) {
    const double per = double(r.cycles_total) / double(t.images);
    os << "  cycles/image: " << std::setprecision(0) << per << " mean (min " << r.cycles_min
       << ", max " << r.cycles_max << "), " << macs_per_image << " MACs/image, MAC utilization "
       << std::setprecision(1)
       << 100.0 * ratio(double(macs_per_image), double(array_dim) * array_dim * per) << "% of "
       << array_dim * array_dim << " PEs, MAC_ACTIVE "
       << 100.0 * ratio(double(r.mac_active_total), double(r.cycles_total)) << "% of cycles\n";
  }
  if (r.checked) {
    for (const auto& line : r.disagreements) os << "  MISMATCH " << line << "\n";
    os << "  check: "
       << (r.disagreements.empty()
               ? "PASS, all " + std::to_string(r.checked) + " images bit-exact"
               : "FAIL, " + std::to_string(r.disagreements.size()) + " of " +
                     std::to_string(r.checked) + " images differ")
       << "\n";
  }
  return os.str();
}

std::string eval_json(const EvalResult& r, const Dataset& d, const std::string& model,
                      const std::string& backend, uint64_t macs_per_image, unsigned array_dim) {
  const AccuracyTally::Counts& t = r.tally.total();
  std::ostringstream os;
  os << std::setprecision(9);
  os << "{\n  \"model\": " << json_string(model) << ",\n  \"dataset\": " << json_string(d.path)
     << ",\n  \"dataset_kind\": " << json_string(d.idx ? "idx" : "folder")
     << ",\n  \"backend\": " << json_string(backend) << ",\n  \"array_dim\": " << array_dim
     << ",\n  \"images\": " << t.images << ",\n  \"available\": " << d.available
     << ",\n  \"top1\": " << t.top1 << ",\n  \"top5\": " << t.top5
     << ",\n  \"top1_accuracy\": " << ratio(double(t.top1), double(t.images))
     << ",\n  \"top5_accuracy\": " << ratio(double(t.top5), double(t.images))
     << ",\n  \"per_class\": [";
  for (size_t c = 0; c < r.num_classes; ++c) {
    const auto& k = r.tally.per_class()[c];
    os << (c ? "," : "") << "\n    {\"index\": " << c << ", \"name\": "
       << json_string(c < d.class_names.size() ? d.class_names[c] : "")
       << ", \"images\": " << k.images << ", \"top1\": " << k.top1 << ", \"top5\": " << k.top5
       << "}";
  }
  os << "\n  ],\n  \"labels\": [";
  for (size_t i = 0; i < d.items.size(); ++i) os << (i ? ", " : "") << d.items[i].label;
  os << "],\n  \"predictions\": [";
  for (size_t i = 0; i < r.predictions.size(); ++i) os << (i ? ", " : "") << r.predictions[i];
  os << "],\n  \"seconds\": " << r.seconds
     << ",\n  \"images_per_second\": " << ratio(double(t.images), r.seconds)
     << ",\n  \"macs_per_image\": " << macs_per_image
     << ",\n  \"cycles_measured\": " << (r.cycles_measured ? "true" : "false");
  if (r.cycles_measured)
    os << ",\n  \"cycles_total\": " << r.cycles_total << ",\n  \"cycles_min\": " << r.cycles_min
       << ",\n  \"cycles_max\": " << r.cycles_max << ",\n  \"mac_utilization\": "
       << ratio(double(macs_per_image) * double(t.images),
                double(array_dim) * array_dim * double(r.cycles_total));
  if (r.checked) {
    os << ",\n  \"checked\": " << r.checked << ",\n  \"disagreements\": [";
    for (size_t k = 0; k < r.disagreements.size(); ++k)
      os << (k ? ", " : "") << json_string(r.disagreements[k]);
    os << "]";
  }
  os << "\n}\n";
  return os.str();
}

}  // namespace tessera::cli
