// ONNX model -> tessera::onnx::Network (docs/onnx.md).
//
// Nodes are visited in topological order with a symbolic value per ONNX tensor name:
//   kConst    an initializer / Constant / bound input
//   kValue    a Network value (quantized on the device, or a host float)
//   kDQ       DequantizeLinear of a quantized Network value (the float view a QDQ op consumes)
//   kDQConst  DequantizeLinear of a constant (weights, bias)
//   kPending  the float output of a QDQ op (Conv/Gemm/MatMul/Add/pool, + Relu/Clip) waiting for
//             the QuantizeLinear that turns it into one Tessera layer
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "float_internal.hpp"
#include "onnx_internal.hpp"
#include "tessera/onnx/network.hpp"
#include "tessera/quant.hpp"

namespace tessera::onnx {
namespace {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::ModelProto;
using ::onnx::NodeProto;
using detail::attr;
using detail::attr_f;
using detail::attr_i;
using detail::attr_ints;
using detail::attr_s;

constexpr int64_t kMinOpset = 10, kMaxOpset = 19;

bool is_q8(ElemType t) { return t == ElemType::kUint8 || t == ElemType::kInt8; }
bool is_int(ElemType t) { return t != ElemType::kFloat; }

// Supported (domain, op type) pairs; domain "" is ai.onnx.
bool supported_op(const std::string& domain, const std::string& op) {
  static const std::set<std::string> kStd{
      "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "QuantizeLinear",
      "DequantizeLinear", "Conv", "Gemm", "MatMul", "Add", "MaxPool", "AveragePool",
      "GlobalAveragePool", "Relu", "Clip", "Flatten", "Reshape", "Softmax", "Identity",
      "Constant"};
  static const std::set<std::string> kMs{"QLinearAdd", "QGemm", "QLinearAveragePool",
                                         "QLinearGlobalAveragePool", "QuantizeLinear",
                                         "DequantizeLinear"};
  if (domain.empty() || domain == "ai.onnx") return kStd.count(op) > 0;
  if (domain == "com.microsoft") return kMs.count(op) > 0;
  return false;
}

struct Sym {
  enum Kind { kNone, kConst, kValue, kDQ, kDQConst, kPending } kind = kNone;
  Tensor c;                    // kConst, kDQConst (the integer tensor)
  std::vector<float> scale;    // kDQConst
  std::vector<int64_t> zp;     // kDQConst
  int axis = 1;                // kDQConst
  int value = -1;              // kValue, kDQ
  int pending = -1;            // kPending
  std::string producer;        // node that produced it (messages)
};

// Partially built QDQ op.
struct Pending {
  enum Kind { kConvLike, kMaxPool, kAvgPool, kAdd } kind = kConvLike;
  Op op;                             // inputs, layers with geometry and weights
  std::vector<float> in_w_scale;     // conv-like: s_x * s_w[c] per output channel
  std::vector<double> bias_real;     // conv-like: float bias (empty: none)
  std::vector<int64_t> bias_q;       // conv-like: integer bias in s_x*s_w units (if given so)
  float a_scale = 1, b_scale = 1;    // add / pool input scales
  Value out;                         // output layout (dims, batch, shape, chw)
  bool relu = false;
  float clip_lo = -std::numeric_limits<float>::infinity();
  float clip_hi = std::numeric_limits<float>::infinity();
  std::string fused;                 // "Conv+Relu"
  bool layout_set = false;           // out has batch / shape / chw (else derived from 4-D dims)
};

class Importer {
 public:
  Importer(const std::string& source, const ImportOptions& opt) : src_(source), opt_(opt) {
    net_.source = source;
  }

  Network run(const ModelProto& m);

 private:
  [[noreturn]] void fail(const std::string& msg) const {
    throw std::runtime_error(src_ + ": " + msg);
  }
  [[noreturn]] void node_fail(const NodeProto& n, const std::string& msg) const {
    fail("node '" + nname(n) + "' (" + n.op_type() + "): " + msg);
  }
  std::string nname(const NodeProto& n) const {
    auto it = names_.find(&n);
    return it != names_.end() ? it->second : n.name();
  }

  // ---- symbols ----
  std::string in_name(const NodeProto& n, int k) const {
    return k < n.input_size() ? n.input(k) : std::string();
  }
  bool has_in(const NodeProto& n, int k) const { return !in_name(n, k).empty(); }
  Sym& sym(const NodeProto& n, int k) {
    const std::string nm = in_name(n, k);
    if (nm.empty()) node_fail(n, "required input " + std::to_string(k) + " is missing");
    auto it = syms_.find(nm);
    if (it == syms_.end()) node_fail(n, "input '" + nm + "' is not defined");
    return it->second;
  }
  const Tensor& const_in(const NodeProto& n, int k, const char* what) {
    Sym& s = sym(n, k);
    if (s.kind != Sym::kConst)
      node_fail(n, std::string(what) + " '" + in_name(n, k) +
                       "' must be a constant (initializer) for Tessera");
    return s.c;
  }
  float const_scalar_f(const NodeProto& n, int k, const char* what) {
    const Tensor& t = const_in(n, k, what);
    if (t.numel() != 1 || !t.is_float())
      node_fail(n, std::string(what) + " '" + in_name(n, k) + "' must be a float scalar (per-tensor)");
    if (!(t.f[0] > 0) || !std::isfinite(t.f[0]))
      node_fail(n, std::string(what) + " '" + in_name(n, k) + "' must be finite and > 0");
    return t.f[0];
  }
  // Zero point (optional input): value and type; default 0 of `def_type`.
  std::pair<int32_t, ElemType> const_zp(const NodeProto& n, int k, const char* what,
                                        ElemType def_type) {
    if (!has_in(n, k)) return {0, def_type};
    const Tensor& t = const_in(n, k, what);
    if (t.numel() != 1 || !is_q8(t.type))
      node_fail(n, std::string(what) + " '" + in_name(n, k) +
                       "' must be a uint8 / int8 scalar (per-tensor)");
    return {int32_t(t.i[0]), t.type};
  }
  // Per-channel float vector of length n (a scalar broadcasts).
  std::vector<float> per_channel_f(const NodeProto& nd, const Tensor& t, int n,
                                   const char* what) const {
    if (!t.is_float() || (t.numel() != 1 && t.numel() != size_t(n)))
      node_fail(nd, std::string(what) + " must be a float scalar or have " + std::to_string(n) +
                        " elements, got " + dims_str(t.dims));
    std::vector<float> v(n);
    for (int c = 0; c < n; ++c) v[c] = t.f[t.numel() == 1 ? 0 : c];
    for (float x : v)
      if (!(x > 0) || !std::isfinite(x)) node_fail(nd, std::string(what) + " must be > 0");
    return v;
  }
  std::vector<int32_t> per_channel_zp(const NodeProto& nd, const Tensor* t, int n,
                                      const char* what) const {
    if (!t) return std::vector<int32_t>(n, 0);
    if (!is_q8(t->type) || (t->numel() != 1 && t->numel() != size_t(n)))
      node_fail(nd, std::string(what) + " must be a uint8/int8 scalar or have " +
                        std::to_string(n) + " elements, got " + dims_str(t->dims));
    std::vector<int32_t> v(n);
    for (int c = 0; c < n; ++c) v[c] = int32_t(t->i[t->numel() == 1 ? 0 : c]);
    return v;
  }

