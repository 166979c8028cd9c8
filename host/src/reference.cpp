// Layer-level reference: docs/quantization.md written as plain loops (see reference.hpp).
#include "tessera/reference.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "tessera/quant.hpp"

namespace tessera::ref {
namespace {

std::string shape_str(const Shape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c);
}

[[noreturn]] void fail(const char* kind, const std::string& name, const std::string& field,
                       const std::string& why) {
  throw std::invalid_argument(std::string(kind) + " layer '" + name + "': " + field + " " + why);
}

void check_min(const char* kind, const std::string& name, const char* field, long v, long lo) {
  if (v < lo)
    fail(kind, name, field, "must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
}

void check_typed(const char* kind, const std::string& name, const std::string& field, int64_t v,
                 bool is_signed) {
  if (v < type_min(is_signed) || v > type_max(is_signed))
    fail(kind, name, field,
         "= " + std::to_string(v) + " is outside the " + (is_signed ? "int8" : "uint8") +
             " range");
}

void check_tensor(const char* kind, const std::string& name, const char* what, const QTensor& t,
                  const Shape& want, bool want_signed) {
  const std::string f = std::string(what);
  if (!(t.shape == want))
    fail(kind, name, f + ".shape",
         "is " + shape_str(t.shape) + " but the layer expects " + shape_str(want));
  if (t.data.size() != want.elems())
    fail(kind, name, f + ".data",
         "holds " + std::to_string(t.data.size()) + " bytes, shape " + shape_str(want) +
             " needs " + std::to_string(want.elems()));
  if (t.is_signed != want_signed)
    fail(kind, name, f + ".is_signed",
         std::string("is ") + (t.is_signed ? "int8" : "uint8") + " but the layer expects " +
             (want_signed ? "int8" : "uint8"));
}

void check_size(const char* kind, const std::string& name, const char* field, size_t got,
                size_t want) {
  if (got != want)
    fail(kind, name, field,
         "has " + std::to_string(got) + " entries, expected " + std::to_string(want));
}

void validate_conv(const ConvLayer& l, const QTensor& in, bool for_requant) {
  static const char* k = "conv";
  const std::string& n = l.name;
  check_min(k, n, "in.h", l.in.h, 1);
  check_min(k, n, "in.w", l.in.w, 1);
  check_min(k, n, "in.c", l.in.c, 1);
  check_min(k, n, "out_c", l.out_c, 1);
  check_min(k, n, "kh", l.kh, 1);
  check_min(k, n, "kw", l.kw, 1);
  check_min(k, n, "stride_h", l.stride_h, 1);
  check_min(k, n, "stride_w", l.stride_w, 1);
  check_min(k, n, "dil_h", l.dil_h, 1);
  check_min(k, n, "dil_w", l.dil_w, 1);
  check_min(k, n, "pad_top", l.pad_top, 0);
  check_min(k, n, "pad_left", l.pad_left, 0);
  check_min(k, n, "pad_bottom", l.pad_bottom, 0);
  check_min(k, n, "pad_right", l.pad_right, 0);
  if (l.groups != 1 && !(l.groups == l.in.c && l.out_c == l.in.c))
    fail(k, n, "groups",
         "= " + std::to_string(l.groups) + " is neither 1 nor depthwise (in.c = " +
             std::to_string(l.in.c) + ", out_c = " + std::to_string(l.out_c) + ")");
  if (l.in.h + l.pad_top + l.pad_bottom < l.dil_h * (l.kh - 1) + 1)
    fail(k, n, "pad_top/pad_bottom", "leave the padded input shorter than the dilated kernel");
  if (l.in.w + l.pad_left + l.pad_right < l.dil_w * (l.kw - 1) + 1)
    fail(k, n, "pad_left/pad_right", "leave the padded input narrower than the dilated kernel");
  check_tensor(k, n, "input", in, l.in, l.act_signed);
  check_typed(k, n, "act_zp", l.act_zp, l.act_signed);
  const size_t cpg = size_t(l.in.c / l.groups);
  check_size(k, n, "weights", l.weights.size(), size_t(l.out_c) * l.kh * l.kw * cpg);
  check_size(k, n, "wzp", l.wzp.size(), size_t(l.out_c));
  for (int oc = 0; oc < l.out_c; ++oc)
    check_typed(k, n, "wzp[" + std::to_string(oc) + "]", l.wzp[oc], l.wgt_signed);
  if (!for_requant) return;
  if (!l.requant)
    fail(k, n, "requant", "is false: the int32 output has no QTensor form, use ref::conv_acc");
  check_size(k, n, "bias", l.bias.size(), size_t(l.out_c));
  check_size(k, n, "mult", l.mult.size(), size_t(l.out_c));
  check_size(k, n, "shift", l.shift.size(), size_t(l.out_c));
  for (int oc = 0; oc < l.out_c; ++oc)
    if (l.shift[oc] > 63)
      fail(k, n, "shift[" + std::to_string(oc) + "]",
           "= " + std::to_string(l.shift[oc]) + " is outside 0..63");
  check_typed(k, n, "out_zp", l.out_zp, l.out_signed);
  check_typed(k, n, "clamp_min", l.clamp_min, l.out_signed);
  check_typed(k, n, "clamp_max", l.clamp_max, l.out_signed);
}

}  // namespace

std::vector<int32_t> conv_acc(const ConvLayer& l, const QTensor& in) {
  validate_conv(l, in, false);
  const int oh = l.out_h(), ow = l.out_w();
  const int cpg = l.in.c / l.groups;      // input channels per group
  const int opg = l.out_c / l.groups;     // output channels per group
  std::vector<int32_t> out(size_t(oh) * ow * l.out_c, 0);
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int oc = 0; oc < l.out_c; ++oc) {
        const int grp = oc / opg;
        uint32_t acc = 0;  // unsigned: two's-complement wraparound without undefined behaviour
        for (int ky = 0; ky < l.kh; ++ky)
          for (int kx = 0; kx < l.kw; ++kx) {
            const int iy = oy * l.stride_h + ky * l.dil_h - l.pad_top;
            const int ix = ox * l.stride_w + kx * l.dil_w - l.pad_left;
            if (iy < 0 || iy >= l.in.h || ix < 0 || ix >= l.in.w) continue;  // padding: 0
            for (int ci = 0; ci < cpg; ++ci) {
              const int32_t a = in.at(iy, ix, grp * cpg + ci) - l.act_zp;
              const size_t widx = ((size_t(oc) * l.kh + ky) * l.kw + kx) * cpg + ci;
              const int32_t w = byte_value(l.weights[widx], l.wgt_signed) - l.wzp[oc];
              acc += uint32_t(a * w);
            }
          }
        out[(size_t(oy) * ow + ox) * l.out_c + oc] = int32_t(acc);
      }
  return out;
}

