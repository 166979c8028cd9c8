// Calibrated FloatModel -> QDQ ONNX model -> Network (docs/onnx.md "Float models").
//
// Writing the quantized model as QDQ ONNX and importing it with import_onnx keeps one mapping
// from ONNX to Tessera layers (layouts, Flatten + Gemm, mult / shift, clamps): a float model
// gets exactly the Network a QDQ model with the same scales would get.
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "float_internal.hpp"
#include "tessera/quant.hpp"

namespace tessera::onnx {
namespace {

using ::onnx::NodeProto;
using ::onnx::TensorProto;

// Per-output-channel symmetric int8: scale = max|w| / 127 (1 for an all-zero channel), so the
// weights use -127..127 and the zero point is 0. `stride` / `step` walk one channel's elements.
struct QWeights {
  std::vector<int64_t> q;
  std::vector<float> scale;
};
QWeights quantize_weights(const std::vector<float>& w, int channels, size_t per_channel,
                          size_t stride, size_t step) {
  QWeights r;
  r.q.resize(w.size());
  r.scale.resize(channels);
  for (int c = 0; c < channels; ++c) {
    auto at = [&](size_t k) { return size_t(c) * stride + k * step; };
    float mx = 0;
    for (size_t k = 0; k < per_channel; ++k) mx = std::max(mx, std::fabs(w[at(k)]));
    r.scale[c] = mx > 0 ? mx / 127.0f : 1.0f;
    for (size_t k = 0; k < per_channel; ++k)
      r.q[at(k)] = std::clamp<int64_t>(int64_t(std::nearbyint(w[at(k)] / r.scale[c])), -127, 127);
  }
  return r;
}

class QdqWriter {
 public:
  QdqWriter(const FloatModel& m, const std::map<std::string, Range>& ranges,
            const QuantizeOptions& opt)
      : m_(m), ranges_(ranges), act_type_(opt.activations) {
    if (act_type_ != ElemType::kInt8 && act_type_ != ElemType::kUint8)
      throw std::invalid_argument("QuantizeOptions::activations must be int8 or uint8");
    for (const Value& v : m.inputs) used_.insert(v.name);
    for (const FloatOp& op : m.ops) used_.insert(op.output);
    for (const std::string& o : m.outputs) outputs_.insert(o);
  }

  std::string write();

