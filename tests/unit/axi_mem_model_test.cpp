// AxiMemModel against a behavioural AXI4 master written here and a plain byte-array reference.
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <random>
#include <vector>

#include "tessera/axi_mem_model.hpp"

namespace tessera::sim {
namespace {

constexpr uint32_t kBase = 0x10000000;
constexpr size_t kSize = 64 * 1024;

struct Beat {
  uint64_t cycle;
  std::vector<uint8_t> data;
  uint8_t resp;
  bool last;
};

// Keeps VALID and payload stable until the handshake, like a conforming master.
class TestMaster {
 public:
  struct Burst {
    uint64_t addr;
    unsigned beats;
  };
  struct WBeat {
    std::vector<uint8_t> data;
    uint64_t strb;
    bool last;
  };

  TestMaster(AxiMemModel& mem, uint64_t seed = 0, double ready_prob = 1.0)
      : mem_(mem), db_(mem.config().data_bytes), rng_(seed), ready_prob_(ready_prob) {}

  void read(uint64_t addr, unsigned beats) { ar_.push_back({addr, beats}); }
  void write(uint64_t addr, const std::vector<uint8_t>& bytes, std::vector<uint64_t> strbs = {}) {
    const unsigned beats = unsigned(bytes.size() / db_);
    aw_.push_back({addr, beats});
    for (unsigned i = 0; i < beats; ++i) {
      WBeat b;
      b.data.assign(bytes.begin() + i * db_, bytes.begin() + (i + 1) * db_);
      b.strb = strbs.empty() ? ~uint64_t(0) >> (64 - db_) : strbs[i];
      b.last = i + 1 == beats;
      w_.push_back(b);
    }
  }

  void tick() {
    AxiMasterPins m;
    if (!ar_.empty()) {
      m.arvalid = true;
      m.araddr = ar_.front().addr;
      m.arlen = uint8_t(ar_.front().beats - 1);
      m.arsize = uint8_t(log2(db_));
      m.arburst = 1;
    }
    if (!aw_.empty()) {
      m.awvalid = true;
      m.awaddr = aw_.front().addr;
      m.awlen = uint8_t(aw_.front().beats - 1);
      m.awsize = uint8_t(log2(db_));
      m.awburst = 1;
    }
    if (!w_.empty()) {
      m.wvalid = true;
      std::memcpy(m.wdata.data(), w_.front().data.data(), db_);
      m.wstrb = w_.front().strb;
      m.wlast = w_.front().last;
    }
    m.rready = coin();
    m.bready = coin();
    const AxiSlavePins& s = mem_.outputs();
    if (s.rvalid && m.rready) {
      Beat b{cycle_, std::vector<uint8_t>(db_), s.rresp, s.rlast};
      std::memcpy(b.data.data(), s.rdata.data(), db_);
      r_.push_back(b);
    }
    if (s.bvalid && m.bready) b_.push_back({cycle_, s.bresp});
    const bool ar_fire = m.arvalid && s.arready, aw_fire = m.awvalid && s.awready,
               w_fire = m.wvalid && s.wready;
    if (ar_fire) ar_cycles_.push_back(cycle_);
    mem_.tick(m);
    if (ar_fire) ar_.pop_front();
    if (aw_fire) aw_.pop_front();
    if (w_fire) w_.pop_front();
    ++cycle_;
  }
  void run(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) tick();
  }
  // Ticks until every request is answered (reads: expected beats, writes: expected B).
  uint64_t run_until(size_t r_beats, size_t b_count, uint64_t limit = 1000000) {
    while ((r_.size() < r_beats || b_.size() < b_count) && cycle_ < limit) tick();
    return cycle_;
  }

  std::vector<Beat> r_;
  std::vector<std::pair<uint64_t, uint8_t>> b_;
  std::vector<uint64_t> ar_cycles_;

 private:
  static unsigned log2(unsigned v) {
    unsigned l = 0;
    while ((1u << l) < v) ++l;
    return l;
  }
  bool coin() { return ready_prob_ >= 1.0 || std::bernoulli_distribution(ready_prob_)(rng_); }

  AxiMemModel& mem_;
  unsigned db_;
  std::mt19937_64 rng_;
  double ready_prob_;
  uint64_t cycle_ = 0;
  std::deque<Burst> ar_, aw_;
  std::deque<WBeat> w_;
};

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  std::mt19937 g(seed);
  for (auto& b : v) b = uint8_t(g());
  return v;
}

