// The simulation harness and RtlDevice against the register map (docs/isa_reference.md), the
// fault rules (docs/isa.md) and a GEMM computed here from the CONV definition.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "tessera/rtl_device.hpp"

namespace tessera::sim {
namespace {

using namespace std::chrono_literals;
constexpr auto kTimeout = std::chrono::milliseconds(20000);

SimOptions small_options() {
  SimOptions o;
  o.mem_size = size_t(4) << 20;
  return o;
}

void put_cmds(Device& dev, uint32_t addr, const std::vector<isa::Command>& cmds) {
  for (size_t i = 0; i < cmds.size(); ++i)
    dev.write(uint32_t(addr + i * isa::kCmdBytes), cmds[i].data(), isa::kCmdBytes);
}

isa::Command raw_opcode(unsigned op) {
  isa::Command c{};
  c[0] = op;
  return c;
}

void print_speed(const char* what, const RtlDevice& dev) {
  std::printf("[ speed    ] %s on %s: %llu cycles in %.3f s wall = %.0f cycles/s "
              "(%.0f per CPU second)\n",
              what, dev.name().c_str(), static_cast<unsigned long long>(dev.last_run_cycles()),
              dev.last_run_seconds(), dev.last_run_cycles_per_second(),
              dev.last_run_cycles_per_cpu_second());
}

TEST(Harness, UnknownArraySizeListsBuiltSizes) {
  DramImage img(0x10000000, 4096);
  try {
    Harness::create(3, img);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    for (unsigned d : Harness::built_array_dims())
      EXPECT_NE(msg.find(std::to_string(d)), std::string::npos) << msg;
  }
  EXPECT_THROW(RtlDevice::create(3, small_options()), std::invalid_argument);
}

TEST(Harness, RegisterMapOfEveryBuiltSize) {
  ASSERT_FALSE(Harness::built_array_dims().empty());
  for (unsigned dim : Harness::built_array_dims()) {
    SCOPED_TRACE("array " + std::to_string(dim));
    DramImage img(0x10000000, 4096);
    auto h = Harness::create(dim, img);
    EXPECT_EQ(h->array_dim(), dim);
    EXPECT_EQ(h->axi_data_bytes(), 16u);  // tessera_top default AxiDataW = 128
    AxiResp resp = AxiResp::kSlvErr;
    EXPECT_EQ(h->reg_read(isa::reg::kId, &resp), isa::kIdValue);
    EXPECT_EQ(resp, AxiResp::kOkay);
    EXPECT_EQ(h->reg_read(isa::reg::kVersion), isa::kVersionValue);
    // rows, columns, output lanes (one per column unless TESSERA_SIM_OUT_LANES lists the size)
    const std::string pairs = ";" + std::string(TESSERA_SIM_OUT_LANES) + ";";
    const size_t at = pairs.find(";" + std::to_string(dim) + ":");
    const unsigned lanes =
        at == std::string::npos ? dim : unsigned(std::stoul(pairs.substr(pairs.find(':', at) + 1)));
    EXPECT_EQ(h->reg_read(isa::reg::kHwArray), dim | dim << 8 | lanes << 16);
    // Idle after reset, no interrupt.
    EXPECT_EQ(h->reg_read(isa::reg::kStatus), 0u);
    EXPECT_FALSE(h->irq());
    // rw registers hold what was written.
    h->reg_write(isa::reg::kCmdBase, 0x12345660, &resp);
    EXPECT_EQ(resp, AxiResp::kOkay);
    h->reg_write(isa::reg::kWindowSize, 0xCAFE0000);
    EXPECT_EQ(h->reg_read(isa::reg::kCmdBase), 0x12345660u);
    EXPECT_EQ(h->reg_read(isa::reg::kWindowSize), 0xCAFE0000u);
    h->final();
  }
}

// Several devices alive at once, destroyed in any order (Verilator keeps per-thread context state).
TEST(RtlDevice, SeveralDevicesCoexist) {
  const unsigned dim = RtlDevice::built_array_dims()[0];
  auto a = RtlDevice::create(dim, small_options());
  auto b = RtlDevice::create(dim, small_options());
  auto c = RtlDevice::create(RtlDevice::built_array_dims().back(), small_options());
  a.reset();  // the oldest goes first
  put_cmds(*b, b->mem_base(), {isa::FinishCmd{}.encode()});
  EXPECT_TRUE(b->run(b->mem_base(), 1, kTimeout).ok());
  c.reset();
  auto d = RtlDevice::create(dim, small_options());
  put_cmds(*d, d->mem_base(), {isa::FinishCmd{}.encode()});
  EXPECT_TRUE(d->run(d->mem_base(), 1, kTimeout).ok());
  EXPECT_TRUE(b->run(b->mem_base(), 1, kTimeout).ok());
  b.reset();
  EXPECT_TRUE(d->run(d->mem_base(), 1, kTimeout).ok());
}

TEST(RtlDevice, ConfigMatchesTheDocumentedDefaults) {
  for (unsigned dim : RtlDevice::built_array_dims()) {
    auto dev = RtlDevice::create(dim, small_options());
    const HwConfig c = dev->config();
    // architecture.md, tessera_top parameter table.
    EXPECT_EQ(c.array_dim, dim);
    EXPECT_EQ(c.abuf_words, 4096u);
    EXPECT_EQ(c.wbuf_words, 4096u);
    EXPECT_EQ(c.acc_words, 1024u);
    EXPECT_EQ(c.obuf_words, 2048u);
    EXPECT_EQ(c.pbuf_words, 64u);
    EXPECT_EQ(c.axi_data_bytes, 16u);
    EXPECT_EQ(c.axi_addr_bits, 32u);
    EXPECT_EQ(c.queue_depth, 8u);
    EXPECT_EQ(dev->name(), "rtl-" + std::to_string(dim) + "x" + std::to_string(dim));
  }
}

TEST(RtlDevice, FinishOnlyStreamIsDone) {
  auto dev = RtlDevice::create(RtlDevice::built_array_dims()[0], small_options());
  const uint32_t base = dev->mem_base();
  put_cmds(*dev, base, {isa::FinishCmd{}.encode()});
  const RunResult r = dev->run(base, 1, kTimeout);
  EXPECT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(r.counter(isa::Counter::kCmdsRetired), 1u);
  EXPECT_GT(r.counter(isa::Counter::kCycles), 100u) << "the fetch alone waits 100 memory cycles";
  EXPECT_LE(r.counter(isa::Counter::kCycles), dev->last_run_cycles());
  EXPECT_EQ(dev->harness().reg_read(isa::reg::kIrqStatus), 0u) << "run() acknowledges the irq";
  // A second run on the same device.
  const RunResult r2 = dev->run(base, 1, kTimeout);
  EXPECT_TRUE(r2.ok()) << r2.describe();
}

TEST(RtlDevice, IllegalOpcodesFault) {
  auto dev = RtlDevice::create(RtlDevice::built_array_dims()[0], small_options());
  const uint32_t base = dev->mem_base();
  for (unsigned op : {0u, 7u, 15u}) {
    SCOPED_TRACE("opcode " + std::to_string(op));
    // A legal LOAD first, so the faulting command has index 1.
    isa::LoadCmd ld;
    ld.dram_addr = base + 0x1000;
    ld.x_len = ld.y_len = ld.z_len = 1;
    ld.y_stride = ld.z_stride = 64;
    put_cmds(*dev, base, {ld.encode(), raw_opcode(op), isa::FinishCmd{}.encode()});
    const RunResult r = dev->run(base, 3, kTimeout);
    EXPECT_FALSE(r.done);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.error, isa::Error::kIllegalOpcode) << r.describe();
    EXPECT_EQ(r.err_info, 1u);
  }
}

TEST(RtlDevice, CycleLimitTimesOutAndTheNextRunRecovers) {
  SimOptions o = small_options();
  o.max_cycles = 50;  // less than one memory latency
  auto dev = RtlDevice::create(RtlDevice::built_array_dims()[0], o);
  const uint32_t base = dev->mem_base();
  put_cmds(*dev, base, {isa::FinishCmd{}.encode()});
  const RunResult r = dev->run(base, 1, kTimeout);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.done);
  EXPECT_LE(dev->last_run_cycles(), 60u);
  dev->set_cycle_limit(0);
  const RunResult r2 = dev->run(base, 1, kTimeout);
  EXPECT_TRUE(r2.ok()) << r2.describe();
}

