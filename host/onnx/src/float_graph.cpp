// Float ONNX graph -> FloatModel: BatchNormalization folded into Conv / Gemm, Relu / Clip fused
// into their producer, MatMul + Add(constant) fused into one fully connected op
// (docs/onnx.md "Float models").
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "float_internal.hpp"
#include "onnx_internal.hpp"

namespace tessera::onnx {
namespace detail {
namespace {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::NodeProto;

constexpr int64_t kMinOpset = 10, kMaxOpset = 19;
constexpr float kInf = std::numeric_limits<float>::infinity();

const std::set<std::string>& supported_float_ops() {
  static const std::set<std::string> ops{
      "Conv", "BatchNormalization", "Gemm", "MatMul", "Add", "MaxPool", "AveragePool",
      "GlobalAveragePool", "Relu", "Clip", "Flatten", "Reshape", "Softmax", "Identity", "Dropout",
      "Constant"};
  return ops;
}

bool is_quantization_op(const NodeProto& n) {
  const std::string& op = n.op_type();
  return op == "QuantizeLinear" || op == "DequantizeLinear" || op.rfind("QLinear", 0) == 0 ||
         op == "ConvInteger" || op == "MatMulInteger";
}

class FloatParser {
 public:
  explicit FloatParser(const std::string& source) { m_.source = source; }
  FloatModel run(const ::onnx::ModelProto& mp);

 private:
  [[noreturn]] void fail(const std::string& msg) const {
    throw std::runtime_error(m_.source + ": " + msg);
  }
  [[noreturn]] void node_fail(const NodeProto& n, const std::string& msg) const {
    fail("node '" + name_of(n) + "' (" + n.op_type() + "): " + msg);
  }
  std::string name_of(const NodeProto& n) const { return names_.at(&n); }

  // ---- operands ----
  std::string resolve(const std::string& t) const {
    auto it = alias_.find(t);
    return it == alias_.end() ? t : it->second;
  }
  bool has_in(const NodeProto& n, int k) const { return k < n.input_size() && !n.input(k).empty(); }
  const Tensor* const_or_null(const NodeProto& n, int k) const {
    if (!has_in(n, k)) return nullptr;
    auto it = consts_.find(resolve(n.input(k)));
    return it == consts_.end() ? nullptr : &it->second;
  }
  const Tensor& const_in(const NodeProto& n, int k, const char* what) const {
    if (!has_in(n, k)) node_fail(n, std::string("input ") + std::to_string(k) + " (" + what + ") is missing");
    const Tensor* t = const_or_null(n, k);
    if (!t) node_fail(n, std::string(what) + " '" + n.input(k) + "' must be a constant (initializer)");
    if (!t->is_float()) node_fail(n, std::string(what) + " '" + n.input(k) + "' must be float, got " + elem_type_name(t->type));
    return *t;
  }
  // An activation tensor (graph input or op output).
  std::string act_in(const NodeProto& n, int k) const {
    if (!has_in(n, k)) node_fail(n, "input " + std::to_string(k) + " is missing");
    const std::string t = resolve(n.input(k));
    if (consts_.count(t))
      node_fail(n, "input '" + n.input(k) + "' is a constant; Tessera needs a computed tensor here");
    if (!m_.dims.count(t)) node_fail(n, "input '" + n.input(k) + "' is not defined by an earlier node or graph input");
    return t;
  }
  const std::vector<int64_t>& dims(const std::string& t) const { return m_.dims.at(t); }
  std::string out_name(const NodeProto& n) const {
    if (n.output_size() < 1 || n.output(0).empty()) node_fail(n, "output is missing");
    return n.output(0);
  }

  // The op producing `t` when only one node consumes t and t is no graph output (so the op may
  // absorb its consumer); nullptr otherwise.
  FloatOp* sole_producer(const std::string& t) {
    auto it = producer_.find(t);
    if (it == producer_.end() || uses_[t] != 1 || graph_outputs_.count(t)) return nullptr;
    return &m_.ops[it->second];
  }
  int add_op(FloatOp op) {
    m_.dims[op.output] = op.out_dims;
    producer_[op.output] = int(m_.ops.size());
    m_.ops.push_back(std::move(op));
    return int(m_.ops.size() - 1);
  }
  // The absorbing op now produces `t` (the consumer's output).
  void rename_output(FloatOp& op, const std::string& t) {
    op.output = t;
    m_.dims[t] = op.out_dims;
    producer_[t] = int(&op - m_.ops.data());
  }