QTensor conv(const ConvLayer& l, const QTensor& in) {
  validate_conv(l, in, true);
  const std::vector<int32_t> acc = conv_acc(l, in);
  QTensor out(l.out(), l.out_signed);
  for (int y = 0; y < out.shape.h; ++y)
    for (int x = 0; x < out.shape.w; ++x)
      for (int c = 0; c < out.shape.c; ++c)
        out.set(y, x, c,
                requantize(acc[out.index(y, x, c)], l.bias[c], l.mult[c], l.shift[c], l.out_zp,
                           l.clamp_min, l.clamp_max));
  return out;
}

QTensor pool(const PoolLayer& l, const QTensor& in) {
  static const char* k = "pool";
  const std::string& n = l.name;
  check_min(k, n, "in.h", l.in.h, 1);
  check_min(k, n, "in.w", l.in.w, 1);
  check_min(k, n, "in.c", l.in.c, 1);
  check_min(k, n, "kh", l.kh, 1);
  check_min(k, n, "kw", l.kw, 1);
  check_min(k, n, "stride_h", l.stride_h, 1);
  check_min(k, n, "stride_w", l.stride_w, 1);
  check_min(k, n, "pad_top", l.pad_top, 0);
  check_min(k, n, "pad_left", l.pad_left, 0);
  check_min(k, n, "pad_bottom", l.pad_bottom, 0);
  check_min(k, n, "pad_right", l.pad_right, 0);
  if (l.in.h + l.pad_top + l.pad_bottom < l.kh)
    fail(k, n, "kh", "exceeds the padded input height");
  if (l.in.w + l.pad_left + l.pad_right < l.kw)
    fail(k, n, "kw", "exceeds the padded input width");
  check_tensor(k, n, "input", in, l.in, l.is_signed);
  if (l.avg) {
    check_typed(k, n, "in_zp", l.in_zp, l.is_signed);
    check_typed(k, n, "out_zp", l.out_zp, l.is_signed);
    check_min(k, n, "mult", l.mult, 0);
    if (l.shift > 63) fail(k, n, "shift", "= " + std::to_string(l.shift) + " is outside 0..63");
  }
  QTensor out(l.out(), l.is_signed);
  const int32_t lo = type_min(l.is_signed), hi = type_max(l.is_signed);
  for (int oy = 0; oy < out.shape.h; ++oy)
    for (int ox = 0; ox < out.shape.w; ++ox)
      for (int c = 0; c < l.in.c; ++c) {
        int32_t best = lo;
        int64_t sum = 0;
        for (int ky = 0; ky < l.kh; ++ky)
          for (int kx = 0; kx < l.kw; ++kx) {
            const int iy = oy * l.stride_h + ky - l.pad_top;
            const int ix = ox * l.stride_w + kx - l.pad_left;
            if (iy < 0 || iy >= l.in.h || ix < 0 || ix >= l.in.w) continue;  // padding
            const int32_t v = in.at(iy, ix, c);
            best = std::max(best, v);
            sum += v - l.in_zp;
          }
        int64_t y = best;
        if (l.avg)
          y = std::clamp<int64_t>(l.out_zp + rshift_rne(sum * int64_t(l.mult), l.shift), lo, hi);
        out.set(oy, ox, c, int32_t(y));
      }
  return out;
}

