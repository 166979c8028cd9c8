// A trained float model (models/fashion_mnist_cnn_float.onnx, input [1,1,28,28] = pixel / 255)
// quantized by Tessera: calibrated on the first 100 Fashion-MNIST training images, evaluated on
// test images on the golden model against the labels and against the float model.
//   TESSERA_FMNIST_IMAGES=10000   evaluate more test images (default 300)
//   TESSERA_FMNIST_MODEL=path     another float model with the same input
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include "float_test_util.hpp"
#include "onnx_test_util.hpp"
#include "tessera/onnx/quantize.hpp"

namespace tessera::onnx::test {
namespace {

struct Idx {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// An IDX file (gzip): magic 0x00000803 (images) or 0x00000801 (labels), big-endian dims, bytes.
Idx read_idx_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error(path + ": cannot open");
  auto be32 = [&] {
    unsigned char b[4];
    if (gzread(f, b, 4) != 4) throw std::runtime_error(path + ": truncated header");
    return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  };
  const uint32_t magic = be32();
  Idx idx;
  size_t n = 1;
  for (uint32_t k = 0; k < (magic & 0xFF); ++k) {
    idx.dims.push_back(be32());
    n *= size_t(idx.dims.back());
  }
  idx.data.resize(n);
  const int got = gzread(f, idx.data.data(), unsigned(n));
  gzclose(f);
  if (got != int(n)) throw std::runtime_error(path + ": truncated data");
  return idx;
}

TensorMap image_input(const Idx& images, size_t k, const std::string& name) {
  const size_t px = size_t(images.dims[1] * images.dims[2]);
  Tensor t;
  t.name = name;
  t.dims = {1, 1, images.dims[1], images.dims[2]};
  t.f.resize(px);
  for (size_t i = 0; i < px; ++i) t.f[i] = float(images.data[k * px + i]) / 255.0f;
  return {{name, t}};
}

TEST(FloatFashionMnist, QuantizedAccuracyMatchesFloat) {
  const char* env_model = std::getenv("TESSERA_FMNIST_MODEL");
  const std::string model =
      env_model ? env_model : std::string(TESSERA_MODELS_DIR) + "/fashion_mnist_cnn_float.onnx";
  if (!std::filesystem::exists(model)) GTEST_SKIP() << model << " is missing";
  const std::string data = TESSERA_FASHION_MNIST_DIR;
  if (!std::filesystem::exists(data + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST is missing in " << data;
  const Idx train = read_idx_gz(data + "/train-images-idx3-ubyte.gz");
  const Idx test = read_idx_gz(data + "/t10k-images-idx3-ubyte.gz");
  const Idx labels = read_idx_gz(data + "/t10k-labels-idx1-ubyte.gz");
  const char* env_n = std::getenv("TESSERA_FMNIST_IMAGES");
  const size_t n = std::min<size_t>(env_n ? std::strtoul(env_n, nullptr, 10) : 300, test.dims[0]);

  const FloatModel fm = load_float_model(model);
  ASSERT_EQ(fm.inputs.size(), 1u);
  const std::string in = fm.inputs[0].name;
  std::vector<TensorMap> calib;
  for (size_t k = 0; k < 100; ++k) calib.push_back(image_input(train, k, in));
  const Network net = quantize_float_model(fm, calib);
  IsaDevice dev(default_config(16));
  NetworkRunner runner(net, dev);

  size_t float_ok = 0, quant_ok = 0, agree = 0;
  for (size_t k = 0; k < n; ++k) {
    const TensorMap x = image_input(test, k, in);
    const size_t f = argmax(run_float(fm, x).at(0));
    const std::vector<Tensor> q = runner.run(x);
    if (k < 10) {  // the device is exact against the layer-level reference
      const Diff d = compare(run_reference(net, x).at(0), q.at(0));
      EXPECT_EQ(d.differ, 0u) << "image " << k << ": " << d.report;
    }
    const size_t c = argmax(q.at(0));
    float_ok += f == labels.data[k];
    quant_ok += c == labels.data[k];
    agree += c == f;
  }
  const double fa = 100.0 * float_ok / n, qa = 100.0 * quant_ok / n, ag = 100.0 * agree / n;
  std::cout << "[ fmnist   ] " << n << " test images: float " << fa << "%, Tessera int8 " << qa
            << "%, same top-1 as float " << ag << "% (calibrated on 100 training images)\n";
  EXPECT_GE(qa, fa - 1.5);
  EXPECT_GE(ag, 97.0);
}

}  // namespace
}  // namespace tessera::onnx::test
