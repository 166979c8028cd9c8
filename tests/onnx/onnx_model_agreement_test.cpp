// The shipped models against onnxruntime (models/README.md): the quantized logits Tessera
// computes on a device are compared with onnxruntime's, saved by the script that wrote the
// model (ORT CPU provider, the same int8 QDQ model, the same preprocessed input). Reported per
// model: identical output vectors, largest difference in LSB, same top-1 class. Required: the
// same top-1 class on every image and at most 1 LSB (onnxruntime requantizes in float, Tessera
// in fixed point: docs/onnx.md "Agreement with onnxruntime"). Device runs are also compared
// bit for bit with run_reference on every value.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <iostream>

#include "onnx_agreement.hpp"
#include "onnx_test_util.hpp"
#include "tessera/cli/dataset.hpp"

namespace tessera::onnx::test {
namespace {

const std::string kModels = TESSERA_MODELS_DIR;
const std::string kFashion = "/usr/share/datasets/fashion-mnist/";

Backend backend(const std::string& name) {
  for (const Backend& b : backends())
    if (b.name == name) return b;
  throw std::runtime_error("no backend " + name);
}

void expect_agreement(const Agreement& a, const std::string& what, const NetworkRunner& runner) {
  std::cout << "[ agreement ] " << a.report(what);
  if (const uint64_t cycles = runner.last_result().counter(isa::Counter::kCycles))
    std::cout << "; " << cycles << " cycles per image";  // devices with a cycle counter
  std::cout << "\n";
  EXPECT_EQ(a.top1_same, a.images) << a.report(what);
  EXPECT_LE(a.max_lsb, 1) << a.report(what);
}

// Fashion-MNIST CNN (model 3; `model` is fashion_mnist_cnn or its QOperator / uint8 version
// fashion_mnist_cnn_qop): test images 0..n-1. Each image's quantized logits against
// onnxruntime's (<model>_ort_q.bin, the first 1000 images, int8 or uint8 as the model's output),
// its top-1 class against onnxruntime's (<model>_ort_top1.bin, all 10,000) and the label; the
// first n_ref images also against run_reference (every value). TESSERA_FASHION_IMAGES
// overrides n (e.g. 10000 for the whole test set).
void fashion_mnist(const std::string& backend_name, const std::string& model, size_t n,
                   size_t n_ref) {
  if (const char* e = std::getenv("TESSERA_FASHION_IMAGES")) n = std::stoul(e);
  const Network net = import_onnx(kModels + "/" + model + ".onnx");
  const bool unsigned_logits = net.values[quantized_output(net)].type == ElemType::kUint8;
  std::vector<int64_t> ort_q;
  for (int8_t b : read_int8_file(kModels + "/" + model + "_ort_q.bin"))
    ort_q.push_back(unsigned_logits ? int64_t(uint8_t(b)) : int64_t(b));
  const std::vector<int8_t> ort_top1 = read_int8_file(kModels + "/" + model + "_ort_top1.bin");
  ASSERT_GE(ort_top1.size(), n) << model << "_ort_top1.bin holds fewer than " << n << " images";
  const cli::IdxImages imgs = cli::read_idx_images(kFashion + "t10k-images-idx3-ubyte.gz", n);
  const cli::IdxLabels labels = cli::read_idx_labels(kFashion + "t10k-labels-idx1-ubyte.gz", n);
  auto dev = backend(backend_name).make();
  NetworkRunner runner(net, *dev);
  const Value& input = cli::image_input(net);
  const size_t px = size_t(imgs.rows) * imgs.cols;
  Agreement logits;                       // images with saved ORT logits
  size_t top1_same = 0, correct = 0;      // every image
  for (size_t k = 0; k < n; ++k) {
    cli::RgbImage img;  // grey: R = G = B, as `tessera eval` reads the IDX file
    img.h = int(imgs.rows);
    img.w = int(imgs.cols);
    img.channels = 1;
    for (size_t p = 0; p < px; ++p) img.rgb.insert(img.rgb.end(), 3, imgs.pixels[k * px + p]);
    const CheckedRun run =
        run_checked(net, runner, cli::preprocess(img, input, cli::Preprocess{}), k < n_ref);
    EXPECT_TRUE(run.reference_diffs.empty())
        << "test image " << k << ": device differs from run_reference: "
        << run.reference_diffs.front();
    if ((k + 1) * 10 <= ort_q.size())
      logits.add(run.logits,
                 std::vector<int64_t>(ort_q.begin() + k * 10, ort_q.begin() + (k + 1) * 10),
                 labels.labels[k]);
    top1_same += argmax(run.logits) == ort_top1[k];
    correct += argmax(run.logits) == labels.labels[k];
  }
  expect_agreement(logits, model + " " + backend_name, runner);
  std::cout << "[ agreement ] " << model << " " << backend_name << ": top-1 as onnxruntime on "
            << top1_same << " of " << n << " images, top-1 accuracy "
            << 100.0 * double(correct) / double(n) << "%\n";
  EXPECT_EQ(top1_same, n);
}

// A model's shipped images (models/images) against <model>_ort.txt (the first max_images of
// them), every run also against run_reference.
void shipped_images(const std::string& backend_name, const std::string& model_name,
                    size_t max_images = SIZE_MAX) {
  const Network net = import_onnx(kModels + "/" + model_name + ".onnx");
  auto refs = read_ort_reference(kModels + "/" + model_name + "_ort.txt");
  if (refs.size() > max_images) refs.resize(max_images);
  auto dev = backend(backend_name).make();
  NetworkRunner runner(net, *dev);
  std::vector<std::string> diffs;
  const Agreement a = image_agreement(net, runner, refs, kModels + "/images", true, &diffs);
  EXPECT_TRUE(diffs.empty()) << "device differs from run_reference: " << diffs.front();
  expect_agreement(a, model_name + " " + backend_name, runner);
}

TEST(OrtAgreement, SeedConvnetIsa16) { shipped_images("isa16", "seed_convnet"); }
TEST(OrtAgreement, FashionMnistIsa16) { fashion_mnist("isa16", "fashion_mnist_cnn", 1000, 100); }
TEST(OrtAgreement, FashionMnistQOperatorUint8Isa16) {
  fashion_mnist("isa16", "fashion_mnist_cnn_qop", 1000, 100);
}
TEST(OrtAgreement, KerasCnn224Isa16) { shipped_images("isa16", "keras_cnn224"); }
#ifdef TESSERA_HAVE_RTL
TEST(OrtAgreement, SeedConvnetRtl16) { shipped_images("rtl16", "seed_convnet"); }
TEST(OrtAgreement, FashionMnistRtl16) { fashion_mnist("rtl16", "fashion_mnist_cnn", 30, 30); }
// Model 2 on the RTL, one image: 4.45 M cycles (about 15 s of simulation).
TEST(OrtAgreement, KerasCnn224Rtl16) { shipped_images("rtl16", "keras_cnn224", 1); }
#endif

}  // namespace
}  // namespace tessera::onnx::test
