// Plain float execution of a FloatModel (ONNX NCHW order, double accumulation) and calibration:
// per-tensor ranges over a set of inputs (docs/onnx.md "Float models").
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tessera/onnx/quantize.hpp"

namespace tessera::onnx {

std::string dims_str(const std::vector<int64_t>& d);

namespace {

float clamp_act(const FloatOp& op, double v) {
  return float(std::min<double>(std::max<double>(v, op.act_lo), op.act_hi));
}

Tensor conv(const FloatOp& op, const Tensor& x) {
  const ConvLayer& L = op.conv;
  const int N = int(x.dims[0]), C = L.in.c, H = L.in.h, W = L.in.w;
  const int O = L.out_c, OH = L.out_h(), OW = L.out_w();
  const int cg = L.groups == 1 ? C : 1;
  Tensor y;
  y.dims = op.out_dims;
  y.f.resize(y.numel());
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < O; ++o)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          double acc = op.bias.empty() ? 0.0 : op.bias[o];
          for (int cc = 0; cc < cg; ++cc) {
            const int c = L.groups == 1 ? cc : o;
            for (int ky = 0; ky < L.kh; ++ky) {
              const int iy = oy * L.stride_h - L.pad_top + ky * L.dil_h;
              if (iy < 0 || iy >= H) continue;
              for (int kx = 0; kx < L.kw; ++kx) {
                const int ix = ox * L.stride_w - L.pad_left + kx * L.dil_w;
                if (ix < 0 || ix >= W) continue;
                acc += double(x.f[((size_t(n) * C + c) * H + iy) * W + ix]) *
                       op.weight[((size_t(o) * cg + cc) * L.kh + ky) * L.kw + kx];
              }
            }
          }
          y.f[((size_t(n) * O + o) * OH + oy) * OW + ox] = clamp_act(op, acc);
        }
  return y;
}

// Rows of K -> rows of N.
Tensor fc(const FloatOp& op, const Tensor& x) {
  const size_t rows = x.numel() / op.fc_k;
  Tensor y;
  y.dims = op.out_dims;
  y.f.resize(rows * op.fc_n);
  for (size_t r = 0; r < rows; ++r)
    for (int c = 0; c < op.fc_n; ++c) {
      double acc = op.bias.empty() ? 0.0 : op.bias[c];
      for (int k = 0; k < op.fc_k; ++k)
        acc += double(x.f[r * op.fc_k + k]) * op.weight[size_t(k) * op.fc_n + c];
      y.f[r * op.fc_n + c] = clamp_act(op, acc);
    }
  return y;
}

// Max: the largest valid element. Average: the sum of valid elements over kh * kw
// (count_include_pad, or no padding) or over the valid count.
Tensor pool(const FloatOp& op, const Tensor& x) {
  const PoolLayer& P = op.pool;
  const int N = int(x.dims[0]), C = P.in.c, H = P.in.h, W = P.in.w;
  const int OH = P.out_h(), OW = P.out_w();
  Tensor y;
  y.dims = op.out_dims;
  y.f.resize(y.numel());
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
          double acc = P.avg ? 0.0 : -INFINITY;
          int valid = 0;
          for (int ky = 0; ky < P.kh; ++ky) {
            const int iy = oy * P.stride_h - P.pad_top + ky;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < P.kw; ++kx) {
              const int ix = ox * P.stride_w - P.pad_left + kx;
              if (ix < 0 || ix >= W) continue;
              const double v = x.f[((size_t(n) * C + c) * H + iy) * W + ix];
              acc = P.avg ? acc + v : std::max(acc, v);
              ++valid;
            }
          }
          if (P.avg) acc /= op.count_include_pad ? P.kh * P.kw : std::max(valid, 1);
          y.f[((size_t(n) * C + c) * OH + oy) * OW + ox] = float(acc);
        }
  return y;
}

Tensor add(const FloatOp& op, const Tensor& a, const Tensor& b) {
  Tensor y;
  y.dims = op.out_dims;
  y.f.resize(a.numel());
  for (size_t k = 0; k < y.f.size(); ++k) y.f[k] = clamp_act(op, double(a.f[k]) + b.f[k]);
  return y;
}