// --- A 1x1 CONV (a GEMM) through LOAD / CONV / STORE, checked against a GEMM computed here. ---

struct GemmCase {
  unsigned n = 16;       // array size
  unsigned pixels = 32;  // GEMM rows
  uint8_t act_zp = 3;
  std::vector<int8_t> a;    // pixels x n
  std::vector<int8_t> w;    // n (input channel r) x n (output channel c)
  std::vector<int8_t> wzp;  // n
  uint32_t cmd = 0, a_addr = 0, w_addr = 0, p_addr = 0, out_addr = 0;

  GemmCase(unsigned dim, unsigned px, uint32_t base, uint32_t seed) : n(dim), pixels(px) {
    std::mt19937 g(seed);
    a.resize(pixels * n);
    w.resize(n * n);
    wzp.resize(n);
    for (auto& v : a) v = int8_t(g());
    for (auto& v : w) v = int8_t(g());
    for (auto& v : wzp) v = int8_t(int(g() % 9) - 4);
    cmd = base;
    a_addr = base + 0x1000;
    w_addr = a_addr + 0x10000;
    p_addr = w_addr + 0x1000;
    out_addr = p_addr + 0x1000;
  }

  // acc[p][c] = sum_r (a[p][r] - act_zp) * (w[r][c] - wzp[c])   (docs/isa.md, CONV)
  std::vector<int32_t> reference() const {
    std::vector<int32_t> out(pixels * n);
    for (unsigned p = 0; p < pixels; ++p)
      for (unsigned c = 0; c < n; ++c) {
        int32_t s = 0;
        for (unsigned r = 0; r < n; ++r)
          s += (int32_t(a[p * n + r]) - int8_t(act_zp)) * (int32_t(w[r * n + c]) - wzp[c]);
        out[p * n + c] = s;
      }
    return out;
  }

