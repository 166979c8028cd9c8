#include "tessera/random_layers.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tessera/quant.hpp"

namespace tessera {
namespace {

int uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }
int32_t random_typed(std::mt19937_64& rng, bool is_signed) {
  return uniform(rng, type_min(is_signed), type_max(is_signed));
}
// A zero point: often the natural one (0 or 128), else anywhere in the type's range.
int32_t random_zp(std::mt19937_64& rng, bool is_signed) {
  if (chance(rng, 0.3)) return is_signed ? 0 : 128;
  return random_typed(rng, is_signed);
}
// Output clamp: full range, ReLU (clamp_min = out_zp) or a random sub-range.
void random_clamp(std::mt19937_64& rng, bool is_signed, int32_t zp, int32_t& lo, int32_t& hi) {
  lo = type_min(is_signed);
  hi = type_max(is_signed);
  const int r = uniform(rng, 0, 9);
  if (r < 3) {
    lo = zp;
  } else if (r < 5) {
    lo = random_typed(rng, is_signed);
    hi = random_typed(rng, is_signed);
    if (lo > hi) std::swap(lo, hi);
  }
}

}  // namespace

QTensor random_tensor(std::mt19937_64& rng, Shape shape, bool is_signed) {
  QTensor t(shape, is_signed);
  for (auto& b : t.data) b = uint8_t(rng());
  return t;
}

ConvLayer random_conv(std::mt19937_64& rng, const HwConfig& cfg, const RandomLayerLimits& lim,
                      ConvKind kind) {
  const int n = int(cfg.array_dim);
  if (kind == ConvKind::kAny) {
    const int r = uniform(rng, 0, 19);
    kind = r < 3 ? ConvKind::kDepthwise : r < 5 ? ConvKind::kFullyConnected : ConvKind::kConv;
  }
  ConvLayer l;
  for (;;) {
    l = ConvLayer{};
    if (kind == ConvKind::kFullyConnected) {
      l.name = "fc";
      l.in = Shape{1, 1, uniform(rng, 1, lim.max_fc)};
      l.out_c = uniform(rng, 1, lim.max_fc);
    } else {
      l.name = kind == ConvKind::kDepthwise ? "dwconv" : "conv";
      l.in = Shape{uniform(rng, 1, lim.max_hw), uniform(rng, 1, lim.max_hw),
                   uniform(rng, 1, lim.max_c)};
      l.out_c = kind == ConvKind::kDepthwise ? l.in.c : uniform(rng, 1, lim.max_c);
      if (kind == ConvKind::kDepthwise) l.groups = l.in.c;
      l.kh = uniform(rng, 1, std::min(lim.max_kernel, 15));
      l.kw = chance(rng, 0.6) ? l.kh : uniform(rng, 1, std::min(lim.max_kernel, 15));
      l.stride_h = uniform(rng, 1, lim.max_stride);
      l.stride_w = chance(rng, 0.7) ? l.stride_h : uniform(rng, 1, lim.max_stride);
      if (chance(rng, 0.25)) {
        l.dil_h = uniform(rng, 1, lim.max_dil);
        l.dil_w = uniform(rng, 1, lim.max_dil);
      }
      const int mh = std::min(15, l.dil_h * (l.kh - 1)), mw = std::min(15, l.dil_w * (l.kw - 1));
      l.pad_top = uniform(rng, 0, mh);
      l.pad_bottom = chance(rng, 0.7) ? l.pad_top : uniform(rng, 0, mh);
      l.pad_left = uniform(rng, 0, mw);
      l.pad_right = chance(rng, 0.7) ? l.pad_left : uniform(rng, 0, mw);
    }
    if (l.in.h + l.pad_top + l.pad_bottom < l.dil_h * (l.kh - 1) + 1) continue;
    if (l.in.w + l.pad_left + l.pad_right < l.dil_w * (l.kw - 1) + 1) continue;
    // Compilable: one kernel's weights fit WBUF, one output pixel's window of one channel group
    // fits ABUF.
    if (uint64_t(l.kh) * l.kw * n > cfg.wbuf_words) continue;
    const uint64_t wh = std::min(l.in.h, l.dil_h * (l.kh - 1) + 1);
    const uint64_t ww = std::min(l.in.w, l.dil_w * (l.kw - 1) + 1);
    if (wh * ww > cfg.abuf_words) continue;
    break;
  }
  l.act_signed = chance(rng, 0.5);
  l.wgt_signed = chance(rng, 0.7);
  l.out_signed = chance(rng, 0.5);
  l.act_zp = random_zp(rng, l.act_signed);
  const int cpg = l.groups == 1 ? l.in.c : 1;
  l.weights.resize(size_t(l.out_c) * l.kh * l.kw * cpg);
  for (auto& w : l.weights) w = uint8_t(rng());
  // Typical |acc| ~ sqrt(K) * (std of a - zp) * (std of w - wzp), with ~74 for uniform bytes
  // around a centred zero point; aim for outputs of magnitude ~40 before the zero point.
  const double k = double(l.kh) * l.kw * cpg;
  const double typical = std::sqrt(k) * 90.0 * 90.0;
  const int base_shift = int(std::lround(30.5 + std::log2(typical / 40.0)));
  for (int oc = 0; oc < l.out_c; ++oc) {
    l.wzp.push_back(l.wgt_signed ? (chance(rng, 0.5) ? 0 : random_typed(rng, true))
                                 : random_zp(rng, false));
    l.bias.push_back(uniform(rng, -int(typical), int(typical)));
    l.mult.push_back(int32_t(uniform(rng, 1 << 30, INT32_MAX)));
    l.shift.push_back(uint8_t(std::clamp(base_shift + uniform(rng, -2, 2), 0, 63)));
  }
  if (chance(rng, 0.05)) l.bias[0] = chance(rng, 0.5) ? INT32_MAX : INT32_MIN;  // saturation
  l.out_zp = random_zp(rng, l.out_signed);
  random_clamp(rng, l.out_signed, l.out_zp, l.clamp_min, l.clamp_max);
  l.requant = !chance(rng, 0.15);
  return l;
}

