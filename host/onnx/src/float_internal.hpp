// Private hooks between the float-model sources and import.cpp (protobuf-facing).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "tessera/onnx/quantize.hpp"

namespace tessera::onnx::detail {

/// The first Conv / Gemm / MatMul node with a float constant weight when the graph has no
/// quantization operator (QuantizeLinear, DequantizeLinear, QLinear*, *Integer); else nullptr.
const ::onnx::NodeProto* float_weight_node(const ::onnx::GraphProto& g);

/// The error import_onnx gives for a float model without calibration inputs.
std::string float_model_message(const ::onnx::NodeProto& n);

FloatModel parse_float_model(const ::onnx::ModelProto& m, const std::string& source);

}  // namespace tessera::onnx::detail
