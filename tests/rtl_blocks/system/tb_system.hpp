// Test harness for the Tessera system blocks: a seeded PRNG, an AXI4 slave memory model with
// random stalls, latency, error injection and protocol checks, and an AXI4-Lite master, driving any
// verilated tessera_top configuration (the model type is a template parameter).
#pragma once

#include <verilated.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/isa_gen.hpp"

namespace systb {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 0x1234567) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  uint32_t below(uint32_t n) { return n ? uint32_t(next() % n) : 0; }
  uint32_t range(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
  bool chance(unsigned percent) { return below(100) < percent; }
  uint32_t u32() { return uint32_t(next() >> 32); }

 private:
  uint64_t s_;
};

// Little-endian byte access to a port of any width.
template <class P>
inline std::enable_if_t<std::is_integral<P>::value> put_bytes(P& p, const uint8_t* src, unsigned n) {
  uint64_t x = 0;
  for (unsigned i = 0; i < n && i < 8; ++i) x |= uint64_t(src[i]) << (8 * i);
  p = P(x);
}
template <std::size_t W>
inline void put_bytes(VlWide<W>& p, const uint8_t* src, unsigned n) {
  for (unsigned w = 0; w < W; ++w) {
    uint32_t x = 0;
    for (unsigned b = 0; b < 4 && 4 * w + b < n; ++b) x |= uint32_t(src[4 * w + b]) << (8 * b);
    p[w] = x;
  }
}
template <class P>
inline std::enable_if_t<std::is_integral<P>::value> get_bytes(const P& p, uint8_t* dst, unsigned n) {
  const uint64_t x = uint64_t(p);
  for (unsigned i = 0; i < n && i < 8; ++i) dst[i] = uint8_t(x >> (8 * i));
}
template <std::size_t W>
inline void get_bytes(const VlWide<W>& p, uint8_t* dst, unsigned n) {
  for (unsigned i = 0; i < n && i < 4 * W; ++i) dst[i] = uint8_t(p[i / 4] >> (8 * (i % 4)));
}

struct Stalls {
  unsigned ar = 70, r = 75, aw = 70, w = 75, b = 80;  // percent chance of ready / valid per cycle
  unsigned latency = 100;                            // cycles from AR / last W to first R / B
};

// What the memory model saw (to confirm the random tests reach the burst-splitting corner cases).
struct BusStats {
  uint64_t ar = 0, aw = 0, ar_to_4k = 0, aw_to_4k = 0, partial_w = 0;
  unsigned max_arlen = 0, max_awlen = 0;
};

struct RunResult {
  uint32_t status = 0, err_code = 0, err_info = 0, irq_status = 0;
  bool irq = false, timed_out = false;
  uint64_t cycles = 0;
  bool done() const { return (status & 7u) == 2u; }
  bool error() const { return (status & 7u) == 4u; }
};

// Memory image and AXI slave. All addresses are absolute byte addresses.
template <class V>
class Sys {
 public:
  static constexpr uint32_t kMemBase = 0x10000000u;
  static constexpr uint32_t kMemSize = 4u << 20;

