// Layer-level reference (golden model #1): docs/quantization.md as plain loops over the layer
// structs of tessera/layers.hpp. It knows nothing about tiling, buffers or the command format, so
// the instruction-level model, the compiler and the RTL can all be checked against it.
//
// Every function validates its layer and inputs first and throws std::invalid_argument with a
// message that names the layer (layer.name) and the offending field.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/layers.hpp"

namespace tessera::ref {

/// Raw int32 accumulators of a convolution, HWC [out_h][out_w][out_c]:
/// sum over the window of (a - act_zp) * (w - wzp[oc]), two's-complement wraparound, padding
/// contributes 0. groups is 1 or depthwise (groups == in.c == out_c). Ignores bias / mult / shift.
std::vector<int32_t> conv_acc(const ConvLayer& layer, const QTensor& in);

/// conv_acc followed by tessera::requantize per output channel. Requires layer.requant (an int32
/// output has no QTensor form: use conv_acc).
QTensor conv(const ConvLayer& layer, const QTensor& in);

/// Max pooling (largest valid value, the type's minimum when the window is all padding) or
/// average pooling (saturate(out_zp + rshift_rne(sum over valid of (x - in_zp) * mult, shift))).
QTensor pool(const PoolLayer& layer, const QTensor& in);

/// clamp(out_zp + rshift_rne((a - a_zp) * a_mult + (b - b_zp) * b_mult, shift)), exact in 64 bits.
QTensor add(const AddLayer& layer, const QTensor& a, const QTensor& b);

}  // namespace tessera::ref
