// MobileNetV2 (1.0, 224x224x3, seeded random int8 weights, built through Tessera's layer API):
// stem 3x3 s2 -> 32, 17 inverted residual blocks (1x1 expand + ReLU6, 3x3 depthwise + ReLU6,
// 1x1 linear projection, residual add when the stride is 1 and the channels match), 1x1
// 320 -> 1280 + ReLU6, global average pooling and FC 1280 -> 1000. One command stream through
// the RTL and the instruction-level model, every layer bit-exact against the reference, with the
// per-layer report of common/network_bench.hpp.
//
//   bench_mobilenetv2 [--dim N] [--latency CYCLES] [--bytes-per-cycle B] [--seed S]
//                     [--network-only] [--sweep]
#include <string>

#include "common/network_bench.hpp"

using namespace tessera;
using namespace tessera::bench;

namespace {

void mobilenetv2(NetBuilder& nb) {
  NetBuilder::Node x = nb.conv(NetBuilder::kInput, "conv_stem", 32, 3, 2, Act::kRelu6);
  struct Stage {
    int expand, channels, blocks, stride;
  };
  const Stage stages[] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2},  {6, 64, 4, 2},
                          {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
  int cin = 32, index = 0;
  for (const Stage& st : stages) {
    for (int i = 0; i < st.blocks; ++i, ++index) {
      const int stride = i == 0 ? st.stride : 1;
      const std::string n = "block" + std::to_string(index);
      NetBuilder::Node y = x;
      if (st.expand != 1) y = nb.conv(y, n + ".expand", cin * st.expand, 1, 1, Act::kRelu6);
      y = nb.conv(y, n + ".dw", 0, 3, stride, Act::kRelu6, /*depthwise=*/true);
      y = nb.conv(y, n + ".project", st.channels, 1, 1, Act::kNone);
      x = stride == 1 && cin == st.channels ? nb.add(y, x, n + ".add", false) : y;
      cin = st.channels;
    }
  }
  x = nb.conv(x, "conv_head", 1280, 1, 1, Act::kRelu6);
  x = nb.global_avg_pool(x, "avgpool");
  nb.conv(x, "fc", 1000, 1, 1, Act::kNone);
}

}  // namespace

int main(int argc, char** argv) {
  return run_benchmark(Network{"MobileNetV2", Shape{224, 224, 3}, mobilenetv2},
                       parse_options(argc, argv));
}