TEST(AxiMemModel, ReadLatencyDataAndBackToBackBeats) {
  DramImage img(kBase, kSize);
  const auto ref = pattern(kSize, 1);
  img.bytes() = ref;
  AxiMemConfig cfg;
  cfg.read_latency = 37;
  AxiMemModel mem(img, cfg);
  TestMaster tm(mem);
  tm.read(kBase + 0x100, 4);
  tm.run_until(4, 0);
  ASSERT_EQ(tm.r_.size(), 4u);
  ASSERT_EQ(tm.ar_cycles_.size(), 1u);
  EXPECT_EQ(tm.r_[0].cycle - tm.ar_cycles_[0], 37u);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(tm.r_[i].cycle, tm.r_[0].cycle + i) << "full bandwidth: one beat per cycle";
    EXPECT_EQ(tm.r_[i].resp, 0);
    EXPECT_EQ(tm.r_[i].last, i == 3);
    EXPECT_EQ(0, std::memcmp(tm.r_[i].data.data(), &ref[0x100 + 16 * i], 16)) << "beat " << i;
  }
  EXPECT_TRUE(mem.idle());
  EXPECT_EQ(mem.stats().read_beats, 4u);
}

TEST(AxiMemModel, WriteStrobesLatencyAndResponse) {
  DramImage img(kBase, kSize);
  std::vector<uint8_t> ref(kSize, 0xEE);
  img.bytes() = ref;
  AxiMemConfig cfg;
  cfg.write_latency = 10;
  AxiMemModel mem(img, cfg);
  TestMaster tm(mem);
  const auto data = pattern(64, 2);
  const std::vector<uint64_t> strbs{0xFFFF, 0x00F0, 0x8001, 0x0000};
  tm.write(kBase + 0x200, data, strbs);
  tm.run_until(0, 1);
  ASSERT_EQ(tm.b_.size(), 1u);
  EXPECT_EQ(tm.b_[0].second, 0);
  for (unsigned beat = 0; beat < 4; ++beat)
    for (unsigned k = 0; k < 16; ++k)
      if ((strbs[beat] >> k) & 1) ref[0x200 + beat * 16 + k] = data[beat * 16 + k];
  EXPECT_EQ(img.bytes(), ref);
  // AW at cycle 0, W beats at cycles 1..4 (WREADY rises the cycle after AW), B 10 cycles later.
  EXPECT_EQ(tm.b_[0].first, 4u + 10u);
}

TEST(AxiMemModel, BandwidthLimitSpacesBeats) {
  DramImage img(kBase, kSize);
  AxiMemConfig cfg;
  cfg.read_latency = 5;
  cfg.bytes_per_cycle = 4;  // a 16-byte beat every 4 cycles
  AxiMemModel mem(img, cfg);
  TestMaster tm(mem);
  tm.read(kBase, 16);
  tm.run_until(16, 0);
  ASSERT_EQ(tm.r_.size(), 16u);
  const uint64_t span = tm.r_.back().cycle - tm.r_.front().cycle;
  EXPECT_EQ(span, 15u * 4u);
}

TEST(AxiMemModel, OutstandingBurstsInOrderAndArreadyLimit) {
  DramImage img(kBase, kSize);
  const auto ref = pattern(kSize, 3);
  img.bytes() = ref;
  AxiMemConfig cfg;
  cfg.read_latency = 50;
  cfg.max_reads = 4;
  AxiMemModel mem(img, cfg);
  TestMaster tm(mem);
  for (unsigned i = 0; i < 6; ++i) tm.read(kBase + 0x1000 * i, 2);
  tm.run_until(12, 0);
  ASSERT_EQ(tm.ar_cycles_.size(), 6u);
  for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(tm.ar_cycles_[i], i) << "four accepted back to back";
  EXPECT_GT(tm.ar_cycles_[4], 50u) << "the fifth waits until a burst completes";
  EXPECT_EQ(mem.stats().max_reads_in_flight, 4u);
  ASSERT_EQ(tm.r_.size(), 12u);
  for (unsigned i = 0; i < 12; ++i)
    EXPECT_EQ(0, std::memcmp(tm.r_[i].data.data(), &ref[0x1000 * (i / 2) + 16 * (i % 2)], 16));
}