PoolLayer random_pool(std::mt19937_64& rng, const HwConfig& cfg, const RandomLayerLimits& lim) {
  PoolLayer l;
  for (;;) {
    l = PoolLayer{};
    l.avg = chance(rng, 0.5);
    l.name = l.avg ? "avgpool" : "maxpool";
    l.is_signed = chance(rng, 0.5);
    l.in = Shape{uniform(rng, 1, lim.max_hw), uniform(rng, 1, lim.max_hw),
                 uniform(rng, 1, lim.max_c)};
    if (chance(rng, 0.15)) {  // global
      l.kh = l.in.h;
      l.kw = l.in.w;
      l.stride_h = l.stride_w = 1;
    } else {
      l.kh = uniform(rng, 1, 5);
      l.kw = chance(rng, 0.7) ? l.kh : uniform(rng, 1, 5);
      l.stride_h = uniform(rng, 1, 3);
      l.stride_w = chance(rng, 0.7) ? l.stride_h : uniform(rng, 1, 3);
      l.pad_top = uniform(rng, 0, l.kh - 1);
      l.pad_bottom = uniform(rng, 0, l.kh - 1);
      l.pad_left = uniform(rng, 0, l.kw - 1);
      l.pad_right = uniform(rng, 0, l.kw - 1);
    }
    if (l.in.h + l.pad_top + l.pad_bottom < l.kh || l.in.w + l.pad_left + l.pad_right < l.kw)
      continue;
    if (uint64_t(std::min(l.kh, l.in.h)) * std::min(l.kw, l.in.w) > cfg.abuf_words) continue;
    break;
  }
  if (l.avg) {
    l.in_zp = random_zp(rng, l.is_signed);
    l.out_zp = random_zp(rng, l.is_signed);
    const double ratio = std::uniform_real_distribution<double>(0.5, 2.0)(rng);
    const Multiplier m = quantize_multiplier(ratio / (l.kh * l.kw));
    l.mult = m.mult;
    l.shift = m.shift;
  }
  return l;
}

