// Instruction-level model (IsaModel) against the layer-level reference, its faults and its
// dependency-token semantics. Command streams are assembled by hand here (no compiler).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tessera/isa_model.hpp"
#include "tessera/quant.hpp"
#include "tessera/reference.hpp"

namespace tessera {
namespace {

constexpr uint32_t kBase = 0x40000000u;
constexpr size_t kMemSize = 1u << 20;
constexpr uint32_t kDataStart = kBase + 0x10000u;  // commands live below, data above

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// A DRAM image under construction: data placed by a bump allocator, commands appended in order.
class Program {
 public:
  explicit Program(const HwConfig& cfg) : cfg(cfg), n(cfg.array_dim), mem(kBase, kMemSize) {}

  uint32_t alloc(size_t bytes) {
    const uint32_t a = next_;
    next_ += uint32_t((bytes + 255) / 256 * 256);
    EXPECT_LE(next_, kBase + kMemSize);
    return a;
  }
  uint32_t put(const std::vector<uint8_t>& bytes) {
    const uint32_t a = alloc(bytes.size());
    mem.write(a, bytes.data(), bytes.size());
    return a;
  }
  void emit(const isa::Command& c) { cmds.push_back(c); }

  /// The image with the command stream written at kBase.
  DramImage image() const {
    DramImage m = mem;
    for (size_t i = 0; i < cmds.size(); ++i) m.write(kBase + 32 * i, cmds[i].data(), 32);
    return m;
  }
  RunResult run(DramImage& m, uint64_t seed = 0) const {
    IsaModel model(cfg);
    return model.run(m, kBase, uint32_t(cmds.size()), kBase, kMemSize,
                     IsaModel::Options{seed});
  }

  HwConfig cfg;
  unsigned n;
  DramImage mem;
  std::vector<isa::Command> cmds;

