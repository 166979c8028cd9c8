// Import errors: each bad input gives a std::runtime_error whose message names the file and the
// offending node / field, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "onnx_model_builder.hpp"
#include "tessera/onnx/network.hpp"

namespace tessera::onnx::test {
namespace {

namespace fs = std::filesystem;
using TP = ::onnx::TensorProto;

std::string temp_file(const std::string& name, const std::string& bytes) {
  const fs::path p = fs::temp_directory_path() / ("tessera_onnx_" + std::to_string(::getpid()) +
                                                  "_" + name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p.string();
}

// Expects import to throw std::runtime_error containing every fragment.
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

std::string qlinearconv_bytes() {
  std::ifstream f(std::string(TESSERA_ONNX_TESTDATA) + "/test_qlinearconv/model.onnx",
                  std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A valid small QDQ model: float x -> Q -> DQ -> Conv(DQ w) -> Q -> DQ -> y.
ModelBuilder qdq_conv(std::vector<int64_t> in_dims = {1, 2, 4, 4}) {
  ModelBuilder b;
  b.input("x", TP::FLOAT, in_dims);
  b.init_f("s", {}, {0.05f});
  b.init_i("z", TP::INT8, {}, {0});
  b.init_i("w", TP::INT8, {3, 2, 1, 1}, {1, 2, 3, 4, 5, 6});
  b.init_f("ws", {}, {0.01f});
  b.init_i("wz", TP::INT8, {}, {0});
  b.node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.node("DequantizeLinear", {"xq", "s", "z"}, {"xd"});
  b.node("DequantizeLinear", {"w", "ws", "wz"}, {"wd"});
  b.node("Conv", {"xd", "wd"}, {"c"}, "conv1");
  b.node("QuantizeLinear", {"c", "s", "z"}, {"cq"});
  b.node("DequantizeLinear", {"cq", "s", "z"}, {"y"});
  b.output("y", TP::FLOAT, {1, 3, 4, 4});
  return b;
}

TEST(OnnxImportErrors, MissingFile) {
  expect_error([] { import_onnx("/nonexistent/dir/model.onnx"); },
               {"/nonexistent/dir/model.onnx", "cannot open"});
  expect_error([] { load_tensor_pb("/nonexistent/input_0.pb"); }, {"/nonexistent/input_0.pb"});
}

TEST(OnnxImportErrors, TruncatedFile) {
  const std::string full = qlinearconv_bytes();
  ASSERT_GT(full.size(), 100u);
  // Every truncation point: a parse failure or a model that is clearly incomplete.
  for (size_t len : {size_t(1), full.size() / 3, full.size() / 2, full.size() - 7}) {
    const std::string p = temp_file("trunc.onnx", full.substr(0, len));
    expect_error([&] { import_onnx(p); }, {p});
    fs::remove(p);
  }
  const std::string e = temp_file("empty.onnx", "");
  expect_error([&] { import_onnx(e); }, {e, "empty"});
  fs::remove(e);
}

TEST(OnnxImportErrors, GarbageBytes) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(char((i * 7919 + 13) ^ (i >> 3)));
  const std::string p = temp_file("garbage.onnx", junk);
  expect_error([&] { import_onnx(p); }, {p});
  fs::remove(p);
  const std::string t = temp_file("garbage.pb", junk);
  expect_error([&] { load_tensor_pb(t); }, {t});
  fs::remove(t);
}

TEST(OnnxImportErrors, ListsEveryUnsupportedNode) {
  ModelBuilder b = qdq_conv();
  b.node("Sin", {"y"}, {"s1"}, "my_sin");
  b.node("LSTM", {"s1"}, {"s2"}, "my_lstm");
  auto& n = b.node("Foo", {"s2"}, {"s3"}, "custom_foo");
  n.set_domain("com.example");
  b.output("s3", TP::FLOAT, {1, 3, 4, 4});
  const std::string bytes = b.bytes();
  expect_error([&] { import_onnx_bytes(bytes, "model_x.onnx"); },
               {"model_x.onnx", "3 unsupported node(s)", "'my_sin' (Sin)", "'my_lstm' (LSTM)",
                "'custom_foo' (com.example.Foo)"});
}

TEST(OnnxImportErrors, DynamicInputShape) {
  ModelBuilder b = qdq_conv({-1, 2, 4, 4});
  const std::string bytes = b.bytes();
  expect_error([&] { import_onnx_bytes(bytes, "dyn.onnx"); },
               {"dyn.onnx", "graph input 'x'", "dynamic dimension 0", "'N'"});
}

TEST(OnnxImportErrors, UnsupportedOpset) {
  ModelBuilder b = qdq_conv();
  b.model().mutable_opset_import(0)->set_version(7);
  const std::string bytes = b.bytes();
  expect_error([&] { import_onnx_bytes(bytes, "old.onnx"); },
               {"old.onnx", "opset ai.onnx version 7"});
}

TEST(OnnxImportErrors, MismatchedOutputShape) {
  ModelBuilder b = qdq_conv();
  auto* d = b.graph().mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1);
  d->set_dim_value(5);
  const std::string bytes = b.bytes();
  expect_error([&] { import_onnx_bytes(bytes, "shape.onnx"); },
               {"shape.onnx", "graph output 'y'", "[1,5,4,4]", "[1,3,4,4]"});
}

TEST(OnnxImportErrors, MismatchedWeightShape) {
  ModelBuilder b = qdq_conv({1, 5, 4, 4});  // weights have 2 input channels
  b.graph().mutable_output(0)->clear_type();
  const std::string bytes = b.bytes();
  expect_error([&] { import_onnx_bytes(bytes, "w.onnx"); },
               {"w.onnx", "node 'conv1' (Conv)", "2 input channels", "input has 5"});
}

TEST(OnnxImportErrors, UndefinedInputAndFloatWeights) {
  {
    ModelBuilder b = qdq_conv();
    b.graph().mutable_node(3)->set_input(1, "nowhere");
    const std::string bytes = b.bytes();
    expect_error([&] { import_onnx_bytes(bytes, "u.onnx"); },
                 {"u.onnx", "node 'conv1' (Conv)", "input 'nowhere'"});
  }
  {
    ModelBuilder b = qdq_conv();
    b.init_f("wf", {3, 2, 1, 1}, {1, 2, 3, 4, 5, 6});
    b.graph().mutable_node(3)->set_input(1, "wf");
    const std::string bytes = b.bytes();
    expect_error([&] { import_onnx_bytes(bytes, "f.onnx"); },
                 {"f.onnx", "node 'conv1' (Conv)", "calibration"});
  }
}

TEST(OnnxImportErrors, GroupedConvolution) {
  ModelBuilder b;
  b.input("x", TP::UINT8, {1, 4, 4, 4});
  b.init_f("s", {}, {0.05f});
  b.init_i("z", TP::UINT8, {}, {128});
  b.init_i("w", TP::UINT8, {4, 2, 1, 1}, {1, 2, 3, 4, 5, 6, 7, 8});
  b.init_f("ws", {}, {0.01f});
  b.init_i("wz", TP::UINT8, {}, {0});
  auto& n = b.node("QLinearConv", {"x", "s", "z", "w", "ws", "wz", "s", "z"}, {"y"}, "grp");
  ModelBuilder::attr_int(n, "group", 2);
  b.output("y", TP::UINT8, {1, 4, 4, 4});
  const std::string bytes = b.bytes();
  expect_error([&] { import_onnx_bytes(bytes, "g.onnx"); },
               {"g.onnx", "node 'grp' (QLinearConv)", "group = 2"});
}

// ceil_mode's partial window at the bottom / right: max pooling takes it as padding, but an
// average would count that padding in its divisor, so it is refused rather than mis-scaled.
TEST(OnnxImportErrors, AveragePoolCeilModePartialWindow) {
  ModelBuilder b;
  b.input("x", TP::FLOAT, {1, 2, 5, 5});
  b.init_f("s", {}, {0.05f});
  b.init_i("z", TP::INT8, {}, {0});
  b.node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.node("DequantizeLinear", {"xq", "s", "z"}, {"xd"});
  auto& n = b.node("AveragePool", {"xd"}, {"p"}, "pool1");
  ModelBuilder::attr_ints(n, "kernel_shape", {2, 2});
  ModelBuilder::attr_ints(n, "strides", {2, 2});
  ModelBuilder::attr_int(n, "ceil_mode", 1);
  b.node("QuantizeLinear", {"p", "s", "z"}, {"pq"});
  b.node("DequantizeLinear", {"pq", "s", "z"}, {"y"});
  b.output("y", TP::FLOAT, {1, 2, 3, 3});
  const std::string bytes = b.bytes();
  expect_error([&] { import_onnx_bytes(bytes, "ap.onnx"); },
               {"ap.onnx", "node 'pool1' (AveragePool)", "ceil_mode = 1"});
}

TEST(OnnxImportErrors, ValidModelImports) {
  const std::string bytes = qdq_conv().bytes();
  const Network net = import_onnx_bytes(bytes, "ok.onnx");
  ASSERT_EQ(net.ops.size(), 3u);  // quantize (host), conv (device), dequantize (host)
  EXPECT_EQ(net.ops[0].kind, OpKind::kQuantize);
  EXPECT_EQ(net.ops[1].kind, OpKind::kConv);
  EXPECT_EQ(net.ops[2].kind, OpKind::kDequantize);
}

}  // namespace
}  // namespace tessera::onnx::test
