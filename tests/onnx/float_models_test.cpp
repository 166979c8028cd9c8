// Float models (docs/onnx.md "Float models"), against independent references:
// - the folded float model (BatchNormalization folded, Relu / Clip fused) equals onnxruntime's
//   float outputs of the original graph (committed by scripts/make_float_test_models.py);
// - the calibrated, quantized Network on the golden model equals tessera::ref bit for bit on
//   every value, and its outputs stay close to onnxruntime's float outputs (same top-1);
// - the quantization parameters follow the stated method (input range from the raw calibration
//   data, symmetric per-channel weights).
#include <gtest/gtest.h>

#include <cmath>

#include "float_test_util.hpp"
#include "onnx_test_util.hpp"
#include "tessera/onnx/quantize.hpp"

namespace tessera::onnx::test {
namespace {

struct Case {
  std::string model;
  std::vector<std::string> fused;    // FloatOp::onnx_op of every op, in order
  std::vector<std::string> outputs;  // graph outputs in declaration order
  /// Per output: the quantized Network value whose scale measures its error ("": absolute, for
  /// probabilities after Softmax), and the largest allowed |quantized - float| in those units.
  std::vector<std::string> unit_of;
  std::vector<double> max_err;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.model; }

const std::vector<Case>& cases() {
  static const std::vector<Case> c{
      {"float_convnet",
       {"Conv+BatchNormalization+Relu", "Conv+BatchNormalization+Clip", "Conv+BatchNormalization",
        "Add+Relu", "Conv+Relu", "MaxPool", "AveragePool", "Flatten", "Gemm", "Softmax",
        "GlobalAveragePool", "Flatten"},
       {"prob", "pooled"}, {"", "gap"}, {0.05, 3.0}},
      {"float_mlp", {"Reshape", "MatMul+Add+BatchNormalization+Relu", "Gemm"},
       {"logits"}, {"logits_q"}, {6.0}},
  };
  return c;
}

class FloatModels : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const Case& c = GetParam();
    fm_ = load_float_model(float_data(c.model, "model.onnx"));
    calib_ = as_inputs(load_tensor_pb(float_data(c.model, "calib.pb")), "x");
    tests_ = as_inputs(load_tensor_pb(float_data(c.model, "test_in.pb")), "x");
    for (const std::string& o : c.outputs)
      ort_.push_back(load_tensor_pb(float_data(c.model, "test_out_" + o + ".pb")));
  }
  FloatModel fm_;
  std::vector<TensorMap> calib_, tests_;
  std::vector<Tensor> ort_;  // stacked over the test inputs
};

TEST_P(FloatModels, FoldedFloatModelMatchesOnnxruntime) {
  std::vector<std::string> fused;
  for (const FloatOp& op : fm_.ops) fused.push_back(op.onnx_op);
  EXPECT_EQ(fused, GetParam().fused);
  double worst = 0;
  for (size_t k = 0; k < tests_.size(); ++k) {
    const std::vector<Tensor> got = run_float(fm_, tests_[k]);
    ASSERT_EQ(got.size(), ort_.size());
    for (size_t o = 0; o < got.size(); ++o) {
      const Tensor want = slice(ort_[o], k);
      ASSERT_EQ(got[o].dims, want.dims);
      for (size_t i = 0; i < want.numel(); ++i) {
        const double d = std::fabs(double(got[o].f[i]) - want.f[i]);
        worst = std::max(worst, d);
        EXPECT_LE(d, 1e-5 + 1e-4 * std::fabs(want.f[i]))
            << "input " << k << " output '" << fm_.outputs[o] << "'[" << i << "]";
      }
    }
  }
  std::cout << "[ float    ] " << GetParam().model << ": max |Tessera float - onnxruntime| = "
            << worst << "\n";
}

