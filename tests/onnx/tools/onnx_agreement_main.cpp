// tessera_onnx_agreement: Tessera vs onnxruntime on a quantized model and images, for models
// too large to ship (scripts/make_resnet18_onnx.py, make_mobilenetv2_onnx.py). Prints the
// agreement (identical outputs, max LSB difference, same top-1) and whether every device run
// equals run_reference bit for bit. Exit 0 when bit-exact vs the reference, the same top-1 on
// every image and at most 1 LSB; 1 otherwise; 2 on bad arguments or files.
//
//   tessera_onnx_agreement MODEL.onnx REF.txt IMAGE_DIR [isa16|rtl16]
#include <chrono>
#include <iostream>

#include "../onnx_agreement.hpp"
#include "../onnx_test_util.hpp"

int main(int argc, char** argv) {
  using namespace tessera::onnx;
  if (argc < 4 || argc > 5) {
    std::cerr << "usage: " << argv[0] << " MODEL.onnx REF.txt IMAGE_DIR [isa16|rtl16]\n";
    return 2;
  }
  const std::string backend_name = argc == 5 ? argv[4] : "isa16";
  try {
    const Network net = import_onnx(argv[1]);
    const auto refs = test::read_ort_reference(argv[2]);
    std::unique_ptr<tessera::Device> dev;
    for (const test::Backend& b : test::backends())
      if (b.name == backend_name) dev = b.make();
    if (!dev) throw std::runtime_error("unknown backend '" + backend_name + "'");
    const auto t0 = std::chrono::steady_clock::now();
    NetworkRunner runner(net, *dev);
    std::vector<std::string> diffs;
    const test::Agreement a = test::image_agreement(net, runner, refs, argv[3], true, &diffs);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << a.report(std::string(argv[1]) + " " + backend_name) << "\n"
              << "run_reference: " << (diffs.empty() ? "bit-exact on every value" : "DIFFERS")
              << " (" << s << " s)\n";
    for (const std::string& d : diffs) std::cout << "  " << d << "\n";
    return diffs.empty() && a.top1_same == a.images && a.max_lsb <= 1 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
