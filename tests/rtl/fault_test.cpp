// Faults through the whole accelerator: each bad command stream must stop the RTL with the
// error code and command index docs/isa.md specifies (the same as the instruction-level model),
// raise the interrupt instead of hanging, and leave the accelerator ready for the next run.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tessera/isa_device.hpp"
#include "tessera/rtl_device.hpp"

namespace tessera {
namespace {

using isa::Error;
constexpr size_t kMemSize = size_t(1) << 20;
constexpr uint32_t kCmdOffset = 0x1000;   // commands live here inside the window
constexpr uint32_t kDataOffset = 0x8000;  // data buffers from here

isa::Command finish() { return isa::FinishCmd{}.encode(); }

isa::Command load(uint32_t dram_addr, uint32_t elems, unsigned buf = 0) {
  isa::LoadCmd c;
  c.buf = buf;
  c.dram_addr = dram_addr;
  c.x_len = elems;
  c.y_len = 1;
  c.z_len = 1;
  return c.encode();
}

isa::Command store(uint32_t dram_addr, uint32_t elems) {
  isa::StoreCmd c;
  c.dram_addr = dram_addr;
  c.x_len = elems;
  c.y_len = 1;
  c.z_len = 1;
  return c.encode();
}

class Faults : public ::testing::TestWithParam<unsigned> {
 protected:
  std::unique_ptr<RtlDevice> make_rtl(const AxiMemConfig& axi = {}) {
    SimOptions opts;
    opts.mem_size = kMemSize;
    opts.axi = axi;
    return RtlDevice::create(GetParam(), opts);
  }

  static RunResult run(Device& dev, const std::vector<isa::Command>& cmds) {
    const uint32_t at = dev.mem_base() + kCmdOffset;
    for (size_t i = 0; i < cmds.size(); ++i)
      dev.write(at + uint32_t(i * isa::kCmdBytes), cmds[i].data(), isa::kCmdBytes);
    return dev.run(at, uint32_t(cmds.size()), std::chrono::seconds(30));
  }

  /// Runs the stream on the RTL and the golden model; both must report `err` at command `info`.
  void expect_fault(const std::vector<isa::Command>& cmds, Error err, uint32_t info) {
    auto rtl = make_rtl();
    IsaDevice golden(rtl->config(), rtl->mem_base(), kMemSize);
    for (Device* dev : {static_cast<Device*>(rtl.get()), static_cast<Device*>(&golden)}) {
      const RunResult r = run(*dev, cmds);
      EXPECT_FALSE(r.timed_out) << dev->name();
      EXPECT_FALSE(r.done) << dev->name();
      EXPECT_EQ(r.error, err) << dev->name() << ": got " << isa::error_name(r.error);
      EXPECT_EQ(r.err_info, info) << dev->name();
    }
    // The accelerator is idle and usable again.
    const RunResult again = run(*rtl, {finish()});
    EXPECT_TRUE(again.ok()) << again.describe();
  }

  /// The device window starts at SimOptions' default base (also the golden model's).
  static uint32_t base() { return SimOptions{}.mem_base; }
  static uint32_t data() { return base() + kDataOffset; }
};

TEST_P(Faults, IllegalOpcode) {
  isa::Command bad{};
  bad[0] = 9;  // opcode 9 does not exist
  expect_fault({load(data(), 4), bad, finish()}, Error::kIllegalOpcode, 1);
  expect_fault({isa::Command{}}, Error::kIllegalOpcode, 0);  // zeroed memory
}

TEST_P(Faults, IllegalFields) {
  isa::LoadCmd zero_len;
  zero_len.dram_addr = data();
  zero_len.x_len = 0;
  zero_len.y_len = 1;
  zero_len.z_len = 1;
  expect_fault({zero_len.encode(), finish()}, Error::kIllegalField, 0);
  isa::LoadCmd pop_prev = isa::LoadCmd::decode(load(data(), 1));
  pop_prev.deps.pop_prev = true;  // the load unit has no previous stage
  expect_fault({pop_prev.encode(), finish()}, Error::kIllegalField, 0);
}

TEST_P(Faults, MisalignedAndOutOfWindow) {
  expect_fault({load(data() + 1, 1), finish()}, Error::kMisaligned, 0);
  // PBUF elements are 4N bytes: N bytes off is aligned for ABUF's N-byte elements, not for them.
  const uint32_t n = GetParam();
  expect_fault({load(data() + n, 1, unsigned(isa::LoadBuf::kPbuf)), finish()},
               Error::kMisaligned, 0);
  expect_fault({load(base() - 256, 1), finish()}, Error::kAddrWindow, 0);
  expect_fault({store(base() + uint32_t(kMemSize) - 16, 64), finish()},
               Error::kAddrWindow, 0);
}

TEST_P(Faults, SramRange) {
  auto probe = make_rtl();
  isa::LoadCmd c = isa::LoadCmd::decode(load(data(), 2));
  c.sram_addr = probe->config().abuf_words - 1;  // the second element falls off the end
  expect_fault({c.encode(), finish()}, Error::kSramRange, 0);
}

TEST_P(Faults, DeadlockAndOverrun) {
  // A CONV that waits for a token no LOAD ever pushes.
  isa::ConvCmd conv;
  conv.deps.pop_prev = true;
  conv.in_h = conv.in_w = conv.out_h = conv.out_w = 1;
  conv.kh = conv.kw = conv.stride_h = conv.stride_w = conv.dil_h = conv.dil_w = 1;
  conv.cg = conv.obuf_stride = 1;
  expect_fault({conv.encode(), finish()}, Error::kDeadlock, 0);
  expect_fault({load(data(), 1), load(data(), 1)}, Error::kCmdOverrun, 2);
}

TEST_P(Faults, AxiErrorResponses) {
  AxiMemConfig axi;
  axi.inject_size = 256;
  {  // on a LOAD's read
    axi.inject_base = data();
    auto rtl = make_rtl(axi);
    const RunResult r = run(*rtl, {load(data(), 4), load(data(), 4), finish()});
    EXPECT_EQ(r.error, Error::kAxiResp);
    EXPECT_EQ(r.err_info, 0u);
    EXPECT_TRUE(run(*rtl, {finish()}).ok());
  }
  {  // on a STORE's write
    axi.inject_base = data() + 0x1000;
    auto rtl = make_rtl(axi);
    const RunResult r = run(*rtl, {load(data(), 4), store(data() + 0x1000, 4), finish()});
    EXPECT_EQ(r.error, Error::kAxiResp);
    EXPECT_EQ(r.err_info, 1u);
  }
  {  // on the command fetch itself
    axi.inject_base = base() + kCmdOffset + 2 * isa::kCmdBytes;
    auto rtl = make_rtl(axi);
    const RunResult r = run(*rtl, {load(data(), 4), load(data(), 4), finish()});
    EXPECT_EQ(r.error, Error::kAxiResp);
    EXPECT_EQ(r.err_info, 2u);
  }
}

INSTANTIATE_TEST_SUITE_P(Rtl, Faults, ::testing::ValuesIn(RtlDevice::built_array_dims()),
                         [](const ::testing::TestParamInfo<unsigned>& info) {
                           return "dim" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace tessera