 private:
  uint32_t next_ = kDataStart;
};

isa::Deps deps(bool pop_prev, bool pop_next, bool push_prev, bool push_next) {
  isa::Deps d;
  d.pop_prev = pop_prev;
  d.pop_next = pop_next;
  d.push_prev = push_prev;
  d.push_next = push_next;
  return d;
}

// A stride that does not matter (its length is 1) gets a harmless non-zero value that is a
// multiple of every element size (at most 4 * 32 bytes), so these streams never depend on whether
// a zero DMA stride is legal.
uint32_t unused_stride(uint32_t len, uint32_t stride) { return len == 1 && stride == 0 ? 128 : stride; }

isa::Command load(isa::LoadBuf buf, uint32_t sram, uint32_t dram, uint32_t x, uint32_t y = 1,
                  uint32_t z = 1, uint32_t ys = 0, uint32_t zs = 0, isa::Deps d = {}) {
  ys = unused_stride(y, ys);
  zs = unused_stride(z, zs);
  isa::LoadCmd c;
  c.deps = d;
  c.buf = uint32_t(buf);
  c.sram_addr = sram;
  c.dram_addr = dram;
  c.x_len = x;
  c.y_len = y;
  c.z_len = z;
  c.y_stride = ys;
  c.z_stride = zs;
  return c.encode();
}

isa::Command store(isa::StoreBuf buf, uint32_t sram, uint32_t dram, uint32_t x, uint32_t y = 1,
                   uint32_t z = 1, uint32_t ys = 0, uint32_t zs = 0, isa::Deps d = {}) {
  ys = unused_stride(y, ys);
  zs = unused_stride(z, zs);
  isa::StoreCmd c;
  c.deps = d;
  c.buf = uint32_t(buf);
  c.sram_addr = sram;
  c.dram_addr = dram;
  c.x_len = x;
  c.y_len = y;
  c.z_len = z;
  c.y_stride = ys;
  c.z_stride = zs;
  return c.encode();
}

isa::Command finish() { return isa::FinishCmd{}.encode(); }

isa::Command with_deps(isa::Command c, isa::Deps d) {
  isa::set(c, isa::field::kPopPrev, d.pop_prev);
  isa::set(c, isa::field::kPopNext, d.pop_next);
  isa::set(c, isa::field::kPushPrev, d.push_prev);
  isa::set(c, isa::field::kPushNext, d.push_next);
  return c;
}

// ---- tensor placement: NHWC with channels padded to a multiple of N -------------------------

uint32_t place_act(Program& p, const QTensor& t) {
  const int cp = ceil_div(t.shape.c, int(p.n)) * int(p.n);
  std::vector<uint8_t> b(size_t(t.shape.h) * t.shape.w * cp, 0);
  for (int y = 0; y < t.shape.h; ++y)
    for (int x = 0; x < t.shape.w; ++x)
      for (int c = 0; c < t.shape.c; ++c)
        b[(size_t(y) * t.shape.w + x) * cp + c] = t.data[t.index(y, x, c)];
  return p.put(b);
}

QTensor read_act(const DramImage& m, uint32_t addr, Shape s, bool is_signed, unsigned n) {
  const int cp = ceil_div(s.c, int(n)) * int(n);
  QTensor t(s, is_signed);
  const uint8_t* src = m.at(addr, size_t(s.h) * s.w * cp);
  for (int y = 0; y < s.h; ++y)
    for (int x = 0; x < s.w; ++x)
      for (int c = 0; c < s.c; ++c) t.data[t.index(y, x, c)] = src[(size_t(y) * s.w + x) * cp + c];
  return t;
}

// Raw weight byte connecting input channel ic to output channel oc (wzp where none: the term
// (w - wzp) is then 0, which also neutralises padded input channels).
uint8_t weight_raw(const ConvLayer& l, int oc, int ic, int ky, int kx) {
  if (oc >= l.out_c) return 0;
  const uint8_t zp = uint8_t(l.wzp[oc] & 0xFF);
  if (ic >= l.in.c) return zp;
  if (l.groups == 1) return l.weights[((size_t(oc) * l.kh + ky) * l.kw + kx) * l.in.c + ic];
  return ic == oc ? l.weights[(size_t(oc) * l.kh + ky) * l.kw + kx] : zp;  // depthwise: diagonal
}

// WBUF image for output channels oc0..oc0+N-1 and input groups g0..g0+gcount-1:
// word ((ky*kw + kx)*gcount + g)*N + r, byte c.
uint32_t place_weights(Program& p, const ConvLayer& l, int oc0, int g0, int gcount) {
  const unsigned n = p.n;
  std::vector<uint8_t> b(size_t(l.kh) * l.kw * gcount * n * n);
  for (int ky = 0; ky < l.kh; ++ky)
    for (int kx = 0; kx < l.kw; ++kx)
      for (int g = 0; g < gcount; ++g)
        for (unsigned r = 0; r < n; ++r)
          for (unsigned c = 0; c < n; ++c)
            b[(((size_t(ky) * l.kw + kx) * gcount + g) * n + r) * n + c] =
                weight_raw(l, oc0 + int(c), (g0 + g) * int(n) + int(r), ky, kx);
  return p.put(b);
}

// The three PBUF words for output channels oc0..oc0+N-1.
uint32_t place_params(Program& p, const ConvLayer& l, int oc0) {
  const unsigned n = p.n;
  std::vector<uint8_t> b(3 * 4 * n, 0);
  auto put32 = [&](unsigned word, unsigned lane, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[(word * n + lane) * 4 + i] = uint8_t(v >> (8 * i));
  };
  for (unsigned c = 0; c < n; ++c) {
    const int oc = oc0 + int(c);
    if (oc >= l.out_c) continue;
    if (l.requant) {
      put32(0, c, uint32_t(l.bias[oc]));
      put32(1, c, uint32_t(l.mult[oc]));
    }
    const uint32_t shift = l.requant ? l.shift[oc] : 0;
    put32(2, c, shift | (uint32_t(l.wzp[oc] & 0xFF) << 8));
  }
  return p.put(b);
}

isa::ConvCmd conv_cmd(const ConvLayer& l) {
  isa::ConvCmd c;
  c.requant = l.requant;
  c.act_signed = l.act_signed;
  c.wgt_signed = l.wgt_signed;
  c.out_signed = l.out_signed;
  c.in_h = l.in.h;
  c.in_w = l.in.w;
  c.kh = l.kh;
  c.kw = l.kw;
  c.out_h = l.out_h();
  c.out_w = l.out_w();
  c.stride_h = l.stride_h;
  c.stride_w = l.stride_w;
  c.dil_h = l.dil_h;
  c.dil_w = l.dil_w;
  c.pad_top = l.pad_top;
  c.pad_left = l.pad_left;
  c.obuf_stride = 1;
  c.act_zp = uint32_t(l.act_zp & 0xFF);
  c.out_zp = uint32_t(l.out_zp & 0xFF);
  c.clamp_min = uint32_t(l.clamp_min & 0xFF);
  c.clamp_max = uint32_t(l.clamp_max & 0xFF);
  return c;
}

enum class ConvPlan {
  kWhole,       // one CONV per output-channel group over all input groups, requant into OBUF
  kSplit,       // one CONV per input group: accumulate into ACC, the last one requantizes
  kInt32,       // requant = 0, STORE from ACC
};

struct ConvOutcome {
  RunResult res;
  QTensor out;                 // kWhole / kSplit
  std::vector<int32_t> acc;    // kInt32: HWC int32
  uint64_t expect_macs = 0;
  uint64_t expect_rd = 0, expect_wr = 0;
  size_t n_cmds = 0;
};

// Assembles LOAD / CONV / STORE / FINISH for one conv layer, runs it on the model with the
// given schedule and reads the result back.
ConvOutcome run_conv(const ConvLayer& l, const QTensor& in, const HwConfig& cfg, ConvPlan plan,
                     uint64_t seed) {
  Program p(cfg);
  const unsigned n = cfg.array_dim;
  const int cg = ceil_div(l.in.c, int(n)), ocg = ceil_div(l.out_c, int(n));
  const uint32_t pixels = uint32_t(l.out_h()) * l.out_w(), in_pix = uint32_t(l.in.h) * l.in.w;
  const uint32_t act = place_act(p, in);
  const bool split = plan == ConvPlan::kSplit;
  const int wgroups = split ? cg : 1;                 // weight tiles per output group
  const int gcount = split ? 1 : cg;                  // input groups per weight tile
  const uint32_t tile_words = uint32_t(l.kh) * l.kw * gcount * n;
  ConvOutcome o;

  // Loads: activations, then weights and parameters; the last load hands a token to compute.
  std::vector<isa::Command> loads;
  if (split) {  // one ABUF region per input group, gathered with a strided LOAD
    for (int g = 0; g < cg; ++g)
      loads.push_back(load(isa::LoadBuf::kAbuf, g * in_pix, act + g * n, 1, in_pix, 1, cg * n, 0));
  } else {  // 3-D: cg words per pixel, in_w pixels per row, in_h rows
    loads.push_back(load(isa::LoadBuf::kAbuf, 0, act, cg, l.in.w, l.in.h, cg * n,
                         l.in.w * cg * n));
  }
  o.expect_rd += uint64_t(in_pix) * cg * n;
  for (int j = 0; j < ocg; ++j) {
    for (int g = 0; g < wgroups; ++g) {
      const uint32_t w = place_weights(p, l, j * int(n), split ? g : 0, gcount);
      loads.push_back(load(isa::LoadBuf::kWbuf, (j * wgroups + g) * tile_words, w, tile_words));
      o.expect_rd += uint64_t(tile_words) * n;
    }
    loads.push_back(load(isa::LoadBuf::kPbuf, 3 * j, place_params(p, l, j * int(n)), 3));
    o.expect_rd += 3 * 4 * n;
  }
  for (size_t i = 0; i < loads.size(); ++i)
    p.emit(i + 1 == loads.size() ? with_deps(loads[i], deps(0, 0, 0, 1)) : loads[i]);

  std::vector<isa::Command> convs;
  for (int j = 0; j < ocg; ++j)
    for (int g = 0; g < wgroups; ++g) {
      isa::ConvCmd c = conv_cmd(l);
      c.pbuf_addr = 3 * j;
      c.wbuf_addr = (j * wgroups + g) * tile_words;
      c.acc_addr = j * pixels;
      c.obuf_addr = j;
      c.obuf_stride = ocg;
      c.cg = gcount;
      c.abuf_addr = split ? g * in_pix : 0;
      if (split) {
        c.accumulate = g > 0;
        c.requant = g + 1 == wgroups;
      }
      if (plan == ConvPlan::kInt32) c.requant = 0;
      o.expect_macs += uint64_t(l.kh) * l.kw * gcount * pixels;
      convs.push_back(c.encode());
    }
  for (size_t i = 0; i < convs.size(); ++i)
    p.emit(with_deps(convs[i], deps(i == 0, 0, 0, i + 1 == convs.size())));

  uint32_t out;
  if (plan == ConvPlan::kInt32) {
    out = p.alloc(size_t(pixels) * ocg * 4 * n);
    for (int j = 0; j < ocg; ++j)  // strided STORE: ACC word j*pixels + p -> pixel p, group j
      p.emit(store(isa::StoreBuf::kAcc, j * pixels, out + j * 4 * n, 1, pixels, 1, ocg * 4 * n,
                   0, deps(j == 0, 0, 0, 0)));
    o.expect_wr = uint64_t(pixels) * ocg * 4 * n;
  } else {
    out = p.alloc(size_t(pixels) * ocg * n);
    p.emit(store(isa::StoreBuf::kObuf, 0, out, pixels * ocg, 1, 1, 0, 0, deps(1, 0, 0, 0)));
    o.expect_wr = uint64_t(pixels) * ocg * n;
  }
  p.emit(finish());
  o.n_cmds = p.cmds.size();

  DramImage m = p.image();
  o.res = p.run(m, seed);
  if (plan == ConvPlan::kInt32) {
    const uint8_t* src = m.at(out, size_t(pixels) * ocg * 4 * n);
    for (uint32_t px = 0; px < pixels; ++px)
      for (int oc = 0; oc < l.out_c; ++oc) {
        const uint8_t* q = src + (size_t(px) * ocg * n + oc) * 4;
        o.acc.push_back(int32_t(uint32_t(q[0]) | uint32_t(q[1]) << 8 | uint32_t(q[2]) << 16 |
                                uint32_t(q[3]) << 24));
      }
  } else {
    o.out = read_act(m, out, l.out(), l.out_signed, n);
  }
  return o;
}

// A random conv layer with asymmetric zero points and per-channel requantization.
ConvLayer random_conv(std::mt19937& rng, Shape in, int out_c, int k, int groups, bool uint8) {
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  ConvLayer l;
  l.name = "rand";
  l.in = in;
  l.out_c = out_c;
  l.kh = l.kw = k;
  l.groups = groups;
  l.act_signed = l.wgt_signed = l.out_signed = !uint8;
  l.act_zp = uint8 ? uni(100, 150) : uni(-10, 10);
  const int cpg = in.c / groups;
  for (int i = 0; i < out_c * k * k * cpg; ++i) l.weights.push_back(uint8_t(uni(0, 255)));
  for (int oc = 0; oc < out_c; ++oc) {
    l.wzp.push_back(uint8 ? uni(110, 140) : uni(-8, 8));
    l.bias.push_back(uni(-5000, 5000));
    const Multiplier m =
        quantize_multiplier(std::uniform_real_distribution<double>(2e-4, 4e-3)(rng));
    l.mult.push_back(m.mult);
    l.shift.push_back(uint8_t(m.shift));
  }
  l.out_zp = uint8 ? uni(100, 140) : uni(-10, 10);
  l.clamp_min = uint8 ? uni(0, 60) : uni(-128, -60);
  l.clamp_max = uint8 ? uni(190, 255) : uni(60, 127);
  return l;
}

QTensor random_tensor(std::mt19937& rng, Shape s, bool is_signed) {
  QTensor t(s, is_signed);
  for (auto& b : t.data) b = uint8_t(rng());
  return t;
}

class IsaModelVsRef : public ::testing::TestWithParam<unsigned> {
 protected:
  HwConfig cfg() const { return default_config(GetParam()); }
  unsigned n() const { return GetParam(); }
};

// Input channels N + 3 (cg = 2), output channels N + 2 (two interleaved output groups),
// 3x3 kernel, stride (2, 1), dilation (1, 2), asymmetric padding.
ConvLayer strided_dilated(std::mt19937& rng, unsigned n, bool uint8) {
  ConvLayer l = random_conv(rng, Shape{7, 6, int(n) + 3}, int(n) + 2, 3, 1, uint8);
  l.stride_h = 2;
  l.dil_w = 2;
  l.pad_top = 1;
  l.pad_left = 2;
  l.pad_bottom = 2;
  l.pad_right = 1;
  return l;
}

TEST_P(IsaModelVsRef, ConvCgStridePadDilation) {
  for (bool uint8 : {false, true}) {
    std::mt19937 rng(10 + n() + uint8);
    const ConvLayer l = strided_dilated(rng, n(), uint8);
    const QTensor in = random_tensor(rng, l.in, l.act_signed);
    const QTensor want = ref::conv(l, in);
    for (uint64_t seed : {0, 1, 2, 3}) {
      const ConvOutcome o = run_conv(l, in, cfg(), ConvPlan::kWhole, seed);
      ASSERT_TRUE(o.res.ok()) << o.res.describe();
      EXPECT_EQ(o.out.data, want.data) << "uint8=" << uint8 << " seed=" << seed;
      EXPECT_EQ(o.res.counter(isa::Counter::kMacActive), o.expect_macs);
      EXPECT_EQ(o.res.counter(isa::Counter::kDmaRdBytes), o.expect_rd);
      EXPECT_EQ(o.res.counter(isa::Counter::kDmaWrBytes), o.expect_wr);
      EXPECT_EQ(o.res.counter(isa::Counter::kCmdsRetired), o.n_cmds);
      EXPECT_EQ(o.res.counter(isa::Counter::kCycles), 0u);  // not modelled
    }
  }
}

TEST_P(IsaModelVsRef, ConvSplitAccumulateThenRequant) {
  std::mt19937 rng(20 + n());
  ConvLayer l = strided_dilated(rng, n(), false);
  const QTensor in = random_tensor(rng, l.in, l.act_signed);
  const ConvOutcome o = run_conv(l, in, cfg(), ConvPlan::kSplit, 0);
  ASSERT_TRUE(o.res.ok()) << o.res.describe();
  EXPECT_EQ(o.out.data, ref::conv(l, in).data);
}

TEST_P(IsaModelVsRef, ConvInt32FromAcc) {
  std::mt19937 rng(30 + n());
  ConvLayer l = strided_dilated(rng, n(), false);
  l.requant = false;
  const QTensor in = random_tensor(rng, l.in, l.act_signed);
  const ConvOutcome o = run_conv(l, in, cfg(), ConvPlan::kInt32, 0);
  ASSERT_TRUE(o.res.ok()) << o.res.describe();
  EXPECT_EQ(o.acc, ref::conv_acc(l, in));
  EXPECT_EQ(o.res.counter(isa::Counter::kDmaWrBytes), o.expect_wr);
}

TEST_P(IsaModelVsRef, DepthwiseConv) {
  std::mt19937 rng(40 + n());
  const int c = int(n()) - 1;
  ConvLayer l = random_conv(rng, Shape{6, 5, c}, c, 3, c, false);
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 1;
  const QTensor in = random_tensor(rng, l.in, true);
  const ConvOutcome o = run_conv(l, in, cfg(), ConvPlan::kWhole, 0);
  ASSERT_TRUE(o.res.ok()) << o.res.describe();
  EXPECT_EQ(o.out.data, ref::conv(l, in).data);
}

TEST_P(IsaModelVsRef, RandomConvShapes) {
  std::mt19937 rng(50 + n());
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int iter = 0; iter < 12; ++iter) {
    const int k = uni(1, 3);
    ConvLayer l = random_conv(rng, Shape{uni(1, 6), uni(1, 6), uni(1, 2 * int(n()) + 1)},
                              uni(1, 2 * int(n()) + 1), k, 1, iter % 2);
    l.stride_h = uni(1, 2);
    l.stride_w = uni(1, 2);
    l.dil_h = uni(1, 2);
    l.dil_w = uni(1, 2);
    l.pad_top = uni(0, 2);
    l.pad_left = uni(0, 2);
    l.pad_bottom = std::max(0, l.dil_h * (k - 1) + 1 - l.in.h - l.pad_top) + uni(0, 1);
    l.pad_right = std::max(0, l.dil_w * (k - 1) + 1 - l.in.w - l.pad_left) + uni(0, 1);
    const QTensor in = random_tensor(rng, l.in, l.act_signed);
    const ConvOutcome o = run_conv(l, in, cfg(), ConvPlan::kWhole, uint64_t(iter));
    ASSERT_TRUE(o.res.ok()) << o.res.describe() << " iter " << iter;
    EXPECT_EQ(o.out.data, ref::conv(l, in).data) << "iter " << iter;
  }
}

// LOAD input, POOL, STORE.
QTensor run_pool(const PoolLayer& l, const QTensor& in, const HwConfig& cfg, RunResult& res) {
  Program p(cfg);
  const int cg = ceil_div(l.in.c, int(cfg.array_dim));
  const uint32_t a = place_act(p, in);
  const uint32_t pixels = uint32_t(l.out_h()) * l.out_w();
  const uint32_t out = p.alloc(size_t(pixels) * cg * cfg.array_dim);
  p.emit(load(isa::LoadBuf::kAbuf, 5, a, uint32_t(l.in.h * l.in.w * cg), 1, 1, 0, 0,
              deps(0, 0, 0, 1)));
  isa::PoolCmd c;
  c.deps = deps(1, 0, 0, 1);
  c.avg = l.avg;
  c.data_signed = l.is_signed;
  c.abuf_addr = 5;
  c.obuf_addr = 3;
  c.in_h = l.in.h;
  c.in_w = l.in.w;
  c.kh = l.kh;
  c.kw = l.kw;
  c.out_h = l.out_h();
  c.out_w = l.out_w();
  c.cg = cg;
  c.stride_h = l.stride_h;
  c.stride_w = l.stride_w;
  c.pad_top = l.pad_top;
  c.pad_left = l.pad_left;
  c.mult = uint32_t(l.mult);
  c.in_zp = uint32_t(l.in_zp & 0xFF);
  c.out_zp = uint32_t(l.out_zp & 0xFF);
  c.shift = l.shift;
  p.emit(c.encode());
  p.emit(store(isa::StoreBuf::kObuf, 3, out, pixels * cg, 1, 1, 0, 0, deps(1, 0, 0, 0)));
  p.emit(finish());
  DramImage m = p.image();
  res = p.run(m);
  return read_act(m, out, l.out(), l.is_signed, cfg.array_dim);
}

TEST_P(IsaModelVsRef, MaxAndAvgPool) {
  std::mt19937 rng(60 + n());
  for (bool avg : {false, true})
    for (bool sig : {true, false}) {
      PoolLayer l;
      l.in = Shape{5, 6, int(n()) + 1};
      l.avg = avg;
      l.is_signed = sig;
      l.kh = l.kw = 3;
      l.stride_h = l.stride_w = 2;
      l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 1;
      if (avg) {
        const Multiplier m = quantize_multiplier(1.0 / 9.0 * 1.3);
        l.mult = m.mult;
        l.shift = m.shift;
        l.in_zp = sig ? -3 : 120;
        l.out_zp = sig ? 5 : 110;
      }
      const QTensor in = random_tensor(rng, l.in, sig);
      RunResult res;
      const QTensor got = run_pool(l, in, cfg(), res);
      ASSERT_TRUE(res.ok()) << res.describe();
      EXPECT_EQ(got.data, ref::pool(l, in).data) << "avg=" << avg << " signed=" << sig;
    }
}

TEST_P(IsaModelVsRef, Add) {
  std::mt19937 rng(70 + n());
  for (bool sig : {true, false}) {
    AddLayer l;
    l.shape = Shape{3, 5, int(n()) + 2};
    l.is_signed = sig;
    l.a_zp = sig ? 3 : 130;
    l.b_zp = sig ? -7 : 120;
    l.out_zp = sig ? -2 : 125;
    l.a_mult = 1518500250;  // ~ 0.7 * 2^31
    l.b_mult = 1288490189;  // ~ 0.6 * 2^31
    l.shift = 31;
    l.clamp_min = sig ? -100 : 10;
    l.clamp_max = sig ? 100 : 240;
    const QTensor a = random_tensor(rng, l.shape, sig), b = random_tensor(rng, l.shape, sig);
    const HwConfig c = cfg();
    Program p(c);
    const int cg = ceil_div(l.shape.c, int(n()));
    const uint32_t len = uint32_t(l.shape.h * l.shape.w * cg);
    const uint32_t da = place_act(p, a), db = place_act(p, b), out = p.alloc(len * n());
    p.emit(load(isa::LoadBuf::kAbuf, 0, da, len));
    p.emit(load(isa::LoadBuf::kAbuf, 100, db, len, 1, 1, 0, 0, deps(0, 0, 0, 1)));
    isa::AddCmd ad;
    ad.deps = deps(1, 0, 0, 1);
    ad.data_signed = sig;
    ad.a_addr = 0;
    ad.b_addr = 100;
    ad.obuf_addr = 7;
    ad.len = len;
    ad.a_mult = uint32_t(l.a_mult);
    ad.b_mult = uint32_t(l.b_mult);
    ad.a_zp = uint32_t(l.a_zp & 0xFF);
    ad.b_zp = uint32_t(l.b_zp & 0xFF);
    ad.out_zp = uint32_t(l.out_zp & 0xFF);
    ad.shift = l.shift;
    ad.clamp_min = uint32_t(l.clamp_min & 0xFF);
    ad.clamp_max = uint32_t(l.clamp_max & 0xFF);
    p.emit(ad.encode());
    p.emit(store(isa::StoreBuf::kObuf, 7, out, len, 1, 1, 0, 0, deps(1, 0, 0, 0)));
    p.emit(finish());
    DramImage m = p.image();
    const RunResult res = p.run(m);
    ASSERT_TRUE(res.ok()) << res.describe();
    EXPECT_EQ(read_act(m, out, l.shape, sig, n()).data, ref::add(l, a, b).data);
  }
}

INSTANTIATE_TEST_SUITE_P(ArrayDims, IsaModelVsRef, ::testing::Values(16u, 4u),
                         [](const ::testing::TestParamInfo<unsigned>& i) {
                           return "N" + std::to_string(i.param);
                         });

// ---- faults -----------------------------------------------------------------------------

struct Outcome {
  isa::Error error;
  uint32_t info;
  bool done;
};

class Faults : public ::testing::Test {
 protected:
  static constexpr unsigned kN = 8;
  HwConfig cfg = [] {
    HwConfig c = default_config(kN);
    c.abuf_words = 256;
    c.wbuf_words = 512;
    c.acc_words = 64;
    c.obuf_words = 128;
    c.pbuf_words = 16;
    c.queue_depth = 4;
    return c;
  }();
  const uint32_t data = kBase + 0x8000;  // inside the window, well away from the commands

