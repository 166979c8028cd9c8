// ResNet-18 (ImageNet topology, 224x224x3, seeded random int8 weights, built through Tessera's
// layer API) as ONE command stream through the verilated accelerator and through the
// instruction-level model; every layer's output is compared bit for bit with the layer-level
// reference. Prints per layer the measured cycles, MAC utilization, DMA bytes, roofline bound
// and what limits it, and for the whole network the measured cycles, utilization, RTL wall
// time, simulated cycles per second and the golden model's wall time (common/network_bench.hpp).
//
//   bench_resnet18 [--dim N] [--latency CYCLES] [--bytes-per-cycle B] [--seed S]
//                  [--network-only] [--sweep]
#include <string>

#include "common/network_bench.hpp"

using namespace tessera;
using namespace tessera::bench;

namespace {

void resnet18(NetBuilder& nb) {
  NetBuilder::Node x = nb.conv(NetBuilder::kInput, "conv1", 64, 7, 2, Act::kRelu);
  x = nb.max_pool(x, "maxpool", 3, 2, 1);
  const int widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    for (int block = 0; block < 2; ++block) {
      const bool down = stage > 0 && block == 0;
      const std::string n = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
      const NetBuilder::Node shortcut =
          down ? nb.conv(x, n + ".downsample", widths[stage], 1, 2, Act::kNone) : x;
      NetBuilder::Node y = nb.conv(x, n + ".conv1", widths[stage], 3, down ? 2 : 1, Act::kRelu);
      y = nb.conv(y, n + ".conv2", widths[stage], 3, 1, Act::kNone);
      x = nb.add(y, shortcut, n + ".add", true);
    }
  }
  x = nb.global_avg_pool(x, "avgpool");
  nb.conv(x, "fc", 1000, 1, 1, Act::kNone);
}

}  // namespace

int main(int argc, char** argv) {
  return run_benchmark(Network{"ResNet-18", Shape{224, 224, 3}, resnet18}, parse_options(argc, argv));
}
