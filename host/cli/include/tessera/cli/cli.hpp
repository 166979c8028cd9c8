// The logic behind the `tessera` command-line tool (host/cli/main.cpp only parses options):
// image loading and preprocessing, top-k, the three-way comparison of --check, and the report
// and memory-plan formatting. Tests link this library (tests/cli).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tessera/compiler.hpp"
#include "tessera/onnx/network.hpp"
#include "tessera/onnx/runner.hpp"

namespace tessera::cli {

/// An 8-bit RGB image, HWC, rows top to bottom.
struct RgbImage {
  int h = 0, w = 0;
  std::vector<uint8_t> rgb;  // h * w * 3
  int channels = 3;          // channels of the source: 1 = grayscale (R = G = B), 3 = colour
};

/// Reads an image with OpenCV (any format cv::imread decodes; alpha is dropped), converts
/// BGR / gray to RGB (remembering the source's channel count) and resizes it to h x w
/// (cv::INTER_AREA when shrinking, cv::INTER_LINEAR when enlarging; no resize when the size
/// already matches). Throws std::runtime_error naming the file when it is missing or cannot be
/// decoded.
RgbImage load_image(const std::string& path, int h, int w);

/// Resizes an RGB image as load_image does (channels kept).
RgbImage resize_image(const RgbImage& img, int h, int w);

/// Requires the image's channel count to match the model input's C (1 or 3); `source` names the
/// image in the error. convert = true accepts a mismatch: preprocess() then replicates gray into
/// R, G, B, or averages R, G, B for a 1-channel model.
void check_channels(const RgbImage& img, const onnx::Value& input, const std::string& source,
                    bool convert);

/// Pixel -> model input: x = (pixel * scale - mean[c]) / std[c], per RGB channel.
struct Preprocess {
  float scale = 1.0f / 255.0f;
  std::array<float, 3> mean{0.0f, 0.0f, 0.0f};
  std::array<float, 3> std{1.0f, 1.0f, 1.0f};
};

/// The model's single image input: its ONNX dims must be [1, C, H, W] with C = 1 or 3.
/// Throws std::runtime_error naming the model otherwise.
const onnx::Value& image_input(const onnx::Network& net);

/// The input tensor for one image (already img.h x img.w == the model's H x W), NCHW.
/// Float input: the float values above (the network's QuantizeLinear quantizes them).
/// Quantized input: saturate(round_half_even(x / scale) + zero_point) with the input's scale and
/// zero point (the raw pixel when the input carries no quantization). C = 1 averages R, G, B.
onnx::Tensor preprocess(const RgbImage& img, const onnx::Value& input, const Preprocess& p);

/// The model for `run` / `eval`. Without `calibrate`: import_onnx. With it (float models only):
/// the image files, and every image file under the directories, in `calibrate` (sorted), each
/// loaded, checked and preprocessed like an input image, are the calibration set of
/// onnx::quantize_float_model. Throws std::runtime_error naming the model / image.
onnx::Network load_model(const std::string& model, const std::vector<std::string>& calibrate,
                         const Preprocess& pre, bool convert_channels);

/// The k largest elements of t as (index, value), largest first; ties keep the lower index.
std::vector<std::pair<int, double>> top_k(const onnx::Tensor& t, int k);

/// Class names stored in the model's metadata_props under "class_names" (comma-separated);
/// empty when absent. Throws std::runtime_error naming the file when it cannot be parsed.
std::vector<std::string> read_class_names(const std::string& model_path);

/// Exact comparison of two runs' values (run_all / run_reference_all), by name. Returns one line
/// per difference ("'conv1': 12 of 32768 elements differ, first at 5: 3 vs 4"); empty = equal.
std::vector<std::string> compare_runs(const onnx::TensorMap& a, const onnx::TensorMap& b);

/// Counters of one layer, measured by prefix runs (measure_layer_cycles).
struct LayerCycles {
  uint64_t cycles = 0;
  uint64_t mac_active = 0;
  uint64_t dma_rd_bytes = 0;  // DMA_RD_BYTES: element bytes moved by the layer's LOADs
  uint64_t dma_wr_bytes = 0;  // DMA_WR_BYTES: by its STOREs
};

/// Per-layer CYCLES / MAC_ACTIVE / DMA bytes of a loaded program: for each layer k, runs the
/// program's commands [0, layers[k].last_cmd] followed by FINISH (written over command
/// last_cmd + 1 and restored afterwards) and reports the difference to the prefix through
/// layer k - 1. Every
/// token a prefix pops was pushed earlier in it; START clears the token counters. Work that
/// overlaps the layer boundary is charged to the later layer. The device memory holding the
/// layers' inputs must be as the last full run left it. Throws std::runtime_error when a
/// prefix does not finish cleanly.
std::vector<LayerCycles> measure_layer_cycles(Device& dev, const Program& prog,
                                              std::chrono::milliseconds timeout);

/// Whole-network performance for the report.
struct Perf {
  bool measured = false;     // cycles from the device's CYCLES counter, else tessera::estimate
  uint64_t cycles = 0;
  uint64_t mac_active = 0;   // MAC_ACTIVE counter (array cycles doing MACs)
  uint64_t dma_rd_bytes = 0, dma_wr_bytes = 0;  // DMA_RD_BYTES / DMA_WR_BYTES counters
  unsigned array_dim = 0;
  double clock_mhz = 100;    // converts cycles to time
  std::vector<LayerCycles> layers;  // per layer from prefix runs (else empty); their cycles
                                    // are meaningful only when `measured`
};

/// Per-layer table (name, MACs, commands, ideal cycles = MACs / PEs; with perf.layers the DMA
/// bytes read / written, and when measured the cycles, MAC utilization = useful MACs / (PEs x
/// cycles) and time at perf.clock_mhz; plan) and the network's cycles, time, utilization and DMA
/// bytes. Without measured per-layer cycles the table says so. with_table = false: the network
/// line only.
std::string format_perf(const std::vector<LayerInfo>& layers, const Perf& perf,
                        bool with_table = true);

/// The same as a JSON object: {"clock_mhz", "cycles_measured", "network": {macs, cycles,
/// mac_utilization, time_us, dma_rd_bytes, dma_wr_bytes}, "layers": [{name, macs, commands,
/// ideal_cycles, dma_rd_bytes, dma_wr_bytes, and when measured cycles, mac_utilization,
/// time_us}]}; "layers" is empty without perf.layers. `indent` prefixes every line but the first.
std::string perf_json(const std::vector<LayerInfo>& layers, const Perf& perf,
                      const std::string& indent = "");

/// `tessera compile`: the memory plan (command stream, constants, every value's device tensors)
/// and the layer list.
std::string format_memory_plan(const onnx::Network& net, const onnx::NetworkRunner& runner);

/// Minimal JSON string escaping (quotes included).
std::string json_string(const std::string& s);

}  // namespace tessera::cli
