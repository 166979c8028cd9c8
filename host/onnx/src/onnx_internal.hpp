// Private helpers shared by the tessera_onnx sources (protobuf-facing).
#pragma once

#include <onnx/onnx_pb.h>

#include <functional>
#include <string>
#include <vector>

#include "tessera/layers.hpp"
#include "tessera/onnx/network.hpp"

namespace tessera::onnx {

std::string dims_str(const std::vector<int64_t>& d);

namespace detail {

ElemType elem_from_onnx(int data_type, const std::string& where);
Tensor tensor_from_proto(const ::onnx::TensorProto& tp, const std::string& where);
std::string read_file_bytes(const std::string& path);

// Node attributes, with a default when absent (onnx_attrs.cpp).
const ::onnx::AttributeProto* attr(const ::onnx::NodeProto& n, const std::string& name);
int64_t attr_i(const ::onnx::NodeProto& n, const std::string& name, int64_t def);
float attr_f(const ::onnx::NodeProto& n, const std::string& name, float def);
std::string attr_s(const ::onnx::NodeProto& n, const std::string& name, const std::string& def);
std::vector<int64_t> attr_ints(const ::onnx::NodeProto& n, const std::string& name,
                               std::vector<int64_t> def);

/// Reports a problem with the node being converted; must throw (it never returns normally).
using NodeFail = std::function<void(const std::string& msg)>;

/// Strides, dilations and pads (including auto_pad SAME_* / VALID) of a Conv-like node, into a
/// layer whose input shape and kernel size are already set.
void conv_geometry(const ::onnx::NodeProto& n, ConvLayer& L, const NodeFail& fail);

/// Kernel, strides and pads (auto_pad, ceil_mode as extra bottom / right padding for max
/// pooling) of a MaxPool / AveragePool node over an `in` input, or the whole input when global.
/// P.avg must be set: average pooling rejects a ceil_mode that adds a partial window.
void pool_geometry(const ::onnx::NodeProto& n, PoolLayer& P, Shape in, bool global,
                   const NodeFail& fail);

/// Output dims of a Flatten or Reshape node (n.op_type()) over an input with dims `in` and
/// `total` elements. Flatten: attribute axis. Reshape: `shape` is its constant int64 shape input
/// (required); 0 copies the input dim at the same index, one -1 is inferred from `total`;
/// allowzero = 1 is rejected. Fails unless the result has `total` elements.
std::vector<int64_t> view_dims(const ::onnx::NodeProto& n, const std::vector<int64_t>& in,
                               int64_t total, const std::vector<int64_t>* shape,
                               const NodeFail& fail);

}  // namespace detail
}  // namespace tessera::onnx
