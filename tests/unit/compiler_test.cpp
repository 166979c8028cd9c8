// Compiler + IsaDevice against the layer-level reference (tessera::ref), bit for bit.
//
// Random layers (fixed seeds) are compiled for several array sizes and buffer depths, including
// depths small enough to force multi-tile, multi-pass and weight-streaming plans, run on the
// instruction-level model with several schedule seeds (a missing dependency token shows up as a
// difference between schedules) and compared with tessera::ref.
//
// TESSERA_SEED changes the base seed, TESSERA_RANDOM_LAYERS the number of random convolutions
// per configuration (pools and adds scale with it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "tessera/compiler.hpp"
#include "tessera/isa_device.hpp"
#include "tessera/quant.hpp"
#include "tessera/random_layers.hpp"
#include "tessera/reference.hpp"

namespace tessera {
namespace {

constexpr size_t kDevBytes = size_t(16) << 20;
constexpr uint64_t kScheduleSeeds[] = {0, 1, 0x9e3779b97f4a7c15ull, 777};

uint64_t env_u64(const char* name, uint64_t def) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : def;
}
uint64_t base_seed() { return env_u64("TESSERA_SEED", 1); }
int conv_count() { return int(env_u64("TESSERA_RANDOM_LAYERS", 60)); }

struct NamedConfig {
  const char* name;
  HwConfig hw;
};

void PrintTo(const NamedConfig& c, std::ostream* os) { *os << c.name << ": " << c.hw.describe(); }

HwConfig with_depths(unsigned n, unsigned abuf, unsigned wbuf, unsigned acc, unsigned obuf,
                     unsigned pbuf) {
  HwConfig c = default_config(n);
  c.abuf_words = abuf;
  c.wbuf_words = wbuf;
  c.acc_words = acc;
  c.obuf_words = obuf;
  c.pbuf_words = pbuf;
  return c;
}

// Default configurations and ones with buffers small enough that the random layers need several
// tiles, several input-channel passes, streamed weights and parameters.
const std::vector<NamedConfig>& configs() {
  static const std::vector<NamedConfig> k{
      {"n16_default", default_config(16)},
      {"n4_default", default_config(4)},
      {"n16_small", with_depths(16, 512, 1024, 96, 160, 7)},
      {"n4_small", with_depths(4, 200, 256, 40, 48, 6)},
      {"n8_small", with_depths(8, 300, 520, 64, 100, 9)},
      {"n32_default", default_config(32)},
  };
  return k;
}

// Fills memory the layer must overwrite with a pattern, so an unwritten output is a mismatch.
void scribble(Device& dev, const DeviceTensor& t) {
  std::vector<uint8_t> junk(t.bytes());
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = uint8_t(0xA5 ^ (i * 29));
  dev.write(t.addr, junk.data(), junk.size());
}

// Runs prog once per schedule seed; `check` inspects the device after each run and returns an
// error message or "".
template <class Check>
std::string run_all_schedules(IsaDevice& dev, const Program& prog, Check check) {
  for (uint64_t s : kScheduleSeeds) {
    dev.set_schedule_seed(s);
    load_program(dev, prog);
    const RunResult r = dev.run(prog.cmd_addr, uint32_t(prog.cmds.size()),
                                std::chrono::milliseconds(60000));
    if (!r.ok()) {
      std::string where;
      if (r.err_info < prog.cmds.size()) where = " [" + disassemble(prog.cmds[r.err_info]) + "]";
      return "schedule seed " + std::to_string(s) + ": " + r.describe() + where;
    }
    const std::string m = check();
    if (!m.empty()) return "schedule seed " + std::to_string(s) + ": " + m;
  }
  return "";
}

class CompilerRandom : public ::testing::TestWithParam<NamedConfig> {};

std::string conv_case(IsaDevice& dev, const ConvLayer& l, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const QTensor x = random_tensor(rng, l.in, l.act_signed);
  ProgramBuilder pb(dev.config(), dev.mem_base(), dev.mem_size());
  const DeviceTensor in = pb.alloc_tensor(l.in, l.act_signed);
  const DeviceTensor out = pb.alloc_tensor(l.out(), l.out_signed, l.requant ? 1 : 4);
  pb.conv(l, in, out);
  const Program prog = pb.finish();
  const std::string ctx = describe(l) + " | plan: " + prog.layers.at(0).plan;
  write_tensor(dev, in, x);
  std::string err;
  if (l.requant) {
    const QTensor want = ref::conv(l, x);
    err = run_all_schedules(dev, prog, [&] {
      std::string m = first_mismatch(want, read_tensor(dev, out));
      scribble(dev, out);
      return m;
    });
  } else {
    const std::vector<int32_t> want = ref::conv_acc(l, x);
    err = run_all_schedules(dev, prog, [&] {
      std::string m = first_mismatch(want, read_tensor_i32(dev, out), l.out());
      scribble(dev, out);
      return m;
    });
  }
  return err.empty() ? "" : ctx + ": " + err;
}

std::string pool_case(IsaDevice& dev, const PoolLayer& l, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const QTensor x = random_tensor(rng, l.in, l.is_signed);
  ProgramBuilder pb(dev.config(), dev.mem_base(), dev.mem_size());
  const DeviceTensor in = pb.alloc_tensor(l.in, l.is_signed);
  const DeviceTensor out = pb.alloc_tensor(l.out(), l.is_signed);
  pb.pool(l, in, out);
  const Program prog = pb.finish();
  write_tensor(dev, in, x);
  scribble(dev, out);
  const QTensor want = ref::pool(l, x);
  const std::string err = run_all_schedules(dev, prog, [&] {
    std::string m = first_mismatch(want, read_tensor(dev, out));
    scribble(dev, out);
    return m;
  });
  return err.empty() ? "" : describe(l) + " | plan: " + prog.layers.at(0).plan + ": " + err;
}

std::string add_case(IsaDevice& dev, const AddLayer& l, uint64_t seed, bool in_place) {
  std::mt19937_64 rng(seed);
  const QTensor a = random_tensor(rng, l.shape, l.is_signed);
  const QTensor b = random_tensor(rng, l.shape, l.is_signed);
  ProgramBuilder pb(dev.config(), dev.mem_base(), dev.mem_size());
  const DeviceTensor ta = pb.alloc_tensor(l.shape, l.is_signed);
  const DeviceTensor tb = pb.alloc_tensor(l.shape, l.is_signed);
  const DeviceTensor out = in_place ? ta : pb.alloc_tensor(l.shape, l.is_signed);
  pb.add(l, ta, tb, out);
  const Program prog = pb.finish();
  const QTensor want = ref::add(l, a, b);
  write_tensor(dev, ta, a);
  write_tensor(dev, tb, b);
  if (!in_place) scribble(dev, out);
  const std::string err = run_all_schedules(dev, prog, [&] {
    std::string m = first_mismatch(want, read_tensor(dev, out));
    write_tensor(dev, ta, a);  // the next schedule starts from the same inputs
    write_tensor(dev, tb, b);
    if (!in_place) scribble(dev, out);
    return m;
  });
  return err.empty() ? "" : describe(l) + (in_place ? " (in place)" : "") + ": " + err;
}

TEST_P(CompilerRandom, Conv) {
  const NamedConfig& nc = GetParam();
  IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
  const int count = conv_count();
  // Array sizes 8 and 32 get fewer layers: they mostly add configuration coverage.
  const int n = (nc.hw.array_dim == 16 || nc.hw.array_dim == 4) ? count : std::max(1, count / 3);
  const uint64_t seed = base_seed() * 1000003 + nc.hw.array_dim * 7919 + nc.hw.abuf_words;
  for (int i = 0; i < n; ++i) {
    std::mt19937_64 rng(seed + i);
    const ConvLayer l = random_conv(rng, nc.hw);
    const std::string err = conv_case(dev, l, seed + i + 100000);
    ASSERT_EQ(err, "") << nc.name << " layer " << i << " (TESSERA_SEED=" << base_seed() << ")";
  }
}

TEST_P(CompilerRandom, ConvKinds) {
  // Each kind explicitly, so depthwise / fully connected / multi-channel coverage never depends
  // on the random mix.
  const NamedConfig& nc = GetParam();
  IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
  const uint64_t seed = base_seed() * 31 + nc.hw.array_dim * 101 + nc.hw.wbuf_words;
  const int per_kind = std::max(1, conv_count() / 6);
  int i = 0;
  for (ConvKind kind : {ConvKind::kDepthwise, ConvKind::kFullyConnected}) {
    for (int k = 0; k < per_kind; ++k, ++i) {
      std::mt19937_64 rng(seed + i);
      const ConvLayer l = random_conv(rng, nc.hw, {}, kind);
      ASSERT_EQ(conv_case(dev, l, seed + i + 500), "") << nc.name << " kind layer " << i;
    }
  }
  // Many channels: several input-channel groups and output groups.
  RandomLayerLimits wide;
  wide.max_hw = 9;
  wide.max_c = 100;
  wide.max_kernel = 3;
  for (int k = 0; k < per_kind; ++k, ++i) {
    std::mt19937_64 rng(seed + i);
    const ConvLayer l = random_conv(rng, nc.hw, wide, ConvKind::kConv);
    ASSERT_EQ(conv_case(dev, l, seed + i + 500), "") << nc.name << " wide layer " << i;
  }
}

TEST_P(CompilerRandom, ConvLargeSpatial) {
  // Larger images: several spatial tiles even with the default buffer depths.
  const NamedConfig& nc = GetParam();
  IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
  RandomLayerLimits big;
  big.max_hw = 48;
  big.max_c = 20;
  big.max_kernel = 5;
  const uint64_t seed = base_seed() * 91 + nc.hw.array_dim * 3 + nc.hw.acc_words;
  const int n = std::max(1, conv_count() / 6);
  for (int i = 0; i < n; ++i) {
    std::mt19937_64 rng(seed + i);
    ConvLayer l = random_conv(rng, nc.hw, big, i % 3 == 2 ? ConvKind::kDepthwise : ConvKind::kConv);
    if (i % 2 == 0) {  // make it big enough to tile
      l.in.h = std::max(l.in.h, 40);
      l.in.w = std::max(l.in.w, 40);
    }
    ASSERT_EQ(conv_case(dev, l, seed + i + 700), "") << nc.name << " layer " << i;
  }
  RandomLayerLimits bigpool = big;
  bigpool.max_hw = 64;
  for (int i = 0; i < n; ++i) {
    std::mt19937_64 rng(seed + 50 + i);
    const PoolLayer l = random_pool(rng, nc.hw, bigpool);
    ASSERT_EQ(pool_case(dev, l, seed + i + 900), "") << nc.name << " pool " << i;
  }
}

TEST_P(CompilerRandom, Pool) {
  const NamedConfig& nc = GetParam();
  IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
  const int n = std::max(1, conv_count() / 3);
  const uint64_t seed = base_seed() * 7 + nc.hw.array_dim * 13 + nc.hw.obuf_words;
  for (int i = 0; i < n; ++i) {
    std::mt19937_64 rng(seed + i);
    const PoolLayer l = random_pool(rng, nc.hw);
    ASSERT_EQ(pool_case(dev, l, seed + i + 1000), "") << nc.name << " layer " << i;
  }
}

TEST_P(CompilerRandom, Add) {
  const NamedConfig& nc = GetParam();
  IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
  const int n = std::max(1, conv_count() / 4);
  const uint64_t seed = base_seed() * 11 + nc.hw.array_dim * 17 + nc.hw.abuf_words;
  for (int i = 0; i < n; ++i) {
    std::mt19937_64 rng(seed + i);
    const AddLayer l = random_add(rng, nc.hw);
    ASSERT_EQ(add_case(dev, l, seed + i + 2000, i % 3 == 2), "") << nc.name << " layer " << i;
  }
}

// A small network in one program: conv -> depthwise conv -> add (residual) -> pool -> FC. The
// later layers read what the earlier ones stored, so this exercises the DRAM read-after-write
// barriers between layers.
TEST_P(CompilerRandom, Chain) {
  const NamedConfig& nc = GetParam();
  IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
  for (int rep = 0; rep < 3; ++rep) {
    std::mt19937_64 rng(base_seed() * 3 + nc.hw.array_dim + 1000 * rep);
    RandomLayerLimits lim;
    lim.max_hw = 14;
    lim.max_kernel = 5;
    ConvLayer c1;
    do c1 = random_conv(rng, nc.hw, lim, ConvKind::kConv);
    while (!c1.requant);
    c1.name = "c1";
    ConvLayer c2 = random_conv(rng, nc.hw, lim, ConvKind::kDepthwise);
    // Make c2 a shape-preserving depthwise conv on c1's output.
    c2.name = "c2";
    c2.in = c1.out();
    c2.out_c = c2.groups = c2.in.c;
    c2.kh = c2.kw = 3;
    c2.stride_h = c2.stride_w = c2.dil_h = c2.dil_w = 1;
    c2.pad_top = c2.pad_bottom = c2.pad_left = c2.pad_right = 1;
    c2.act_signed = c1.out_signed;
    c2.act_zp = c1.out_zp;
    c2.out_signed = c1.out_signed;
    c2.requant = true;
    c2.weights.resize(size_t(c2.out_c) * 9);
    for (auto& w : c2.weights) w = uint8_t(rng());
    c2.wzp.assign(c2.out_c, 0);
    c2.bias.assign(c2.out_c, 100);
    c2.mult.assign(c2.out_c, 1 << 30);
    c2.shift.assign(c2.out_c, 40);
    c2.out_zp = c1.out_zp;
    c2.clamp_min = c2.out_signed ? -128 : 0;
    c2.clamp_max = c2.out_signed ? 127 : 255;
    AddLayer ad = random_add(rng, nc.hw);
    ad.name = "residual";
    ad.shape = c1.out();
    ad.is_signed = c1.out_signed;
    ad.a_zp = ad.b_zp = ad.out_zp = c1.out_zp;
    ad.clamp_min = ad.is_signed ? -128 : 0;
    ad.clamp_max = ad.is_signed ? 127 : 255;
    PoolLayer pl;
    pl.name = "gap";
    pl.in = ad.shape;
    pl.avg = true;
    pl.is_signed = ad.is_signed;
    pl.kh = pl.in.h;
    pl.kw = pl.in.w;
    pl.stride_h = pl.stride_w = 1;
    pl.in_zp = pl.out_zp = ad.out_zp;
    const Multiplier m = quantize_multiplier(1.0 / (pl.kh * pl.kw));
    pl.mult = m.mult;
    pl.shift = m.shift;
    ConvLayer fc = random_conv(rng, nc.hw, lim, ConvKind::kFullyConnected);
    fc.name = "fc";
    fc.in = pl.out();
    fc.act_signed = pl.is_signed;
    fc.act_zp = pl.out_zp;
    fc.weights.resize(size_t(fc.out_c) * fc.in.c);
    for (auto& w : fc.weights) w = uint8_t(rng());

    const QTensor x = random_tensor(rng, c1.in, c1.act_signed);
    const QTensor y1 = ref::conv(c1, x);
    const QTensor y2 = ref::conv(c2, y1);
    const QTensor y3 = ref::add(ad, y2, y1);
    const QTensor y4 = ref::pool(pl, y3);

    ProgramBuilder pb(nc.hw, dev.mem_base(), dev.mem_size());
    const DeviceTensor tx = pb.alloc_tensor(c1.in, c1.act_signed);
    const DeviceTensor t1 = pb.alloc_tensor(c1.out(), c1.out_signed);
    const DeviceTensor t2 = pb.alloc_tensor(c2.out(), c2.out_signed);
    const DeviceTensor t4 = pb.alloc_tensor(pl.out(), pl.is_signed);
    const DeviceTensor t5 = pb.alloc_tensor(fc.out(), fc.out_signed, fc.requant ? 1 : 4);
    pb.conv(c1, tx, t1);
    pb.conv(c2, t1, t2);
    pb.add(ad, t2, t1, t2);  // in place
    pb.pool(pl, t2, t4);
    pb.conv(fc, t4, t5);
    const Program prog = pb.finish();
    ASSERT_EQ(prog.layers.size(), 5u);
    write_tensor(dev, tx, x);
    scribble(dev, t2);
    const std::string err = run_all_schedules(dev, prog, [&] {
      std::string m1 = first_mismatch(y3, read_tensor(dev, t2));
      if (!m1.empty()) return "residual output: " + m1;
      std::string m2 = first_mismatch(y4, read_tensor(dev, t4));
      if (!m2.empty()) return "pool output: " + m2;
      if (fc.requant) {
        std::string m3 = first_mismatch(ref::conv(fc, y4), read_tensor(dev, t5));
        if (!m3.empty()) return "fc output: " + m3;
      } else {
        std::string m3 = first_mismatch(ref::conv_acc(fc, y4), read_tensor_i32(dev, t5), fc.out());
        if (!m3.empty()) return "fc output: " + m3;
      }
      scribble(dev, t1);
      scribble(dev, t2);
      scribble(dev, t4);
      scribble(dev, t5);
      return std::string();
    });
    ASSERT_EQ(err, "") << nc.name << " rep " << rep << "\n" << describe(c1) << "\n" << describe(fc);
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, CompilerRandom, ::testing::ValuesIn(configs()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Compiler, TensorRoundTripKeepsChannelsAndPadding) {
  const HwConfig hw = default_config(16);
  IsaDevice dev(hw, IsaDevice::kDefaultBase, kDevBytes);
  ProgramBuilder pb(hw, dev.mem_base(), dev.mem_size());
  const DeviceTensor t = pb.alloc_tensor(Shape{3, 5, 19}, true);
  EXPECT_EQ(t.cpad, 32);
  EXPECT_EQ(t.addr % 256, 0u);
  std::mt19937_64 rng(5);
  const QTensor q = random_tensor(rng, t.shape, true);
  write_tensor(dev, t, q);
  EXPECT_EQ(first_mismatch(q, read_tensor(dev, t)), "");
  // Pixel (y, x) channel c lives at addr + (y*w + x)*cpad + c.
  uint8_t b = 0;
  dev.read(t.addr + (2 * 5 + 3) * 32 + 7, &b, 1);
  EXPECT_EQ(b, q.data[q.index(2, 3, 7)]);
}

TEST(Compiler, DisassemblesOneLinePerCommand) {
  const HwConfig hw = default_config(8);
  std::mt19937_64 rng(3);
  const ConvLayer l = random_conv(rng, hw, {}, ConvKind::kConv);
  ProgramBuilder pb(hw, IsaDevice::kDefaultBase, kDevBytes);
  pb.conv(l, pb.alloc_tensor(l.in, l.act_signed),
          pb.alloc_tensor(l.out(), l.out_signed, l.requant ? 1 : 4));
  const Program p = pb.finish();
  const std::string d = disassemble(p);
  size_t lines = 0, convs = 0;
  for (size_t i = 0; (i = d.find('\n', i)) != std::string::npos; ++i) ++lines;
  for (size_t i = 0; (i = d.find("CONV ", i)) != std::string::npos; ++i) ++convs;
  EXPECT_EQ(lines, p.cmds.size() + p.layers.size());  // plus one header line per layer
  EXPECT_GE(convs, 1u);
  EXPECT_NE(d.find("FINISH"), std::string::npos);
  EXPECT_EQ(isa::Opcode(isa::get(p.cmds.back(), isa::field::kOpcode)), isa::Opcode::kFinish);
}

TEST(Compiler, RejectsUntileableLayerByName) {
  HwConfig hw = with_depths(16, 4096, 256, 1024, 2048, 64);  // WBUF too small for 5x5x16
  ProgramBuilder pb(hw, IsaDevice::kDefaultBase, kDevBytes);
  ConvLayer l;
  l.name = "too_big_kernel";
  l.in = Shape{8, 8, 16};
  l.out_c = 16;
  l.kh = l.kw = 5;
  l.weights.assign(size_t(16) * 25 * 16, 1);
  l.wzp.assign(16, 0);
  l.bias.assign(16, 0);
  l.mult.assign(16, 1 << 30);
  l.shift.assign(16, 31);
  const DeviceTensor in = pb.alloc_tensor(l.in, true);
  const DeviceTensor out = pb.alloc_tensor(l.out(), true);
  try {
    pb.conv(l, in, out);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("too_big_kernel"), std::string::npos) << e.what();
  }
}

// First layers (few input channels, input written by the host) take the host-side im2col path
// (docs/compiler.md): random shapes with Cin 1..5, padding, strides, dilation, on every array
// size, each compared with tessera::ref under several schedules. The plan must say im2col, so
// the path is exercised whatever the estimate picks for the random layers above.
TEST(Compiler, HostIm2colFirstLayers) {
  const NamedConfig cfgs[] = {{"n16", default_config(16)},
                              {"n4", default_config(4)},
                              {"n8_small", with_depths(8, 300, 520, 64, 100, 9)},
                              {"n32", default_config(32)}};
  for (const NamedConfig& nc : cfgs) {
    IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
    int took = 0, cases = 0;
    for (int i = 0; i < 12; ++i) {
      std::mt19937_64 rng(base_seed() * 131 + nc.hw.array_dim * 17 + i);
      RandomLayerLimits lim;
      lim.max_hw = 24;
      lim.max_c = 5;
      lim.max_kernel = 7;
      ConvLayer l = random_conv(rng, nc.hw, lim, ConvKind::kConv);
      l.in.c = i % 3 == 0 ? 1 : i % 3 == 1 ? 3 : l.in.c;
      if (l.kh * l.kw < 4) l.kh = l.kw = 3;  // a kernel big enough for im2col to pay
      l.in.h = std::max(l.in.h, 12 + l.dil_h * (l.kh - 1));  // enough pixels to not be
      l.in.w = std::max(l.in.w, 12 + l.dil_w * (l.kw - 1));  // latency-bound
      l.pad_top = std::min(l.pad_top, l.dil_h * (l.kh - 1));
      l.pad_left = std::min(l.pad_left, l.dil_w * (l.kw - 1));
      l.weights.resize(size_t(l.out_c) * l.kh * l.kw * l.in.c);
      for (auto& w : l.weights) w = uint8_t(rng());
      if (nc.hw.array_dim < 8 && l.in.c == 3) continue;  // 3 of 4 rows: im2col barely pays
      const std::string err = conv_case(dev, l, base_seed() + i);
      ASSERT_EQ(err, "") << nc.name << " layer " << i;
      ProgramBuilder pb(nc.hw, dev.mem_base(), dev.mem_size());
      pb.conv(l, pb.alloc_tensor(l.in, l.act_signed),
              pb.alloc_tensor(l.out(), l.out_signed, l.requant ? 1 : 4));
      took += pb.finish().layers.at(0).plan.find("host im2col") != std::string::npos;
      ++cases;
    }
    // Where the copy gains little (several channels on a small array, few pixels) the
    // estimate keeps the direct form; at least half must take the path.
    EXPECT_GE(took * 2, cases) << nc.name << ": " << took << " of " << cases;
  }
}

// Depthwise layers with many channel groups load several groups per LOAD and let each CONV
// pick its group out of the interleaved chunk (scaled stride / dilation / padding,
// docs/compiler.md "Tiling"): MobileNet-like shapes, strides 1 and 2, against tessera::ref.
TEST(Compiler, DepthwiseGroupChunks) {
  const NamedConfig cfgs[] = {{"n16", default_config(16)},
                              {"n4_small", with_depths(4, 200, 256, 40, 48, 6)},
                              {"n8", default_config(8)}};
  for (const NamedConfig& nc : cfgs) {
    IsaDevice dev(nc.hw, IsaDevice::kDefaultBase, kDevBytes);
    for (int i = 0; i < 8; ++i) {
      std::mt19937_64 rng(base_seed() * 977 + nc.hw.array_dim * 5 + i);
      RandomLayerLimits lim;
      lim.max_hw = 20;
      lim.max_c = 150;
      lim.max_kernel = 5;
      lim.max_stride = 2;
      const ConvLayer l = random_conv(rng, nc.hw, lim, ConvKind::kDepthwise);
      ASSERT_EQ(conv_case(dev, l, base_seed() + i), "") << nc.name << " layer " << i;
    }
  }
  // 112x112x96 depthwise 3x3 s2 on 16x16: 6 groups per load.
  ConvLayer l;
  l.name = "dw";
  l.in = Shape{112, 112, 96};
  l.out_c = l.groups = 96;
  l.kh = l.kw = 3;
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 1;
  l.weights.assign(size_t(96) * 9, 3);
  l.wzp.assign(96, 0);
  l.bias.assign(96, 0);
  l.mult.assign(96, 1 << 30);
  l.shift.assign(96, 40);
  ProgramBuilder pb(default_config(16), IsaDevice::kDefaultBase, size_t(64) << 20);
  pb.conv(l, pb.alloc_tensor(l.in, true), pb.alloc_tensor(l.out(), true));
  const std::string plan = pb.finish().layers.at(0).plan;
  EXPECT_NE(plan.find("depthwise, up to 6 groups per input load"), std::string::npos) << plan;
}

// The stem of ResNet-18 (224x224x3, 7x7 s2 pad 3 -> 64) through im2col on the 16x16 array:
// one 1x1 convolution over 147 -> 160 channels, estimated >= 85 % MAC utilization; with the
// option off, or when an earlier layer produces the input, the convolution reads it directly.
TEST(Compiler, HostIm2colStemAndWhenNot) {
  const HwConfig hw = default_config(16);
  ConvLayer l;
  l.name = "stem";
  l.in = Shape{224, 224, 3};
  l.out_c = 64;
  l.kh = l.kw = 7;
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 3;
  l.weights.assign(size_t(64) * 49 * 3, 1);
  l.wzp.assign(64, 0);
  l.bias.assign(64, 0);
  l.mult.assign(64, 1 << 30);
  l.shift.assign(64, 40);
  auto compile = [&](bool option, bool produced) {
    ProgramBuilder pb(hw, IsaDevice::kDefaultBase, size_t(64) << 20);
    pb.set_host_im2col(option);
    const DeviceTensor in = pb.alloc_tensor(l.in, true);
    if (produced) {  // an add writes the input first: device-produced
      AddLayer a;
      a.shape = l.in;
      pb.add(a, pb.alloc_tensor(l.in, true), pb.alloc_tensor(l.in, true), in);
    }
    pb.conv(l, in, pb.alloc_tensor(l.out(), true));
    return pb.finish();
  };
  const Program fast = compile(true, false);
  EXPECT_NE(fast.layers.at(0).plan.find("host im2col 7x7x3 -> 1x1 over 147"), std::string::npos)
      << fast.layers.at(0).plan;
  EXPECT_EQ(fast.layers.at(0).macs, l.macs());
  const double util = double(l.macs()) / (double(estimate(fast, hw).cycles) * 256);
  EXPECT_GE(util, 0.85);
  EXPECT_EQ(compile(false, false).layers.at(0).plan.find("im2col"), std::string::npos);
  EXPECT_EQ(compile(true, true).layers.back().plan.find("im2col"), std::string::npos);
}

// ResNet-18's 3x3 convolutions on the default 16x16 configuration: the estimate
// (docs/compiler.md) must predict >= 90 % MAC utilisation for the 64 -> 64 layer at 56x56, and
// the compiled CONVs must cover every MAC exactly once (MAC_ACTIVE * N^2 == layer MACs when the
// channel counts are multiples of N).
TEST(Compiler, ResNet18Estimate) {
  const HwConfig hw = default_config(16);
  struct L {
    int hw, cin, cout, stride;
  };
  const L layers[] = {{56, 64, 64, 1},   {56, 64, 128, 2}, {28, 128, 128, 1},
                      {28, 128, 256, 2}, {14, 256, 256, 1}, {14, 256, 512, 2},
                      {7, 512, 512, 1}};
  for (const L& d : layers) {
    ConvLayer l;
    l.name = "res_" + std::to_string(d.hw) + "_" + std::to_string(d.cin) + "_" +
             std::to_string(d.cout) + "_s" + std::to_string(d.stride);
    l.in = Shape{d.hw, d.hw, d.cin};
    l.out_c = d.cout;
    l.kh = l.kw = 3;
    l.stride_h = l.stride_w = d.stride;
    l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 1;
    l.weights.assign(size_t(d.cout) * 9 * d.cin, 1);
    l.wzp.assign(d.cout, 0);
    l.bias.assign(d.cout, 0);
    l.mult.assign(d.cout, 1 << 30);
    l.shift.assign(d.cout, 40);
    ProgramBuilder pb(hw, IsaDevice::kDefaultBase, size_t(64) << 20);
    const DeviceTensor in = pb.alloc_tensor(l.in, true);
    const DeviceTensor out = pb.alloc_tensor(l.out(), true);
    pb.conv(l, in, out);
    const Program prog = pb.finish();
    const Estimate e = estimate(prog, hw);
    const double util = double(l.macs()) / (double(e.cycles) * hw.array_dim * hw.array_dim);
    EXPECT_EQ(e.mac_cycles * hw.array_dim * hw.array_dim, l.macs()) << l.name;
    std::printf("%-22s %6zu cmds  est %9llu cycles  MAC util %5.1f%%  load %7.0f KB  %s\n",
                l.name.c_str(), prog.cmds.size(), (unsigned long long)e.cycles, 100 * util,
                e.load_bytes / 1024.0, prog.layers[0].plan.c_str());
    if (d.hw == 56 && d.cin == 64 && d.cout == 64) EXPECT_GE(util, 0.90);
  }
}

}  // namespace
}  // namespace tessera