  // A legal command of each kind.
  isa::Command good_load() const { return load(isa::LoadBuf::kAbuf, 0, data, 4, 2, 2, 64, 256); }
  isa::Command good_store() const { return store(isa::StoreBuf::kObuf, 0, data, 4, 2, 1, 64, 0); }
  isa::ConvCmd good_conv() const {
    isa::ConvCmd c;
    c.in_h = c.in_w = 4;
    c.kh = c.kw = 3;
    c.out_h = c.out_w = 2;
    c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
    c.cg = 2;
    c.obuf_stride = 1;
    c.requant = 1;
    return c;
  }
  isa::PoolCmd good_pool() const {
    isa::PoolCmd c;
    c.in_h = c.in_w = 4;
    c.kh = c.kw = 2;
    c.out_h = c.out_w = 2;
    c.stride_h = c.stride_w = 2;
    c.cg = 1;
    return c;
  }
  isa::AddCmd good_add() const {
    isa::AddCmd c;
    c.len = 8;
    return c;
  }

  // Runs cmds, each preceded by one legal LOAD so the faulting index is not 0.
  Outcome run_after_load(const std::vector<isa::Command>& cmds) {
    std::vector<isa::Command> all{good_load()};
    all.insert(all.end(), cmds.begin(), cmds.end());
    return run(all);
  }
  Outcome run(const std::vector<isa::Command>& cmds, int64_t count = -1, uint32_t base = kBase,
              uint32_t win_base = kBase, uint32_t win_size = 0x10000, size_t mem_size = kMemSize) {
    DramImage m(kBase, mem_size);
    for (size_t i = 0; i < cmds.size(); ++i) m.write(kBase + 32 * i, cmds[i].data(), 32);
    IsaModel model(cfg);
    last = model.run(m, base, count < 0 ? uint32_t(cmds.size()) : uint32_t(count), win_base,
                     win_size);
    return Outcome{last.error, last.err_info, last.done};
  }
  RunResult last;
};

#define EXPECT_FAULT(outcome, err, idx)                                            \
  do {                                                                             \
    const Outcome o_ = (outcome);                                                  \
    EXPECT_EQ(isa::error_name(o_.error), std::string(isa::error_name(err)));       \
    EXPECT_EQ(o_.info, uint32_t(idx));                                             \
    EXPECT_FALSE(o_.done);                                                         \
  } while (0)

TEST_F(Faults, GoodCommandsRun) {
  DramImage m(kBase, kMemSize);
  const std::vector<isa::Command> cmds{good_load(), good_conv().encode(), good_pool().encode(),
                                       good_add().encode(), good_store(), finish()};
  for (size_t i = 0; i < cmds.size(); ++i) m.write(kBase + 32 * i, cmds[i].data(), 32);
  IsaModel model(cfg);
  const RunResult r = model.run(m, kBase, uint32_t(cmds.size()), kBase, 0x10000);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.counter(isa::Counter::kCmdsRetired), cmds.size());
}