  // A quantized Network value consumed by a device op.
  int q_value(const NodeProto& n, int k) {
    Sym& s = sym(n, k);
    if (s.kind != Sym::kValue)
      node_fail(n, "input '" + in_name(n, k) + "' must be a quantized tensor (got " +
                       (s.kind == Sym::kConst ? "a constant" : "a float tensor") + ")");
    const Value& v = net_.values[s.value];
    if (!is_q8(v.type))
      node_fail(n, "input '" + in_name(n, k) + "' is " + elem_type_name(v.type) +
                       ", a uint8 / int8 tensor is needed");
    return s.value;
  }
  int dq_value(const NodeProto& n, int k) {
    Sym& s = sym(n, k);
    if (s.kind != Sym::kDQ)
      node_fail(n, "input '" + in_name(n, k) +
                       "' must come from DequantizeLinear of a quantized tensor (QDQ form); "
                       "float execution is not supported");
    return s.value;
  }

  // ---- values ----
  int new_value(const std::string& name, std::vector<int64_t> dims, ElemType t) {
    Value v;
    v.name = name;
    v.type = t;
    v.dims = dims;
    layout_from_dims(v, name);
    v.storage = int(net_.values.size());
    net_.values.push_back(v);
    return v.storage;
  }
  void layout_from_dims(Value& v, const std::string& where) const {
    const auto& d = v.dims;
    for (int64_t x : d)
      if (x < 1) fail("tensor '" + where + "' has an empty dimension " + dims_str(d));
    if (d.size() > 4) fail("tensor '" + where + "' has rank " + std::to_string(d.size()) + " > 4");
    if (d.size() == 4) {
      v.batch = int(d[0]);
      v.shape = Shape{int(d[2]), int(d[3]), int(d[1])};
      v.chw_order = true;
    } else if (d.size() == 3) {
      v.batch = int(d[0]);
      v.shape = Shape{1, int(d[1]), int(d[2])};
      v.chw_order = false;
    } else if (d.size() == 2) {
      v.batch = 1;
      v.shape = Shape{1, int(d[0]), int(d[1])};
      v.chw_order = false;
    } else {
      v.batch = 1;
      v.shape = Shape{1, 1, d.empty() ? 1 : int(d[0])};
      v.chw_order = false;
    }
  }
  // A view (Flatten / Reshape) of value `src` with new dims.
  int view_value(const std::string& name, int src, std::vector<int64_t> dims) {
    Value v = net_.values[src];
    v.name = name;
    v.dims = std::move(dims);
    v.storage = net_.values[src].storage;
    net_.values.push_back(v);
    return int(net_.values.size() - 1);
  }
  // Checks that a value feeding a spatial op is NCHW in its own storage; returns its item shape.
  Shape spatial(const NodeProto& n, int v) const {
    const Value& x = net_.values[v];
    const Value& s = net_.values[x.storage];
    if (x.dims.size() != 4)
      node_fail(n, "input '" + x.name + "' must be 4-D NCHW, got " + dims_str(x.dims));
    const Shape want{int(x.dims[2]), int(x.dims[3]), int(x.dims[1])};
    const bool same = s.batch == int(x.dims[0]) && s.shape == want &&
                      (s.chw_order || (want.h * want.w == 1) || want.c == 1);
    if (!same)
      node_fail(n, "input '" + x.name + "' is a Reshape of '" + s.name +
                       "' that changes its spatial layout; Tessera cannot reinterpret it");
    return want;
  }

  // ---- layer builders ----
  Pending conv_like(const NodeProto& n, int x, const Tensor& w, const std::vector<int32_t>& wzp,
                    int32_t x_zp, ElemType x_type);
  Pending fc_like(const NodeProto& n, int x, const Tensor& b, bool trans_b,
                  const std::vector<int32_t>& wzp_cols, int32_t x_zp);
  int finalize(const NodeProto& n, Pending& p, float out_scale, int32_t out_zp, ElemType out_t,
               const std::string& out_name);
  int emit(Op op, const Value& out_layout, const std::string& out_name);

  void visit(const NodeProto& n);
  void check_declared(const ::onnx::ValueInfoProto& vi, int v, const char* what);