Tensor softmax(const FloatOp& op, const Tensor& x) {
  size_t outer = 1, len = 1, inner = 1;
  for (int a = 0; a < int(x.dims.size()); ++a) {
    const size_t d = size_t(x.dims[a]);
    if (a < op.softmax_axis) outer *= d;
    else if (a == op.softmax_axis) len *= d;
    else inner *= d;
  }
  Tensor y;
  y.dims = op.out_dims;
  y.f.resize(x.numel());
  for (size_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < inner; ++i) {
      auto at = [&](size_t j) { return (o * len + j) * inner + i; };
      double mx = -INFINITY, sum = 0;
      for (size_t j = 0; j < len; ++j) mx = std::max<double>(mx, x.f[at(j)]);
      for (size_t j = 0; j < len; ++j) sum += std::exp(double(x.f[at(j)]) - mx);
      for (size_t j = 0; j < len; ++j) y.f[at(j)] = float(std::exp(double(x.f[at(j)]) - mx) / sum);
    }
  return y;
}

Tensor run_op(const FloatOp& op, const TensorMap& vals) {
  const Tensor& x = vals.at(op.inputs[0]);
  switch (op.kind) {
    case FloatOpKind::kConv: return conv(op, x);
    case FloatOpKind::kFc: return fc(op, x);
    case FloatOpKind::kMaxPool:
    case FloatOpKind::kAvgPool: return pool(op, x);
    case FloatOpKind::kAdd: return add(op, x, vals.at(op.inputs[1]));
    case FloatOpKind::kSoftmax: return softmax(op, x);
    case FloatOpKind::kView: {
      Tensor y = x;
      y.dims = op.out_dims;
      return y;
    }
  }
  throw std::logic_error("run_op: unknown kind");
}

}  // namespace

TensorMap run_float_all(const FloatModel& m, const TensorMap& inputs) {
  TensorMap vals;
  for (const Value& in : m.inputs) {
    auto it = inputs.find(in.name);
    if (it == inputs.end()) throw std::runtime_error("input '" + in.name + "' is missing");
    const Tensor& t = it->second;
    if (!t.is_float())
      throw std::runtime_error("input '" + in.name + "' is " + elem_type_name(t.type) +
                               ", the float model expects float");
    if (t.dims != in.dims)
      throw std::runtime_error("input '" + in.name + "' has shape " + dims_str(t.dims) +
                               ", the model expects " + dims_str(in.dims));
    if (t.f.size() != t.numel())
      throw std::runtime_error("input '" + in.name + "' holds the wrong number of elements");
    vals[in.name] = t;
  }
  for (const FloatOp& op : m.ops) {
    Tensor y = run_op(op, vals);
    y.name = op.output;
    vals[op.output] = std::move(y);
  }
  return vals;
}

std::vector<Tensor> run_float(const FloatModel& m, const TensorMap& inputs) {
  TensorMap all = run_float_all(m, inputs);
  std::vector<Tensor> out;
  for (const std::string& o : m.outputs) out.push_back(all.at(o));
  return out;
}

std::map<std::string, Range> calibrate(const FloatModel& m,
                                       const std::vector<TensorMap>& calibration) {
  if (calibration.empty())
    throw std::runtime_error(m.source + ": calibration needs at least one input");
  std::map<std::string, Range> ranges;
  for (size_t k = 0; k < calibration.size(); ++k) {
    TensorMap all;
    try {
      all = run_float_all(m, calibration[k]);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(m.source + ": calibration input " + std::to_string(k) + ": " +
                               e.what());
    }
    for (const auto& [name, t] : all) {
      Range& r = ranges[name];
      for (float v : t.f) {
        if (!std::isfinite(v))
          throw std::runtime_error(m.source + ": calibration input " + std::to_string(k) +
                                   ": tensor '" + name + "' has a non-finite value");
        r.lo = std::min(r.lo, v);
        r.hi = std::max(r.hi, v);
      }
    }
  }
  return ranges;
}

}  // namespace tessera::onnx
