// A QDQ network built with the protobuf API (Q/DQ around Conv+Relu, MaxPool, Conv, Add,
// AveragePool, GlobalAveragePool, Flatten+Gemm, Softmax), int8 and uint8 activations:
//  - every backend == tessera::ref bit for bit on every value (run_all / run_reference_all);
//  - every quantized layer output against an independent float evaluation of the ONNX QDQ
//    semantics (dequantize, float op, quantize with round-half-even), fed the device's own
//    quantized inputs so differences do not compound. Tessera's fixed-point requantization may
//    differ from float by 1 LSB at rounding boundaries (docs/quantization.md); the test reports
//    the count and requires |diff| <= 1. MaxPool must be exact.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

#include "onnx_model_builder.hpp"
#include "onnx_test_util.hpp"
#include "tessera/onnx/runner.hpp"

namespace tessera::onnx::test {
namespace {

using TP = ::onnx::TensorProto;
using F = std::vector<float>;

struct QP {
  float s;
  int zp;
};

struct Net {
  std::string bytes;
  bool sg;
  QP q0, q1, q2, q3, q4, q5, q6;
  std::vector<int64_t> w1, w2, fb;  // int8 weights
  F ws1, ws2;
  float fbs;
  std::vector<int64_t> b1, b2;  // int32 biases in s_in*s_w units
  F fc_bias;
};

std::vector<int64_t> rand_ints(std::mt19937& r, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = d(r);
  return v;
}

Net build(bool sg, uint32_t seed) {
  std::mt19937 r(seed);
  Net n;
  n.sg = sg;
  const int zb = sg ? 0 : 128;  // zero points offset for uint8
  n.q0 = {0.02f, zb + 3};
  n.q1 = {0.05f, sg ? -128 : 0};  // after Relu: the whole range is >= 0
  n.q2 = {0.07f, zb - 5};
  n.q3 = {0.09f, zb + 2};
  n.q4 = {0.06f, zb + 1};
  n.q5 = {0.08f, zb - 2};
  n.q6 = {0.15f, zb + 4};
  n.w1 = rand_ints(r, 8 * 3 * 3 * 3, -127, 127);
  n.w2 = rand_ints(r, 8 * 8 * 3 * 3, -127, 127);
  n.fb = rand_ints(r, 10 * 32, -127, 127);
  for (int c = 0; c < 8; ++c) {
    n.ws1.push_back(0.002f + 0.0005f * c);
    n.ws2.push_back(0.001f + 0.0003f * c);
  }
  n.fbs = 0.004f;
  n.b1 = rand_ints(r, 8, -2000, 2000);
  n.b2 = rand_ints(r, 8, -2000, 2000);
  for (int c = 0; c < 10; ++c) n.fc_bias.push_back(0.1f * (c - 5));

  const int Q8 = sg ? TP::INT8 : TP::UINT8;
  ModelBuilder b;
  b.input("x", TP::FLOAT, {1, 3, 9, 9});
  auto qp = [&](const std::string& nm, QP q) {
    b.init_f(nm + "_s", {}, {q.s});
    b.init_i(nm + "_z", Q8, {}, {q.zp});
  };
  qp("q0", n.q0); qp("q1", n.q1); qp("q2", n.q2); qp("q3", n.q3); qp("q4", n.q4);
  qp("q5", n.q5); qp("q6", n.q6);
  auto Q = [&](const std::string& in, const std::string& p, const std::string& out) {
    b.node("QuantizeLinear", {in, p + "_s", p + "_z"}, {out});
  };
  auto DQ = [&](const std::string& in, const std::string& p, const std::string& out) {
    b.node("DequantizeLinear", {in, p + "_s", p + "_z"}, {out});
  };
  // Weights: int8 per-channel (axis 0), bias int32 with scale s_in*s_w.
  b.init_i("w1", TP::INT8, {8, 3, 3, 3}, n.w1);
  b.init_f("w1_s", {8}, n.ws1);
  b.init_i("w1_z", TP::INT8, {8}, std::vector<int64_t>(8, 0));
  b.init_i("b1", TP::INT32, {8}, n.b1);
  F b1s;
  for (float s : n.ws1) b1s.push_back(n.q0.s * s);
  b.init_f("b1_s", {8}, b1s);
  b.init_i("b1_z", TP::INT32, {8}, std::vector<int64_t>(8, 0));
  b.init_i("w2", TP::INT8, {8, 8, 3, 3}, n.w2);
  b.init_f("w2_s", {8}, n.ws2);
  b.init_i("w2_z", TP::INT8, {8}, std::vector<int64_t>(8, 0));
  b.init_i("b2", TP::INT32, {8}, n.b2);
  F b2s;
  for (float s : n.ws2) b2s.push_back(n.q1.s * s);
  b.init_f("b2_s", {8}, b2s);
  b.init_i("b2_z", TP::INT32, {8}, std::vector<int64_t>(8, 0));
  b.init_i("fb", TP::INT8, {10, 32}, n.fb);
  b.init_f("fb_s", {}, {n.fbs});
  b.init_i("fb_z", TP::INT8, {}, {0});
  b.init_f("fc_c", {10}, n.fc_bias);

  Q("x", "q0", "xq");
  DQ("xq", "q0", "xd");
  ModelBuilder::attr_int(b.node("DequantizeLinear", {"w1", "w1_s", "w1_z"}, {"w1d"}), "axis", 0);
  ModelBuilder::attr_int(b.node("DequantizeLinear", {"b1", "b1_s", "b1_z"}, {"b1d"}), "axis", 0);
  auto& c1 = b.node("Conv", {"xd", "w1d", "b1d"}, {"c1"}, "conv1");
  ModelBuilder::attr_ints(c1, "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  Q("r1", "q1", "r1q");
  DQ("r1q", "q1", "r1d");
  auto& mp = b.node("MaxPool", {"r1d"}, {"p1"}, "pool1");
  ModelBuilder::attr_ints(mp, "kernel_shape", {2, 2});
  ModelBuilder::attr_ints(mp, "strides", {2, 2});
  Q("p1", "q1", "p1q");
  DQ("p1q", "q1", "p1d");
  ModelBuilder::attr_int(b.node("DequantizeLinear", {"w2", "w2_s", "w2_z"}, {"w2d"}), "axis", 0);
  ModelBuilder::attr_int(b.node("DequantizeLinear", {"b2", "b2_s", "b2_z"}, {"b2d"}), "axis", 0);
  auto& c2 = b.node("Conv", {"p1d", "w2d", "b2d"}, {"c2"}, "conv2");
  ModelBuilder::attr_ints(c2, "pads", {1, 1, 1, 1});
  Q("c2", "q2", "c2q");
  DQ("c2q", "q2", "c2d");
  b.node("Add", {"p1d", "c2d"}, {"a"}, "add1");
  Q("a", "q3", "aq");
  DQ("aq", "q3", "ad");
  auto& ap = b.node("AveragePool", {"ad"}, {"ap"}, "avgpool");
  ModelBuilder::attr_ints(ap, "kernel_shape", {2, 2});
  ModelBuilder::attr_ints(ap, "strides", {2, 2});
  Q("ap", "q4", "apq");
  DQ("apq", "q4", "apd");
  b.node("GlobalAveragePool", {"ad"}, {"g"}, "gap");
  Q("g", "q6", "gq");
  DQ("gq", "q6", "gout");
  b.node("Flatten", {"apd"}, {"fl"}, "flatten");
  b.node("DequantizeLinear", {"fb", "fb_s", "fb_z"}, {"fbd"});
  auto& gm = b.node("Gemm", {"fl", "fbd", "fc_c"}, {"fc"}, "fc");
  ModelBuilder::attr_int(gm, "transB", 1);
  Q("fc", "q5", "fcq");
  DQ("fcq", "q5", "fcd");
  b.node("Softmax", {"fcd"}, {"y"}, "softmax");
  b.output("y", TP::FLOAT, {1, 10});
  b.output("gout", TP::FLOAT, {1, 8, 1, 1});
  n.bytes = b.bytes();
  return n;
}

// ---- independent float evaluation of ONNX QDQ semantics (NCHW, batch 1) ----
F dq(const Tensor& t, QP q) {
  F v(t.numel());
  for (size_t k = 0; k < v.size(); ++k) v[k] = float(t.i[k] - q.zp) * q.s;
  return v;
}
std::vector<int64_t> quant(const F& v, QP q, bool sg) {
  std::vector<int64_t> r(v.size());
  for (size_t k = 0; k < v.size(); ++k)
    r[k] = std::clamp<int64_t>(int64_t(std::nearbyint(v[k] / q.s)) + q.zp, sg ? -128 : 0,
                               sg ? 127 : 255);
  return r;
}
F conv3x3(const F& x, int C, int H, int W, const std::vector<int64_t>& w, const F& ws,
          const std::vector<int64_t>& b, float s_in, int O) {
  F y(size_t(O) * H * W);
  for (int o = 0; o < O; ++o)
    for (int yy = 0; yy < H; ++yy)
      for (int xx = 0; xx < W; ++xx) {
        float acc = float(b[o]) * (s_in * ws[o]);
        for (int c = 0; c < C; ++c)
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = yy + ky - 1, ix = xx + kx - 1;
              if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
              acc += x[(size_t(c) * H + iy) * W + ix] *
                     (float(w[((size_t(o) * C + c) * 3 + ky) * 3 + kx]) * ws[o]);
            }
        y[(size_t(o) * H + yy) * W + xx] = acc;
      }
  return y;
}
F pool2(const F& x, int C, int H, int W, bool avg) {
  const int OH = H / 2, OW = W / 2;
  F y(size_t(C) * OH * OW);
  for (int c = 0; c < C; ++c)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        float m = -1e30f, s = 0;
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 2; ++kx) {
            const float v = x[(size_t(c) * H + oy * 2 + ky) * W + ox * 2 + kx];
            m = std::max(m, v);
            s += v;
          }
        y[(size_t(c) * OH + oy) * OW + ox] = avg ? s / 4 : m;
      }
  return y;
}