  unsigned write_program(Device& dev) const {
    dev.write(a_addr, a.data(), a.size());
    dev.write(w_addr, w.data(), w.size());
    std::vector<uint32_t> pbuf(3 * n, 0);  // bias, mult (unused without requant), shift | wzp
    for (unsigned c = 0; c < n; ++c) pbuf[2 * n + c] = uint32_t(uint8_t(wzp[c])) << 8;
    dev.write(p_addr, pbuf.data(), pbuf.size() * 4);

    auto load = [&](isa::LoadBuf buf, uint32_t dram, uint32_t elems, unsigned elem_bytes,
                    bool push) {
      isa::LoadCmd l;
      l.buf = uint32_t(buf);
      l.dram_addr = dram;
      l.x_len = elems;
      l.y_len = l.z_len = 1;
      l.y_stride = l.z_stride = elems * elem_bytes;
      l.deps.push_next = push;
      return l.encode();
    };
    isa::ConvCmd cv;
    cv.deps.pop_prev = true;
    cv.deps.push_next = true;
    cv.act_signed = cv.wgt_signed = 1;
    cv.in_h = cv.out_h = 1;
    cv.in_w = cv.out_w = pixels;
    cv.kh = cv.kw = cv.stride_h = cv.stride_w = cv.dil_h = cv.dil_w = 1;
    cv.cg = 1;
    cv.obuf_stride = 1;
    cv.act_zp = act_zp;
    cv.clamp_min = 0x80;
    cv.clamp_max = 0x7F;
    isa::StoreCmd st;
    st.deps.pop_prev = true;
    st.buf = uint32_t(isa::StoreBuf::kAcc);
    st.dram_addr = out_addr;
    st.x_len = pixels;
    st.y_len = st.z_len = 1;
    st.y_stride = st.z_stride = pixels * 4 * n;
    const std::vector<isa::Command> cmds{
        load(isa::LoadBuf::kAbuf, a_addr, pixels, n, false),
        load(isa::LoadBuf::kWbuf, w_addr, n, n, false),
        load(isa::LoadBuf::kPbuf, p_addr, 3, 4 * n, true),
        cv.encode(),
        st.encode(),
        isa::FinishCmd{}.encode()};
    put_cmds(dev, cmd, cmds);
    return unsigned(cmds.size());
  }