 private:
  std::string fresh(const std::string& base) {
    std::string n = base;
    while (used_.count(n)) n += "_";
    used_.insert(n);
    return n;
  }
  ::onnx::GraphProto& g() { return *model_.mutable_graph(); }
  NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                  const std::string& out, const std::string& name) {
    NodeProto* n = g().add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return *n;
  }
  static void attr_i(NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_ints(NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  std::string init_f(const std::string& base, const std::vector<int64_t>& dims,
                     const std::vector<float>& v) {
    TensorProto* t = g().add_initializer();
    t->set_name(fresh(base));
    t->set_data_type(TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
    return t->name();
  }
  std::string init_i(const std::string& base, int type, const std::vector<int64_t>& dims,
                     const std::vector<int64_t>& v) {
    TensorProto* t = g().add_initializer();
    t->set_name(fresh(base));
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t x : v) {
      if (type == TensorProto::INT64) t->add_int64_data(x);
      else t->add_int32_data(int32_t(x));
    }
    return t->name();
  }
  int onnx_act_type() const {
    return act_type_ == ElemType::kInt8 ? TensorProto::INT8 : TensorProto::UINT8;
  }

  QParams qparams_of(const std::string& t) const {
    auto it = ranges_.find(t);
    if (it == ranges_.end())
      throw std::runtime_error(m_.source + ": tensor '" + t + "' has no calibration range");
    return choose_qparams(it->second, act_type_);
  }
  // Names of a quantized tensor t: the quantized value (named t, the Network value, except for
  // graph inputs and outputs, which keep t for the float side), its scale and zero point.
  struct QNames {
    std::string q, scale, zero_point;
  };
  std::string quantized_name(const std::string& t, bool float_is_t) {
    return float_is_t || outputs_.count(t) ? fresh(t + "_q") : t;
  }
  // DequantizeLinear of t's quantized value: the float tensor t's consumers read.
  void dequantize(const std::string& t, const QNames& qn) {
    const std::string dqn = outputs_.count(t) ? t : fresh(t + "_dq");
    node("DequantizeLinear", {qn.q, qn.scale, qn.zero_point}, dqn, t + "_dequantize");
    qnames_[t] = qn;
    use_[t] = dqn;
  }
  // QuantizeLinear(float_name) -> DequantizeLinear.
  void quantize_out(const std::string& t, const std::string& float_name, QParams qp) {
    qp_[t] = qp;
    QNames qn;
    qn.q = quantized_name(t, float_name == t);
    qn.scale = init_f(t + "_scale", {}, {qp.scale});
    qn.zero_point = init_i(t + "_zero_point", onnx_act_type(), {}, {qp.zero_point});
    node("QuantizeLinear", {float_name, qn.scale, qn.zero_point}, qn.q, t + "_quantize");
    dequantize(t, qn);
  }
  // The fused Relu / Clip of op, applied to `x`; returns the activated tensor.
  std::string activation(const FloatOp& op, const std::string& x) {
    const bool lo = std::isfinite(op.act_lo), hi = std::isfinite(op.act_hi);
    if (!lo && !hi) return x;
    const std::string y = fresh(op.output + "_act");
    if (op.act_lo == 0 && !hi) {
      node("Relu", {x}, y, op.name + "_relu");
    } else {
      node("Clip", {x, lo ? init_f(op.output + "_min", {}, {op.act_lo}) : "",
                    hi ? init_f(op.output + "_max", {}, {op.act_hi}) : ""},
           y, op.name + "_clip");
    }
    return y;
  }
  // DequantizeLinear of per-channel int8 weights along `axis`.
  std::string weights(const FloatOp& op, const std::vector<int64_t>& dims, const QWeights& qw,
                      int axis) {
    const std::string w = init_i(op.name + "_weight_q", TensorProto::INT8, dims, qw.q);
    const std::string s = init_f(op.name + "_weight_scale", {int64_t(qw.scale.size())}, qw.scale);
    const std::string z = init_i(op.name + "_weight_zero_point", TensorProto::INT8,
                                 {int64_t(qw.scale.size())},
                                 std::vector<int64_t>(qw.scale.size(), 0));
    const std::string dq = fresh(op.name + "_weight");
    attr_i(node("DequantizeLinear", {w, s, z}, dq, op.name + "_weight_dequantize"), "axis", axis);
    return dq;
  }
  void emit(const FloatOp& op);

  const FloatModel& m_;
  const std::map<std::string, Range>& ranges_;
  const ElemType act_type_;
  ::onnx::ModelProto model_;
  std::set<std::string> used_, outputs_;
  std::map<std::string, std::string> use_;  // tensor -> float name its consumers read
  std::map<std::string, QParams> qp_;       // quantized tensors
  std::map<std::string, QNames> qnames_;
};

void QdqWriter::emit(const FloatOp& op) {
  const std::string in = use_.at(op.inputs[0]);
  const std::string f = fresh(op.output + "_float");
  switch (op.kind) {
    case FloatOpKind::kConv: {
      const ConvLayer& L = op.conv;
      const int cg = L.groups == 1 ? L.in.c : 1;
      const size_t per = size_t(cg) * L.kh * L.kw;
      const QWeights qw = quantize_weights(op.weight, L.out_c, per, per, 1);
      std::vector<std::string> ins{in, weights(op, {L.out_c, cg, L.kh, L.kw}, qw, 0)};
      if (!op.bias.empty()) ins.push_back(init_f(op.name + "_bias", {L.out_c}, op.bias));
      NodeProto& n = node("Conv", ins, f, op.name);
      attr_ints(n, "kernel_shape", {L.kh, L.kw});
      attr_ints(n, "strides", {L.stride_h, L.stride_w});
      attr_ints(n, "dilations", {L.dil_h, L.dil_w});
      attr_ints(n, "pads", {L.pad_top, L.pad_left, L.pad_bottom, L.pad_right});
      attr_i(n, "group", L.groups);
      quantize_out(op.output, activation(op, f), qparams_of(op.output));
      return;
    }
    case FloatOpKind::kFc: {
      const QWeights qw = quantize_weights(op.weight, op.fc_n, size_t(op.fc_k), 1, size_t(op.fc_n));
      std::vector<std::string> ins{in, weights(op, {op.fc_k, op.fc_n}, qw, 1)};
      // Gemm carries the bias; MatMul over a 3-D input has none (the parser guarantees it).
      const bool gemm = m_.dims.at(op.inputs[0]).size() == 2;
      if (!op.bias.empty()) ins.push_back(init_f(op.name + "_bias", {op.fc_n}, op.bias));
      node(gemm ? "Gemm" : "MatMul", ins, f, op.name);
      quantize_out(op.output, activation(op, f), qparams_of(op.output));
      return;
    }
    case FloatOpKind::kMaxPool:
    case FloatOpKind::kAvgPool: {
      const PoolLayer& P = op.pool;
      const bool global = op.onnx_op == "GlobalAveragePool";
      NodeProto& n = node(P.avg ? (global ? "GlobalAveragePool" : "AveragePool") : "MaxPool",
                          {in}, f, op.name);
      if (!global) {
        attr_ints(n, "kernel_shape", {P.kh, P.kw});
        attr_ints(n, "strides", {P.stride_h, P.stride_w});
        attr_ints(n, "pads", {P.pad_top, P.pad_left, P.pad_bottom, P.pad_right});
        if (P.avg) attr_i(n, "count_include_pad", op.count_include_pad);
      }
      // Max pooling compares raw values: its output keeps the input's quantization.
      quantize_out(op.output, f, P.avg ? qparams_of(op.output) : qp_.at(op.inputs[0]));
      return;
    }
    case FloatOpKind::kAdd:
      node("Add", {in, use_.at(op.inputs[1])}, f, op.name);
      quantize_out(op.output, activation(op, f), qparams_of(op.output));
      return;
    case FloatOpKind::kView: {
      // A view of the quantized tensor, then its own DequantizeLinear: every Network value
      // (the view included) keeps a distinct name.
      const std::string shape = init_i(op.output + "_shape", TensorProto::INT64,
                                       {int64_t(op.out_dims.size())}, op.out_dims);
      QNames qn = qnames_.at(op.inputs[0]);
      qn.q = quantized_name(op.output, false);
      node("Reshape", {qnames_.at(op.inputs[0]).q, shape}, qn.q, op.name);
      qp_[op.output] = qp_.at(op.inputs[0]);
      dequantize(op.output, qn);
      return;
    }
    case FloatOpKind::kSoftmax:
      attr_i(node("Softmax", {in}, op.output, op.name), "axis", op.softmax_axis);
      use_[op.output] = op.output;
      return;
  }
}

std::string QdqWriter::write() {
  const int64_t opset = std::max<int64_t>(13, m_.opset);  // per-axis DequantizeLinear needs 13
  model_.set_ir_version(opset >= 19 ? 9 : 8);
  model_.set_producer_name("tessera quantize_float_model");
  auto* o = model_.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  g().set_name("quantized");
  auto declare = [&](::onnx::ValueInfoProto* vi, const std::string& name) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(TensorProto::FLOAT);
    for (int64_t d : m_.dims.at(name)) tt->mutable_shape()->add_dim()->set_dim_value(d);
  };
  for (const Value& v : m_.inputs) {
    declare(g().add_input(), v.name);
    quantize_out(v.name, v.name, qparams_of(v.name));
  }
  for (const FloatOp& op : m_.ops) emit(op);
  for (const std::string& out : m_.outputs) declare(g().add_output(), out);
  return model_.SerializeAsString();
}

}  // namespace

QParams choose_qparams(Range r, ElemType t) {
  const bool sg = t == ElemType::kInt8;
  const double qmin = type_min(sg), qmax = type_max(sg);
  const double lo = std::min<double>(r.lo, 0.0), hi = std::max<double>(r.hi, 0.0);
  QParams p;
  if (!(hi > lo)) {  // all zero (or never observed)
    p.zero_point = int32_t(qmin);
    return p;
  }
  p.scale = float((hi - lo) / (qmax - qmin));
  p.zero_point = int32_t(std::clamp(std::nearbyint(qmin - lo / double(p.scale)), qmin, qmax));
  return p;
}

std::string quantize_to_qdq(const FloatModel& m, const std::map<std::string, Range>& ranges,
                            const QuantizeOptions& opt) {
  return QdqWriter(m, ranges, opt).write();
}

Network quantize_float_model(const FloatModel& m, const std::vector<TensorMap>& calibration,
                             const QuantizeOptions& opt) {
  const std::string qdq = quantize_to_qdq(m, calibrate(m, calibration), opt);
  Network net = import_onnx_bytes(qdq, m.source + " (quantized)");
  net.source = m.source;
  // Name the folded ONNX ops (the QDQ model only has the Conv / Gemm they became).
  for (Op& op : net.ops)
    for (const FloatOp& f : m.ops)
      if (f.name == op.name && net.is_device_op(op)) op.onnx_op = f.onnx_op;
  return net;
}

Network quantize_float_model(const std::string& path, const std::vector<TensorMap>& calibration,
                             const QuantizeOptions& opt) {
  return quantize_float_model(load_float_model(path), calibration, opt);
}

}  // namespace tessera::onnx
