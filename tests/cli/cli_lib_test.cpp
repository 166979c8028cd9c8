// tessera_cli: image loading (BGR -> RGB, resize), preprocessing against hand-computed values,
// top-k, the --check comparison and the class names of the shipped model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "tessera/cli/cli.hpp"
#include "tessera/isa_device.hpp"

namespace tessera::cli {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("tessera_cli_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

onnx::Value image_value(onnx::ElemType t, int c, int h, int w) {
  onnx::Value v;
  v.name = "x";
  v.type = t;
  v.dims = {1, c, h, w};
  return v;
}

// A 2x2 PNG written as BGR by OpenCV comes back as RGB; pixel values survive exactly.
TEST(CliImage, LoadsRgbFromBgr) {
  cv::Mat m(2, 2, CV_8UC3);
  m.at<cv::Vec3b>(0, 0) = {10, 20, 30};  // B G R
  m.at<cv::Vec3b>(0, 1) = {0, 0, 255};
  m.at<cv::Vec3b>(1, 0) = {255, 0, 0};
  m.at<cv::Vec3b>(1, 1) = {1, 2, 3};
  const std::string p = temp_path("2x2.png");
  ASSERT_TRUE(cv::imwrite(p, m));
  const RgbImage img = load_image(p, 2, 2);
  EXPECT_EQ(img.h, 2);
  EXPECT_EQ(img.w, 2);
  EXPECT_EQ(img.rgb, (std::vector<uint8_t>{30, 20, 10, 255, 0, 0, 0, 0, 255, 3, 2, 1}));
  // A uniform image stays uniform through the resize to the model's size.
  cv::Mat u(5, 7, CV_8UC3, cv::Scalar(40, 80, 120));
  ASSERT_TRUE(cv::imwrite(p, u));
  const RgbImage r = load_image(p, 3, 4);
  ASSERT_EQ(r.rgb.size(), 3u * 4 * 3);
  for (size_t k = 0; k < r.rgb.size(); k += 3) {
    EXPECT_EQ(r.rgb[k], 120);
    EXPECT_EQ(r.rgb[k + 1], 80);
    EXPECT_EQ(r.rgb[k + 2], 40);
  }
  fs::remove(p);
}

TEST(CliImage, MissingAndUndecodableFilesNameTheFile) {
  try {
    load_image("/nonexistent/cat.png", 4, 4);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cat.png"), std::string::npos);
  }
  const std::string p = temp_path("garbage.png");
  std::ofstream(p) << "this is not a PNG";
  try {
    load_image(p, 4, 4);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("decode"), std::string::npos);
  }
  fs::remove(p);
}

// 1x2 RGB image -> NCHW float, (pixel * scale - mean) / std, hand-computed.
TEST(CliPreprocess, FloatInputNchw) {
  RgbImage img{1, 2, {0, 51, 255, 102, 204, 153}};  // (R,G,B) = (0,51,255), (102,204,153)
  Preprocess p;
  p.scale = 1.0f / 255.0f;
  p.mean = {0.5f, 0.0f, 0.0f};
  p.std = {0.5f, 1.0f, 2.0f};
  const onnx::Tensor t = preprocess(img, image_value(onnx::ElemType::kFloat, 3, 1, 2), p);
  ASSERT_EQ(t.dims, (std::vector<int64_t>{1, 3, 1, 2}));
  ASSERT_EQ(t.f.size(), 6u);
  EXPECT_NEAR(t.f[0], -1.0, 1e-6);        // R(0,0): (0 - 0.5) / 0.5
  EXPECT_NEAR(t.f[1], -0.2, 1e-6);        // R(0,1): (0.4 - 0.5) / 0.5
  EXPECT_NEAR(t.f[2], 0.2, 1e-6);         // G(0,0): 51/255
  EXPECT_NEAR(t.f[3], 0.8, 1e-6);         // G(0,1): 204/255
  EXPECT_NEAR(t.f[4], 0.5, 1e-6);         // B(0,0): 1 / 2
  EXPECT_NEAR(t.f[5], 0.3, 1e-6);         // B(0,1): 0.6 / 2
}

// Quantized input: round_half_even(x / s) + zp, saturated; gray models average R, G, B.
TEST(CliPreprocess, QuantizedAndGrayInputs) {
  RgbImage img{1, 2, {0, 0, 0, 255, 255, 255}};
  onnx::Value v = image_value(onnx::ElemType::kInt8, 3, 1, 2);
  v.quantized = true;
  v.scale = 1.0f / 255.0f;
  v.zero_point = -128;
  onnx::Tensor t = preprocess(img, v, Preprocess{});
  EXPECT_EQ(t.i, (std::vector<int64_t>{-128, 127, -128, 127, -128, 127}));
  v.scale = 0.5f / 255.0f;  // 255 -> 2*255 - 128 saturates at 127
  v.zero_point = 0;
  t = preprocess(img, v, Preprocess{});
  EXPECT_EQ(t.i, (std::vector<int64_t>{0, 127, 0, 127, 0, 127}));
  RgbImage g{1, 1, {30, 60, 90}};  // gray = 60
  onnx::Value u = image_value(onnx::ElemType::kUint8, 1, 1, 1);  // no quantization: raw pixels
  EXPECT_EQ(preprocess(g, u, Preprocess{}).i, (std::vector<int64_t>{60}));
  EXPECT_THROW(preprocess(img, image_value(onnx::ElemType::kFloat, 3, 2, 2), Preprocess{}),
               std::invalid_argument);
}

TEST(CliTopK, LargestFirstTiesKeepLowerIndex) {
  onnx::Tensor t;
  t.type = onnx::ElemType::kFloat;
  t.dims = {1, 6};
  t.f = {0.1f, 0.7f, 0.05f, 0.7f, -1.0f, 0.3f};
  const auto r = top_k(t, 3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].first, 1);
  EXPECT_EQ(r[1].first, 3);
  EXPECT_EQ(r[2].first, 5);
  EXPECT_DOUBLE_EQ(r[2].second, double(0.3f));
  EXPECT_EQ(top_k(t, 10).size(), 6u);
}