  std::vector<int32_t> result(Device& dev) const {
    std::vector<int32_t> out(pixels * n);
    dev.read(out_addr, out.data(), out.size() * 4);
    return out;
  }
};

TEST(RtlDevice, ConvGemmMatchesReferenceOnEveryBuiltSize) {
  for (unsigned dim : RtlDevice::built_array_dims()) {
    SCOPED_TRACE("array " + std::to_string(dim));
    auto dev = RtlDevice::create(dim, small_options());
    GemmCase gc(dim, 40, dev->mem_base(), 11 + dim);
    const unsigned ncmd = gc.write_program(*dev);
    const RunResult r = dev->run(gc.cmd, ncmd, kTimeout);
    ASSERT_TRUE(r.ok()) << r.describe();
    EXPECT_EQ(gc.result(*dev), gc.reference());
    EXPECT_EQ(r.counter(isa::Counter::kCmdsRetired), ncmd);
    EXPECT_EQ(r.counter(isa::Counter::kMacActive), gc.pixels);  // kh*kw*cg*out_h*out_w
    EXPECT_EQ(r.counter(isa::Counter::kDmaRdBytes), (gc.pixels + dim) * dim + 3 * 4 * dim);
    EXPECT_EQ(r.counter(isa::Counter::kDmaWrBytes), gc.pixels * 4 * dim);
    print_speed("1x1 CONV", *dev);
  }
}

TEST(RtlDevice, MemoryStallsDoNotChangeResults) {
  const unsigned dim = RtlDevice::built_array_dims()[0];
  std::vector<int32_t> results[2];
  uint64_t cycles[2] = {0, 0};
  for (int stalls = 0; stalls < 2; ++stalls) {
    SimOptions o = small_options();
    if (stalls) {
      o.axi.seed = 1234;
      o.axi.ready_stall_prob = 0.3;
      o.axi.resp_delay_prob = 0.3;
      o.axi.max_extra_latency = 40;
      o.axi.bytes_per_cycle = 6;
    }
    auto dev = RtlDevice::create(dim, o);
    GemmCase gc(dim, 200, dev->mem_base(), 99);
    const unsigned ncmd = gc.write_program(*dev);
    const RunResult r = dev->run(gc.cmd, ncmd, kTimeout);
    ASSERT_TRUE(r.ok()) << r.describe();
    results[stalls] = gc.result(*dev);
    EXPECT_EQ(results[stalls], gc.reference());
    cycles[stalls] = r.counter(isa::Counter::kCycles);
    if (stalls) {
      EXPECT_GT(dev->harness().mem().stats().ready_stalls, 0u);
      EXPECT_GT(dev->harness().mem().stats().resp_delays, 0u);
    }
    print_speed(stalls ? "GEMM with memory stalls" : "GEMM without stalls", *dev);
  }
  EXPECT_EQ(results[0], results[1]);
  EXPECT_GT(cycles[1], cycles[0]);
}