TEST(AxiMemModel, DecerrOutsideImageAndInjectedErrors) {
  constexpr size_t kEnd = kSize - 0x800;  // image ends in the middle of a 4 KB page
  DramImage img(kBase, kEnd);
  std::vector<uint8_t> ref(kEnd, 0x11);
  img.bytes() = ref;
  AxiMemConfig cfg;
  cfg.read_latency = 3;
  cfg.write_latency = 3;
  cfg.inject_base = kBase + 0x420;
  cfg.inject_size = 1;
  cfg.inject_resp = AxiResp::kSlvErr;
  AxiMemModel mem(img, cfg);
  TestMaster tm(mem);
  tm.read(kBase + kEnd - 32, 4);  // two beats inside, two beyond the image
  tm.read(kBase + 0x400, 4);       // beat 2 touches the injected byte
  tm.write(kBase + 0x400, std::vector<uint8_t>(64, 0x77));  // beat 2 is not written
  tm.write(kBase - 0x1000, std::vector<uint8_t>(16, 0x55));  // below the image
  tm.run_until(8, 2);
  ASSERT_EQ(tm.r_.size(), 8u);
  const uint8_t expect_r[8] = {0, 0, 3, 3, 0, 0, 2, 0};
  for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(tm.r_[i].resp, expect_r[i]) << "beat " << i;
  EXPECT_EQ(tm.r_[3].data, std::vector<uint8_t>(16, 0)) << "DECERR beats read as zero";
  ASSERT_EQ(tm.b_.size(), 2u);
  EXPECT_EQ(tm.b_[0].second, uint8_t(AxiResp::kSlvErr));
  EXPECT_EQ(tm.b_[1].second, uint8_t(AxiResp::kDecErr));
  for (unsigned i = 0; i < 64; ++i)
    if (i / 16 != 2) ref[0x400 + i] = 0x77;
  EXPECT_EQ(img.bytes(), ref);
  EXPECT_EQ(mem.stats().read_errors, 3u);
  EXPECT_EQ(mem.stats().write_errors, 2u);
}

// Drives one AR/AW with the given payload and expects a protocol error mentioning `msg`.
void expect_violation(const AxiMasterPins& m, const std::string& msg) {
  DramImage img(kBase, kSize);
  AxiMemModel mem(img, AxiMemConfig{});
  try {
    mem.tick(m);
    AxiMasterPins idle;
    mem.tick(idle);
    ADD_FAILURE() << "no violation, expected: " << msg;
  } catch (const AxiProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
  }
}

TEST(AxiMemModel, ProtocolChecks) {
  AxiMasterPins m;
  m.arvalid = true;
  m.araddr = kBase + 0xF00;
  m.arlen = 16;  // 17 beats * 16 B from 0xF00 ends at 0x1010
  m.arsize = 4;
  m.arburst = 1;
  expect_violation(m, "crosses a 4 KB boundary");
  m.arlen = 15;  // ends exactly at 0x1000: legal
  {
    DramImage img(kBase, kSize);
    AxiMemModel mem(img, AxiMemConfig{});
    EXPECT_NO_THROW(mem.tick(m));
  }
  m.arsize = 2;
  expect_violation(m, "is not the full data width");
  m.arsize = 4;
  m.arburst = 2;
  expect_violation(m, "only INCR");
  m.arburst = 1;
  m.araddr = kBase + 4;
  expect_violation(m, "not aligned");

  AxiMasterPins w;
  w.awvalid = true;
  w.awaddr = kBase;
  w.awlen = 1;
  w.awsize = 4;
  w.awburst = 1;
  w.wvalid = true;
  w.wstrb = 0xFFFF;
  w.wlast = true;  // beat 0 of 2
  DramImage img(kBase, kSize);
  AxiMemModel mem(img, AxiMemConfig{});
  mem.tick(w);  // AW accepted; WREADY not yet high
  try {
    mem.tick(w);
    FAIL() << "WLAST on the first beat not detected";
  } catch (const AxiProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("WLAST set on beat 0"), std::string::npos) << e.what();
  }
}