TEST(CliCompare, ReportsDifferences) {
  onnx::Tensor a;
  a.type = onnx::ElemType::kInt8;
  a.dims = {4};
  a.i = {1, 2, 3, 4};
  onnx::TensorMap x{{"v", a}}, y{{"v", a}};
  EXPECT_TRUE(compare_runs(x, y).empty());
  y["v"].i[2] = 5;
  const auto d = compare_runs(x, y);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].find("1 of 4 elements differ, first at 2: 3 vs 5"), std::string::npos) << d[0];
  y.erase("v");
  EXPECT_EQ(compare_runs(x, y).size(), 1u);
}

TEST(CliReport, PerfTableAndUtilization) {
  std::vector<LayerInfo> layers{{"conv1", 1000, 0, 9, "tiles"}, {"pool1", 0, 10, 12, ""}};
  Perf p;
  p.measured = true;
  p.cycles = 100;
  p.array_dim = 4;
  const std::string s = format_perf(layers, p);
  EXPECT_NE(s.find("conv1"), std::string::npos);
  EXPECT_NE(s.find("MAC utilization 62.5%"), std::string::npos) << s;  // 1000 / (16 * 100)
  EXPECT_NE(s.find("not measured"), std::string::npos);
}

TEST(CliModel, ShippedModelHasClassNamesAndImageInput) {
  const std::string m = std::string(TESSERA_SOURCE_DIR) + "/models/seed_convnet.onnx";
  const auto names = read_class_names(m);
  ASSERT_EQ(names.size(), 10u);
  EXPECT_EQ(names[0], "t-shirt");
  const onnx::Network net = onnx::import_onnx(m);
  EXPECT_EQ(image_input(net).dims, (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_THROW(read_class_names("/nonexistent.onnx"), std::runtime_error);
}

TEST(CliReport, PerLayerColumnsWhenMeasured) {
  std::vector<LayerInfo> layers{{"conv1", 1600, 0, 9, "tiles"}, {"pool1", 0, 10, 12, ""}};
  Perf p;
  p.measured = true;
  p.cycles = 250;
  p.array_dim = 4;
  p.layers = {{200, 100}, {50, 0}};
  const std::string s = format_perf(layers, p);
  EXPECT_NE(s.find("50.0%"), std::string::npos) << s;  // conv1: 1600 / (16 * 200)
  EXPECT_NE(s.find("prefix runs"), std::string::npos) << s;
  EXPECT_NE(s.find("MAC utilization 40.0%"), std::string::npos) << s;  // 1600 / (16 * 250)
  EXPECT_EQ(format_perf(layers, p, false).find("conv1"), std::string::npos);
}

// Prefix runs on the golden model: MAC_ACTIVE per layer adds up to the whole run's, only the
// convolutions have MAC cycles, and the command stream is restored afterwards.
TEST(CliMeasure, PrefixRunsAddUpAndRestoreTheStream) {
  const onnx::Network net =
      onnx::import_onnx(std::string(TESSERA_SOURCE_DIR) + "/models/seed_convnet.onnx");
  IsaDevice dev(default_config(16));
  onnx::NetworkRunner runner(net, dev);
  const onnx::Value& in = image_input(net);
  RgbImage img{32, 32, std::vector<uint8_t>(32 * 32 * 3)};
  for (size_t k = 0; k < img.rgb.size(); ++k) img.rgb[k] = uint8_t(k * 37);
  onnx::TensorMap inputs{{in.name, preprocess(img, in, Preprocess{})}};
  const onnx::TensorMap before = runner.run_all(inputs);
  const uint64_t total = runner.last_result().counter(isa::Counter::kMacActive);
  const Program& prog = runner.program();
  std::vector<uint8_t> stream(prog.cmds.size() * isa::kCmdBytes), after(stream.size());
  dev.read(prog.cmd_addr, stream.data(), stream.size());
  const auto lc = measure_layer_cycles(dev, prog, std::chrono::seconds(60));
  ASSERT_EQ(lc.size(), prog.layers.size());
  uint64_t sum = 0;
  for (size_t k = 0; k < lc.size(); ++k) {
    sum += lc[k].mac_active;
    EXPECT_EQ(lc[k].mac_active > 0, prog.layers[k].macs > 0) << prog.layers[k].name;
  }
  EXPECT_EQ(sum, total);
  dev.read(prog.cmd_addr, after.data(), after.size());
  EXPECT_EQ(stream, after);
  EXPECT_TRUE(compare_runs(before, runner.run_all(inputs)).empty());
}

TEST(CliJson, Escapes) { EXPECT_EQ(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\""); }

}  // namespace
}  // namespace tessera::cli