TEST(RtlDevice, InjectedReadErrorIsAxiResp) {
  const unsigned dim = RtlDevice::built_array_dims()[0];
  for (int where = 0; where < 2; ++where) {
    SCOPED_TRACE(where == 0 ? "error on the weight LOAD" : "error on the command fetch");
    SimOptions o = small_options();
    GemmCase probe(dim, 8, o.mem_base, 5);
    o.axi.inject_base = where == 0 ? probe.w_addr + 16 : probe.cmd + 4 * isa::kCmdBytes;
    o.axi.inject_size = 1;
    o.axi.inject_resp = where == 0 ? AxiResp::kSlvErr : AxiResp::kDecErr;
    auto dev = RtlDevice::create(dim, o);
    GemmCase gc(dim, 8, dev->mem_base(), 5);
    const unsigned ncmd = gc.write_program(*dev);
    const RunResult r = dev->run(gc.cmd, ncmd, kTimeout);
    EXPECT_FALSE(r.done);
    EXPECT_EQ(r.error, isa::Error::kAxiResp) << r.describe();
    EXPECT_EQ(r.err_info, where == 0 ? 1u : 4u);
  }
}

TEST(RtlDevice, FstTrace) {
  const unsigned dim = RtlDevice::built_array_dims()[0];
  if (!Harness::trace_supported(dim)) GTEST_SKIP() << "no traced model (TESSERA_SIM_FST_DIMS)";
  {  // the fast model refuses to trace
    DramImage img(0x10000000, 4096);
    auto h = Harness::create(dim, img);
    EXPECT_THROW(h->trace_open("never.fst"), std::runtime_error);
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("tessera_harness_test_" + std::to_string(::getpid()) + ".fst");
  {
    SimOptions o = small_options();
    o.fst_path = path.string();
    auto dev = RtlDevice::create(dim, o);
    EXPECT_TRUE(dev->harness().tracing());
    put_cmds(*dev, dev->mem_base(), {isa::FinishCmd{}.encode()});
    EXPECT_TRUE(dev->run(dev->mem_base(), 1, kTimeout).ok());
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  std::filesystem::remove(path);
}

// Simulated cycles per second with the accelerator busy (>= 200k required at 16x16). Printed, not
// asserted: the figure depends on the machine and its load.
TEST(RtlDevice, SimulationSpeed) {
  for (unsigned dim : RtlDevice::built_array_dims()) {
    auto dev = RtlDevice::create(dim, small_options());
    GemmCase gc(dim, 1000, dev->mem_base(), 3);
    const unsigned ncmd = gc.write_program(*dev);
    uint64_t cycles = 0;
    double wall = 0, cpu = 0;
    for (int rep = 0; rep < 8; ++rep) {
      const RunResult r = dev->run(gc.cmd, ncmd, kTimeout);
      ASSERT_TRUE(r.ok()) << r.describe();
      cycles += dev->last_run_cycles();
      wall += dev->last_run_seconds();
      cpu += dev->last_run_cpu_seconds();
    }
    EXPECT_EQ(gc.result(*dev), gc.reference());
    std::printf("[ speed    ] 8 x GEMM 1000x%ux%u on %s: %llu cycles, %.0f cycles/s wall, %.0f per "
                "CPU second\n",
                dim, dim, dev->name().c_str(), static_cast<unsigned long long>(cycles),
                cycles / wall, cycles / cpu);
    // Idle stepping: harness + memory model + an idle design.
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_seconds();
    dev->harness().step(100000);
    const double idle_cpu = thread_cpu_seconds() - cpu0;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ speed    ] idle on %s: %.0f cycles/s wall, %.0f per CPU second\n",
                dev->name().c_str(), 100000 / s, 100000 / idle_cpu);
  }
}

}  // namespace
}  // namespace tessera::sim