TEST_P(FloatModels, QuantizedMatchesReferenceAndStaysCloseToFloat) {
  for (ElemType act : {ElemType::kInt8, ElemType::kUint8}) {
    QuantizeOptions opt;
    opt.activations = act;
    const Network net = quantize_float_model(fm_, calib_, opt);
    IsaDevice dev(default_config(16));
    NetworkRunner runner(net, dev);
    std::vector<double> worst(ort_.size(), 0.0);
    for (size_t k = 0; k < tests_.size(); ++k) {
      const TensorMap got = runner.run_all(tests_[k]);
      const TensorMap ref = run_reference_all(net, tests_[k]);
      ASSERT_EQ(got.size(), ref.size());
      for (const auto& [name, t] : ref) {
        const Diff d = compare(t, got.at(name));
        EXPECT_EQ(d.differ, 0u) << "input " << k << " value '" << name << "': " << d.report;
      }
      for (size_t o = 0; o < ort_.size(); ++o) {
        const std::string& out = GetParam().outputs[o];
        const Tensor want = slice(ort_[o], k);
        const Tensor& q = got.at(out);
        const std::string& unit_of = GetParam().unit_of[o];
        const double unit = unit_of.empty() ? 1.0 : net.values.at(net.find_value(unit_of)).scale;
        for (size_t i = 0; i < want.numel(); ++i)
          worst[o] = std::max(worst[o], std::fabs(q.value(i) - want.f[i]) / unit);
        if (o == 0) {
          EXPECT_EQ(argmax(q), argmax(want)) << "input " << k << ": top-1 differs";
        }
      }
    }
    for (size_t o = 0; o < ort_.size(); ++o) {
      std::cout << "[ quant    ] " << GetParam().model << " (" << elem_type_name(act)
                << " activations) '" << GetParam().outputs[o]
                << "': max |quantized - onnxruntime float| = " << worst[o]
                << (GetParam().unit_of[o].empty() ? "" : " output scales")
                << "\n";
      EXPECT_LE(worst[o], GetParam().max_err[o]) << GetParam().outputs[o];
    }
  }
}

// The quantized network on every backend (the RTL included) equals the reference.
TEST_P(FloatModels, QuantizedOnEveryBackend) {
  const Network net = quantize_float_model(fm_, calib_);
  for (const Backend& b : backends()) {
    std::unique_ptr<Device> dev = b.make();
    NetworkRunner runner(net, *dev);
    for (size_t k = 0; k < 2; ++k) {
      const TensorMap got = runner.run_all(tests_[k]);
      for (const auto& [name, t] : run_reference_all(net, tests_[k])) {
        const Diff d = compare(t, got.at(name));
        EXPECT_EQ(d.differ, 0u) << b.name << " input " << k << " value '" << name << "': " << d.report;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, FloatModels, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.model; });

// The graph input's quantization from the raw calibration data: the range widened to 0,
// scale = (max - min) / 255, zero point = round(-128 - min / scale) for int8.
TEST(FloatQuantization, InputRangeAndSymmetricWeights) {
  const Tensor calib = load_tensor_pb(float_data("float_convnet", "calib.pb"));
  double lo = 0, hi = 0;
  for (float v : calib.f) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
  const Network net = quantize_float_model(float_data("float_convnet", "model.onnx"),
                                           as_inputs(calib, "x"));
  const Value& xq = net.values.at(net.find_value("x_q"));
  const double scale = (hi - lo) / 255.0;
  EXPECT_NEAR(xq.scale, scale, 1e-6 * scale);
  EXPECT_EQ(xq.zero_point, int32_t(std::nearbyint(-128 - lo / scale)));
  int convs = 0;
  for (const Op& op : net.ops) {
    if (op.kind != OpKind::kConv) continue;
    ++convs;
    const ConvLayer& L = op.conv[0];
    const size_t per = L.weights.size() / L.out_c;
    for (int o = 0; o < L.out_c; ++o) {
      EXPECT_EQ(L.wzp[o], 0) << op.name;
      int mx = 0;
      for (size_t k = 0; k < per; ++k) mx = std::max(mx, std::abs(int(int8_t(L.weights[o * per + k]))));
      EXPECT_EQ(mx, 127) << op.name << " channel " << o;  // max |w| maps to 127
    }
  }
  EXPECT_EQ(convs, 5);  // conv1, dw, pw, conv3, the Gemm (BatchNormalization folded away)
}

// ImportOptions::calibration makes import_onnx quantize a float model the same way.
TEST(FloatQuantization, ImportWithCalibrationEqualsQuantizeFloatModel) {
  const std::string path = float_data("float_mlp", "model.onnx");
  ImportOptions opt;
  opt.calibration = as_inputs(load_tensor_pb(float_data("float_mlp", "calib.pb")), "x");
  const Network a = import_onnx(path, opt);
  const Network b = quantize_float_model(path, opt.calibration);
  EXPECT_EQ(a.summary(), b.summary());
  EXPECT_EQ(a.source, path);
}

}  // namespace
}  // namespace tessera::onnx::test