  std::string src_;
  const ImportOptions& opt_;
  Network net_;
  std::map<std::string, Sym> syms_;
  std::vector<Pending> pend_;
  std::map<const NodeProto*, std::string> names_;
  std::map<std::string, int> dq_host_;  // DequantizeLinear outputs materialised on the host
  int64_t opset_ = 0;
};

// ---------------------------------------------------------------------------------------------

// Conv / QLinearConv / ConvInteger: weights [O, C/g, kh, kw] -> ConvLayer (geometry, weights,
// zero points); mult / shift / bias / output parameters are filled by finalize().
Pending Importer::conv_like(const NodeProto& n, int x, const Tensor& w,
                            const std::vector<int32_t>& wzp, int32_t x_zp, ElemType x_type) {
  const Shape in = spatial(n, x);
  if (w.dims.size() != 4 || !is_q8(w.type))
    node_fail(n, "weights must be a 4-D uint8 / int8 constant, got " +
                     std::string(elem_type_name(w.type)) + dims_str(w.dims));
  const int O = int(w.dims[0]), Cg = int(w.dims[1]);
  const int group = int(attr_i(n, "group", 1));
  ConvLayer L;
  L.name = nname(n);
  L.in = in;
  L.out_c = O;
  L.kh = int(w.dims[2]);
  L.kw = int(w.dims[3]);
  L.groups = group;
  if (group == 1) {
    if (Cg != in.c)
      node_fail(n, "weights have " + std::to_string(Cg) + " input channels, input has " +
                       std::to_string(in.c));
  } else if (!(group == in.c && O == in.c && Cg == 1)) {
    node_fail(n, "group = " + std::to_string(group) +
                     " is not supported (only 1 and depthwise: group == C_in == C_out)");
  }
  detail::conv_geometry(n, L, [&](const std::string& m) { node_fail(n, m); });
  L.act_signed = x_type == ElemType::kInt8;
  L.wgt_signed = w.type == ElemType::kInt8;
  L.act_zp = x_zp;
  L.wzp = wzp;
  const int K = L.kh * L.kw * Cg;
  L.weights.resize(size_t(O) * K);
  for (int o = 0; o < O; ++o)
    for (int c = 0; c < Cg; ++c)
      for (int ky = 0; ky < L.kh; ++ky)
        for (int kx = 0; kx < L.kw; ++kx)
          L.weights[size_t(o) * K + (ky * L.kw + kx) * Cg + c] =
              uint8_t(w.i[((size_t(o) * Cg + c) * L.kh + ky) * L.kw + kx]);
  Pending p;
  p.op.kind = OpKind::kConv;
  p.op.name = L.name;
  p.op.inputs = {x};
  p.op.conv = {L};
  const Value& xv = net_.values[x];
  p.out.dims = {int64_t(xv.batch), O, L.out_h(), L.out_w()};
  return p;
}

// Gemm / MatMul / QLinearMatMul / MatMulInteger: B is [K, N] ([N, K] when trans_b) or a batch
// of those [Bt, K, N]; per-column zero points wzp_cols.
Pending Importer::fc_like(const NodeProto& n, int x, const Tensor& b, bool trans_b,
                          const std::vector<int32_t>& wzp_cols, int32_t x_zp) {
  const Value& xv = net_.values[x];
  const Value& sv = net_.values[xv.storage];
  if (!is_q8(b.type) || (b.dims.size() != 2 && b.dims.size() != 3))
    node_fail(n, "the second operand must be a 2-D or 3-D uint8 / int8 constant, got " +
                     std::string(elem_type_name(b.type)) + dims_str(b.dims));
  if (xv.dims.empty()) node_fail(n, "the first operand is a scalar");
  const bool batched_w = b.dims.size() == 3;
  const int nb = batched_w ? int(b.dims[0]) : 1;
  const int K = int(trans_b ? b.dims[b.dims.size() - 1] : b.dims[b.dims.size() - 2]);
  const int N = int(trans_b ? b.dims[b.dims.size() - 2] : b.dims[b.dims.size() - 1]);
  if (xv.dims.back() != K)
    node_fail(n, "inner dimensions differ: " + dims_str(xv.dims) + " x " + dims_str(b.dims));
  Pending p;
  p.op.kind = OpKind::kConv;
  p.op.name = nname(n);
  p.op.inputs = {x};
  const Shape S = sv.shape;
  ConvLayer L;
  L.name = p.op.name;
  L.in = S;
  L.out_c = N;
  L.act_zp = x_zp;
  L.act_signed = xv.type == ElemType::kInt8;
  L.wgt_signed = b.type == ElemType::kInt8;
  L.wzp = wzp_cols;
  auto bval = [&](int item, int k, int col) {
    const size_t base = size_t(item) * K * N;
    return uint8_t(b.i[base + (trans_b ? size_t(col) * K + k : size_t(k) * N + col)]);
  };
  std::vector<int64_t> out_dims = xv.dims;
  out_dims.back() = N;
  if ((!sv.chw_order || S.h * S.w == 1) && S.c == K) {
    // Rows: every pixel of an item is one row of the matrix: a 1x1 convolution.
    if (batched_w) {
      if (xv.dims.size() != 3 || sv.batch != nb || xv.dims[0] != nb)
        node_fail(n, "batched weights " + dims_str(b.dims) + " need a 3-D first operand with " +
                         std::to_string(nb) + " matrices, got " + dims_str(xv.dims));
    }
    for (int item = 0; item < nb; ++item) {
      ConvLayer Li = L;
      if (nb > 1) Li.name += "[" + std::to_string(item) + "]";
      Li.weights.resize(size_t(N) * K);
      for (int o = 0; o < N; ++o)
        for (int k = 0; k < K; ++k) Li.weights[size_t(o) * K + k] = bval(item, k, o);
      p.op.conv.push_back(std::move(Li));
    }
    p.out.dims = out_dims;
    p.out.batch = sv.batch;
    p.out.shape = Shape{S.h, S.w, N};
    p.out.chw_order = false;
    p.layout_set = true;
  } else if (sv.chw_order && S.elems() == size_t(K) && !batched_w &&
             xv.dims.size() == 2 && xv.dims[0] == sv.batch) {
    // Flatten of an NCHW image: one output pixel, kernel = the image, weights in CHW order.
    L.kh = S.h;
    L.kw = S.w;
    L.weights.resize(size_t(N) * K);
    for (int o = 0; o < N; ++o)
      for (int c = 0; c < S.c; ++c)
        for (int y = 0; y < S.h; ++y)
          for (int xx = 0; xx < S.w; ++xx)
            L.weights[size_t(o) * K + (y * S.w + xx) * S.c + c] =
                bval(0, (c * S.h + y) * S.w + xx, o);
    p.op.conv = {L};
    p.op.flatten_fc = true;
    p.out.dims = out_dims;
    p.out.batch = sv.batch;
    p.out.shape = Shape{1, 1, N};
    p.out.chw_order = false;
    p.layout_set = true;
  } else {
    node_fail(n, "cannot map the first operand " + dims_str(xv.dims) + " (stored as '" + sv.name +
                     "' " + dims_str(sv.dims) + ") onto rows of " + std::to_string(K) +
                     " elements");
  }
  return p;
}

int Importer::emit(Op op, const Value& lay, const std::string& out_name) {
  Value v = lay;
  v.name = out_name;
  v.storage = int(net_.values.size());
  net_.values.push_back(v);
  op.output = v.storage;
  net_.ops.push_back(std::move(op));
  return v.storage;
}

// Completes a pending op with its output quantization and emits it.
int Importer::finalize(const NodeProto& n, Pending& p, float so, int32_t zo, ElemType ot,
                       const std::string& out_name) {
  Value lay = p.out;
  if (!p.layout_set) layout_from_dims(lay, out_name);
  lay.type = ot;
  lay.quantized = true;
  lay.scale = so;
  lay.zero_point = zo;
  const bool osg = ot == ElemType::kInt8;
  int32_t lo = type_min(osg), hi = type_max(osg);
  auto qv = [&](float v) {
    const double q = std::nearbyint(double(v) / double(so)) + zo;
    return int32_t(std::clamp<double>(q, -1e9, 1e9));
  };
  if (p.relu) lo = std::max(lo, zo);
  if (std::isfinite(p.clip_lo)) lo = std::max(lo, std::min(hi, qv(p.clip_lo)));
  if (std::isfinite(p.clip_hi)) hi = std::min(hi, std::max(lo, qv(p.clip_hi)));
  Op op = p.op;
  op.onnx_op = p.fused;
  try {
    if (p.kind == Pending::kConvLike) {
      for (ConvLayer& L : op.conv) {
        const int O = L.out_c;
        L.out_signed = osg;
        L.out_zp = zo;
        L.clamp_min = lo;
        L.clamp_max = hi;
        L.requant = true;
        L.mult.resize(O);
        L.shift.resize(O);
        L.bias.assign(O, 0);
        for (int c = 0; c < O; ++c) {
          // The factor is formed in float32 like onnxruntime does; it then has a 24-bit mantissa
          // and mult * 2^-shift represents it exactly.
          const float f = p.in_w_scale[c] / so;
          const Multiplier m = quantize_multiplier(double(f));
          L.mult[c] = m.mult;
          L.shift[c] = uint8_t(m.shift);
          double b = 0;
          if (!p.bias_q.empty())
            b = double(p.bias_q[c]);
          else if (!p.bias_real.empty())
            b = std::nearbyint(p.bias_real[c] / double(p.in_w_scale[c]));
          if (b < INT32_MIN || b > INT32_MAX)
            node_fail(n, "bias of channel " + std::to_string(c) + " does not fit int32");
          L.bias[c] = int32_t(b);
        }
      }
    } else if (p.kind == Pending::kMaxPool) {
      const Value& x = net_.values[op.inputs[0]];
      if (x.type != ot || x.zero_point != zo || std::fabs(x.scale - so) > 1e-6f * so)
        node_fail(n, "MaxPool input and output quantization differ (Tessera's max pooling keeps "
                     "scale and zero point)");
      if (p.relu || std::isfinite(p.clip_lo) || std::isfinite(p.clip_hi))
        node_fail(n, "Relu / Clip after pooling is not supported");
    } else if (p.kind == Pending::kAvgPool) {
      const Value& x = net_.values[op.inputs[0]];
      if (x.type != ot) node_fail(n, "average pooling input and output types differ");
      if (p.relu || std::isfinite(p.clip_lo) || std::isfinite(p.clip_hi))
        node_fail(n, "Relu / Clip after pooling is not supported");
      PoolLayer& P = op.pool;
      P.out_zp = zo;
      const float f = p.a_scale / so / float(P.kh * P.kw);
      const Multiplier m = quantize_multiplier(double(f));
      P.mult = m.mult;
      P.shift = m.shift;
    } else {  // add
      AddLayer& A = op.add;
      const Value& a = net_.values[op.inputs[0]];
      if (a.type != ot) node_fail(n, "Add inputs and output must share the element type");
      const float fa = p.a_scale / so, fb = p.b_scale / so;
      const Multiplier m = quantize_multiplier(double(std::max(fa, fb)));
      A.shift = m.shift;
      A.a_mult = int32_t(std::llround(std::ldexp(double(fa), int(m.shift))));
      A.b_mult = int32_t(std::llround(std::ldexp(double(fb), int(m.shift))));
      A.out_zp = zo;
      A.clamp_min = lo;
      A.clamp_max = hi;
    }
  } catch (const std::invalid_argument& e) {
    node_fail(n, e.what());
  }
  return emit(std::move(op), lay, out_name);
}

void Importer::check_declared(const ::onnx::ValueInfoProto& vi, int v, const char* what) {
  if (!vi.type().has_tensor_type()) return;
  const auto& tt = vi.type().tensor_type();
  const Value& x = net_.values[v];
  if (tt.elem_type() != 0) {
    const ElemType t = detail::elem_from_onnx(tt.elem_type(), src_ + ": " + what + " '" + vi.name() + "'");
    if (t != x.type)
      fail(std::string(what) + " '" + vi.name() + "': the model declares " + elem_type_name(t) +
           ", Tessera computes " + elem_type_name(x.type));
  }
  if (!tt.has_shape()) return;
  std::vector<int64_t> d;
  for (const auto& dim : tt.shape().dim()) {
    if (!dim.has_dim_value()) return;  // symbolic: nothing to compare
    d.push_back(dim.dim_value());
  }
  if (d != x.dims)
    fail(std::string(what) + " '" + vi.name() + "': the model declares shape " + dims_str(d) +
         ", Tessera computes " + dims_str(x.dims));
}

// ---------------------------------------------------------------------------------------------

void Importer::visit(const NodeProto& n) {
  const std::string& op = n.op_type();
  auto out = [&](int k = 0) {
    if (k >= n.output_size() || n.output(k).empty()) node_fail(n, "output is missing");
    return n.output(k);
  };
  auto set_sym = [&](Sym s) {
    s.producer = nname(n);
    syms_[out()] = std::move(s);
  };
  auto value_sym = [&](int v) {
    Sym s;
    s.kind = Sym::kValue;
    s.value = v;
    set_sym(s);
  };
  auto pending_sym = [&](Pending p) {
    pend_.push_back(std::move(p));
    Sym s;
    s.kind = Sym::kPending;
    s.pending = int(pend_.size() - 1);
    set_sym(s);
  };
  auto quant_of = [&](int v, const NodeProto& nd, float s, int32_t zp, ElemType t) {
    // Records (or checks) the quantization of a value named by a QOperator node.
    Value& x = net_.values[v];
    if (t != x.type)
      node_fail(nd, "zero point type " + std::string(elem_type_name(t)) + " differs from '" +
                        x.name + "' (" + elem_type_name(x.type) + ")");
    if (!x.quantized) {
      x.quantized = true;
      x.scale = s;
      x.zero_point = zp;
    }
  };
  auto out_layout = [&](std::vector<int64_t> dims) {
    Value v;
    v.dims = std::move(dims);
    layout_from_dims(v, out());
    return v;
  };

  if (op == "Constant") {
    const AttributeProto* a = attr(n, "value");
    if (!a || !a->has_t()) node_fail(n, "only the 'value' tensor attribute is supported");
    Sym s;
    s.kind = Sym::kConst;
    s.c = detail::tensor_from_proto(a->t(), src_ + ": node '" + nname(n) + "'");
    set_sym(s);
    return;
  }
  if (op == "Identity") {
    Sym s = sym(n, 0);
    set_sym(s);
    return;
  }

  // ---------------- QOperator form ----------------
  if (op == "QLinearConv") {
    const int x = q_value(n, 0);
    const float sx = const_scalar_f(n, 1, "x_scale");
    const auto [zx, tx] = const_zp(n, 2, "x_zero_point", ElemType::kUint8);
    quant_of(x, n, sx, zx, tx);
    const Tensor& w = const_in(n, 3, "w");
    if (w.dims.size() != 4) node_fail(n, "w must be 4-D");
    const int O = int(w.dims[0]);
    const auto sw = per_channel_f(n, const_in(n, 4, "w_scale"), O, "w_scale");
    const Tensor& wz = const_in(n, 5, "w_zero_point");
    const auto wzp = per_channel_zp(n, &wz, O, "w_zero_point");
    if (wz.type != w.type) node_fail(n, "w_zero_point type differs from w");
    const float sy = const_scalar_f(n, 6, "y_scale");
    const auto [zy, ty] = const_zp(n, 7, "y_zero_point", ElemType::kUint8);
    Pending p = conv_like(n, x, w, wzp, zx, tx);
    p.fused = op;
    for (int c = 0; c < O; ++c) p.in_w_scale.push_back(sx * sw[c]);
    if (has_in(n, 8)) {
      const Tensor& b = const_in(n, 8, "B");
      if (b.type != ElemType::kInt32 || b.numel() != size_t(O))
        node_fail(n, "B must be int32 with " + std::to_string(O) + " elements");
      p.bias_q = b.i;
    }
    value_sym(finalize(n, p, sy, zy, ty, out()));
    return;
  }
  if (op == "ConvInteger") {
    const int x = q_value(n, 0);
    const Tensor& w = const_in(n, 1, "w");
    if (w.dims.size() != 4) node_fail(n, "w must be 4-D");
    const int O = int(w.dims[0]);
    const auto [zx, tx] = const_zp(n, 2, "x_zero_point", net_.values[x].type);
    if (tx != net_.values[x].type) node_fail(n, "x_zero_point type differs from x");
    const auto wzp = per_channel_zp(n, has_in(n, 3) ? &const_in(n, 3, "w_zero_point") : nullptr,
                                    O, "w_zero_point");
    Pending p = conv_like(n, x, w, wzp, zx, tx);
    for (ConvLayer& L : p.op.conv) {
      L.requant = false;
      L.bias.assign(O, 0);
      L.mult.assign(O, 1 << 30);
      L.shift.assign(O, 30);
    }
    p.op.onnx_op = op;
    Value lay = out_layout(p.out.dims);
    lay.type = ElemType::kInt32;
    value_sym(emit(p.op, lay, out()));
    return;
  }
  if (op == "QLinearMatMul" || op == "MatMulInteger") {
    const bool ql = op == "QLinearMatMul";
    const int a = q_value(n, 0);
    int32_t za;
    ElemType ta;
    float sa = 1;
    if (ql) {
      sa = const_scalar_f(n, 1, "a_scale");
      std::tie(za, ta) = const_zp(n, 2, "a_zero_point", ElemType::kUint8);
      quant_of(a, n, sa, za, ta);
    } else {
      std::tie(za, ta) = const_zp(n, 2, "a_zero_point", net_.values[a].type);
      if (ta != net_.values[a].type) node_fail(n, "a_zero_point type differs from A");
    }
    const Tensor& b = const_in(n, ql ? 3 : 1, "B");
    if (b.dims.size() < 2) node_fail(n, "B must be 2-D or 3-D");
    const int N = int(b.dims.back());
    const Tensor* bz = nullptr;
    if (ql) bz = &const_in(n, 5, "b_zero_point");
    else if (has_in(n, 3)) bz = &const_in(n, 3, "b_zero_point");
    const auto wzp = per_channel_zp(n, bz, N, "b_zero_point");
    if (bz && bz->type != b.type) node_fail(n, "b_zero_point type differs from B");
    Pending p = fc_like(n, a, b, false, wzp, za);
    p.fused = op;
    if (ql) {
      const auto sb = per_channel_f(n, const_in(n, 4, "b_scale"), N, "b_scale");
      for (int c = 0; c < N; ++c) p.in_w_scale.push_back(sa * sb[c]);
      const float sy = const_scalar_f(n, 6, "y_scale");
      const auto [zy, ty] = const_zp(n, 7, "y_zero_point", ElemType::kUint8);
      value_sym(finalize(n, p, sy, zy, ty, out()));
    } else {
      for (ConvLayer& L : p.op.conv) {
        L.requant = false;
        L.bias.assign(N, 0);
        L.mult.assign(N, 1 << 30);
        L.shift.assign(N, 30);
      }
      p.op.onnx_op = op;
      Value lay = p.out;
      lay.type = ElemType::kInt32;
      value_sym(emit(p.op, lay, out()));
    }
    return;
  }
  if (op == "QGemm") {
    // com.microsoft QGemm, onnxruntime's QOperator Gemm: Y = A * B' + C with C int32 in
    // a_scale * b_scale units (alpha = 1), requantized to y_scale / y_zero_point.
    if (attr_i(n, "transA", 0) != 0) node_fail(n, "transA = 1 is not supported");
    if (attr_f(n, "alpha", 1.0f) != 1.0f) node_fail(n, "alpha other than 1 is not supported");
    if (!has_in(n, 7)) node_fail(n, "a float output (no y_scale) is not supported");
    const int a = q_value(n, 0);
    const float sa = const_scalar_f(n, 1, "a_scale");
    const auto [za, ta] = const_zp(n, 2, "a_zero_point", ElemType::kUint8);
    quant_of(a, n, sa, za, ta);
    if (net_.values[a].dims.size() != 2) node_fail(n, "A must be 2-D");
    const Tensor& b = const_in(n, 3, "B");
    if (b.dims.size() != 2) node_fail(n, "B must be 2-D, got " + dims_str(b.dims));
    const bool trans_b = attr_i(n, "transB", 0) != 0;
    const int N = int(trans_b ? b.dims[0] : b.dims[1]);
    const auto sb = per_channel_f(n, const_in(n, 4, "b_scale"), N, "b_scale");
    const Tensor& bz = const_in(n, 5, "b_zero_point");
    if (bz.type != b.type) node_fail(n, "b_zero_point type differs from B");
    Pending p = fc_like(n, a, b, trans_b, per_channel_zp(n, &bz, N, "b_zero_point"), za);
    p.fused = op;
    for (int c = 0; c < N; ++c) p.in_w_scale.push_back(sa * sb[c]);
    if (has_in(n, 6)) {
      const Tensor& c = const_in(n, 6, "C");
      if (c.type != ElemType::kInt32 || c.numel() != size_t(N))
        node_fail(n, "C must be int32 with " + std::to_string(N) + " elements");
      p.bias_q = c.i;
    }
    const float sy = const_scalar_f(n, 7, "y_scale");
    const auto [zy, ty] = const_zp(n, 8, "y_zero_point", ElemType::kUint8);
    value_sym(finalize(n, p, sy, zy, ty, out()));
    return;
  }
  if (op == "QLinearAdd") {
    const int a = q_value(n, 0), b = q_value(n, 3);
    const float sa = const_scalar_f(n, 1, "A_scale");
    const auto [za, ta] = const_zp(n, 2, "A_zero_point", ElemType::kUint8);
    const float sb = const_scalar_f(n, 4, "B_scale");
    const auto [zb, tb] = const_zp(n, 5, "B_zero_point", ElemType::kUint8);
    const float sc = const_scalar_f(n, 6, "C_scale");
    const auto [zc, tc] = const_zp(n, 7, "C_zero_point", ElemType::kUint8);
    quant_of(a, n, sa, za, ta);
    quant_of(b, n, sb, zb, tb);
    Pending p;
    p.kind = Pending::kAdd;
    p.fused = op;
    p.a_scale = sa;
    p.b_scale = sb;
    const Value &va = net_.values[a], &vb = net_.values[b];
    const Value &sa_v = net_.values[va.storage], &sb_v = net_.values[vb.storage];
    if (va.dims != vb.dims || !(sa_v.shape == sb_v.shape) || sa_v.chw_order != sb_v.chw_order)
      node_fail(n, "operands must have the same shape and layout (no broadcasting): " +
                       dims_str(va.dims) + " vs " + dims_str(vb.dims));
    p.op.kind = OpKind::kAdd;
    p.op.name = nname(n);
    p.op.inputs = {a, b};
    p.op.add.name = p.op.name;
    p.op.add.shape = sa_v.shape;
    p.op.add.is_signed = ta == ElemType::kInt8;
    p.op.add.a_zp = za;
    p.op.add.b_zp = zb;
    p.out = sa_v;
    p.out.dims = va.dims;
    p.layout_set = true;
    const int v = finalize(n, p, sc, zc, tc, out());
    value_sym(v);
    return;
  }
  if (op == "QLinearAveragePool" || op == "QLinearGlobalAveragePool") {
    const bool global = op == "QLinearGlobalAveragePool";
    const int x = q_value(n, 0);
    const float sx = const_scalar_f(n, 1, "x_scale");
    const auto [zx, tx] = const_zp(n, 2, "x_zero_point", ElemType::kUint8);
    const float sy = const_scalar_f(n, 3, "y_scale");
    const auto [zy, ty] = const_zp(n, 4, "y_zero_point", ElemType::kUint8);
    quant_of(x, n, sx, zx, tx);
    if (attr_i(n, "channels_last", 0) != 0) node_fail(n, "channels_last = 1 is not supported");
    Pending p;
    p.kind = Pending::kAvgPool;
    p.fused = op;
    p.a_scale = sx;
    p.op.kind = OpKind::kPool;
    p.op.name = nname(n);
    p.op.inputs = {x};
    PoolLayer& P = p.op.pool;
    P.name = nname(n);
    P.avg = true;
    detail::pool_geometry(n, P, spatial(n, x), global,
                          [&](const std::string& m) { node_fail(n, m); });
    P.is_signed = tx == ElemType::kInt8;
    P.in_zp = zx;
    if (!global && attr_i(n, "count_include_pad", 0) == 0 &&
        (P.pad_top || P.pad_left || P.pad_bottom || P.pad_right))
      node_fail(n, "count_include_pad = 0 with padding is not supported (the divisor is one "
                   "constant per layer)");
    p.out.dims = {int64_t(net_.values[x].batch), P.in.c, P.out_h(), P.out_w()};
    value_sym(finalize(n, p, sy, zy, ty, out()));
    return;
  }

  // ---------------- QDQ form and shared ops ----------------
  if (op == "QuantizeLinear") {
    const float s = const_scalar_f(n, 1, "y_scale");
    const auto [zp, t] = const_zp(n, 2, "y_zero_point", ElemType::kUint8);
    if (attr(n, "saturate") && attr_i(n, "saturate", 1) != 1)
      node_fail(n, "saturate = 0 is not supported");
    Sym& x = sym(n, 0);
    if (x.kind == Sym::kPending) {
      Pending& p = pend_[x.pending];
      value_sym(finalize(n, p, s, zp, t, out()));
      return;
    }
    if (x.kind == Sym::kValue && net_.values[x.value].type == ElemType::kFloat) {
      const Value& xv = net_.values[x.value];
      Op q;
      q.kind = OpKind::kQuantize;
      q.name = nname(n);
      q.onnx_op = op;
      q.inputs = {x.value};
      Value lay = xv;
      lay.type = t;
      lay.quantized = true;
      lay.scale = s;
      lay.zero_point = zp;
      value_sym(emit(q, lay, out()));
      return;
    }
    if (x.kind == Sym::kDQ) {
      // onnxruntime's quantizer wraps layout ops (Flatten, Reshape) as DQ -> op -> Q with the
      // input's own parameters: re-quantizing with them is the identity.
      const Value& xv = net_.values[x.value];
      if (t != xv.type || zp != xv.zero_point || std::fabs(xv.scale - s) > 1e-6f * s)
        node_fail(n, "re-quantizes '" + in_name(n, 0) + "' with a scale / zero point / type "
                     "other than its own; only an identical QuantizeLinear is supported there");
      value_sym(x.value);
      return;
    }
    if (x.kind == Sym::kConst && x.c.is_float()) {
      Sym c;
      c.kind = Sym::kConst;
      c.c.type = t;
      c.c.dims = x.c.dims;
      c.c.name = out();
      for (float f : x.c.f)
        c.c.i.push_back(std::clamp<int64_t>(int64_t(std::nearbyint(f / s)) + zp, type_min(t == ElemType::kInt8),
                                            type_max(t == ElemType::kInt8)));
      set_sym(c);
      return;
    }
    node_fail(n, "input '" + in_name(n, 0) +
                     "' is neither a graph input, a constant nor the output of a fusable QDQ "
                     "operator");
  }
  if (op == "DequantizeLinear") {
    Sym& x = sym(n, 0);
    if (x.kind == Sym::kConst) {
      if (!is_int(x.c.type) || x.c.type == ElemType::kInt64)
        node_fail(n, "the constant must be uint8, int8 or int32");
      Sym d;
      d.kind = Sym::kDQConst;
      d.c = x.c;
      const Tensor& st = const_in(n, 1, "x_scale");
      if (!st.is_float()) node_fail(n, "x_scale must be float");
      d.scale = st.f;
      if (has_in(n, 2)) d.zp = const_in(n, 2, "x_zero_point").i;
      else d.zp.assign(st.numel(), 0);
      if (d.zp.size() != d.scale.size()) node_fail(n, "x_scale and x_zero_point sizes differ");
      int64_t axis = attr_i(n, "axis", 1);
      if (axis < 0) axis += int64_t(x.c.dims.size());
      d.axis = int(axis);
      if (d.scale.size() != 1 &&
          (d.axis < 0 || d.axis >= int(x.c.dims.size()) || x.c.dims[d.axis] != int64_t(d.scale.size())))
        node_fail(n, "per-axis scale of " + std::to_string(d.scale.size()) +
                         " elements does not match axis " + std::to_string(axis) + " of " +
                         dims_str(x.c.dims));
      set_sym(d);
      return;
    }
    if (x.kind == Sym::kValue) {
      Value& v = net_.values[x.value];
      if (!is_q8(v.type))
        node_fail(n, "input '" + v.name + "' is " + elem_type_name(v.type) +
                         "; only uint8 / int8 tensors can be dequantized");
      const float s = const_scalar_f(n, 1, "x_scale");
      const auto [zp, t] = const_zp(n, 2, "x_zero_point", v.type);
      quant_of(x.value, n, s, zp, t);
      if (std::fabs(v.scale - s) > 1e-6f * s || v.zero_point != zp)
        node_fail(n, "'" + v.name + "' is dequantized with a scale / zero point other than the "
                     "one it was quantized with");
      Sym d;
      d.kind = Sym::kDQ;
      d.value = x.value;
      set_sym(d);
      return;
    }
    node_fail(n, "input '" + in_name(n, 0) + "' must be a constant or a quantized tensor");
  }
  if (op == "Conv") {
    const int x = dq_value(n, 0);
    const Value& xv = net_.values[x];
    Sym& w = sym(n, 1);
    if (w.kind != Sym::kDQConst)
      node_fail(n, "weights must be DequantizeLinear of an int8 / uint8 constant (float weights "
                   "need calibration, which is not implemented)");
    if (w.c.dims.size() != 4) node_fail(n, "weights must be 4-D");
    const int O = int(w.c.dims[0]);
    if (w.scale.size() != 1 && w.axis != 0) node_fail(n, "per-channel weight scales need axis 0");
    std::vector<int32_t> wzp(O);
    std::vector<float> sw(O);
    for (int c = 0; c < O; ++c) {
      wzp[c] = int32_t(w.zp[w.zp.size() == 1 ? 0 : c]);
      sw[c] = w.scale[w.scale.size() == 1 ? 0 : c];
    }
    Pending p = conv_like(n, x, w.c, wzp, xv.zero_point, xv.type);
    p.fused = op;
    for (int c = 0; c < O; ++c) p.in_w_scale.push_back(xv.scale * sw[c]);
    if (has_in(n, 2)) {
      Sym& b = sym(n, 2);
      p.bias_real.resize(O);
      if (b.kind == Sym::kDQConst && b.c.numel() == size_t(O)) {
        for (int c = 0; c < O; ++c)
          p.bias_real[c] = double(b.c.i[c] - b.zp[b.zp.size() == 1 ? 0 : c]) *
                           b.scale[b.scale.size() == 1 ? 0 : c];
      } else if (b.kind == Sym::kConst && b.c.is_float() && b.c.numel() == size_t(O)) {
        for (int c = 0; c < O; ++c) p.bias_real[c] = b.c.f[c];
      } else {
        node_fail(n, "bias must be a constant (float or DequantizeLinear of int32) of " +
                         std::to_string(O) + " elements");
      }
    }
    pending_sym(std::move(p));
    return;
  }
  if (op == "Gemm" || op == "MatMul") {
    const int x = dq_value(n, 0);
    const Value& xv = net_.values[x];
    bool trans_b = false;
    if (op == "Gemm") {
      if (attr_i(n, "transA", 0) != 0) node_fail(n, "transA = 1 is not supported");
      if (attr_f(n, "alpha", 1.0f) != 1.0f || attr_f(n, "beta", 1.0f) != 1.0f)
        node_fail(n, "alpha / beta other than 1 are not supported");
      trans_b = attr_i(n, "transB", 0) != 0;
      if (xv.dims.size() != 2) node_fail(n, "A must be 2-D, got " + dims_str(xv.dims));
    }
    Sym& w = sym(n, 1);
    if (w.kind != Sym::kDQConst)
      node_fail(n, "B must be DequantizeLinear of an int8 / uint8 constant (float weights need "
                   "calibration, which is not implemented)");
    if (w.c.dims.size() != 2 && !(op == "MatMul" && w.c.dims.size() == 3))
      node_fail(n, "B must be 2-D");
    const int N = int(trans_b ? w.c.dims[w.c.dims.size() - 2] : w.c.dims.back());
    const int col_axis = trans_b ? int(w.c.dims.size()) - 2 : int(w.c.dims.size()) - 1;
    if (w.scale.size() != 1 && w.axis != col_axis)
      node_fail(n, "per-channel weight scales must be along the output-column axis");
    std::vector<int32_t> wzp(N);
    std::vector<float> sw(N);
    for (int c = 0; c < N; ++c) {
      wzp[c] = int32_t(w.zp[w.zp.size() == 1 ? 0 : c]);
      sw[c] = w.scale[w.scale.size() == 1 ? 0 : c];
    }
    Pending p = fc_like(n, x, w.c, trans_b, wzp, xv.zero_point);
    p.fused = op;
    for (int c = 0; c < N; ++c) p.in_w_scale.push_back(xv.scale * sw[c]);
    if (op == "Gemm" && has_in(n, 2)) {
      Sym& b = sym(n, 2);
      p.bias_real.resize(N);
      const size_t cnt = b.kind == Sym::kDQConst || b.kind == Sym::kConst ? b.c.numel() : 0;
      if (cnt != size_t(N) || (b.kind == Sym::kConst && !b.c.is_float()))
        node_fail(n, "C must be a constant of " + std::to_string(N) +
                         " elements (float or DequantizeLinear of int32)");
      for (int c = 0; c < N; ++c)
        p.bias_real[c] = b.kind == Sym::kConst
                             ? double(b.c.f[c])
                             : double(b.c.i[c] - b.zp[b.zp.size() == 1 ? 0 : c]) *
                                   b.scale[b.scale.size() == 1 ? 0 : c];
    }
    pending_sym(std::move(p));
    return;
  }
  if (op == "Add") {
    const int a = dq_value(n, 0), b = dq_value(n, 1);
    const Value &va = net_.values[a], &vb = net_.values[b];
    const Value &sa_v = net_.values[va.storage], &sb_v = net_.values[vb.storage];
    if (va.dims != vb.dims || !(sa_v.shape == sb_v.shape) || sa_v.chw_order != sb_v.chw_order)
      node_fail(n, "operands must have the same shape and layout (no broadcasting): " +
                       dims_str(va.dims) + " vs " + dims_str(vb.dims));
    if (va.type != vb.type) node_fail(n, "operands have different element types");
    Pending p;
    p.kind = Pending::kAdd;
    p.fused = op;
    p.a_scale = va.scale;
    p.b_scale = vb.scale;
    p.op.kind = OpKind::kAdd;
    p.op.name = nname(n);
    p.op.inputs = {a, b};
    p.op.add.name = p.op.name;
    p.op.add.shape = sa_v.shape;
    p.op.add.is_signed = va.type == ElemType::kInt8;
    p.op.add.a_zp = va.zero_point;
    p.op.add.b_zp = vb.zero_point;
    p.out = sa_v;
    p.out.dims = va.dims;
    p.layout_set = true;
    pending_sym(std::move(p));
    return;
  }
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") {
    Sym& xs = sym(n, 0);
    const bool direct = xs.kind == Sym::kValue;  // MaxPool on a uint8 / int8 tensor
    if (direct && op != "MaxPool") node_fail(n, "needs a DequantizeLinear input (QDQ form)");
    const int x = direct ? q_value(n, 0) : dq_value(n, 0);
    const Value& xv = net_.values[x];
    Pending p;
    p.kind = op == "MaxPool" ? Pending::kMaxPool : Pending::kAvgPool;
    p.fused = op;
    p.a_scale = xv.scale;
    p.op.kind = OpKind::kPool;
    p.op.name = nname(n);
    p.op.inputs = {x};
    PoolLayer& P = p.op.pool;
    P.name = nname(n);
    P.avg = op != "MaxPool";
    detail::pool_geometry(n, P, spatial(n, x), op == "GlobalAveragePool",
                          [&](const std::string& m) { node_fail(n, m); });
    P.is_signed = xv.type == ElemType::kInt8;
    P.in_zp = xv.zero_point;
    if (op == "AveragePool" && attr_i(n, "count_include_pad", 0) == 0 &&
        (P.pad_top || P.pad_left || P.pad_bottom || P.pad_right))
      node_fail(n, "count_include_pad = 0 with padding is not supported (the divisor is one "
                   "constant per layer)");
    p.out.dims = {int64_t(xv.batch), P.in.c, P.out_h(), P.out_w()};
    if (direct) {
      Value lay = out_layout(p.out.dims);
      lay.type = xv.type;
      lay.quantized = xv.quantized;
      lay.scale = xv.scale;
      lay.zero_point = xv.zero_point;
      p.op.onnx_op = op;
      value_sym(emit(p.op, lay, out()));
    } else {
      pending_sym(std::move(p));
    }
    return;
  }
  if (op == "Relu" || op == "Clip") {
    Sym& x = sym(n, 0);
    if (x.kind != Sym::kPending)
      node_fail(n, "only a Relu / Clip directly after a fusable QDQ operator (Conv, Gemm, "
                   "MatMul, Add) is supported");
    Pending p = pend_[x.pending];
    if (p.kind == Pending::kMaxPool || p.kind == Pending::kAvgPool)
      node_fail(n, "Relu / Clip after pooling is not supported");
    if (op == "Relu") {
      p.relu = true;
    } else if (opset_ < 11) {
      p.clip_lo = std::max(p.clip_lo, attr_f(n, "min", -std::numeric_limits<float>::infinity()));
      p.clip_hi = std::min(p.clip_hi, attr_f(n, "max", std::numeric_limits<float>::infinity()));
    } else {
      if (has_in(n, 1)) {
        const Tensor& t = const_in(n, 1, "min");
        if (t.numel() != 1 || !t.is_float()) node_fail(n, "min must be a float scalar");
        p.clip_lo = std::max(p.clip_lo, t.f[0]);
      }
      if (has_in(n, 2)) {
        const Tensor& t = const_in(n, 2, "max");
        if (t.numel() != 1 || !t.is_float()) node_fail(n, "max must be a float scalar");
        p.clip_hi = std::min(p.clip_hi, t.f[0]);
      }
    }
    p.fused += "+" + op;
    pending_sym(std::move(p));
    return;
  }
  if (op == "Flatten" || op == "Reshape") {
    Sym& x = sym(n, 0);
    if (x.kind != Sym::kValue && x.kind != Sym::kDQ)
      node_fail(n, "input '" + in_name(n, 0) + "' must be a tensor (a layout change of a "
                   "constant or of a pending float result is not supported)");
    const Value& xv = net_.values[x.value];
    const int64_t total = int64_t(xv.batch) * int64_t(xv.shape.elems());
    const std::vector<int64_t>* shape = nullptr;
    if (op == "Reshape") {
      const Tensor& s = const_in(n, 1, "shape");
      if (s.type != ElemType::kInt64) node_fail(n, "shape must be int64");
      shape = &s.i;
    }
    const std::vector<int64_t> dims = detail::view_dims(
        n, xv.dims, total, shape, [&](const std::string& m) { node_fail(n, m); });
    const int v = view_value(out(), x.value, dims);
    Sym s;
    s.kind = x.kind;
    s.value = v;
    set_sym(s);
    return;
  }
  if (op == "Softmax") {
    Sym& x = sym(n, 0);
    int in = -1;
    if (x.kind == Sym::kDQ && dq_host_.count(in_name(n, 0))) {
      in = dq_host_[in_name(n, 0)];
    } else if (x.kind == Sym::kDQ) {
      // Materialise the dequantization on the host.
      Op d;
      d.kind = OpKind::kDequantize;
      d.name = syms_[in_name(n, 0)].producer;
      d.onnx_op = "DequantizeLinear";
      d.inputs = {x.value};
      Value lay = net_.values[x.value];
      lay.type = ElemType::kFloat;
      lay.quantized = false;
      in = emit(d, lay, in_name(n, 0));
      dq_host_[in_name(n, 0)] = in;
    } else if (x.kind == Sym::kValue && net_.values[x.value].type == ElemType::kFloat) {
      in = x.value;
    } else {
      node_fail(n, "input '" + in_name(n, 0) + "' must be a float tensor (e.g. DequantizeLinear)");
    }
    const Value& iv = net_.values[in];
    const int rank = int(iv.dims.size());
    int64_t axis = attr_i(n, "axis", opset_ >= 13 ? -1 : 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= std::max(rank, 1)) node_fail(n, "axis out of range");
    Op s;
    s.kind = OpKind::kSoftmax;
    s.name = nname(n);
    s.onnx_op = op;
    s.inputs = {in};
    s.softmax_axis = int(axis);
    s.softmax_coerce_2d = opset_ < 13;
    value_sym(emit(s, iv, out()));
    return;
  }
  node_fail(n, "not handled");  // supported_op() and visit() disagree: a bug
}

Network Importer::run(const ModelProto& m) {
  if (!m.has_graph()) fail("the model has no graph (not an ONNX model?)");
  // Opsets.
  bool have_default = false;
  for (const auto& o : m.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      have_default = true;
      opset_ = o.version();
      if (o.version() < kMinOpset || o.version() > kMaxOpset)
        fail("opset ai.onnx version " + std::to_string(o.version()) + " is not supported (" +
             std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
    } else if (o.domain() == "com.microsoft" && o.version() != 1) {
      fail("opset com.microsoft version " + std::to_string(o.version()) +
           " is not supported (1)");
    }
  }
  if (!have_default) fail("the model imports no ai.onnx opset (opset_import is empty)");
  const GraphProto& g = m.graph();

  // Node names for messages.
  for (int k = 0; k < g.node_size(); ++k) {
    const NodeProto& n = g.node(k);
    names_[&n] = n.name().empty() ? n.op_type() + "_" + std::to_string(k) : n.name();
  }
  // Every unsupported node, not just the first.
  std::vector<std::string> bad;
  for (const NodeProto& n : g.node())
    if (!supported_op(n.domain(), n.op_type()))
      bad.push_back("'" + nname(n) + "' (" + (n.domain().empty() ? "" : n.domain() + ".") +
                    n.op_type() + ")");
  if (!bad.empty()) {
    std::string msg = std::to_string(bad.size()) + " unsupported node(s): ";
    for (size_t k = 0; k < bad.size(); ++k) msg += (k ? ", " : "") + bad[k];
    fail(msg);
  }

  // Constants: initializers, then bound inputs.
  for (const auto& t : g.initializer()) {
    Sym s;
    s.kind = Sym::kConst;
    s.c = detail::tensor_from_proto(t, src_ + ": initializer '" + t.name() + "'");
    s.producer = "initializer";
    syms_[t.name()] = std::move(s);
  }
  for (const auto& [name, t] : opt_.constants) {
    bool found = false;
    for (const auto& in : g.input()) found |= in.name() == name;
    if (!found) fail("ImportOptions::constants names '" + name + "', which is not a graph input");
    Sym s;
    s.kind = Sym::kConst;
    s.c = t;
    s.producer = "bound input";
    syms_[name] = std::move(s);
  }
  // Graph inputs.
  for (const auto& in : g.input()) {
    if (syms_.count(in.name())) {
      if (opt_.constants.count(in.name())) {
        // Bound: check the declared shape.
        const Tensor& t = opt_.constants.at(in.name());
        if (in.type().has_tensor_type() && in.type().tensor_type().has_shape()) {
          std::vector<int64_t> d;
          bool stat = true;
          for (const auto& dim : in.type().tensor_type().shape().dim()) {
            stat &= dim.has_dim_value();
            d.push_back(dim.dim_value());
          }
          if (stat && d != t.dims)
            fail("bound input '" + in.name() + "' has shape " + dims_str(t.dims) +
                 ", the model declares " + dims_str(d));
        }
      }
      continue;  // an initializer listed as an input (IR < 4 style)
    }
    if (!in.type().has_tensor_type()) fail("graph input '" + in.name() + "' is not a tensor");
    const auto& tt = in.type().tensor_type();
    const ElemType t = detail::elem_from_onnx(tt.elem_type(), src_ + ": graph input '" + in.name() + "'");
    if (!tt.has_shape()) fail("graph input '" + in.name() + "' has no shape (dynamic rank)");
    std::vector<int64_t> dims;
    for (int k = 0; k < tt.shape().dim_size(); ++k) {
      const auto& d = tt.shape().dim(k);
      if (!d.has_dim_value() || d.dim_value() < 1)
        fail("graph input '" + in.name() + "' has a dynamic dimension " + std::to_string(k) +
             (d.has_dim_param() ? " ('" + d.dim_param() + "')" : "") +
             "; Tessera needs static shapes");
      dims.push_back(d.dim_value());
    }
    if (t == ElemType::kInt32 || t == ElemType::kInt64)
      fail("graph input '" + in.name() + "' is " + elem_type_name(t) +
           " (float, uint8 or int8 inputs are supported)");
    const int v = new_value(in.name(), dims, t);
    net_.inputs.push_back(v);
    Sym s;
    s.kind = Sym::kValue;
    s.value = v;
    s.producer = "graph input";
    syms_[in.name()] = s;
  }

  // Topological order (Kahn); inputs must be defined.
  const int nn = g.node_size();
  std::map<std::string, int> producer;
  for (int k = 0; k < nn; ++k)
    for (const auto& o : g.node(k).output())
      if (!o.empty()) {
        if (producer.count(o) || syms_.count(o))
          fail("tensor '" + o + "' is produced twice (node '" + nname(g.node(k)) + "')");
        producer[o] = k;
      }
  std::vector<int> indeg(nn, 0);
  std::vector<std::vector<int>> users(nn);
  for (int k = 0; k < nn; ++k)
    for (const auto& i : g.node(k).input()) {
      if (i.empty()) continue;
      auto it = producer.find(i);
      if (it != producer.end()) {
        ++indeg[k];
        users[it->second].push_back(k);
      } else if (!syms_.count(i)) {
        fail("node '" + nname(g.node(k)) + "' (" + g.node(k).op_type() + "): input '" + i +
             "' is not produced by any node, initializer or graph input");
      }
    }
  std::vector<int> ready, order;
  for (int k = nn - 1; k >= 0; --k)
    if (indeg[k] == 0) ready.push_back(k);
  while (!ready.empty()) {
    const int k = ready.back();
    ready.pop_back();
    order.push_back(k);
    std::vector<int> newly;
    for (int u : users[k])
      if (--indeg[u] == 0) newly.push_back(u);
    std::sort(newly.rbegin(), newly.rend());
    for (int u : newly) ready.push_back(u);
  }
  if (int(order.size()) != nn) fail("the graph has a cycle");

  for (int k : order) visit(g.node(k));

  // Outputs.
  if (g.output_size() == 0) fail("the graph has no outputs");
  for (const auto& o : g.output()) {
    auto it = syms_.find(o.name());
    if (it == syms_.end()) fail("graph output '" + o.name() + "' is not produced by any node");
    Sym& s = it->second;
    int v = -1;
    if (s.kind == Sym::kValue) {
      v = s.value;
    } else if (s.kind == Sym::kDQ && dq_host_.count(o.name())) {
      v = dq_host_[o.name()];
    } else if (s.kind == Sym::kDQ) {
      Op d;
      d.kind = OpKind::kDequantize;
      d.name = s.producer;
      d.onnx_op = "DequantizeLinear";
      d.inputs = {s.value};
      Value lay = net_.values[s.value];
      lay.type = ElemType::kFloat;
      lay.quantized = false;
      v = emit(d, lay, o.name());
      dq_host_[o.name()] = v;
    } else if (s.kind == Sym::kPending) {
      fail("graph output '" + o.name() + "' is the float result of node '" + s.producer +
           "' without a QuantizeLinear; float execution is not supported");
    } else {
      fail("graph output '" + o.name() + "' is a constant");
    }
    check_declared(o, v, "graph output");
    net_.outputs.push_back(v);
  }
  for (const auto& vi : g.value_info()) {
    auto it = syms_.find(vi.name());
    if (it != syms_.end() && it->second.kind == Sym::kValue)
      check_declared(vi, it->second.value, "value_info");
  }

  // Stages: 0 host before the device, 1 device, 2 host after. Device ops may not consume
  // a value computed on the host after the device.
  std::vector<int> stage(net_.values.size(), 0);
  for (const Op& op : net_.ops) {
    int st = 0;
    for (int i : op.inputs) st = std::max(st, stage[net_.values[i].storage]);
    if (net_.is_device_op(op)) {
      if (st == 2)
        fail("node '" + op.name + "' (" + op.onnx_op + ") runs on the device after a host-side "
             "operation; host operations are only supported at the graph's edges");
      st = 1;
    } else if (st == 1) {
      st = 2;
    }
    stage[op.output] = st;
  }
  std::stable_sort(net_.ops.begin(), net_.ops.end(), [&](const Op& a, const Op& b) {
    return stage[a.output] < stage[b.output];
  });
  return std::move(net_);
}

}  // namespace

Network import_onnx_bytes(const std::string& bytes, const std::string& source,
                          const ImportOptions& opt) {
  ModelProto m;
  if (bytes.empty()) throw std::runtime_error(source + ": empty file");
  if (!m.ParseFromString(bytes))
    throw std::runtime_error(source + ": not a valid ONNX model (protobuf parse failed: "
                             "truncated or corrupt file)");
  if (const NodeProto* n = detail::float_weight_node(m.graph())) {
    const FloatModel fm = detail::parse_float_model(m, source);  // lists unsupported nodes first
    if (opt.calibration.empty()) throw std::runtime_error(source + ": " + detail::float_model_message(*n));
    return quantize_float_model(fm, opt.calibration);
  }
  return Importer(source, opt).run(m);
}

Network import_onnx(const std::string& path, const ImportOptions& opt) {
  return import_onnx_bytes(detail::read_file_bytes(path), path, opt);
}

}  // namespace tessera::onnx