  void conv(const NodeProto& n);
  void batch_norm(const NodeProto& n);
  void fc(const NodeProto& n);
  void pool(const NodeProto& n);
  void add(const NodeProto& n);
  void activation(const NodeProto& n);
  void view(const NodeProto& n);
  void softmax(const NodeProto& n);

  FloatModel m_;
  std::map<std::string, Tensor> consts_;
  std::map<std::string, std::string> alias_;  // Identity / Dropout outputs
  std::map<std::string, int> producer_;       // tensor -> op index
  std::map<std::string, int> uses_;           // tensor -> consuming nodes (+ graph outputs)
  std::set<std::string> graph_outputs_;
  std::map<const NodeProto*, std::string> names_;
};

// ---------------------------------------------------------------------------------------------

void FloatParser::conv(const NodeProto& n) {
  const std::string x = act_in(n, 0);
  const auto& xd = dims(x);
  if (xd.size() != 4) node_fail(n, "input '" + x + "' must be 4-D NCHW, got " + dims_str(xd));
  const Tensor& w = const_in(n, 1, "weights");
  if (w.dims.size() != 4) node_fail(n, "weights must be 4-D, got " + dims_str(w.dims));
  FloatOp op;
  op.kind = FloatOpKind::kConv;
  op.name = name_of(n);
  op.onnx_op = "Conv";
  op.inputs = {x};
  ConvLayer& L = op.conv;
  L.name = op.name;
  L.in = Shape{int(xd[2]), int(xd[3]), int(xd[1])};
  L.out_c = int(w.dims[0]);
  L.kh = int(w.dims[2]);
  L.kw = int(w.dims[3]);
  L.groups = int(attr_i(n, "group", 1));
  const int cg = int(w.dims[1]);
  if (L.groups == 1 && cg != L.in.c)
    node_fail(n, "weights have " + std::to_string(cg) + " input channels, input '" + x + "' has " +
                     std::to_string(L.in.c));
  if (L.groups != 1 && !(L.groups == L.in.c && L.out_c == L.in.c && cg == 1))
    node_fail(n, "group = " + std::to_string(L.groups) +
                     ": only groups = 1 and depthwise (groups = channels = output channels) are "
                     "supported");
  conv_geometry(n, L, [&](const std::string& m) { node_fail(n, m); });
  op.weight = w.f;
  if (const Tensor* b = has_in(n, 2) ? &const_in(n, 2, "bias") : nullptr) {
    if (b->numel() != size_t(L.out_c))
      node_fail(n, "bias has " + std::to_string(b->numel()) + " elements, the weights " +
                       std::to_string(L.out_c) + " output channels");
    op.bias = b->f;
  }
  op.out_dims = {xd[0], L.out_c, L.out_h(), L.out_w()};
  op.output = out_name(n);
  add_op(std::move(op));
}

// y = (x - mean) * gamma / sqrt(var + eps) + beta folded into the producer's weights and bias.
void FloatParser::batch_norm(const NodeProto& n) {
  const std::string x = act_in(n, 0);
  if (attr_i(n, "training_mode", 0) != 0) node_fail(n, "training_mode = 1 is not supported");
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty()) node_fail(n, "the running mean / var outputs are not supported");
  FloatOp* p = sole_producer(x);
  if (!p || (p->kind != FloatOpKind::kConv && p->kind != FloatOpKind::kFc) ||
      std::isfinite(p->act_lo) || std::isfinite(p->act_hi))
    node_fail(n, "BatchNormalization must directly follow a Conv / Gemm / MatMul whose output "
                 "it alone consumes (it is folded into that node's weights); input '" + x +
                 "' is not such an output");
  const int channels = p->kind == FloatOpKind::kConv ? p->conv.out_c : p->fc_n;
  if (p->kind == FloatOpKind::kFc && p->out_dims.size() != 2)
    node_fail(n, "folding into '" + p->name + "' needs a 2-D [N, C] input, got " +
                     dims_str(p->out_dims));
  const char* names[4] = {"scale", "B", "input_mean", "input_var"};
  const Tensor* t[4];
  for (int k = 0; k < 4; ++k) {
    t[k] = &const_in(n, k + 1, names[k]);
    if (t[k]->numel() != size_t(channels))
      node_fail(n, std::string(names[k]) + " '" + n.input(k + 1) + "' has " +
                       std::to_string(t[k]->numel()) + " elements, but '" + p->name + "' has " +
                       std::to_string(channels) + " output channels");
  }
  const double eps = attr_f(n, "epsilon", 1e-5f);
  p->bias.resize(channels, 0.0f);
  const size_t per_out = p->weight.size() / channels;
  for (int c = 0; c < channels; ++c) {
    const double var = t[3]->f[c];
    if (!(var + eps > 0)) node_fail(n, "input_var + epsilon of channel " + std::to_string(c) + " is not > 0");
    const double g = double(t[0]->f[c]) / std::sqrt(var + eps);
    if (p->kind == FloatOpKind::kConv) {
      for (size_t k = 0; k < per_out; ++k) p->weight[c * per_out + k] = float(p->weight[c * per_out + k] * g);
    } else {  // [K][N]: column c
      for (int k = 0; k < p->fc_k; ++k) p->weight[size_t(k) * channels + c] = float(p->weight[size_t(k) * channels + c] * g);
    }
    p->bias[c] = float((double(p->bias[c]) - t[2]->f[c]) * g + t[1]->f[c]);
  }
  p->onnx_op += "+BatchNormalization";
  rename_output(*p, out_name(n));
}

// Gemm (transA = 0) and MatMul with a constant 2-D B. Alpha is folded into the weights, beta
// into the bias.
void FloatParser::fc(const NodeProto& n) {
  const bool gemm = n.op_type() == "Gemm";
  const std::string x = act_in(n, 0);
  const auto& xd = dims(x);
  const Tensor& b = const_in(n, 1, "B");
  if (b.dims.size() != 2) node_fail(n, "B must be a 2-D constant, got " + dims_str(b.dims));
  bool trans_b = false;
  float alpha = 1, beta = 1;
  if (gemm) {
    if (attr_i(n, "transA", 0) != 0) node_fail(n, "transA = 1 is not supported");
    if (xd.size() != 2) node_fail(n, "A must be 2-D, got " + dims_str(xd));
    trans_b = attr_i(n, "transB", 0) != 0;
    alpha = attr_f(n, "alpha", 1.0f);
    beta = attr_f(n, "beta", 1.0f);
  } else if (xd.size() < 2 || xd.size() > 3) {
    node_fail(n, "A must be 2-D or 3-D, got " + dims_str(xd));
  }
  const int K = int(trans_b ? b.dims[1] : b.dims[0]), N = int(trans_b ? b.dims[0] : b.dims[1]);
  if (xd.back() != K)
    node_fail(n, "inner dimensions differ: " + dims_str(xd) + " x " + dims_str(b.dims) +
                     (trans_b ? " (transB)" : ""));
  FloatOp op;
  op.kind = FloatOpKind::kFc;
  op.name = name_of(n);
  op.onnx_op = n.op_type();
  op.inputs = {x};
  op.fc_k = K;
  op.fc_n = N;
  op.weight.resize(size_t(K) * N);
  for (int k = 0; k < K; ++k)
    for (int c = 0; c < N; ++c)
      op.weight[size_t(k) * N + c] = alpha * b.f[trans_b ? size_t(c) * K + k : size_t(k) * N + c];
  if (gemm && has_in(n, 2)) {
    const Tensor& c = const_in(n, 2, "C");
    if (c.numel() != 1 && c.numel() != size_t(N))
      node_fail(n, "C must have 1 or " + std::to_string(N) + " elements (broadcast over rows), got " +
                       dims_str(c.dims));
    op.bias.resize(N);
    for (int k = 0; k < N; ++k) op.bias[k] = beta * c.f[c.numel() == 1 ? 0 : k];
  }
  op.out_dims = xd;
  op.out_dims.back() = N;
  op.output = out_name(n);
  add_op(std::move(op));
}

void FloatParser::pool(const NodeProto& n) {
  const std::string x = act_in(n, 0);
  const auto& xd = dims(x);
  if (xd.size() != 4) node_fail(n, "input '" + x + "' must be 4-D NCHW, got " + dims_str(xd));
  const std::string& opt = n.op_type();
  FloatOp op;
  op.kind = opt == "MaxPool" ? FloatOpKind::kMaxPool : FloatOpKind::kAvgPool;
  op.name = name_of(n);
  op.onnx_op = opt;
  op.inputs = {x};
  PoolLayer& P = op.pool;
  P.name = op.name;
  P.in = Shape{int(xd[2]), int(xd[3]), int(xd[1])};
  P.avg = op.kind == FloatOpKind::kAvgPool;
  pool_geometry(n, P, P.in, opt == "GlobalAveragePool",
                [&](const std::string& m) { node_fail(n, m); });
  if (opt != "GlobalAveragePool") {
    op.count_include_pad = attr_i(n, "count_include_pad", 0) != 0;
    if (P.avg && !op.count_include_pad && (P.pad_top || P.pad_left || P.pad_bottom || P.pad_right))
      node_fail(n, "count_include_pad = 0 with padding is not supported (the divisor is one "
                   "constant per layer)");
  }
  if (P.out_h() < 1 || P.out_w() < 1) node_fail(n, "the output would be empty");
  op.out_dims = {xd[0], xd[1], P.out_h(), P.out_w()};
  op.output = out_name(n);
  add_op(std::move(op));
}

// Add of two computed tensors (residual), or MatMul + constant bias.
void FloatParser::add(const NodeProto& n) {
  const Tensor* c0 = const_or_null(n, 0);
  const Tensor* c1 = const_or_null(n, 1);
  if (c0 && c1) node_fail(n, "both operands are constants");
  if (c0 || c1) {
    const int xi = c0 ? 1 : 0;
    const std::string x = act_in(n, xi);
    const Tensor& c = const_in(n, 1 - xi, "bias");
    FloatOp* p = sole_producer(x);
    if (!p || p->kind != FloatOpKind::kFc || !p->bias.empty() || std::isfinite(p->act_lo) ||
        std::isfinite(p->act_hi))
      node_fail(n, "an Add of a constant is only supported as the bias of the MatMul before it");
    if (p->out_dims.size() != 2)
      node_fail(n, "a MatMul bias needs a 2-D MatMul output, got " + dims_str(p->out_dims));
    if (c.numel() != size_t(p->fc_n) || (c.dims.size() == 2 && c.dims[0] != 1) || c.dims.size() > 2)
      node_fail(n, "bias '" + n.input(1 - xi) + "' " + dims_str(c.dims) + " must be [" +
                       std::to_string(p->fc_n) + "] or [1, " + std::to_string(p->fc_n) + "]");
    p->bias = c.f;
    p->onnx_op += "+Add";
    rename_output(*p, out_name(n));
    return;
  }
  const std::string a = act_in(n, 0), b = act_in(n, 1);
  if (dims(a) != dims(b))
    node_fail(n, "operands must have the same shape (no broadcasting): " + dims_str(dims(a)) +
                     " vs " + dims_str(dims(b)));
  FloatOp op;
  op.kind = FloatOpKind::kAdd;
  op.name = name_of(n);
  op.onnx_op = "Add";
  op.inputs = {a, b};
  op.out_dims = dims(a);
  op.output = out_name(n);
  add_op(std::move(op));
}

// Relu / Clip: clamps the producer's output. Through a MaxPool, which commutes with any
// monotonic function, the clamp moves onto the MaxPool's producer.
void FloatParser::activation(const NodeProto& n) {
  float lo = 0, hi = kInf;
  if (n.op_type() == "Clip") {
    lo = -kInf;
    if (m_.opset < 11) {
      lo = attr_f(n, "min", -kInf);
      hi = attr_f(n, "max", kInf);
    } else {
      auto bound = [&](int k, const char* what, float def) {
        if (!has_in(n, k)) return def;
        const Tensor& t = const_in(n, k, what);
        if (t.numel() != 1) node_fail(n, std::string(what) + " must be a scalar");
        return t.f[0];
      };
      lo = bound(1, "min", -kInf);
      hi = bound(2, "max", kInf);
    }
  }
  const std::string x = act_in(n, 0);
  FloatOp* p = sole_producer(x);
  FloatOp* target = p;
  if (p && p->kind == FloatOpKind::kMaxPool) target = sole_producer(p->inputs[0]);
  if (!target || (target->kind != FloatOpKind::kConv && target->kind != FloatOpKind::kFc &&
                  target->kind != FloatOpKind::kAdd))
    node_fail(n, "must follow a Conv, Gemm, MatMul or Add (possibly through a MaxPool) whose "
                 "output it alone consumes");
  target->act_lo = std::max(target->act_lo, lo);
  target->act_hi = std::min(target->act_hi, hi);
  if (!(target->act_lo <= target->act_hi)) node_fail(n, "the clamp range is empty");
  target->onnx_op += "+" + n.op_type();
  rename_output(*p, out_name(n));
}

void FloatParser::view(const NodeProto& n) {
  const std::string x = act_in(n, 0);
  const auto& xd = dims(x);
  int64_t total = 1;
  for (int64_t d : xd) total *= d;
  const std::vector<int64_t>* shape = nullptr;
  if (n.op_type() == "Reshape") {
    const Tensor* s = const_or_null(n, 1);
    if (!s || s->type != ElemType::kInt64) node_fail(n, "shape must be an int64 constant");
    shape = &s->i;
  }
  const std::vector<int64_t> nd =
      view_dims(n, xd, total, shape, [&](const std::string& m) { node_fail(n, m); });
  FloatOp op;
  op.kind = FloatOpKind::kView;
  op.name = name_of(n);
  op.onnx_op = n.op_type();
  op.inputs = {x};
  op.out_dims = nd;
  op.output = out_name(n);
  add_op(std::move(op));
}

void FloatParser::softmax(const NodeProto& n) {
  const std::string x = act_in(n, 0);
  const int rank = int(dims(x).size());
  int64_t axis = attr_i(n, "axis", m_.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= std::max(rank, 1)) node_fail(n, "axis out of range");
  // Before opset 13 Softmax flattens the axes from `axis` on; with one trailing axis both agree.
  if (m_.opset < 13 && axis != rank - 1)
    node_fail(n, "opset < 13 Softmax over several trailing axes is not supported");
  FloatOp op;
  op.kind = FloatOpKind::kSoftmax;
  op.name = name_of(n);
  op.onnx_op = "Softmax";
  op.inputs = {x};
  op.softmax_axis = int(axis);
  op.out_dims = dims(x);
  op.output = out_name(n);
  add_op(std::move(op));
}

FloatModel FloatParser::run(const ::onnx::ModelProto& mp) {
  if (!mp.has_graph()) fail("the model has no graph (not an ONNX model?)");
  bool have_default = false;
  for (const auto& o : mp.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      have_default = true;
      m_.opset = o.version();
    }
  if (!have_default) fail("the model imports no ai.onnx opset (opset_import is empty)");
  if (m_.opset < kMinOpset || m_.opset > kMaxOpset)
    fail("opset ai.onnx version " + std::to_string(m_.opset) + " is not supported (" +
         std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
  const GraphProto& g = mp.graph();
  for (int k = 0; k < g.node_size(); ++k) {
    const NodeProto& n = g.node(k);
    names_[&n] = n.name().empty() ? n.op_type() + "_" + std::to_string(k) : n.name();
  }
  std::vector<std::string> bad;
  for (const NodeProto& n : g.node())
    if (!(n.domain().empty() || n.domain() == "ai.onnx") || !supported_float_ops().count(n.op_type()))
      bad.push_back("'" + name_of(n) + "' (" + (n.domain().empty() ? "" : n.domain() + ".") +
                    n.op_type() + ")");
  if (!bad.empty()) {
    std::string msg = "float model: " + std::to_string(bad.size()) + " unsupported node(s): ";
    for (size_t k = 0; k < bad.size(); ++k) msg += (k ? ", " : "") + bad[k];
    fail(msg);
  }

  for (const auto& t : g.initializer())
    consts_[t.name()] = tensor_from_proto(t, m_.source + ": initializer '" + t.name() + "'");
  for (const auto& in : g.input()) {
    if (consts_.count(in.name())) continue;
    if (!in.type().has_tensor_type()) fail("graph input '" + in.name() + "' is not a tensor");
    const auto& tt = in.type().tensor_type();
    if (tt.elem_type() != ::onnx::TensorProto::FLOAT)
      fail("graph input '" + in.name() + "' of a float model must be float");
    if (!tt.has_shape()) fail("graph input '" + in.name() + "' has no shape (dynamic rank)");
    Value v;
    v.name = in.name();
    v.type = ElemType::kFloat;
    for (int k = 0; k < tt.shape().dim_size(); ++k) {
      const auto& d = tt.shape().dim(k);
      if (!d.has_dim_value() || d.dim_value() < 1)
        fail("graph input '" + in.name() + "' has a dynamic dimension " + std::to_string(k) +
             (d.has_dim_param() ? " ('" + d.dim_param() + "')" : "") +
             "; Tessera needs static shapes");
      v.dims.push_back(d.dim_value());
    }
    m_.dims[v.name] = v.dims;
    m_.inputs.push_back(v);
  }
  for (const auto& o : g.output()) {
    graph_outputs_.insert(o.name());
    ++uses_[o.name()];
  }
  for (const NodeProto& n : g.node())
    for (const auto& i : n.input())
      if (!i.empty()) ++uses_[i];

  for (const NodeProto& n : g.node()) {
    const std::string& op = n.op_type();
    if (op == "Constant") {
      const AttributeProto* a = attr(n, "value");
      if (!a || !a->has_t()) node_fail(n, "only the 'value' tensor attribute is supported");
      consts_[out_name(n)] = tensor_from_proto(a->t(), m_.source + ": node '" + name_of(n) + "'");
    } else if (op == "Identity" || op == "Dropout") {
      // Inference: Dropout is the identity. An alias inherits the use count of its source.
      const std::string src = resolve(n.input(0));
      alias_[out_name(n)] = src;
      uses_[src] += uses_[out_name(n)] - 1;
      if (graph_outputs_.count(out_name(n))) graph_outputs_.insert(src);
    } else if (op == "Conv") {
      conv(n);
    } else if (op == "BatchNormalization") {
      batch_norm(n);
    } else if (op == "Gemm" || op == "MatMul") {
      fc(n);
    } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") {
      pool(n);
    } else if (op == "Add") {
      add(n);
    } else if (op == "Relu" || op == "Clip") {
      activation(n);
    } else if (op == "Flatten" || op == "Reshape") {
      view(n);
    } else {
      softmax(n);
    }
  }
  if (g.output_size() == 0) fail("the graph has no outputs");
  for (const auto& o : g.output()) {
    const std::string t = resolve(o.name());
    if (!producer_.count(t))
      fail("graph output '" + o.name() + "' is not computed by a supported operator");
    if (t != o.name())
      fail("graph output '" + o.name() + "' is an Identity / Dropout alias, which is not supported");
    m_.outputs.push_back(t);
  }
  return std::move(m_);
}

}  // namespace

const NodeProto* float_weight_node(const GraphProto& g) {
  std::set<std::string> float_consts;  // initializers and Constant nodes
  for (const auto& t : g.initializer())
    if (t.data_type() == ::onnx::TensorProto::FLOAT) float_consts.insert(t.name());
  const NodeProto* found = nullptr;
  for (const NodeProto& n : g.node()) {
    if (is_quantization_op(n)) return nullptr;
    if (n.op_type() == "Constant" && n.output_size() == 1)
      for (const auto& a : n.attribute())
        if (a.name() == "value" && a.t().data_type() == ::onnx::TensorProto::FLOAT)
          float_consts.insert(n.output(0));
    const std::string& op = n.op_type();
    if (!found && (op == "Conv" || op == "Gemm" || op == "MatMul") && n.input_size() > 1 &&
        float_consts.count(n.input(1)))
      found = &n;
  }
  return found;
}

std::string float_model_message(const NodeProto& n) {
  return "float model (node '" + (n.name().empty() ? n.op_type() : n.name()) + "' (" + n.op_type() +
         ") has float weights and the graph has no QuantizeLinear / DequantizeLinear): Tessera "
         "quantizes it from calibration inputs; pass them (ImportOptions::calibration, "
         "quantize_float_model(), or `tessera run --calibrate IMAGES`)";
}

FloatModel parse_float_model(const ::onnx::ModelProto& m, const std::string& source) {
  return FloatParser(source).run(m);
}

}  // namespace detail

FloatModel load_float_model_bytes(const std::string& bytes, const std::string& source) {
  ::onnx::ModelProto m;
  if (bytes.empty()) throw std::runtime_error(source + ": empty file");
  if (!m.ParseFromString(bytes))
    throw std::runtime_error(source + ": not a valid ONNX model (protobuf parse failed: "
                             "truncated or corrupt file)");
  return detail::parse_float_model(m, source);
}

FloatModel load_float_model(const std::string& path) {
  return load_float_model_bytes(detail::read_file_bytes(path), path);
}

bool is_float_model(const std::string& path) {
  ::onnx::ModelProto m;
  if (!m.ParseFromString(detail::read_file_bytes(path))) return false;
  return detail::float_weight_node(m.graph()) != nullptr;
}

}  // namespace tessera::onnx
