// `tessera eval`: accuracy of a model over a labelled dataset on one backend, with the program
// compiled once and only each image's input written per run; optional per-image comparison of
// the backend with the golden model and the layer-level reference.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tessera/cli/cli.hpp"
#include "tessera/cli/dataset.hpp"

namespace tessera::cli {

/// Top-1 / top-5 counts, overall and per true class.
class AccuracyTally {
 public:
  struct Counts {
    size_t images = 0, top1 = 0, top5 = 0;
  };
  explicit AccuracyTally(size_t num_classes) : per_class_(num_classes) {}
  /// `top`: the predicted classes, best first (at least one). Throws std::out_of_range for a
  /// label outside [0, num_classes).
  void add(int label, const std::vector<int>& top);
  const Counts& total() const { return total_; }
  const std::vector<Counts>& per_class() const { return per_class_; }

 private:
  Counts total_;
  std::vector<Counts> per_class_;
};

/// "1234/10000 [=====>      ] 45.6 img/s, top-1 91.2%, ETA 3m12s" (no newline).
std::string format_progress(size_t done, size_t total, double seconds, size_t correct);

/// Progress on a stream: on a terminal one line redrawn at most 5 times a second; otherwise a
/// plain line at every 10% of the images (and at least once a minute).
class Progress {
 public:
  Progress(std::ostream* os, size_t total, bool tty);
  void update(size_t done, size_t correct);
  void finish(size_t correct);

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream* os_;
  size_t total_;
  bool tty_;
  Clock::time_point start_, last_;
  size_t next_line_ = 0;
};

struct EvalSetup {
  const onnx::Network* net = nullptr;
  onnx::NetworkRunner* runner = nullptr;  // the backend; null = layer-level reference
  std::string backend;                    // its name in the report
  onnx::NetworkRunner* golden = nullptr;  // check: the golden model (when the backend is not it)
  bool check = false;                     // compare with golden (if any) and the reference
  Preprocess pre;
  bool convert_channels = false;
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  Progress* progress = nullptr;
};

struct EvalResult {
  AccuracyTally tally{0};
  size_t num_classes = 0;
  double seconds = 0;              // wall time of the inference loop
  bool cycles_measured = false;    // device CYCLES counters (else none)
  uint64_t cycles_total = 0, cycles_min = 0, cycles_max = 0;
  uint64_t mac_active_total = 0;
  std::vector<int> predictions;             // top-1 class per image, in dataset order
  std::vector<std::string> disagreements;  // check: one line per differing image
  size_t checked = 0;                      // images compared
};

/// Classifies every dataset image on the setup's backend. The model's output must be one
/// tensor of num_classes scores; a label outside it names the image. Throws std::runtime_error
/// naming the image on a channel mismatch or a device fault.
EvalResult evaluate(const EvalSetup& s, const Dataset& d);

/// The text report: accuracy, per-class summary, images/s, cycles/image and utilization
/// (MACs per image / (N^2 x cycles per image)).
std::string format_eval(const EvalResult& r, const Dataset& d, const std::string& backend,
                        uint64_t macs_per_image, unsigned array_dim);
/// The same as JSON, with every image's label and top-1 prediction (for comparisons with other
/// runtimes).
std::string eval_json(const EvalResult& r, const Dataset& d, const std::string& model,
                      const std::string& backend, uint64_t macs_per_image, unsigned array_dim);

}  // namespace tessera::cli
