// onnx.TensorProto <-> tessera::onnx::Tensor, and the small Network helpers.
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "onnx_internal.hpp"
#include "tessera/onnx/network.hpp"

namespace tessera::onnx {

const char* elem_type_name(ElemType t) {
  switch (t) {
    case ElemType::kFloat: return "float";
    case ElemType::kUint8: return "uint8";
    case ElemType::kInt8: return "int8";
    case ElemType::kInt32: return "int32";
    case ElemType::kInt64: return "int64";
  }
  return "?";
}

const char* op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::kConv: return "conv";
    case OpKind::kPool: return "pool";
    case OpKind::kAdd: return "add";
    case OpKind::kQuantize: return "quantize";
    case OpKind::kDequantize: return "dequantize";
    case OpKind::kSoftmax: return "softmax";
  }
  return "?";
}

size_t Tensor::numel() const {
  size_t n = 1;
  for (int64_t d : dims) n *= size_t(d);
  return n;
}

int Network::find_value(const std::string& name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == name) return int(i);
  return -1;
}

uint64_t Network::macs() const {
  uint64_t m = 0;
  for (const Op& op : ops)
    if (op.kind == OpKind::kConv) {
      const int items = values[op.inputs[0]].batch;
      for (int b = 0; b < items; ++b) m += op.conv[op.conv.size() == 1 ? 0 : b].macs();
    }
  return m;
}

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

std::string Network::summary() const {
  std::ostringstream os;
  auto val = [&](int v) {
    const Value& x = values[v];
    std::ostringstream s;
    s << "'" << x.name << "' " << elem_type_name(x.type) << dims_str(x.dims);
    if (x.quantized) s << " (s=" << x.scale << ", zp=" << x.zero_point << ")";
    return s.str();
  };
  for (const Op& op : ops) {
    os << op_kind_name(op.kind) << " " << op.name << " [" << op.onnx_op << "]";
    for (int i : op.inputs) os << " " << val(i);
    os << " -> " << val(op.output);
    if (op.kind == OpKind::kConv) {
      const ConvLayer& L = op.conv[0];
      os << " k" << L.kh << "x" << L.kw << " s" << L.stride_h << " out_c " << L.out_c
         << (op.flatten_fc ? " (flatten fc)" : "") << (op.conv.size() > 1 ? " (per item)" : "");
    }
    os << "\n";
  }
  return os.str();
}

namespace detail {

ElemType elem_from_onnx(int dt, const std::string& where) {
  switch (dt) {
    case ::onnx::TensorProto::FLOAT: return ElemType::kFloat;
    case ::onnx::TensorProto::UINT8: return ElemType::kUint8;
    case ::onnx::TensorProto::INT8: return ElemType::kInt8;
    case ::onnx::TensorProto::INT32: return ElemType::kInt32;
    case ::onnx::TensorProto::INT64: return ElemType::kInt64;
    default: break;
  }
  std::string n = ::onnx::TensorProto::DataType_IsValid(dt)
                      ? ::onnx::TensorProto::DataType_Name(::onnx::TensorProto::DataType(dt))
                      : std::to_string(dt);
  throw std::runtime_error(where + ": element type " + n +
                           " is not supported (float, uint8, int8, int32, int64 are)");
}

Tensor tensor_from_proto(const ::onnx::TensorProto& tp, const std::string& where) {
  Tensor t;
  t.name = tp.name();
  t.type = elem_from_onnx(tp.data_type(), where);
  for (int64_t d : tp.dims()) {
    if (d < 0) throw std::runtime_error(where + ": negative dimension in tensor '" + t.name + "'");
    t.dims.push_back(d);
  }
  if (tp.data_location() == ::onnx::TensorProto::EXTERNAL)
    throw std::runtime_error(where + ": tensor '" + t.name +
                             "' uses external data, which is not supported");
  const size_t n = t.numel();
  const std::string& raw = tp.raw_data();
  auto bad_count = [&](size_t got) {
    return std::runtime_error(where + ": tensor '" + t.name + "' " + dims_str(t.dims) + " needs " +
                              std::to_string(n) + " elements, has " + std::to_string(got));
  };
  if (t.type == ElemType::kFloat) {
    if (!raw.empty()) {
      if (raw.size() != n * 4) throw bad_count(raw.size() / 4);
      t.f.resize(n);
      std::memcpy(t.f.data(), raw.data(), n * 4);
    } else {
      if (size_t(tp.float_data_size()) != n) throw bad_count(tp.float_data_size());
      t.f.assign(tp.float_data().begin(), tp.float_data().end());
    }
    return t;
  }
  t.i.resize(n);
  const size_t esz = t.type == ElemType::kInt64 ? 8 : t.type == ElemType::kInt32 ? 4 : 1;
  if (!raw.empty()) {
    if (raw.size() != n * esz) throw bad_count(raw.size() / esz);
    const auto* b = reinterpret_cast<const uint8_t*>(raw.data());
    for (size_t k = 0; k < n; ++k) {
      switch (t.type) {
        case ElemType::kUint8: t.i[k] = b[k]; break;
        case ElemType::kInt8: t.i[k] = int8_t(b[k]); break;
        case ElemType::kInt32: {
          int32_t v;
          std::memcpy(&v, b + 4 * k, 4);
          t.i[k] = v;
          break;
        }
        default: {
          int64_t v;
          std::memcpy(&v, b + 8 * k, 8);
          t.i[k] = v;
        }
      }
    }
  } else if (t.type == ElemType::kInt64) {
    if (size_t(tp.int64_data_size()) != n) throw bad_count(tp.int64_data_size());
    t.i.assign(tp.int64_data().begin(), tp.int64_data().end());
  } else {
    if (size_t(tp.int32_data_size()) != n) throw bad_count(tp.int32_data_size());
    for (size_t k = 0; k < n; ++k) {
      const int32_t v = tp.int32_data(int(k));
      t.i[k] = t.type == ElemType::kUint8 ? int64_t(uint8_t(v))
               : t.type == ElemType::kInt8 ? int64_t(int8_t(v))
                                           : int64_t(v);
    }
  }
  return t;
}

std::string read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open file");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) throw std::runtime_error(path + ": read error");
  return ss.str();
}

}  // namespace detail

Tensor load_tensor_pb(const std::string& path) {
  const std::string bytes = detail::read_file_bytes(path);
  ::onnx::TensorProto tp;
  if (bytes.empty() || !tp.ParseFromString(bytes))
    throw std::runtime_error(path + ": not a valid onnx.TensorProto (empty, truncated or corrupt)");
  return detail::tensor_from_proto(tp, path);
}

}  // namespace tessera::onnx
