// Float-model errors: each names the file and the node / field / calibration input.
#include <gtest/gtest.h>

#include <functional>

#include "float_test_util.hpp"
#include "onnx_model_builder.hpp"
#include "tessera/onnx/quantize.hpp"

namespace tessera::onnx::test {
namespace {

using TP = ::onnx::TensorProto;

void expect_error(const std::function<void()>& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    for (const auto& s : fragments)
      EXPECT_NE(msg.find(s), std::string::npos) << "'" << s << "' not in: " << msg;
  }
}

// x [1,2,4,4] -> Conv 2->3 1x1 'conv1' -> y; `extra` adds nodes reading "c" and writing "y".
ModelBuilder float_conv(const std::function<void(ModelBuilder&)>& extra = {}) {
  ModelBuilder b;
  b.input("x", TP::FLOAT, {1, 2, 4, 4});
  b.init_f("w", {3, 2, 1, 1}, {1, 2, 3, 4, 5, 6});
  b.node("Conv", {"x", "w"}, {extra ? "c" : "y"}, "conv1");
  if (extra) extra(b);
  b.output("y", TP::FLOAT, {1, 3, 4, 4});
  return b;
}

TEST(FloatModelErrors, FloatModelWithoutCalibrationData) {
  const std::string path = float_data("float_convnet", "model.onnx");
  expect_error([&] { import_onnx(path); },
               {path, "float model", "node 'conv1_node' (Conv)", "calibration"});
  EXPECT_TRUE(is_float_model(path));
  expect_error([&] { quantize_float_model(path, {}); },
               {path, "calibration needs at least one input"});
}

TEST(FloatModelErrors, ListsEveryUnsupportedNode) {
  ModelBuilder b = float_conv([](ModelBuilder& m) {
    m.node("Sin", {"c"}, {"s"}, "my_sin");
    m.node("LeakyRelu", {"s"}, {"y"}, "leaky");
  });
  const std::string bytes = b.bytes();
  expect_error([&] { load_float_model_bytes(bytes, "u.onnx"); },
               {"u.onnx", "2 unsupported node(s)", "'my_sin' (Sin)", "'leaky' (LeakyRelu)"});
  // import_onnx lists them too, before asking for calibration inputs.
  expect_error([&] { import_onnx_bytes(bytes, "u.onnx"); }, {"'my_sin' (Sin)", "'leaky' (LeakyRelu)"});
}

TEST(FloatModelErrors, BatchNormChannelMismatch) {
  ModelBuilder b = float_conv([](ModelBuilder& m) {
    m.init_f("g", {2}, {1, 1});
    m.init_f("be", {3}, {0, 0, 0});
    m.init_f("mu", {3}, {0, 0, 0});
    m.init_f("var", {3}, {1, 1, 1});
    m.node("BatchNormalization", {"c", "g", "be", "mu", "var"}, {"y"}, "bn1");
  });
  expect_error([&] { load_float_model_bytes(b.bytes(), "bn.onnx"); },
               {"bn.onnx", "node 'bn1' (BatchNormalization)", "scale 'g' has 2 elements",
                "'conv1' has 3 output channels"});
}

TEST(FloatModelErrors, BatchNormWithoutConv) {
  ModelBuilder b;
  b.input("x", TP::FLOAT, {1, 2, 4, 4});
  for (const char* n : {"g", "be", "mu", "var"}) b.init_f(n, {2}, {1, 1});
  b.node("BatchNormalization", {"x", "g", "be", "mu", "var"}, {"y"}, "bn0");
  b.output("y", TP::FLOAT, {1, 2, 4, 4});
  expect_error([&] { load_float_model_bytes(b.bytes(), "bn0.onnx"); },
               {"node 'bn0' (BatchNormalization)", "input 'x'"});
}

TEST(FloatModelErrors, ReluAfterAveragePool) {
  ModelBuilder b = float_conv([](ModelBuilder& m) {
    auto& p = m.node("AveragePool", {"c"}, {"p"}, "avg");
    ModelBuilder::attr_ints(p, "kernel_shape", {1, 1});
    m.node("Relu", {"p"}, {"y"}, "late_relu");
  });
  expect_error([&] { load_float_model_bytes(b.bytes(), "r.onnx"); },
               {"r.onnx", "node 'late_relu' (Relu)", "must follow a Conv"});
}

TEST(FloatModelErrors, CalibrationInputOfTheWrongShapeOrName) {
  const FloatModel fm = load_float_model_bytes(float_conv().bytes(), "c.onnx");
  Tensor t;
  t.dims = {1, 2, 3, 3};
  t.f.assign(18, 0.5f);
  expect_error([&] { quantize_float_model(fm, {{{"x", t}}}); },
               {"c.onnx", "calibration input 0", "input 'x' has shape [1,2,3,3]",
                "expects [1,2,4,4]"});
  t.dims = {1, 2, 4, 4};
  t.f.assign(32, 0.5f);
  expect_error([&] { quantize_float_model(fm, {{{"x", t}}, {{"image", t}}}); },
               {"calibration input 1", "input 'x' is missing"});
  Tensor q = t;
  q.type = ElemType::kUint8;
  q.i.assign(32, 1);
  expect_error([&] { quantize_float_model(fm, {{{"x", q}}}); },
               {"calibration input 0", "input 'x' is uint8"});
}

}  // namespace
}  // namespace tessera::onnx::test