TEST(AxiMemModel, ValidMustBeHeldUntilReady) {
  DramImage img(kBase, kSize);
  AxiMemConfig cfg;
  cfg.max_reads = 1;
  cfg.read_latency = 20;
  AxiMemModel mem(img, cfg);
  AxiMasterPins m;
  m.arvalid = true;
  m.araddr = kBase;
  m.arsize = 4;
  m.arburst = 1;
  mem.tick(m);  // accepted; the queue is now full
  EXPECT_FALSE(mem.outputs().arready);
  m.araddr = kBase + 0x40;
  mem.tick(m);  // waits
  m.araddr = kBase + 0x80;
  EXPECT_THROW(mem.tick(m), AxiProtocolError);
}

// Random traffic with back-pressure on both sides; the image must match a byte-array reference
// and read data must match the (unchanging) read region. Same seed -> same timing.
uint64_t random_traffic(uint64_t seed, double stall, AxiMemStats* stats) {
  DramImage img(kBase, kSize);
  const auto init = pattern(kSize, 9);
  img.bytes() = init;
  std::vector<uint8_t> ref = init;
  AxiMemConfig cfg;
  cfg.read_latency = 20;
  cfg.write_latency = 15;
  cfg.seed = seed;
  cfg.ready_stall_prob = stall;
  cfg.resp_delay_prob = stall;
  cfg.max_extra_latency = stall > 0 ? 30 : 0;
  AxiMemModel mem(img, cfg);
  TestMaster tm(mem, 7, stall > 0 ? 0.7 : 1.0);
  std::mt19937 g(5);
  size_t want_r = 0;
  std::vector<uint64_t> read_addrs;
  for (int i = 0; i < 200; ++i) {
    // Writes in the lower half, reads in the upper half.
    const unsigned beats = 1 + g() % 16;
    const uint64_t waddr = kBase + (g() % (kSize / 2 / 4096)) * 4096 + 16 * (g() % (256 - beats));
    const auto data = pattern(16 * beats, g());
    std::vector<uint64_t> strbs(beats);
    for (auto& s : strbs) s = g() & 0xFFFF;
    tm.write(waddr, data, strbs);
    for (unsigned b = 0; b < beats; ++b)
      for (unsigned k = 0; k < 16; ++k)
        if ((strbs[b] >> k) & 1) ref[waddr - kBase + 16 * b + k] = data[16 * b + k];
    const uint64_t raddr = kBase + kSize / 2 + (g() % (kSize / 2 / 4096)) * 4096 + 16 * (g() % 240);
    tm.read(raddr, 16);
    for (unsigned b = 0; b < 16; ++b) read_addrs.push_back(raddr + 16 * b);
    want_r += 16;
  }
  const uint64_t cycles = tm.run_until(want_r, 200);
  EXPECT_EQ(tm.r_.size(), want_r);
  EXPECT_EQ(tm.b_.size(), 200u);
  EXPECT_EQ(img.bytes(), ref);
  for (size_t i = 0; i < tm.r_.size(); ++i)
    EXPECT_EQ(0, std::memcmp(tm.r_[i].data.data(), &init[read_addrs[i] - kBase], 16)) << i;
  *stats = mem.stats();
  return cycles;
}

TEST(AxiMemModel, RandomTrafficWithAndWithoutStalls) {
  AxiMemStats s0, s1, s2, s3;
  const uint64_t c0 = random_traffic(1, 0.0, &s0);
  const uint64_t c1 = random_traffic(1, 0.3, &s1);
  const uint64_t c2 = random_traffic(1, 0.3, &s2);
  const uint64_t c3 = random_traffic(2, 0.3, &s3);
  EXPECT_EQ(s0.ready_stalls, 0u);
  EXPECT_GT(s1.ready_stalls, 100u);
  EXPECT_GT(s1.resp_delays, 100u);
  EXPECT_GT(c1, c0) << "stalls slow the traffic down";
  EXPECT_EQ(c1, c2) << "same seed, same timing";
  EXPECT_NE(c1, c3) << "another seed, other timing";
}

TEST(AxiMemModel, ConfigValidation) {
  DramImage img(kBase, kSize);
  AxiMemConfig bad;
  bad.data_bytes = 12;
  EXPECT_THROW(AxiMemModel(img, bad), std::invalid_argument);
  AxiMemConfig never;
  never.ready_stall_prob = 1.0;
  EXPECT_THROW(AxiMemModel(img, never), std::invalid_argument);
}

}  // namespace
}  // namespace tessera::sim