struct LayerCheck {
  std::string name;
  Diff d;
};

class OnnxQdqTest : public testing::TestWithParam<std::tuple<bool, Backend>> {};

TEST_P(OnnxQdqTest, NetworkMatchesReferenceAndFloatSemantics) {
  const bool sg = std::get<0>(GetParam());
  const Backend& be = std::get<1>(GetParam());
  const Net n = build(sg, 42);
  const Network net = import_onnx_bytes(n.bytes, "qdq_net.onnx");

  // Fusion: conv1+relu, pool1, conv2, add1, avgpool, gap, fc on the device; Q, DQ, softmax on
  // the host.
  int dev_ops = 0;
  for (const Op& op : net.ops) dev_ops += net.is_device_op(op);
  EXPECT_EQ(dev_ops, 7) << net.summary();
  ASSERT_GE(net.find_value("r1q"), 0);
  for (const Op& op : net.ops)
    if (op.name == "conv1") {
      EXPECT_EQ(op.onnx_op, "Conv+Relu");
    }

  std::mt19937 r(7);
  std::uniform_real_distribution<float> u(-2.5f, 2.5f);
  Tensor x;
  x.name = "x";
  x.type = ElemType::kFloat;
  x.dims = {1, 3, 9, 9};
  for (int k = 0; k < 3 * 81; ++k) x.f.push_back(u(r));
  const TensorMap in{{"x", x}};

  auto dev = be.make();
  NetworkRunner runner(net, *dev);
  const TensorMap got = runner.run_all(in);
  const TensorMap ref = run_reference_all(net, in);
  // 1. Device == tessera::ref on every value.
  for (const auto& [name, t] : ref) {
    ASSERT_TRUE(got.count(name)) << name;
    const Diff d = compare(t, got.at(name));
    EXPECT_EQ(d.differ, 0u) << be.name << " vs tessera::ref, value '" << name << "': " << d.report;
  }
  // Per-layer info: one LayerInfo per device layer, MACs of the convolutions.
  ASSERT_EQ(runner.layers().size(), 7u);
  EXPECT_EQ(runner.layers()[0].name, "conv1");
  EXPECT_EQ(runner.layers()[0].macs, uint64_t(9 * 9 * 8 * 27));

  // 2. Each layer against float ONNX semantics, fed the device's quantized inputs.
  auto T = [&](const char* nm) { return got.at(nm); };
  std::vector<LayerCheck> checks;
  auto check = [&](const char* name, const std::vector<int64_t>& expect) {
    Tensor e = T(name);
    e.i = expect;
    checks.push_back({name, compare(e, T(name))});
  };
  {
    check("xq", quant(x.f, n.q0, sg));
    F c1 = conv3x3(dq(T("xq"), n.q0), 3, 9, 9, n.w1, n.ws1, n.b1, n.q0.s, 8);
    for (float& v : c1) v = std::max(v, 0.0f);
    check("r1q", quant(c1, n.q1, sg));
    check("p1q", quant(pool2(dq(T("r1q"), n.q1), 8, 9, 9, false), n.q1, sg));
    check("c2q", quant(conv3x3(dq(T("p1q"), n.q1), 8, 4, 4, n.w2, n.ws2, n.b2, n.q1.s, 8), n.q2, sg));
    F a = dq(T("p1q"), n.q1), c2 = dq(T("c2q"), n.q2);
    for (size_t k = 0; k < a.size(); ++k) a[k] += c2[k];
    check("aq", quant(a, n.q3, sg));
    const F ad = dq(T("aq"), n.q3);
    check("apq", quant(pool2(ad, 8, 4, 4, true), n.q4, sg));
    F g(8, 0);
    for (int c = 0; c < 8; ++c) {
      for (int k = 0; k < 16; ++k) g[c] += ad[c * 16 + k];
      g[c] /= 16;
    }
    check("gq", quant(g, n.q6, sg));
    const F fl = dq(T("apq"), n.q4);  // flatten: NCHW order
    F fc(10);
    for (int o = 0; o < 10; ++o) {
      float acc = n.fc_bias[o];
      for (int k = 0; k < 32; ++k) acc += fl[k] * (float(n.fb[o * 32 + k]) * n.fbs);
      fc[o] = acc;
    }
    check("fcq", quant(fc, n.q5, sg));
  }
  for (const LayerCheck& c : checks) {
    std::cout << "  [" << be.name << (sg ? " int8" : " uint8") << "] " << c.name << ": "
              << c.d.differ << " of " << c.d.total << " differ from float ONNX semantics, max |diff| "
              << c.d.max_abs << "\n";
    EXPECT_LE(c.d.max_abs, 1.0) << c.name << ": " << c.d.report;
    if (c.name == "p1q" || c.name == "xq") {
      EXPECT_EQ(c.d.differ, 0u) << c.name << ": " << c.d.report;
    }
  }
  // Softmax of the device's dequantized logits.
  const Tensor& fcq = T("fcq");
  const F logits = dq(fcq, n.q5);
  const float mx = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(double(l - mx));
  const Tensor& y = got.at("y");
  ASSERT_EQ(y.f.size(), 10u);
  for (int k = 0; k < 10; ++k)
    EXPECT_NEAR(y.f[k], std::exp(double(logits[k] - mx)) / sum, 1e-6) << k;
  // The runner's outputs are the graph outputs in order.
  const std::vector<Tensor> outs = runner.run(in);
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].name, "y");
  EXPECT_EQ(outs[1].dims, (std::vector<int64_t>{1, 8, 1, 1}));
}

std::vector<std::tuple<bool, Backend>> qdq_cases() {
  std::vector<std::tuple<bool, Backend>> v;
  for (bool sg : {true, false})
    for (const Backend& b : backends()) v.emplace_back(sg, b);
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    Qdq, OnnxQdqTest, testing::ValuesIn(qdq_cases()),
    [](const testing::TestParamInfo<std::tuple<bool, Backend>>& i) {
      return std::string(std::get<0>(i.param) ? "int8_" : "uint8_") + std::get<1>(i.param).name;
    });

}  // namespace
}  // namespace tessera::onnx::test