AddLayer random_add(std::mt19937_64& rng, const HwConfig&, const RandomLayerLimits& lim) {
  AddLayer l;
  l.shape = Shape{uniform(rng, 1, lim.max_hw), uniform(rng, 1, lim.max_hw),
                  uniform(rng, 1, lim.max_c)};
  l.is_signed = chance(rng, 0.5);
  l.a_zp = random_zp(rng, l.is_signed);
  l.b_zp = random_zp(rng, l.is_signed);
  l.out_zp = random_zp(rng, l.is_signed);
  std::uniform_real_distribution<double> scale(0.25, 2.0);
  const double ra = scale(rng), rb = scale(rng);
  const Multiplier m = quantize_multiplier(std::max(ra, rb));
  l.shift = m.shift;
  l.a_mult = int32_t(std::min<double>(INT32_MAX, std::round(std::ldexp(ra, int(m.shift)))));
  l.b_mult = int32_t(std::min<double>(INT32_MAX, std::round(std::ldexp(rb, int(m.shift)))));
  if (chance(rng, 0.2)) l.b_mult = -l.b_mult;  // subtraction
  random_clamp(rng, l.is_signed, l.out_zp, l.clamp_min, l.clamp_max);
  return l;
}

std::string describe(const ConvLayer& l) {
  std::ostringstream os;
  os << l.name << " in " << l.in.h << "x" << l.in.w << "x" << l.in.c << " out_c " << l.out_c
     << " k " << l.kh << "x" << l.kw << " s " << l.stride_h << "x" << l.stride_w << " d "
     << l.dil_h << "x" << l.dil_w << " pad t" << l.pad_top << " l" << l.pad_left << " b"
     << l.pad_bottom << " r" << l.pad_right << " groups " << l.groups
     << (l.act_signed ? " s8" : " u8") << "(zp " << l.act_zp << ")"
     << (l.wgt_signed ? " s8w" : " u8w") << (l.out_signed ? " s8o" : " u8o") << "(zp "
     << l.out_zp << " clamp " << l.clamp_min << ".." << l.clamp_max << ")"
     << (l.requant ? "" : " int32-out");
  return os.str();
}
std::string describe(const PoolLayer& l) {
  std::ostringstream os;
  os << l.name << " in " << l.in.h << "x" << l.in.w << "x" << l.in.c << " k " << l.kh << "x"
     << l.kw << " s " << l.stride_h << "x" << l.stride_w << " pad t" << l.pad_top << " l"
     << l.pad_left << " b" << l.pad_bottom << " r" << l.pad_right << (l.is_signed ? " s8" : " u8");
  if (l.avg) os << " zp " << l.in_zp << "->" << l.out_zp << " mult " << l.mult << " >> " << l.shift;
  return os.str();
}
std::string describe(const AddLayer& l) {
  std::ostringstream os;
  os << l.name << " " << l.shape.h << "x" << l.shape.w << "x" << l.shape.c
     << (l.is_signed ? " s8" : " u8") << " zp " << l.a_zp << "," << l.b_zp << "->" << l.out_zp
     << " mult " << l.a_mult << "," << l.b_mult << " >> " << l.shift << " clamp " << l.clamp_min
     << ".." << l.clamp_max;
  return os.str();
}

namespace {
std::string report(Shape s, size_t first, int64_t want, int64_t got, size_t count, size_t total) {
  const size_t c = first % s.c, px = first / s.c;
  std::ostringstream os;
  os << "first mismatch at (y, x, c) = (" << px / s.w << ", " << px % s.w << ", " << c
     << "): expected " << want << ", got " << got << "; " << count << " of " << total
     << " elements differ";
  return os.str();
}
}  // namespace

std::string first_mismatch(const QTensor& expected, const QTensor& got) {
  if (!(expected.shape == got.shape) || expected.data.size() != got.data.size())
    return "shape mismatch";
  size_t count = 0, first = 0;
  for (size_t i = 0; i < expected.data.size(); ++i)
    if (expected.data[i] != got.data[i] && count++ == 0) first = i;
  if (count == 0) return "";
  const auto val = [](const QTensor& t, size_t i) {
    return t.is_signed ? int64_t(int8_t(t.data[i])) : int64_t(t.data[i]);
  };
  return report(expected.shape, first, val(expected, first), val(got, first), count,
                expected.data.size());
}

std::string first_mismatch(const std::vector<int32_t>& expected, const std::vector<int32_t>& got,
                           Shape shape) {
  if (expected.size() != got.size() || expected.size() != shape.elems()) return "size mismatch";
  size_t count = 0, first = 0;
  for (size_t i = 0; i < expected.size(); ++i)
    if (expected[i] != got[i] && count++ == 0) first = i;
  if (count == 0) return "";
  return report(shape, first, expected[first], got[first], count, expected.size());
}

}  // namespace tessera
