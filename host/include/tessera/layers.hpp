// Layer descriptions shared by the layer-level reference (tessera::ref) and the compiler.
// Tensors are batch-1 NHWC with raw bytes; their type (int8 / uint8) travels with them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

struct Shape {
  int h = 1, w = 1, c = 1;
  size_t elems() const { return size_t(h) * w * c; }
  bool operator==(const Shape& o) const { return h == o.h && w == o.w && c == o.c; }
};

/// A quantized activation tensor: raw bytes in HWC order (no padding).
struct QTensor {
  Shape shape;
  bool is_signed = true;
  std::vector<uint8_t> data;

  QTensor() = default;
  QTensor(Shape s, bool sig) : shape(s), is_signed(sig), data(s.elems(), 0) {}
  size_t index(int y, int x, int c) const { return (size_t(y) * shape.w + x) * shape.c + c; }
  int32_t at(int y, int x, int c) const {
    const uint8_t b = data[index(y, x, c)];
    return is_signed ? int32_t(int8_t(b)) : int32_t(b);
  }
  void set(int y, int x, int c, int32_t v) { data[index(y, x, c)] = uint8_t(v & 0xFF); }
};

/// Convolution (groups = 1 or depthwise) / fully connected, with the output pipeline.
struct ConvLayer {
  std::string name = "conv";
  Shape in;       // input h, w, c
  int out_c = 1;
  int kh = 1, kw = 1;
  int stride_h = 1, stride_w = 1;
  int dil_h = 1, dil_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int groups = 1;  // 1, or in.c == out_c == groups (depthwise)
  bool act_signed = true, wgt_signed = true, out_signed = true;
  int32_t act_zp = 0;
  std::vector<uint8_t> weights;  // raw bytes [out_c][kh][kw][in.c / groups]
  std::vector<int32_t> wzp;      // per output channel, typed value (int8 or uint8 range)
  std::vector<int32_t> bias;     // per output channel
  std::vector<int32_t> mult;     // per output channel
  std::vector<uint8_t> shift;    // per output channel, 0..63
  int32_t out_zp = 0;
  int32_t clamp_min = -128, clamp_max = 127;  // typed output values
  bool requant = true;  // false: the output is the int32 accumulator (ConvInteger)

  int out_h() const { return (in.h + pad_top + pad_bottom - dil_h * (kh - 1) - 1) / stride_h + 1; }
  int out_w() const { return (in.w + pad_left + pad_right - dil_w * (kw - 1) - 1) / stride_w + 1; }
  Shape out() const { return Shape{out_h(), out_w(), out_c}; }
  /// Useful multiply-accumulates of the layer.
  uint64_t macs() const {
    return uint64_t(out_h()) * out_w() * out_c * kh * kw * (in.c / groups);
  }
};

/// Max or average pooling (average: divisor folded into mult/shift, docs/quantization.md).
struct PoolLayer {
  std::string name = "pool";
  Shape in;
  bool avg = false;
  bool is_signed = true;
  int kh = 2, kw = 2;
  int stride_h = 2, stride_w = 2;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int32_t in_zp = 0, out_zp = 0;  // avg only
  int32_t mult = 1 << 30;         // avg only
  unsigned shift = 30;            // avg only

  int out_h() const { return (in.h + pad_top + pad_bottom - kh) / stride_h + 1; }
  int out_w() const { return (in.w + pad_left + pad_right - kw) / stride_w + 1; }
  Shape out() const { return Shape{out_h(), out_w(), in.c}; }
};

/// Elementwise add of two quantized tensors with their own scales.
struct AddLayer {
  std::string name = "add";
  Shape shape;
  bool is_signed = true;
  int32_t a_zp = 0, b_zp = 0, out_zp = 0;
  int32_t a_mult = 1 << 30, b_mult = 1 << 30;
  unsigned shift = 30;
  int32_t clamp_min = -128, clamp_max = 127;
};

}  // namespace tessera