TEST_F(Faults, IllegalOpcode) {
  for (uint32_t op : {0u, 7u, 8u, 15u}) {
    isa::Command c{};
    isa::set(c, isa::field::kOpcode, op);
    EXPECT_FAULT(run_after_load({c, finish()}), isa::Error::kIllegalOpcode, 1);
  }
  // Zeroed memory past the written commands faults rather than running.
  EXPECT_FAULT(run({good_load()}, 3), isa::Error::kIllegalOpcode, 1);
}

TEST_F(Faults, IllegalField) {
  std::vector<std::pair<std::string, isa::Command>> bad;
  bad.push_back({"load pop_prev", with_deps(good_load(), deps(1, 0, 0, 0))});
  bad.push_back({"load push_prev", with_deps(good_load(), deps(0, 0, 1, 0))});
  bad.push_back({"store pop_next", with_deps(good_store(), deps(0, 1, 0, 0))});
  bad.push_back({"store push_next", with_deps(good_store(), deps(0, 0, 0, 1))});
  for (int f = 0; f < 4; ++f)
    bad.push_back({"finish flag " + std::to_string(f),
                   with_deps(finish(), deps(f == 0, f == 1, f == 2, f == 3))});
  {
    isa::Command c = good_load();
    isa::set(c, isa::field::load::kBuf, 3);
    bad.push_back({"load buf 3", c});
    c = good_store();
    isa::set(c, isa::field::store::kBuf, 2);
    bad.push_back({"store buf 2", c});
  }
  for (isa::Field f : {isa::field::load::kXLen, isa::field::load::kYLen, isa::field::load::kZLen}) {
    isa::Command c = good_load();
    isa::set(c, f, 0);
    bad.push_back({f.name, c});
  }
  for (isa::Field f :
       {isa::field::store::kXLen, isa::field::store::kYLen, isa::field::store::kZLen}) {
    isa::Command c = good_store();
    isa::set(c, f, 0);
    bad.push_back({f.name, c});
  }
  using namespace isa::field;
  for (isa::Field f : {conv::kInH, conv::kInW, conv::kKh, conv::kKw, conv::kOutH, conv::kOutW,
                       conv::kStrideH, conv::kStrideW, conv::kCg, conv::kObufStride, conv::kDilH,
                       conv::kDilW}) {
    isa::Command c = good_conv().encode();
    isa::set(c, f, 0);
    bad.push_back({f.name, c});
  }
  for (isa::Field f : {pool::kInH, pool::kInW, pool::kKh, pool::kKw, pool::kOutH, pool::kOutW,
                       pool::kCg, pool::kStrideH, pool::kStrideW}) {
    isa::Command c = good_pool().encode();
    isa::set(c, f, 0);
    bad.push_back({f.name, c});
  }
  {
    isa::Command c = good_add().encode();
    isa::set(c, add::kLen, 0);
    bad.push_back({"add.len", c});
  }
  {  // ILLEGAL_FIELD is checked before MISALIGNED
    isa::Command c = load(isa::LoadBuf::kAbuf, 0, data + 1, 0);
    bad.push_back({"x_len 0 and misaligned", c});
  }
  for (const auto& [what, c] : bad) {
    SCOPED_TRACE(what);
    EXPECT_FAULT(run_after_load({c, finish()}), isa::Error::kIllegalField, 1);
  }
}

