// ONNX's own node tests (Debian libonnx-testdata): model.onnx imported, run on every backend
// of onnx_test_util.hpp and on the layer-level reference, and compared exactly with the
// expected outputs output_N.pb (an independent reference: they come from ONNX, not Tessera).
//
// The node tests pass weights and scales as graph inputs; every input after the first
// `activations` ones is bound as a constant (ImportOptions::constants).
#include <gtest/gtest.h>

#include <filesystem>

#include "onnx_test_util.hpp"
#include "tessera/onnx/runner.hpp"

namespace tessera::onnx::test {
namespace {

namespace fs = std::filesystem;

struct NodeTest {
  const char* name;
  int activations;  // leading graph inputs that stay runtime inputs
};

const NodeTest kNodeTests[] = {
    {"test_qlinearconv", 1},
    {"test_qlinearmatmul_2D", 1},
    {"test_qlinearmatmul_3D", 1},
    {"test_basic_convinteger", 1},
    {"test_convinteger_with_padding", 1},
    {"test_convinteger_without_padding", 1},
    {"test_matmulinteger", 1},
    {"test_maxpool_2d_uint8", 1},
};

struct Case {
  NodeTest test;
  Backend backend;
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return std::string(info.param.test.name) + "_" + info.param.backend.name;
}

std::vector<Case> cases() {
  std::vector<Case> v;
  for (const NodeTest& t : kNodeTests)
    for (const Backend& b : backends()) v.push_back(Case{t, b});
  return v;
}

struct Loaded {
  Network net;
  TensorMap inputs;
  std::vector<Tensor> expected;
};

Loaded load(const NodeTest& t) {
  const fs::path dir = fs::path(TESSERA_ONNX_TESTDATA) / t.name;
  const fs::path data = dir / "test_data_set_0";
  std::vector<Tensor> ins;
  for (int k = 0; fs::exists(data / ("input_" + std::to_string(k) + ".pb")); ++k)
    ins.push_back(load_tensor_pb((data / ("input_" + std::to_string(k) + ".pb")).string()));
  Loaded l;
  ImportOptions opt;
  for (size_t k = 0; k < ins.size(); ++k) {
    if (int(k) < t.activations)
      l.inputs[ins[k].name] = ins[k];
    else
      opt.constants[ins[k].name] = ins[k];
  }
  for (int k = 0; fs::exists(data / ("output_" + std::to_string(k) + ".pb")); ++k)
    l.expected.push_back(load_tensor_pb((data / ("output_" + std::to_string(k) + ".pb")).string()));
  l.net = import_onnx((dir / "model.onnx").string(), opt);
  return l;
}

class OnnxNodeTest : public testing::TestWithParam<Case> {};

TEST_P(OnnxNodeTest, MatchesOnnxExpectedOutputExactly) {
  const Case& c = GetParam();
  const fs::path dir = fs::path(TESSERA_ONNX_TESTDATA) / c.test.name;
  if (!fs::exists(dir / "model.onnx"))
    FAIL() << dir << " is missing: install the Debian package libonnx-testdata";
  Loaded l = load(c.test);
  ASSERT_FALSE(l.expected.empty());

  auto dev = c.backend.make();
  NetworkRunner runner(l.net, *dev);
  const std::vector<Tensor> got = runner.run(l.inputs);
  EXPECT_TRUE(runner.last_result().ok()) << runner.last_result().describe();
  ASSERT_EQ(got.size(), l.expected.size());
  for (size_t k = 0; k < got.size(); ++k) {
    const Diff d = compare(l.expected[k], got[k]);
    RecordProperty("elements_" + std::to_string(k), int(d.total));
    RecordProperty("differing_" + std::to_string(k), int(d.differ));
    EXPECT_EQ(d.differ, 0u) << c.backend.name << " vs ONNX expected output " << k << ": "
                            << d.report;
  }
  // The layer-level reference gives the same answer.
  const std::vector<Tensor> ref = run_reference(l.net, l.inputs);
  ASSERT_EQ(ref.size(), l.expected.size());
  for (size_t k = 0; k < ref.size(); ++k) {
    const Diff d = compare(l.expected[k], ref[k]);
    EXPECT_EQ(d.differ, 0u) << "tessera::ref vs ONNX expected output " << k << ": " << d.report;
  }
  // Per-layer information is available and covers the command stream.
  ASSERT_FALSE(runner.layers().empty());
  EXPECT_LE(runner.layers().back().last_cmd, runner.program().cmds.size() - 1);
}

INSTANTIATE_TEST_SUITE_P(Node, OnnxNodeTest, testing::ValuesIn(cases()), case_name);

TEST(OnnxNodeImport, LayersAreMappedAsDocumented) {
  // 3-D QLinearMatMul with a batch of weights: one FC per batch item.
  Loaded mm3 = load({"test_qlinearmatmul_3D", 1});
  ASSERT_EQ(mm3.net.ops.size(), 1u);
  EXPECT_EQ(mm3.net.ops[0].conv.size(), 2u);
  EXPECT_EQ(mm3.net.ops[0].conv[0].in, (Shape{1, 2, 4}));
  EXPECT_EQ(mm3.net.ops[0].conv[0].out_c, 3);
  // ConvInteger: int32 accumulators, no requantization.
  Loaded ci = load({"test_convinteger_with_padding", 1});
  ASSERT_EQ(ci.net.ops.size(), 1u);
  EXPECT_FALSE(ci.net.ops[0].conv[0].requant);
  EXPECT_EQ(ci.net.values[ci.net.outputs[0]].type, ElemType::kInt32);
  // MaxPool on uint8 keeps the type.
  Loaded mp = load({"test_maxpool_2d_uint8", 1});
  ASSERT_EQ(mp.net.ops.size(), 1u);
  EXPECT_EQ(mp.net.ops[0].kind, OpKind::kPool);
  EXPECT_FALSE(mp.net.ops[0].pool.is_signed);
}

}  // namespace
}  // namespace tessera::onnx::test
