// Private helpers shared by the tessera_onnx sources (protobuf-facing).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "tessera/onnx/network.hpp"

namespace tessera::onnx {

std::string dims_str(const std::vector<int64_t>& d);

namespace detail {

ElemType elem_from_onnx(int data_type, const std::string& where);
Tensor tensor_from_proto(const ::onnx::TensorProto& tp, const std::string& where);
std::string read_file_bytes(const std::string& path);

}  // namespace detail
}  // namespace tessera::onnx