TEST_F(Faults, Misaligned) {
  const uint32_t e = kN, wide = 4 * kN;
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 0, data + 1, 1), finish()}),
               isa::Error::kMisaligned, 1);
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kWbuf, 0, data, 1, 2, 1, e + 2, 0), finish()}),
               isa::Error::kMisaligned, 1);
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 0, data, 1, 1, 2, 0, e / 2), finish()}),
               isa::Error::kMisaligned, 1);
  // PBUF and ACC elements are 4N bytes: an N-aligned address is not enough.
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kPbuf, 0, data + e, 1), finish()}),
               isa::Error::kMisaligned, 1);
  EXPECT_FAULT(run_after_load({store(isa::StoreBuf::kAcc, 0, data, 1, 1, 2, 0, wide + e),
                               finish()}),
               isa::Error::kMisaligned, 1);
  EXPECT_FAULT(run_after_load({store(isa::StoreBuf::kObuf, 0, data + 3, 1), finish()}),
               isa::Error::kMisaligned, 1);
  // MISALIGNED is checked before ADDR_WINDOW.
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 0, kBase - 0x1001, 1), finish()}),
               isa::Error::kMisaligned, 1);
  // START with CMD_BASE not 32-byte aligned.
  EXPECT_FAULT(run({finish()}, 1, kBase + 16), isa::Error::kMisaligned, 0);
}

TEST_F(Faults, AddrWindow) {
  const uint32_t end = kBase + 0x10000, e = kN;
  // Exactly filling the window up to its last byte is fine ...
  {
    const Outcome o = run_after_load({load(isa::LoadBuf::kAbuf, 0, end - 4 * e, 2, 2, 1, 2 * e, 0),
                                      finish()});
    EXPECT_EQ(o.error, isa::Error::kNone);
    EXPECT_TRUE(last.done);
  }
  // ... one element more is not (x, y and z extents, LOAD and STORE).
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 0, end - 4 * e, 3, 2, 1, 2 * e, 0),
                               finish()}),
               isa::Error::kAddrWindow, 1);
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 0, end - 4 * e, 2, 3, 1, 2 * e, 0),
                               finish()}),
               isa::Error::kAddrWindow, 1);
  EXPECT_FAULT(run_after_load({store(isa::StoreBuf::kObuf, 0, end - 4 * e, 1, 1, 2, 0, 4 * e),
                               finish()}),
               isa::Error::kAddrWindow, 1);
  EXPECT_FAULT(run_after_load({store(isa::StoreBuf::kObuf, 0, kBase - e, 1), finish()}),
               isa::Error::kAddrWindow, 1);
  // The extent is computed in 64 bits: a huge stride does not wrap back into the window.
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 0, kBase, 1, 1, 2, 0, 0xFFFFFFF8u),
                               finish()}),
               isa::Error::kAddrWindow, 1);
  // ADDR_WINDOW is checked before SRAM_RANGE.
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 4000, end, 1), finish()}),
               isa::Error::kAddrWindow, 1);
  // A command fetch outside the window: the window holds commands 0..2 only.
  EXPECT_FAULT(run({good_add().encode(), good_add().encode(), good_add().encode(), finish()}, 4,
                   kBase, kBase, 96),
               isa::Error::kAddrWindow, 3);
  EXPECT_FAULT(run({finish()}, 1, kBase, kBase + 32, 0x10000), isa::Error::kAddrWindow, 0);
}

