// Layer-level reference (tessera::ref) against numbers worked out by hand, plus its validation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tessera/reference.hpp"

namespace tessera {
namespace {

QTensor make(Shape s, bool is_signed, const std::vector<int32_t>& values) {
  QTensor t(s, is_signed);
  EXPECT_EQ(values.size(), s.elems());
  for (size_t i = 0; i < values.size(); ++i) t.data[i] = uint8_t(values[i] & 0xFF);
  return t;
}

std::vector<int32_t> typed(const QTensor& t) {
  std::vector<int32_t> v;
  for (uint8_t b : t.data) v.push_back(t.is_signed ? int32_t(int8_t(b)) : int32_t(b));
  return v;
}

// 3x3 kernel, 4x4 single-channel input, pad 1 on every side, stride 2 -> 2x2 output.
//   input x (row-major)      kernel w
//    1  2  3  4               1 2 3
//    5  6  7  8               4 5 6
//    9 10 11 12               7 8 9
//   13 14 15 16
// iy = 2*oy + ky - 1, ix = 2*ox + kx - 1:
//   (0,0): rows 0..1, cols 0..1 meet w[1..2][1..2]: 5*1 + 6*2 + 8*5 + 9*6           = 111
//   (0,1): rows 0..1, cols 1..3 meet w[1..2][0..2]: (4*2+5*3+6*4) + (7*6+8*7+9*8)   = 47 + 170 = 217
//   (1,0): rows 1..3, cols 0..1 meet w[0..2][1..2]: (2*5+3*6) + (5*9+6*10) + (8*13+9*14)
//                                                                                 = 28 + 105 + 230 = 363
//   (1,1): rows 1..3, cols 1..3, the whole kernel: (6+14+24) + (40+55+72) + (98+120+144)
//                                                                                 = 44 + 167 + 362 = 573
ConvLayer hand_conv(bool asymmetric_uint8) {
  ConvLayer l;
  l.name = "hand3x3";
  l.in = Shape{4, 4, 1};
  l.out_c = 1;
  l.kh = l.kw = 3;
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 1;
  const int off = asymmetric_uint8 ? 128 : 0;  // raw weight = w + 128 with wzp = 128
  for (int w = 1; w <= 9; ++w) l.weights.push_back(uint8_t(w + off));
  l.wzp = {off};
  l.act_signed = l.wgt_signed = !asymmetric_uint8;
  l.act_zp = asymmetric_uint8 ? 100 : 0;  // raw activation = x + 100 with act_zp = 100
  return l;
}

QTensor hand_input(bool asymmetric_uint8) {
  std::vector<int32_t> v;
  for (int i = 1; i <= 16; ++i) v.push_back(i + (asymmetric_uint8 ? 100 : 0));
  return make(Shape{4, 4, 1}, !asymmetric_uint8, v);
}

TEST(Reference, Conv3x3PadStrideByHand) {
  const ConvLayer l = hand_conv(false);
  EXPECT_EQ(ref::conv_acc(l, hand_input(false)), (std::vector<int32_t>{111, 217, 363, 573}));
}

TEST(Reference, ConvUint8ZeroPointsPaddingContributesZero) {
  // Same differences as the int8 case; padding must read as act_zp (term 0), not as raw 0.
  const ConvLayer l = hand_conv(true);
  EXPECT_EQ(ref::conv_acc(l, hand_input(true)), (std::vector<int32_t>{111, 217, 363, 573}));
}

TEST(Reference, ConvRequantRoundsHalfToEvenAndClamps) {
  ConvLayer l = hand_conv(true);
  l.out_signed = false;
  l.bias = {-10};
  l.mult = {1 << 30};
  l.shift = {31};  // x 0.5
  l.out_zp = 5;
  l.clamp_min = 0;
  l.clamp_max = 200;
  // (acc - 10) / 2: 101/2 = 50.5 -> 50, 207/2 = 103.5 -> 104, 353/2 = 176.5 -> 176,
  // 563/2 = 281.5 -> 282; + 5 -> 55, 109, 181, 287 -> clamp 200.
  const QTensor out = ref::conv(l, hand_input(true));
  EXPECT_EQ(out.shape, (Shape{2, 2, 1}));
  EXPECT_FALSE(out.is_signed);
  EXPECT_EQ(typed(out), (std::vector<int32_t>{55, 109, 181, 200}));
}

TEST(Reference, ConvMultiChannelLayout) {
  // 1x1 input, 2 input channels, 2 output channels, 1x1 kernel: a plain matrix product.
  // in = (3, -2); w[oc][ic] = [[1, 2], [-4, 5]], wzp = (0, 1) -> w - wzp = [[1, 2], [-5, 4]]
  // acc0 = 3*1 + (-2)*2 = -1; acc1 = 3*(-5) + (-2)*4 = -23.
  ConvLayer l;
  l.in = Shape{1, 1, 2};
  l.out_c = 2;
  l.weights = {1, 2, uint8_t(-4), 5};
  l.wzp = {0, 1};
  EXPECT_EQ(ref::conv_acc(l, make(l.in, true, {3, -2})), (std::vector<int32_t>{-1, -23}));
}

TEST(Reference, DepthwiseDilated) {
  // Two channels on a 3x3 input, 2x2 kernel with dilation 2: taps (0,0), (0,2), (2,0), (2,2).
  //   channel 0: x = 1..9, w = 1 2 3 4        -> 1*1 + 2*3 + 3*7 + 4*9 = 64
  //   channel 1: x = -1..-9, w = 1 1 1 -1     -> -1 - 3 - 7 + 9       = -2
  ConvLayer l;
  l.name = "dw";
  l.in = Shape{3, 3, 2};
  l.out_c = 2;
  l.groups = 2;
  l.kh = l.kw = 2;
  l.dil_h = l.dil_w = 2;
  l.weights = {1, 2, 3, 4, 1, 1, 1, uint8_t(-1)};  // [oc][ky][kx][1]
  l.wzp = {0, 0};
  std::vector<int32_t> v;
  for (int i = 1; i <= 9; ++i) {
    v.push_back(i);
    v.push_back(-i);
  }
  EXPECT_EQ(ref::conv_acc(l, make(l.in, true, v)), (std::vector<int32_t>{64, -2}));
}

TEST(Reference, ConvAccumulatorWrapsModulo2To32) {
  // 40000 channels of (-128 - 127) * (-128 - 127) = 65025 each: 2,601,000,000 wraps to
  // 2,601,000,000 - 2^32 = -1,693,967,296.
  ConvLayer l;
  l.in = Shape{1, 1, 40000};
  l.act_zp = 127;
  l.weights.assign(40000, uint8_t(-128));
  l.wzp = {127};
  QTensor in(l.in, true);
  std::fill(in.data.begin(), in.data.end(), uint8_t(-128));
  EXPECT_EQ(ref::conv_acc(l, in), (std::vector<int32_t>{-1693967296}));
}

//  -5  3 -1
//   2 -8  4      2x2 windows, stride 2, pad_top = pad_left = 1:
//   0 -3 -7      (0,0) {-5}, (0,1) {3, -1}, (1,0) {2, 0}, (1,1) {-8, 4, -3, -7}
PoolLayer hand_pool(bool avg) {
  PoolLayer l;
  l.name = "hand_pool";
  l.in = Shape{3, 3, 1};
  l.avg = avg;
  l.kh = l.kw = 2;
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_left = 1;
  return l;
}
const std::vector<int32_t> kPoolIn{-5, 3, -1, 2, -8, 4, 0, -3, -7};

TEST(Reference, MaxPoolWithPadding) {
  const QTensor out = ref::pool(hand_pool(false), make(Shape{3, 3, 1}, true, kPoolIn));
  EXPECT_EQ(out.shape, (Shape{2, 2, 1}));
  EXPECT_EQ(typed(out), (std::vector<int32_t>{-5, 3, 2, 4}));
}

TEST(Reference, MaxPoolAllPaddingWindowIsTypeMin) {
  // 1x1 input, kh = 2 with pad_top = 2: output row 0 sees only padding.
  for (bool sig : {true, false}) {
    PoolLayer l;
    l.in = Shape{1, 1, 1};
    l.is_signed = sig;
    l.kh = 2;
    l.kw = 1;
    l.stride_h = l.stride_w = 1;
    l.pad_top = 2;
    const QTensor out = ref::pool(l, make(l.in, sig, {5}));
    EXPECT_EQ(typed(out), (std::vector<int32_t>{sig ? -128 : 0, 5}));
  }
}

TEST(Reference, AvgPoolZeroPointsAndRounding) {
  PoolLayer l = hand_pool(true);
  l.in_zp = -1;
  l.out_zp = 2;
  l.mult = 1 << 30;
  l.shift = 32;  // x 1/4
  // sums of (x + 1): -4, 4 + 0, 3 + 1, -7 + 5 - 2 - 6 = -10; /4: -1, 1, 1, -2.5 -> -2 (even);
  // + 2 -> 1, 3, 3, 0.
  const QTensor out = ref::pool(l, make(Shape{3, 3, 1}, true, kPoolIn));
  EXPECT_EQ(typed(out), (std::vector<int32_t>{1, 3, 3, 0}));
}

TEST(Reference, AvgPoolSaturates) {
  PoolLayer l;
  l.in = Shape{1, 1, 2};
  l.is_signed = false;
  l.avg = true;
  l.kh = l.kw = 1;
  l.stride_h = l.stride_w = 1;
  l.out_zp = 10;
  l.mult = 1 << 30;
  l.shift = 30;  // x 1
  // 250 + 10 = 260 -> 255;  3 + 10 = 13
  EXPECT_EQ(typed(ref::pool(l, make(l.in, false, {250, 3}))), (std::vector<int32_t>{255, 13}));
}

TEST(Reference, AddWithZeroPointsTiesAndClamps) {
  AddLayer l;
  l.shape = Shape{1, 1, 4};
  l.a_zp = 2;
  l.b_zp = -3;
  l.a_mult = 1 << 30;
  l.b_mult = 1 << 29;
  l.shift = 30;  // a x 1, b x 0.5
  l.out_zp = 1;
  l.clamp_min = -10;
  l.clamp_max = 50;
  // 8 + 4 = 12 -> 13;  -22 + 5 = -17 -> -16 -> -10;  98 - 48.5 = 49.5 -> 50 (even) -> 51 -> 50;
  // -2 + 1.5 = -0.5 -> 0 (even) -> 1
  const QTensor out = ref::add(l, make(l.shape, true, {10, -20, 100, 0}),
                               make(l.shape, true, {5, 7, -100, 0}));
  EXPECT_EQ(typed(out), (std::vector<int32_t>{13, -10, 50, 1}));
}

TEST(Reference, AddUint8) {
  AddLayer l;
  l.shape = Shape{1, 2, 1};
  l.is_signed = false;
  l.a_zp = l.b_zp = l.out_zp = 128;
  l.shift = 30;
  l.clamp_min = 0;
  l.clamp_max = 255;
  // (200-128) + (50-128) = -6 -> 122;  (255-128) + (255-128) = 254 -> 382 -> 255
  EXPECT_EQ(typed(ref::add(l, make(l.shape, false, {200, 255}), make(l.shape, false, {50, 255}))),
            (std::vector<int32_t>{122, 255}));
}

// Runs f and returns the std::invalid_argument message ("" when nothing was thrown).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& msg, const std::string& name, const std::string& field) {
  EXPECT_NE(msg.find(name), std::string::npos) << msg;
  EXPECT_NE(msg.find(field), std::string::npos) << msg;
}

TEST(Reference, ConvValidationNamesLayerAndField) {
  const ConvLayer good = hand_conv(false);
  const QTensor in = hand_input(false);
  {
    QTensor bad(Shape{4, 5, 1}, true);
    expect_error(error_of([&] { ref::conv_acc(good, bad); }), "hand3x3", "input.shape");
  }
  {
    QTensor bad = in;
    bad.data.pop_back();
    expect_error(error_of([&] { ref::conv_acc(good, bad); }), "hand3x3", "input.data");
  }
  {
    QTensor bad = in;
    bad.is_signed = false;
    expect_error(error_of([&] { ref::conv_acc(good, bad); }), "hand3x3", "input.is_signed");
  }
  {
    ConvLayer l = good;
    l.weights.pop_back();
    expect_error(error_of([&] { ref::conv_acc(l, in); }), "hand3x3", "weights");
  }
  {
    ConvLayer l = good;
    l.wzp.clear();
    expect_error(error_of([&] { ref::conv_acc(l, in); }), "hand3x3", "wzp");
  }
  {
    ConvLayer l;
    l.name = "grouped";
    l.in = Shape{2, 2, 4};
    l.out_c = 4;
    l.groups = 2;
    l.weights.assign(4 * 2, 0);
    l.wzp.assign(4, 0);
    expect_error(error_of([&] { ref::conv_acc(l, QTensor(l.in, true)); }), "grouped", "groups");
  }
  {
    ConvLayer l = good;
    l.pad_top = -1;
    expect_error(error_of([&] { ref::conv_acc(l, in); }), "hand3x3", "pad_top");
  }
  {
    ConvLayer l = good;
    l.pad_top = l.pad_bottom = 0;
    l.kh = 5;
    l.weights.assign(15, 0);
    expect_error(error_of([&] { ref::conv_acc(l, in); }), "hand3x3", "pad_top/pad_bottom");
  }
  {
    ConvLayer l = good;
    l.stride_w = 0;
    expect_error(error_of([&] { ref::conv_acc(l, in); }), "hand3x3", "stride_w");
  }
  {
    ConvLayer l = good;  // requant but no bias / mult / shift
    expect_error(error_of([&] { ref::conv(l, in); }), "hand3x3", "bias");
    l.bias = {0};
    l.mult = {1 << 30};
    l.shift = {64};
    expect_error(error_of([&] { ref::conv(l, in); }), "hand3x3", "shift[0]");
    l.shift = {30};
    l.requant = false;
    expect_error(error_of([&] { ref::conv(l, in); }), "hand3x3", "requant");
    l.requant = true;
    l.out_signed = false;  // clamp_min = -128 is not a uint8 value
    expect_error(error_of([&] { ref::conv(l, in); }), "hand3x3", "clamp_min");
  }
  {
    ConvLayer l = good;
    l.act_zp = 200;  // not an int8 value
    expect_error(error_of([&] { ref::conv_acc(l, in); }), "hand3x3", "act_zp");
  }
}

TEST(Reference, PoolAndAddValidationNamesLayerAndField) {
  const PoolLayer p = hand_pool(false);
  expect_error(error_of([&] { ref::pool(p, QTensor(Shape{3, 4, 1}, true)); }), "hand_pool",
               "input.shape");
  {
    PoolLayer l = p;
    l.kw = 0;
    expect_error(error_of([&] { ref::pool(l, QTensor(l.in, true)); }), "hand_pool", "kw");
  }
  {
    PoolLayer l = p;
    l.avg = true;
    l.shift = 70;
    expect_error(error_of([&] { ref::pool(l, QTensor(l.in, true)); }), "hand_pool", "shift");
  }
  AddLayer a;
  a.name = "res_add";
  a.shape = Shape{2, 2, 3};
  expect_error(error_of([&] { ref::add(a, QTensor(a.shape, true), QTensor(Shape{2, 2, 4}, true)); }),
               "res_add", "b.shape");
  expect_error(error_of([&] { ref::add(a, QTensor(a.shape, false), QTensor(a.shape, true)); }),
               "res_add", "a.is_signed");
  a.clamp_max = 300;
  expect_error(error_of([&] { ref::add(a, QTensor(a.shape, true), QTensor(a.shape, true)); }),
               "res_add", "clamp_max");
}

}  // namespace
}  // namespace tessera