  Sys(uint64_t seed, unsigned beat_bytes, Stalls st = Stalls{})
      : rng_(seed), st_(st), beat_(beat_bytes) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(2);
    ctx_->randSeed(int(seed % 1000) + 1);
    top_ = std::make_unique<V>(ctx_.get());
    mem.resize(kMemSize);
    for (auto& b : mem) b = uint8_t(rng_.u32());
    top_->rst_ni = 0;
    idle_inputs();
    for (int i = 0; i < 5; ++i) step();
    top_->rst_ni = 1;
    step();
  }
  ~Sys() { top_->final(); }

  V& top() { return *top_; }
  Rng& rng() { return rng_; }
  Stalls& stalls() { return st_; }
  uint64_t cycle() const { return cycle_; }
  const std::vector<std::string>& errors() const { return errors_; }
  unsigned beat() const { return beat_; }
  const BusStats& stats() const { return stats_; }

  // Byte ranges that answer SLVERR.
  struct Range { uint64_t lo, hi; };
  std::vector<Range> rd_err, wr_err;
  // Window for the protocol checker ([lo, hi) of bytes the DUT may touch).
  uint64_t win_lo = kMemBase, win_hi = uint64_t(kMemBase) + kMemSize;
  std::vector<uint8_t> mem;

  uint8_t* at(uint32_t addr) { return &mem[addr - kMemBase]; }

  // ---- one clock cycle ----------------------------------------------------------------------
  void step() {
    drive();
    top_->clk_i = 0;
    top_->eval();
    sample();
    top_->clk_i = 1;
    top_->eval();
    ++cycle_;
  }

  // ---- AXI4-Lite master ---------------------------------------------------------------------
  void write(uint32_t addr, uint32_t data, uint32_t strb = 0xf, int order = -1) {
    if (order < 0) order = int(rng_.below(3));  // 0 together, 1 AW first, 2 W first
    unsigned d_aw = 0, d_w = 0;
    if (order == 1) d_w = rng_.range(1, 4);
    if (order == 2) d_aw = rng_.range(1, 4);
    bool aw_done = false, w_done = false, b_done = false;
    const uint64_t t0 = cycle_;
    while (!b_done) {
      lite_.awvalid = !aw_done && cycle_ >= t0 + d_aw;
      lite_.wvalid = !w_done && cycle_ >= t0 + d_w;
      lite_.awaddr = addr;
      lite_.wdata = data;
      lite_.wstrb = strb;
      lite_.bready = rng_.chance(60);
      step();
      aw_done |= lite_.aw_fire;
      w_done |= lite_.w_fire;
      if (lite_.b_fire) {
        b_done = true;
        if (!(aw_done && w_done)) err("B before AW and W were both accepted");
        if (lite_.bresp != 0) err("AXI-Lite BRESP " + std::to_string(lite_.bresp));
      }
      if (cycle_ - t0 > 100) { err("AXI-Lite write hung"); break; }
    }
    lite_ = Lite{};
  }

  uint32_t read(uint32_t addr) {
    bool ar_done = false;
    uint32_t v = 0;
    const uint64_t t0 = cycle_;
    for (;;) {
      lite_.arvalid = !ar_done;
      lite_.araddr = addr;
      lite_.rready = ar_done && rng_.chance(60);
      step();
      ar_done |= lite_.ar_fire;
      if (lite_.r_fire) {
        v = lite_.rdata;
        if (lite_.rresp != 0) err("AXI-Lite RRESP");
        break;
      }
      if (cycle_ - t0 > 100) { err("AXI-Lite read hung"); break; }
    }
    lite_ = Lite{};
    return v;
  }

  uint64_t counter(tessera::isa::Counter c) {
    const uint32_t off = tessera::isa::kCounters[size_t(c)].offset;
    const uint64_t lo = read(off);
    return lo | (uint64_t(read(off + 4)) << 32);
  }

  // ---- one command-stream run ---------------------------------------------------------------
  void put_cmds(uint32_t addr, const std::vector<tessera::isa::Command>& cmds) {
    for (size_t i = 0; i < cmds.size(); ++i)
      for (unsigned w = 0; w < 8; ++w) std::memcpy(at(addr + 32 * i + 4 * w), &cmds[i][w], 4);
  }

  RunResult run(uint32_t cmd_base, uint32_t count, uint32_t wbase, uint32_t wsize,
                uint64_t max_cycles = 2000000) {
    namespace r = tessera::isa::reg;
    win_lo = wbase;
    win_hi = uint64_t(wbase) + wsize;
    write(r::kCmdBase, cmd_base);
    write(r::kCmdCount, count);
    write(r::kWindowBase, wbase);
    write(r::kWindowSize, wsize);
    write(r::kIrqEnable, 3);
    write(r::kIrqStatus, 3);  // clear anything left over
    const uint64_t t0 = cycle_;
    write(r::kCtrl, 1);
    RunResult res;
    while (!top_->irq_o) {
      step();
      if (cycle_ - t0 > max_cycles) { res.timed_out = true; break; }
    }
    res.cycles = cycle_ - t0;
    res.irq = top_->irq_o;
    for (int i = 0; i < 3; ++i) step();
    res.status = read(r::kStatus);
    res.err_code = read(r::kErrCode);
    res.err_info = read(r::kErrInfo);
    res.irq_status = read(r::kIrqStatus);
    // Nothing may still be in flight once the accelerator reports idle.
    if (!rq_.empty() || !awq_.empty() || !wq_.empty() || !bq_.empty())
      err("AXI transactions outstanding after the run ended");
    return res;
  }

  void err(const std::string& s) {
    if (errors_.size() < 20) errors_.push_back("cycle " + std::to_string(cycle_) + ": " + s);
  }

 private:
  struct Lite {
    bool awvalid = false, wvalid = false, bready = false, arvalid = false, rready = false;
    uint32_t awaddr = 0, wdata = 0, wstrb = 0, araddr = 0;
    bool aw_fire = false, w_fire = false, b_fire = false, ar_fire = false, r_fire = false;
    uint32_t bresp = 0, rresp = 0, rdata = 0;
  };
  struct Burst {
    uint64_t addr;
    unsigned len;
    uint64_t ready_at;
    bool err;
    unsigned beat;
  };
  struct WBeat {
    std::vector<uint8_t> data;
    uint64_t strb;
    bool last;
  };

  void idle_inputs() {
    auto& t = *top_;
    t.s_axil_awvalid = 0;
    t.s_axil_wvalid = 0;
    t.s_axil_bready = 0;
    t.s_axil_arvalid = 0;
    t.s_axil_rready = 0;
    t.m_axi_arready = 0;
    t.m_axi_rvalid = 0;
    t.m_axi_awready = 0;
    t.m_axi_wready = 0;
    t.m_axi_bvalid = 0;
  }

  bool overlaps(const std::vector<Range>& rs, uint64_t lo, uint64_t hi) const {
    for (const auto& r : rs)
      if (lo < r.hi && r.lo < hi) return true;
    return false;
  }

  void check_burst(const char* ch, uint64_t addr, unsigned len, unsigned size, unsigned burst) {
    unsigned lg = 0;
    while ((1u << lg) < beat_) ++lg;
    std::ostringstream os;
    if (size != lg) os << ch << " size " << size << " != " << lg << "; ";
    if (burst != 1) os << ch << " burst type " << burst << "; ";
    if (addr % beat_) os << ch << " address 0x" << std::hex << addr << " not beat aligned; ";
    if ((addr & 0xfffu) + uint64_t(len + 1) * beat_ > 4096)
      os << ch << " burst at 0x" << std::hex << addr << std::dec << " len " << len
         << " crosses 4 KB; ";
    if (!os.str().empty()) err(os.str());
  }

  void drive() {
    auto& t = *top_;
    t.s_axil_awvalid = lite_.awvalid;
    t.s_axil_awaddr = lite_.awaddr;
    t.s_axil_wvalid = lite_.wvalid;
    t.s_axil_wdata = lite_.wdata;
    t.s_axil_wstrb = lite_.wstrb;
    t.s_axil_bready = lite_.bready;
    t.s_axil_arvalid = lite_.arvalid;
    t.s_axil_araddr = lite_.araddr;
    t.s_axil_rready = lite_.rready;

    t.m_axi_arready = rng_.chance(st_.ar);
    if (!r_show_ && !rq_.empty() && rq_.front().ready_at <= cycle_ && rng_.chance(st_.r))
      r_show_ = true;
    t.m_axi_rvalid = r_show_;
    if (r_show_) {
      Burst& b = rq_.front();
      const uint64_t a = b.addr + uint64_t(b.beat) * beat_;
      std::vector<uint8_t> buf(beat_, 0);
      if (a >= kMemBase && a + beat_ <= uint64_t(kMemBase) + kMemSize)
        std::memcpy(buf.data(), &mem[a - kMemBase], beat_);
      put_bytes(t.m_axi_rdata, buf.data(), beat_);
      t.m_axi_rresp = b.err ? 2 : 0;
      t.m_axi_rlast = (b.beat == b.len);
    }
    t.m_axi_awready = rng_.chance(st_.aw);
    t.m_axi_wready = rng_.chance(st_.w);
    if (!b_show_ && !bq_.empty() && bq_.front().ready_at <= cycle_ && rng_.chance(st_.b))
      b_show_ = true;
    t.m_axi_bvalid = b_show_;
    if (b_show_) t.m_axi_bresp = bq_.front().err ? 2 : 0;
  }

  void sample() {
    auto& t = *top_;
    lite_.aw_fire = t.s_axil_awvalid && t.s_axil_awready;
    lite_.w_fire = t.s_axil_wvalid && t.s_axil_wready;
    lite_.b_fire = t.s_axil_bvalid && t.s_axil_bready;
    lite_.bresp = t.s_axil_bresp;
    lite_.ar_fire = t.s_axil_arvalid && t.s_axil_arready;
    lite_.r_fire = t.s_axil_rvalid && t.s_axil_rready;
    lite_.rresp = t.s_axil_rresp;
    lite_.rdata = t.s_axil_rdata;

    if (!t.rst_ni) return;  // outputs are meaningless before reset
    if (trace_) {
      std::fprintf(stderr, "%6llu ar %d/%d r %d/%d aw %d/%d w %d/%d b %d/%d irq %d\n",
                   (unsigned long long)cycle_, t.m_axi_arvalid, t.m_axi_arready, t.m_axi_rvalid,
                   t.m_axi_rready, t.m_axi_awvalid, t.m_axi_awready, t.m_axi_wvalid,
                   t.m_axi_wready, t.m_axi_bvalid, t.m_axi_bready, t.irq_o);
    }
    // A valid, once raised, holds with a stable payload until its handshake.
    if (ar_hold_ && !(t.m_axi_arvalid && uint64_t(t.m_axi_araddr) == ar_prev_.addr &&
                      unsigned(t.m_axi_arlen) == ar_prev_.len))
      err("AR dropped or changed before its handshake");
    if (aw_hold_ && !(t.m_axi_awvalid && uint64_t(t.m_axi_awaddr) == aw_prev_.addr &&
                      unsigned(t.m_axi_awlen) == aw_prev_.len))
      err("AW dropped or changed before its handshake");
    if (w_hold_) {
      std::vector<uint8_t> d(beat_);
      get_bytes(t.m_axi_wdata, d.data(), beat_);
      if (!t.m_axi_wvalid || d != w_prev_.data || uint64_t(t.m_axi_wstrb) != w_prev_.strb ||
          bool(t.m_axi_wlast) != w_prev_.last)
        err("W dropped or changed before its handshake");
    }
    ar_hold_ = t.m_axi_arvalid && !t.m_axi_arready;
    ar_prev_ = Burst{uint64_t(t.m_axi_araddr), unsigned(t.m_axi_arlen), 0, false, 0};
    aw_hold_ = t.m_axi_awvalid && !t.m_axi_awready;
    aw_prev_ = Burst{uint64_t(t.m_axi_awaddr), unsigned(t.m_axi_awlen), 0, false, 0};
    w_hold_ = t.m_axi_wvalid && !t.m_axi_wready;
    if (w_hold_) {
      w_prev_.data.resize(beat_);
      get_bytes(t.m_axi_wdata, w_prev_.data.data(), beat_);
      w_prev_.strb = uint64_t(t.m_axi_wstrb);
      w_prev_.last = t.m_axi_wlast;
    }
    if (t.m_axi_arvalid && t.m_axi_arready) {
      const uint64_t a = t.m_axi_araddr;
      const unsigned len = t.m_axi_arlen;
      check_burst("AR", a, len, t.m_axi_arsize, t.m_axi_arburst);
      const uint64_t hi = a + uint64_t(len + 1) * beat_;
      // Reads are whole beats: they may cover the beat-aligned hull of the window.
      if (a < (win_lo & ~uint64_t(beat_ - 1)) || hi > ((win_hi + beat_ - 1) & ~uint64_t(beat_ - 1)))
        err("read burst outside the window");
      rq_.push_back(Burst{a, len, cycle_ + st_.latency, overlaps(rd_err, a, hi), 0});
      ++stats_.ar;
      stats_.max_arlen = std::max(stats_.max_arlen, len);
      if (hi % 4096 == 0) ++stats_.ar_to_4k;
    }
    if (t.m_axi_rvalid && t.m_axi_rready) {
      r_show_ = false;
      Burst& b = rq_.front();
      if (++b.beat > b.len) rq_.pop_front();
    }
    if (t.m_axi_awvalid && t.m_axi_awready) {
      const uint64_t a = t.m_axi_awaddr;
      check_burst("AW", a, t.m_axi_awlen, t.m_axi_awsize, t.m_axi_awburst);
      awq_.push_back(Burst{a, unsigned(t.m_axi_awlen), 0, false, 0});
      ++stats_.aw;
      stats_.max_awlen = std::max(stats_.max_awlen, unsigned(t.m_axi_awlen));
      if ((a + uint64_t(t.m_axi_awlen + 1) * beat_) % 4096 == 0) ++stats_.aw_to_4k;
    }
    if (t.m_axi_wvalid && t.m_axi_wready) {
      WBeat w;
      w.data.resize(beat_);
      get_bytes(t.m_axi_wdata, w.data.data(), beat_);
      w.strb = uint64_t(t.m_axi_wstrb);
      w.last = t.m_axi_wlast;
      const uint64_t full = beat_ >= 64 ? ~0ull : ((1ull << beat_) - 1);
      if (w.strb != full) ++stats_.partial_w;
      wq_.push_back(std::move(w));
    }
    if (t.m_axi_bvalid && t.m_axi_bready) {
      b_show_ = false;
      bq_.pop_front();
    }
    if (!t.m_axi_bready) err("bready low");
    // Apply complete write bursts in order.
    while (!awq_.empty() && wq_.size() >= awq_.front().len + 1) {
      Burst b = awq_.front();
      awq_.pop_front();
      for (unsigned i = 0; i <= b.len; ++i) {
        WBeat w = std::move(wq_.front());
        wq_.pop_front();
        if (w.last != (i == b.len)) err("WLAST misplaced");
        const uint64_t a = b.addr + uint64_t(i) * beat_;
        for (unsigned k = 0; k < beat_; ++k) {
          if (!((w.strb >> k) & 1)) continue;
          const uint64_t x = a + k;
          if (x < win_lo || x >= win_hi) {
            err("write outside the window");
            continue;
          }
          if (x < kMemBase || x >= uint64_t(kMemBase) + kMemSize) continue;
          if (!overlaps(wr_err, b.addr, b.addr + uint64_t(b.len + 1) * beat_))
            mem[x - kMemBase] = w.data[k];
        }
      }
      bq_.push_back(Burst{b.addr, b.len, cycle_ + st_.latency,
                          overlaps(wr_err, b.addr, b.addr + uint64_t(b.len + 1) * beat_), 0});
    }
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  Rng rng_;
  Stalls st_;
  unsigned beat_;
  uint64_t cycle_ = 0;
  Lite lite_;
  std::deque<Burst> rq_, awq_, bq_;
  std::deque<WBeat> wq_;
  bool r_show_ = false, b_show_ = false;
  bool trace_ = std::getenv("TESSERA_TB_TRACE") != nullptr;
  std::vector<std::string> errors_;
  BusStats stats_;
  bool ar_hold_ = false, aw_hold_ = false, w_hold_ = false;
  Burst ar_prev_{}, aw_prev_{};
  WBeat w_prev_{};
};

}  // namespace systb