TEST_F(Faults, SramRange) {
  // LOAD / STORE: sram_addr + x*y*z may equal the depth, not exceed it.
  {
    const Outcome o = run_after_load({load(isa::LoadBuf::kPbuf, 12, data, 2, 2, 1, 2 * 4 * kN), finish()});
    EXPECT_EQ(o.error, isa::Error::kNone);
  }
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kPbuf, 13, data, 2, 2, 1, 2 * 4 * kN), finish()}),
               isa::Error::kSramRange, 1);
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kAbuf, 255, data, 2), finish()}),
               isa::Error::kSramRange, 1);
  EXPECT_FAULT(run_after_load({load(isa::LoadBuf::kWbuf, 500, data, 13), finish()}),
               isa::Error::kSramRange, 1);
  EXPECT_FAULT(run_after_load({store(isa::StoreBuf::kAcc, 60, data, 5), finish()}),
               isa::Error::kSramRange, 1);
  EXPECT_FAULT(run_after_load({store(isa::StoreBuf::kObuf, 0, data, 129), finish()}),
               isa::Error::kSramRange, 1);

  auto conv_fault = [&](const std::function<void(isa::ConvCmd&)>& f) {
    isa::ConvCmd c = good_conv();
    f(c);
    return run_after_load({c.encode(), finish()});
  };
  // abuf: 4*4*2 = 32 words; wbuf: 3*3*2*8 = 144 words; pbuf 3; acc 4; obuf (4-1)*stride + 1.
  EXPECT_EQ(conv_fault([](isa::ConvCmd& c) { c.abuf_addr = 256 - 32; }).error, isa::Error::kNone);
  EXPECT_FAULT(conv_fault([](isa::ConvCmd& c) { c.abuf_addr = 256 - 31; }), isa::Error::kSramRange, 1);
  EXPECT_EQ(conv_fault([](isa::ConvCmd& c) { c.wbuf_addr = 512 - 144; }).error, isa::Error::kNone);
  EXPECT_FAULT(conv_fault([](isa::ConvCmd& c) { c.wbuf_addr = 512 - 143; }), isa::Error::kSramRange, 1);
  EXPECT_EQ(conv_fault([](isa::ConvCmd& c) { c.pbuf_addr = 13; }).error, isa::Error::kNone);
  EXPECT_FAULT(conv_fault([](isa::ConvCmd& c) { c.pbuf_addr = 14; }), isa::Error::kSramRange, 1);
  EXPECT_EQ(conv_fault([](isa::ConvCmd& c) { c.acc_addr = 60; }).error, isa::Error::kNone);
  EXPECT_FAULT(conv_fault([](isa::ConvCmd& c) { c.acc_addr = 61; }), isa::Error::kSramRange, 1);
  EXPECT_EQ(conv_fault([](isa::ConvCmd& c) {
              c.obuf_stride = 3;
              c.obuf_addr = 128 - 10;
            }).error,
            isa::Error::kNone);
  EXPECT_FAULT(conv_fault([](isa::ConvCmd& c) {
                 c.obuf_stride = 3;
                 c.obuf_addr = 128 - 9;
               }),
               isa::Error::kSramRange, 1);
  // Without requant the OBUF range is not checked (OBUF is not written).
  EXPECT_EQ(conv_fault([](isa::ConvCmd& c) {
              c.requant = 0;
              c.obuf_addr = 0xFFFF;
            }).error,
            isa::Error::kNone);

  auto pool_fault = [&](const std::function<void(isa::PoolCmd&)>& f) {
    isa::PoolCmd c = good_pool();
    f(c);
    return run_after_load({c.encode(), finish()});
  };
  EXPECT_EQ(pool_fault([](isa::PoolCmd& c) { c.abuf_addr = 240; }).error, isa::Error::kNone);
  EXPECT_FAULT(pool_fault([](isa::PoolCmd& c) { c.abuf_addr = 241; }), isa::Error::kSramRange, 1);
  EXPECT_EQ(pool_fault([](isa::PoolCmd& c) { c.obuf_addr = 124; }).error, isa::Error::kNone);
  EXPECT_FAULT(pool_fault([](isa::PoolCmd& c) { c.obuf_addr = 125; }), isa::Error::kSramRange, 1);

  auto add_fault = [&](const std::function<void(isa::AddCmd&)>& f) {
    isa::AddCmd c = good_add();
    f(c);
    return run_after_load({c.encode(), finish()});
  };
  EXPECT_EQ(add_fault([](isa::AddCmd& c) { c.a_addr = c.b_addr = 248; c.obuf_addr = 120; }).error,
            isa::Error::kNone);
  EXPECT_FAULT(add_fault([](isa::AddCmd& c) { c.a_addr = 249; }), isa::Error::kSramRange, 1);
  EXPECT_FAULT(add_fault([](isa::AddCmd& c) { c.b_addr = 249; }), isa::Error::kSramRange, 1);
  EXPECT_FAULT(add_fault([](isa::AddCmd& c) { c.obuf_addr = 121; }), isa::Error::kSramRange, 1);
}

TEST_F(Faults, AxiResp) {
  // The window reaches past the end of the memory image: such accesses get an error response.
  const size_t mem = 0x9000;
  const uint32_t beyond = kBase + 0x9000;
  EXPECT_FAULT(run({good_load(), load(isa::LoadBuf::kAbuf, 0, beyond, 1), finish()}, -1, kBase,
                   kBase, 0x10000, mem),
               isa::Error::kAxiResp, 1);
  EXPECT_FAULT(run({good_load(), store(isa::StoreBuf::kObuf, 0, beyond - kN, 2), finish()}, -1,
                   kBase, kBase, 0x10000, mem),
               isa::Error::kAxiResp, 1);
  // A command fetch from beyond the image.
  EXPECT_FAULT(run({finish()}, 1, beyond, kBase, 0x10000, mem), isa::Error::kAxiResp, 0);
}

TEST_F(Faults, TokenOverflow) {
  // 256 loads each push load->compute; nobody pops: the push of command 255 finds 255.
  std::vector<isa::Command> cmds(256, with_deps(good_load(), deps(0, 0, 0, 1)));
  cmds.push_back(finish());
  EXPECT_FAULT(run(cmds), isa::Error::kTokenOverflow, 255);
  // 255 pushes are fine (the tokens are simply left over).
  cmds.erase(cmds.begin());
  const Outcome o = [&] {
    DramImage m(kBase, kMemSize);
    for (size_t i = 0; i < cmds.size(); ++i) m.write(kBase + 32 * i, cmds[i].data(), 32);
    const RunResult r = IsaModel(cfg).run(m, kBase, uint32_t(cmds.size()), kBase, 0x10000);
    EXPECT_TRUE(r.ok()) << r.describe();
    return Outcome{r.error, r.err_info, r.done};
  }();
  EXPECT_EQ(o.error, isa::Error::kNone);
  // Overflow on the store->compute counter.
  std::vector<isa::Command> st(256, with_deps(good_store(), deps(0, 0, 1, 0)));
  st.push_back(finish());
  EXPECT_FAULT(run(st), isa::Error::kTokenOverflow, 255);
}

TEST_F(Faults, Deadlock) {
  // A STORE waits for compute (index 1), a CONV for load (index 2), FINISH pending.
  EXPECT_FAULT(run({good_load(), with_deps(good_store(), deps(1, 0, 0, 0)),
                    with_deps(good_conv().encode(), deps(1, 0, 0, 0)), finish()}),
               isa::Error::kDeadlock, 1);
  // Stream exhausted (no FINISH): still a deadlock, not CMD_OVERRUN.
  EXPECT_FAULT(run({good_load(), with_deps(good_conv().encode(), deps(1, 0, 0, 0))}),
               isa::Error::kDeadlock, 1);
  // A LOAD waiting for compute->load that compute only gives after consuming that load.
  EXPECT_FAULT(run({with_deps(good_load(), deps(0, 1, 0, 1)),
                    with_deps(good_add().encode(), deps(1, 0, 1, 0)), finish()}),
               isa::Error::kDeadlock, 0);
}

