// ONNX import: a quantized ONNX model (QOperator or QDQ form) becomes a tessera::onnx::Network,
// a list of tessera layers (ConvLayer / PoolLayer / AddLayer) plus a few host-side operations
// (QuantizeLinear at the inputs, DequantizeLinear / Softmax at the outputs). Supported operators,
// the mapping and the limits: docs/onnx.md.
//
// This header does not include protobuf or ONNX headers; only host/onnx/src does.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tessera/layers.hpp"

namespace tessera::onnx {

/// Element types Tessera exchanges with the caller.
enum class ElemType { kFloat, kUint8, kInt8, kInt32, kInt64 };
const char* elem_type_name(ElemType t);

/// A dense host tensor in ONNX order (row-major over dims).
struct Tensor {
  std::string name;
  ElemType type = ElemType::kFloat;
  std::vector<int64_t> dims;
  std::vector<float> f;    // kFloat values
  std::vector<int64_t> i;  // values of every integer type

  size_t numel() const;
  bool is_float() const { return type == ElemType::kFloat; }
  /// Element k as a double (exact for every supported type).
  double value(size_t k) const { return is_float() ? double(f[k]) : double(i[k]); }
};

/// Reads a serialized onnx.TensorProto (e.g. test_data_set_0/input_0.pb). Throws
/// std::runtime_error naming the file on a missing, truncated or unsupported tensor.
Tensor load_tensor_pb(const std::string& path);

struct ImportOptions {
  /// Graph inputs bound to constant values at import time. ONNX's node tests pass weights, scales
  /// and zero points as graph inputs; binding them makes them initializers.
  std::map<std::string, Tensor> constants;
  /// Inputs (by graph-input name) a float model is calibrated on; it is then quantized with
  /// quantize_float_model() (tessera/onnx/quantize.hpp). A float model without them is rejected;
  /// a quantized model ignores them.
  std::vector<std::map<std::string, Tensor>> calibration;
};

/// A tensor of the network. Its elements are `batch` items, each an HWC tensor of `shape`
/// (one DeviceTensor per item on the device). Inside an item the ONNX flat index is
/// c*h*w + y*w + x when chw_order (from NCHW), else (y*w + x)*c + c (rows: [..., M, K] is
/// h*w = M pixels of K channels). Item b holds flat indices [b*shape.elems(), (b+1)*...).
struct Value {
  std::string name;
  std::vector<int64_t> dims;  // ONNX shape
  ElemType type = ElemType::kUint8;
  int batch = 1;
  Shape shape;
  bool chw_order = true;
  bool quantized = false;  // scale / zero_point are meaningful
  float scale = 1.0f;
  int32_t zero_point = 0;
  int storage = -1;  // value id holding the bytes: itself, or the source of a Flatten / Reshape
};

enum class OpKind {
  kConv,        // device: ConvLayer per item (conv.size() == 1: shared by all items)
  kPool,        // device: PoolLayer per item
  kAdd,         // device: AddLayer per item
  kQuantize,    // host, before the device: float -> quantized (QuantizeLinear)
  kDequantize,  // host, after the device: quantized -> float (DequantizeLinear)
  kSoftmax,     // host, after the device: float -> float
};
const char* op_kind_name(OpKind k);

struct Op {
  OpKind kind = OpKind::kConv;
  std::string name;     // ONNX node name (or "<op_type>_<index>" when the node has none)
  std::string onnx_op;  // the ONNX op type(s) fused into this op, e.g. "Conv+Relu"
  std::vector<int> inputs;  // value ids
  int output = -1;
  std::vector<ConvLayer> conv;  // kConv: one shared layer or one per batch item
  /// kConv over a Flatten of an HxW image: conv[*] has kh = h, kw = w over the whole item (the
  /// ONNX CHW flatten order is in the weights). The runner compiles it as an FC over the padded
  /// HWC bytes (docs/onnx.md).
  bool flatten_fc = false;
  PoolLayer pool;
  AddLayer add;
  int softmax_axis = -1;          // kSoftmax: normalised (0 <= axis < rank)
  bool softmax_coerce_2d = false; // opset < 13 semantics: flatten to 2-D at axis
};

struct Network {
  std::string source;          // file name
  std::vector<Value> values;
  std::vector<Op> ops;         // host pre-ops, then device ops, then host post-ops
  std::vector<int> inputs;     // graph inputs in declaration order (constants excluded)
  std::vector<int> outputs;    // graph outputs in declaration order

  int find_value(const std::string& name) const;  // -1 if absent
  bool is_device_op(const Op& op) const {
    return op.kind == OpKind::kConv || op.kind == OpKind::kPool || op.kind == OpKind::kAdd;
  }
  /// Multiply-accumulates of the device ops.
  uint64_t macs() const;
  /// One line per op: kind, name, shapes, quantization.
  std::string summary() const;
};

/// Reads and converts an ONNX model. Throws std::runtime_error with a message naming the file
/// and the node / field: every unsupported node is listed (name and op type), and missing,
/// truncated or corrupt files, unsupported opsets, dynamic or mismatched shapes are reported.
Network import_onnx(const std::string& path, const ImportOptions& opt = {});
/// The same from serialized ModelProto bytes; `source` names them in messages.
Network import_onnx_bytes(const std::string& bytes, const std::string& source,
                          const ImportOptions& opt = {});

}  // namespace tessera::onnx