QTensor add(const AddLayer& l, const QTensor& a, const QTensor& b) {
  static const char* k = "add";
  const std::string& n = l.name;
  check_min(k, n, "shape.h", l.shape.h, 1);
  check_min(k, n, "shape.w", l.shape.w, 1);
  check_min(k, n, "shape.c", l.shape.c, 1);
  check_tensor(k, n, "a", a, l.shape, l.is_signed);
  check_tensor(k, n, "b", b, l.shape, l.is_signed);
  check_typed(k, n, "a_zp", l.a_zp, l.is_signed);
  check_typed(k, n, "b_zp", l.b_zp, l.is_signed);
  check_typed(k, n, "out_zp", l.out_zp, l.is_signed);
  check_typed(k, n, "clamp_min", l.clamp_min, l.is_signed);
  check_typed(k, n, "clamp_max", l.clamp_max, l.is_signed);
  if (l.shift > 63) fail(k, n, "shift", "= " + std::to_string(l.shift) + " is outside 0..63");
  QTensor out(l.shape, l.is_signed);
  for (size_t i = 0; i < out.data.size(); ++i) {
    const int64_t va = byte_value(a.data[i], l.is_signed) - l.a_zp;
    const int64_t vb = byte_value(b.data[i], l.is_signed) - l.b_zp;
    const int64_t y = l.out_zp + rshift_rne(va * l.a_mult + vb * l.b_mult, l.shift);
    out.data[i] = uint8_t(std::min<int64_t>(std::max<int64_t>(y, l.clamp_min), l.clamp_max) & 0xFF);
  }
  return out;
}

}  // namespace tessera::ref