TEST_F(Faults, DeadlockWhenQueueIsFull) {
  // CONV 0 waits for a store->compute token that STORE (after k ADDs) would give. A unit holds
  // one command besides its queue of queue_depth (4) entries: with up to 4 ADDs behind the
  // CONV the STORE is dispatched and the program completes; with 5 the dispatcher blocks on
  // the compute queue, never reaches the STORE, and the CONV waits for ever.
  for (int adds : {4, 5}) {
    std::vector<isa::Command> cmds{with_deps(good_conv().encode(), deps(0, 1, 0, 0))};
    for (int i = 0; i < adds; ++i) cmds.push_back(good_add().encode());
    cmds.push_back(with_deps(good_store(), deps(0, 0, 1, 0)));
    cmds.push_back(finish());
    DramImage m(kBase, kMemSize);
    for (size_t i = 0; i < cmds.size(); ++i) m.write(kBase + 32 * i, cmds[i].data(), 32);
    const RunResult r = IsaModel(cfg).run(m, kBase, uint32_t(cmds.size()), kBase, 0x10000);
    if (adds == 4) {
      EXPECT_TRUE(r.ok()) << r.describe();
    } else {
      EXPECT_EQ(r.error, isa::Error::kDeadlock) << r.describe();
      EXPECT_EQ(r.err_info, 0u);
    }
  }
}

TEST_F(Faults, CmdOverrun) {
  EXPECT_FAULT(run({good_load(), good_load(), good_store()}), isa::Error::kCmdOverrun, 3);
  EXPECT_FAULT(run({}, 0), isa::Error::kCmdOverrun, 0);
}

TEST_F(Faults, FinishStopsFetching) {
  isa::Command bad{};  // opcode 0 after FINISH is never fetched
  DramImage m(kBase, kMemSize);
  const std::vector<isa::Command> cmds{good_load(), finish(), bad};
  for (size_t i = 0; i < cmds.size(); ++i) m.write(kBase + 32 * i, cmds[i].data(), 32);
  const RunResult r = IsaModel(cfg).run(m, kBase, 3, kBase, 0x10000);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.counter(isa::Counter::kCmdsRetired), 2u);
}

// ---- dependency tokens and schedules --------------------------------------------------------

enum class Missing { kNone, kComputeToLoad, kStoreToCompute, kLoadToCompute };

// Six tiles of an elementwise ADD (x + x, rescaled), double-buffered in ABUF and OBUF:
//   LOAD t  -> ABUF half t%2   pop_next (t >= 2: compute t-2 has read the half), push_next
//   ADD t   -> OBUF half t%2   pop_prev, pop_next (t >= 2: store t-2 has read the half),
//                              push_prev (t+2 < T), push_next
//   STORE t <- OBUF half t%2   pop_prev, push_prev (t+2 < T)
// `missing` drops one kind of token to create a race.
struct Pipeline {
  Program prog;
  uint32_t out;
  AddLayer layer;
  QTensor input;
};

Pipeline make_pipeline(const HwConfig& cfg, Missing missing) {
  constexpr int kTiles = 6;
  const unsigned n = cfg.array_dim;
  Pipeline pl{Program(cfg), 0, AddLayer{}, QTensor{}};
  Program& p = pl.prog;
  AddLayer& l = pl.layer;
  l.shape = Shape{kTiles * 4, 5, int(n)};  // a tile is 4 rows = 20 words
  l.a_zp = l.b_zp = 3;
  l.out_zp = -4;
  l.a_mult = l.b_mult = 1 << 30;
  l.shift = 31;  // (a - 3 + b - 3) / 2
  std::mt19937 rng(99);
  pl.input = random_tensor(rng, l.shape, true);
  const uint32_t in = place_act(p, pl.input);
  const uint32_t words = 4 * 5, bytes = words * n;
  pl.out = p.alloc(size_t(kTiles) * bytes);
  for (int t = 0; t < kTiles; ++t) {
    const uint32_t half = (t % 2) * words;
    const bool reuse = t >= 2, more = t + 2 < kTiles;
    p.emit(load(isa::LoadBuf::kAbuf, half, in + t * bytes, words, 1, 1, 0, 0,
                deps(0, reuse && missing != Missing::kComputeToLoad, 0, 1)));
    isa::AddCmd a;
    a.deps = deps(missing != Missing::kLoadToCompute,
                  reuse && missing != Missing::kStoreToCompute, more, 1);
    a.data_signed = 1;
    a.a_addr = a.b_addr = half;
    a.obuf_addr = half;
    a.len = words;
    a.a_mult = a.b_mult = uint32_t(l.a_mult);
    a.a_zp = a.b_zp = uint32_t(l.a_zp);
    a.out_zp = uint32_t(l.out_zp & 0xFF);
    a.shift = l.shift;
    a.clamp_min = uint32_t(-128 & 0xFF);
    a.clamp_max = 127;
    p.emit(a.encode());
    p.emit(store(isa::StoreBuf::kObuf, half, pl.out + t * bytes, words, 1, 1, 0, 0,
                 deps(1, 0, more, 0)));
  }
  p.emit(finish());
  return pl;
}

TEST(IsaModelTokens, RaceFreePipelineIsScheduleIndependent) {
  for (unsigned n : {16u, 4u}) {
    const Pipeline pl = make_pipeline(default_config(n), Missing::kNone);
    const QTensor want = ref::add(pl.layer, pl.input, pl.input);
    std::vector<uint8_t> first;
    for (uint64_t seed = 0; seed <= 20; ++seed) {
      DramImage m = pl.prog.image();
      const RunResult r = pl.prog.run(m, seed);
      ASSERT_TRUE(r.ok()) << r.describe() << " seed " << seed;
      EXPECT_EQ(read_act(m, pl.out, pl.layer.shape, true, n).data, want.data) << "seed " << seed;
      if (seed == 0) first = m.bytes();
      EXPECT_TRUE(m.bytes() == first) << "memory differs for seed " << seed;
    }
  }
}

TEST(IsaModelTokens, MissingTokenShowsUpAsScheduleDependence) {
  for (Missing miss : {Missing::kComputeToLoad, Missing::kStoreToCompute, Missing::kLoadToCompute}) {
    const HwConfig cfg = default_config(4);
    const Pipeline pl = make_pipeline(cfg, miss);
    const std::vector<uint8_t> want = ref::add(pl.layer, pl.input, pl.input).data;
    int differing = 0;
    for (uint64_t seed = 0; seed <= 20; ++seed) {
      DramImage m = pl.prog.image();
      const RunResult r = pl.prog.run(m, seed);
      // Dropping a pop leaves its push unconsumed: still no fault, just a race.
      ASSERT_TRUE(r.ok()) << r.describe() << " seed " << seed;
      if (read_act(m, pl.out, pl.layer.shape, true, 4).data != want) ++differing;
    }
    EXPECT_GT(differing, 0) << "missing token kind " << int(miss) << " went unnoticed";
  }
}

