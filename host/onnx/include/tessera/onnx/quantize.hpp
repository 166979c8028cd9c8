// Float ONNX models: Tessera quantizes them itself (docs/onnx.md "Float models").
//
//   FloatModel fm = load_float_model("model.onnx");   // BatchNormalization folded, Relu/Clip fused
//   run_float(fm, inputs);                              // plain float C++ execution
//   Network net = quantize_float_model(fm, calibration_inputs);
//
// quantize_float_model() runs the float model on the calibration inputs, records every
// activation's range, quantizes weights per output channel (symmetric int8) and activations per
// tensor (asymmetric int8 or uint8), writes the result as a QDQ ONNX model and imports that with
// import_onnx, so the Network is exactly what the QDQ importer produces.
//
// This header does not include protobuf or ONNX headers.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "tessera/layers.hpp"
#include "tessera/onnx/network.hpp"
#include "tessera/onnx/runner.hpp"

namespace tessera::onnx {

enum class FloatOpKind {
  kConv,     // Conv (+ folded BatchNormalization), groups 1 or depthwise
  kFc,       // Gemm, or MatMul (+ Add of a constant bias): rows of K -> rows of N
  kMaxPool,
  kAvgPool,  // AveragePool, GlobalAveragePool
  kAdd,      // elementwise, same shapes
  kView,     // Flatten, Reshape: same data, new dims
  kSoftmax,
};

/// One operation of a float model after folding and fusion.
struct FloatOp {
  FloatOpKind kind = FloatOpKind::kConv;
  std::string name;     // ONNX node name of the main node ("<op_type>_<index>" when unnamed)
  std::string onnx_op;  // the ONNX ops folded into it, e.g. "Conv+BatchNormalization+Relu"
  std::vector<std::string> inputs;  // activation tensor names
  std::string output;
  std::vector<int64_t> out_dims;
  /// kConv: ONNX layout [O][C/g][kh][kw]; kFc: [K][N] (Gemm's transB and alpha applied).
  std::vector<float> weight;
  std::vector<float> bias;  // per output channel / column; empty: none
  ConvLayer conv;           // kConv geometry (in, out_c, kernel, strides, dilations, pads, groups)
  PoolLayer pool;           // kMaxPool / kAvgPool geometry (MaxPool ceil_mode as extra padding)
  bool count_include_pad = false;  // kAvgPool
  int fc_k = 0, fc_n = 0;          // kFc
  /// Fused Relu (lo = 0) / Clip: the output is clamped to [act_lo, act_hi].
  float act_lo = -std::numeric_limits<float>::infinity();
  float act_hi = std::numeric_limits<float>::infinity();
  int softmax_axis = -1;  // kSoftmax, normalised; ONNX >= 13 semantics (one axis)
};

struct FloatModel {
  std::string source;          // file name
  int64_t opset = 13;          // ai.onnx opset of the source model
  std::vector<Value> inputs;   // graph inputs: name, dims, type kFloat (layout as Network values)
  std::vector<std::string> outputs;
  std::vector<FloatOp> ops;    // in execution order
  /// ONNX dims of every tensor an op produces, and of the inputs.
  std::map<std::string, std::vector<int64_t>> dims;
};

/// Reads a float ONNX model: folds BatchNormalization into the preceding Conv / Gemm
/// (W' = W * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta), fuses
/// Relu / Clip into their producer (moving it before a MaxPool, which it commutes with), and
/// MatMul + Add(constant) into one fully connected op. Throws std::runtime_error naming the file
/// and node: every unsupported node is listed (name and op type).
FloatModel load_float_model(const std::string& path);
FloatModel load_float_model_bytes(const std::string& bytes, const std::string& source);

/// True when the file is a float model (float Conv / Gemm / MatMul weights, no quantization
/// operators), i.e. one import_onnx can only read with calibration inputs.
bool is_float_model(const std::string& path);

/// Plain float execution (double accumulation) of the folded model. Inputs must be float with the
/// declared shapes. Returns the graph outputs in declaration order.
std::vector<Tensor> run_float(const FloatModel& m, const TensorMap& inputs);
/// Every tensor of the run (inputs and op outputs) by name.
TensorMap run_float_all(const FloatModel& m, const TensorMap& inputs);

/// Observed range of one tensor over the calibration set.
struct Range {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
};
/// Per-tensor ranges (graph inputs and op outputs) over all calibration inputs. Throws
/// std::runtime_error naming the calibration input (index and tensor) on a missing input or a
/// wrong type / shape, and when `calibration` is empty.
std::map<std::string, Range> calibrate(const FloatModel& m, const std::vector<TensorMap>& calibration);

struct QuantizeOptions {
  /// Activation type: int8 (default) or uint8. Weights are always symmetric int8.
  ElemType activations = ElemType::kInt8;
};

/// Activation quantization of a range: the range is widened to include 0, then
/// scale = (hi - lo) / 255, zero_point = round(qmin - lo / scale) (0 is exactly representable);
/// an all-zero range gets scale 1.
struct QParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};
QParams choose_qparams(Range r, ElemType t);

/// The calibrated, quantized model as a serialized QDQ ONNX ModelProto (float graph inputs and
/// outputs, QuantizeLinear / DequantizeLinear around every device op, int8 per-channel weights,
/// float biases that import_onnx rounds to int32 in s_x * s_w units).
std::string quantize_to_qdq(const FloatModel& m, const std::map<std::string, Range>& ranges,
                            const QuantizeOptions& opt = {});

/// calibrate + quantize_to_qdq + import_onnx_bytes.
Network quantize_float_model(const FloatModel& m, const std::vector<TensorMap>& calibration,
                             const QuantizeOptions& opt = {});
Network quantize_float_model(const std::string& path, const std::vector<TensorMap>& calibration,
                             const QuantizeOptions& opt = {});

}  // namespace tessera::onnx
