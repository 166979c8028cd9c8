// Random layers with consistent quantization parameters, valid for (compilable on) a given
// HwConfig, and the compare-and-report helpers the compiler and RTL tests share.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tessera/hw_config.hpp"
#include "tessera/layers.hpp"

namespace tessera {

struct RandomLayerLimits {
  int max_hw = 20;      // input height / width 1..max_hw
  int max_c = 40;       // channels 1..max_c
  int max_kernel = 7;   // convolution kernel 1..max_kernel
  int max_stride = 4;
  int max_dil = 3;
  int max_fc = 200;     // fully connected in / out features
};

enum class ConvKind { kAny, kConv, kDepthwise, kFullyConnected };

/// Uniform random bytes.
QTensor random_tensor(std::mt19937_64& rng, Shape shape, bool is_signed);

/// A convolution (normal, depthwise or fully connected; requant or int32 output) whose weights
/// and output pipeline parameters are random but consistent: the multiplier/shift put typical
/// outputs in the middle of the output range, clamps are full range, ReLU or random.
ConvLayer random_conv(std::mt19937_64& rng, const HwConfig& cfg, const RandomLayerLimits& lim = {},
                      ConvKind kind = ConvKind::kAny);
/// Max or average pooling (sometimes global), padding at most kernel - 1.
PoolLayer random_pool(std::mt19937_64& rng, const HwConfig& cfg, const RandomLayerLimits& lim = {});
/// Elementwise add with random scales (one shared shift) and zero points.
AddLayer random_add(std::mt19937_64& rng, const HwConfig& cfg, const RandomLayerLimits& lim = {});

/// One line describing a layer (for failure messages).
std::string describe(const ConvLayer& l);
std::string describe(const PoolLayer& l);
std::string describe(const AddLayer& l);

/// Empty when equal; else the first differing (y, x, c), both values and the number of
/// differing elements.
std::string first_mismatch(const QTensor& expected, const QTensor& got);
std::string first_mismatch(const std::vector<int32_t>& expected, const std::vector<int32_t>& got,
                           Shape shape);

}  // namespace tessera