TEST(IsaModelTokens, FixedScheduleFavoursLoadThenComputeThenStore) {
  // Without any tokens the fixed schedule drains the load queue first, then compute, then store,
  // so this racy program happens to give the right answer for seed 0 only by that priority.
  const HwConfig cfg = default_config(4);
  Program p(cfg);
  const std::vector<uint8_t> x(4 * 4, 7);
  const uint32_t in = p.put(x), out = p.alloc(16);
  p.emit(store(isa::StoreBuf::kObuf, 0, out, 4));
  isa::AddCmd a;
  a.data_signed = 1;
  a.len = 4;
  a.a_mult = 1 << 30;
  a.shift = 30;  // out = a
  a.clamp_min = 0x80;
  a.clamp_max = 0x7F;
  p.emit(a.encode());
  p.emit(load(isa::LoadBuf::kAbuf, 0, in, 4));
  p.emit(finish());
  DramImage m = p.image();
  ASSERT_TRUE(p.run(m, 0).ok());
  EXPECT_EQ(std::vector<uint8_t>(m.at(out, 16), m.at(out, 16) + 16), x);
}

// ---- robustness ---------------------------------------------------------------------------

TEST(IsaModelFuzz, RandomStreamsAlwaysStopCleanly) {
  // Random commands with small field values: the model must stop with DONE or exactly one fault,
  // never hang, throw or touch memory outside its buffers (run this under ASan to see the last).
  HwConfig cfg = default_config(4);
  cfg.abuf_words = 64;
  cfg.wbuf_words = 256;
  cfg.acc_words = 32;
  cfg.obuf_words = 64;
  cfg.pbuf_words = 8;
  cfg.queue_depth = 2;
  std::mt19937 rng(7);
  std::array<int, 10> outcomes{};
  int done = 0;
  auto u = [&](uint32_t lo, uint32_t hi) { return lo + rng() % (hi - lo + 1); };
  for (int iter = 0; iter < 400; ++iter) {
    DramImage m(0, 0x4000);
    for (size_t i = 0x1000; i < m.size(); ++i) m.bytes()[i] = uint8_t(rng());
    const uint32_t count = 1 + rng() % 16;
    for (uint32_t i = 0; i < count; ++i) {
      // Small, mostly legal commands (FINISH, which ends fetching, only last, half the time).
      isa::Command c{};
      const uint32_t kind = i + 1 == count && rng() % 2 ? 6 : u(1, 5);
      if (kind == 1 || kind == 2) {
        isa::LoadCmd l;  // same layout as STORE apart from the opcode
        l.buf = kind == 1 ? u(0, 2) : u(0, 1);
        l.sram_addr = u(0, 40);
        l.dram_addr = 0x1000 + 128 * u(0, 60);
        l.x_len = u(1, 4);
        l.y_len = u(1, 3);
        l.z_len = u(1, 2);
        l.y_stride = 128 * u(0, 3);
        l.z_stride = 128 * u(0, 6);
        c = l.encode();
        isa::set(c, isa::field::kOpcode, kind);
      } else if (kind == 3) {
        isa::ConvCmd v;
        v.accumulate = u(0, 1);
        v.requant = u(0, 1);
        v.act_signed = u(0, 1);
        v.wgt_signed = u(0, 1);
        v.out_signed = u(0, 1);
        v.pbuf_addr = u(0, 5);
        v.abuf_addr = u(0, 20);
        v.wbuf_addr = u(0, 60);
        v.acc_addr = u(0, 10);
        v.obuf_addr = u(0, 20);
        v.in_h = u(1, 4);
        v.in_w = u(1, 4);
        v.kh = u(1, 3);
        v.kw = u(1, 3);
        v.out_h = u(1, 4);
        v.out_w = u(1, 4);
        v.stride_h = u(1, 2);
        v.stride_w = u(1, 2);
        v.dil_h = u(1, 2);
        v.dil_w = u(1, 2);
        v.pad_top = u(0, 2);
        v.pad_left = u(0, 2);
        v.cg = u(1, 2);
        v.obuf_stride = u(1, 2);
        v.act_zp = u(0, 255);
        v.out_zp = u(0, 255);
        v.clamp_min = u(0, 255);
        v.clamp_max = u(0, 255);
        c = v.encode();
      } else if (kind == 4) {
        isa::PoolCmd v;
        v.avg = u(0, 1);
        v.data_signed = u(0, 1);
        v.abuf_addr = u(0, 30);
        v.obuf_addr = u(0, 30);
        v.in_h = u(1, 4);
        v.in_w = u(1, 4);
        v.kh = u(1, 3);
        v.kw = u(1, 3);
        v.out_h = u(1, 3);
        v.out_w = u(1, 3);
        v.cg = u(1, 2);
        v.stride_h = u(1, 2);
        v.stride_w = u(1, 2);
        v.pad_top = u(0, 2);
        v.pad_left = u(0, 2);
        v.mult = uint32_t(rng()) >> 1;
        v.in_zp = u(0, 255);
        v.out_zp = u(0, 255);
        v.shift = u(0, 63);
        c = v.encode();
      } else if (kind == 5) {
        isa::AddCmd v;
        v.data_signed = u(0, 1);
        v.a_addr = u(0, 50);
        v.b_addr = u(0, 50);
        v.obuf_addr = u(0, 50);
        v.len = u(1, 12);
        v.a_mult = uint32_t(rng());
        v.b_mult = uint32_t(rng());
        v.a_zp = u(0, 255);
        v.b_zp = u(0, 255);
        v.out_zp = u(0, 255);
        v.shift = u(0, 63);
        v.clamp_min = u(0, 255);
        v.clamp_max = u(0, 255);
        c = v.encode();
      } else {
        c = finish();
      }
      if (rng() % 12 == 0) c[rng() % 8] ^= 1u << (rng() % 32);  // occasionally corrupt a bit
      // Mostly no dependency flags (so that some streams complete), else random flags the unit
      // may have (so that some deadlock), rarely any flags at all.
      const uint32_t pick = rng() % 8;
      isa::Deps d;
      if (pick >= 4) d = deps(rng() % 2, rng() % 2, rng() % 2, rng() % 2);
      if (pick < 7) {
        const uint32_t o = uint32_t(isa::get(c, isa::field::kOpcode));
        if (o == 1) d.pop_prev = d.push_prev = false;
        if (o == 2) d.pop_next = d.push_next = false;
        if (o == 6) d = isa::Deps{};
      }
      c = with_deps(c, d);
      m.write(32 * i, c.data(), 32);
    }
    IsaModel model(cfg);
    RunResult r;
    ASSERT_NO_THROW(r = model.run(m, 0, count, 0, 0x4000, IsaModel::Options{uint64_t(iter)}));
    ASSERT_NE(r.done, r.error != isa::Error::kNone) << r.describe();
    done += r.done;
    ++outcomes[size_t(r.error)];
  }
  std::string dist;
  for (size_t e = 0; e < outcomes.size(); ++e)
    dist += std::string(isa::error_name(isa::Error(e))) + "=" + std::to_string(outcomes[e]) + " ";
  RecordProperty("outcomes", dist);
  // The generator reaches completion and the common faults (a sanity check of the generator).
  EXPECT_GT(done, 10) << dist;
  for (isa::Error e : {isa::Error::kIllegalOpcode, isa::Error::kIllegalField,
                       isa::Error::kSramRange, isa::Error::kDeadlock, isa::Error::kCmdOverrun})
    EXPECT_GT(outcomes[size_t(e)], 0) << dist;
}

}  // namespace
}  // namespace tessera
