#include "tessera/axi_mem_model.hpp"
#include "tessera/hex.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tessera::sim {

namespace {

constexpr uint8_t kBurstIncr = 1;

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Probability p in [0, 1] as a threshold on a uniform 64-bit draw (0 = never).
uint64_t threshold(double p, const char* name) {
  if (!(p >= 0.0 && p <= 1.0))
    throw std::invalid_argument(std::string("AxiMemConfig.") + name + " must be in [0, 1]");
  if (p >= 1.0) return ~uint64_t(0);
  return uint64_t(std::ldexp(p, 64));
}

}  // namespace

const char* axi_resp_name(AxiResp r) {
  switch (r) {
    case AxiResp::kOkay: return "OKAY";
    case AxiResp::kExOkay: return "EXOKAY";
    case AxiResp::kSlvErr: return "SLVERR";
    case AxiResp::kDecErr: return "DECERR";
  }
  return "?";
}

AxiMemModel::AxiMemModel(DramImage& image, const AxiMemConfig& cfg)
    : image_(image), cfg_(cfg), reads_(cfg.max_reads), writes_(cfg.max_writes) {
  const unsigned db = cfg_.data_bytes;
  if (db < 4 || db > kAxiMaxDataBytes || (db & (db - 1)) != 0)
    throw std::invalid_argument("AxiMemConfig.data_bytes must be a power of two in 4.." +
                                std::to_string(kAxiMaxDataBytes) + ", got " + std::to_string(db));
  if (cfg_.read_latency < 1 || cfg_.write_latency < 1)
    throw std::invalid_argument("AxiMemConfig: read_latency and write_latency must be >= 1");
  if (cfg_.max_reads < 1 || cfg_.max_writes < 1)
    throw std::invalid_argument("AxiMemConfig: max_reads and max_writes must be >= 1");
  if (cfg_.bytes_per_cycle < 0)
    throw std::invalid_argument("AxiMemConfig.bytes_per_cycle must be >= 0");
  size_log2_ = 0;
  while ((1u << size_log2_) < db) ++size_log2_;
  beat_cost_ = int64_t(db) * 256;
  const double bpc = cfg_.bytes_per_cycle > 0 ? cfg_.bytes_per_cycle : double(db);
  rate_ = std::max<int64_t>(1, int64_t(std::llround(bpc * 256)));
  stall_threshold_ = threshold(cfg_.ready_stall_prob, "ready_stall_prob");
  delay_threshold_ = threshold(cfg_.resp_delay_prob, "resp_delay_prob");
  if (cfg_.ready_stall_prob >= 1.0)
    throw std::invalid_argument("AxiMemConfig.ready_stall_prob must be < 1 (1 never accepts)");
  if (cfg_.resp_delay_prob >= 1.0)
    throw std::invalid_argument("AxiMemConfig.resp_delay_prob must be < 1 (1 never responds)");
  reset();
}

void AxiMemModel::reset() {
  uint64_t s = cfg_.seed;
  rng_ = splitmix64(s) | 1;
  reads_.clear();
  writes_.clear();
  w_index_ = 0;
  out_ = AxiSlavePins{};
  rd_credit_ = wr_credit_ = 0;
  hold_ar_ = hold_aw_ = hold_w_ = false;
  stats_ = AxiMemStats{};
  cycle_ = 0;
  // Outputs for the first cycle after reset.
  out_.arready = true;
  out_.awready = true;
}

uint64_t AxiMemModel::next_random() {  // xorshift64*
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return rng_ * 0x2545F4914F6CDD1Dull;
}

bool AxiMemModel::chance(uint64_t thr) { return thr != 0 && next_random() < thr; }

uint64_t AxiMemModel::extra_latency() {
  return cfg_.max_extra_latency ? next_random() % (uint64_t(cfg_.max_extra_latency) + 1) : 0;
}

void AxiMemModel::violation(const std::string& what) const {
  throw AxiProtocolError("AXI protocol violation at memory cycle " + std::to_string(cycle_) +
                         ": " + what);
}

void AxiMemModel::check_burst(const char* ch, uint64_t addr, unsigned len, unsigned size,
                              unsigned burst) const {
  const unsigned db = cfg_.data_bytes;
  const std::string where = std::string(ch) + " burst at " + hex(addr) + " (" + ch + "len " +
                            std::to_string(len) + ")";
  if (burst != kBurstIncr)
    violation(where + ": " + ch + "burst = " + std::to_string(burst) +
              ", only INCR (1) is supported");
  if (size != size_log2_)
    violation(where + ": " + ch + "size = " + std::to_string(size) + " (" +
              std::to_string(1u << size) + " bytes) is not the full data width (" +
              std::to_string(db) + " bytes, " + ch + "size " + std::to_string(size_log2_) + ")");
  if (cfg_.require_aligned && (addr & (db - 1)) != 0)
    violation(where + ": address not aligned to the " + std::to_string(db) + "-byte beat");
  const uint64_t first = addr & ~uint64_t(db - 1);
  const uint64_t last = first + uint64_t(len + 1) * db - 1;
  if ((addr >> 12) != (last >> 12))
    violation(where + ": crosses a 4 KB boundary (last byte " + hex(last) + ")");
}

AxiResp AxiMemModel::beat_resp(uint64_t addr) const {
  const unsigned db = cfg_.data_bytes;
  if (!image_.contains(addr, db)) return AxiResp::kDecErr;
  if (cfg_.inject_size != 0 && addr < cfg_.inject_base + cfg_.inject_size &&
      addr + db > cfg_.inject_base)
    return cfg_.inject_resp;
  return AxiResp::kOkay;
}

void AxiMemModel::present_read_beat(ReadBurst& b) {
  const unsigned db = cfg_.data_bytes;
  const uint64_t addr = b.addr + uint64_t(b.next_beat) * db;
  const AxiResp resp = beat_resp(addr);
  if (resp == AxiResp::kOkay) {
    std::memcpy(out_.rdata.data(), image_.bytes().data() + (addr - image_.base()), db);
  } else {
    std::memset(out_.rdata.data(), 0, db);
    ++stats_.read_errors;
  }
  out_.rresp = uint8_t(resp);
  out_.rlast = b.next_beat + 1 == b.beats;
  out_.rvalid = true;
}

const AxiSlavePins& AxiMemModel::tick(const AxiMasterPins& m) {
  const unsigned db = cfg_.data_bytes;

  // VALID must stay high with a stable payload until the handshake.
  if (hold_ar_) {
    if (!m.arvalid) violation("ARVALID dropped before ARREADY (AR at " + hex(held_.araddr) + ")");
    if (m.araddr != held_.araddr || m.arlen != held_.arlen || m.arsize != held_.arsize ||
        m.arburst != held_.arburst)
      violation("AR payload changed while ARVALID waited for ARREADY (was " + hex(held_.araddr) +
                ", now " + hex(m.araddr) + ")");
  }
  if (hold_aw_) {
    if (!m.awvalid) violation("AWVALID dropped before AWREADY (AW at " + hex(held_.awaddr) + ")");
    if (m.awaddr != held_.awaddr || m.awlen != held_.awlen || m.awsize != held_.awsize ||
        m.awburst != held_.awburst)
      violation("AW payload changed while AWVALID waited for AWREADY (was " + hex(held_.awaddr) +
                ", now " + hex(m.awaddr) + ")");
  }
  if (hold_w_) {
    if (!m.wvalid) violation("WVALID dropped before WREADY");
    if (m.wstrb != held_.wstrb || m.wlast != held_.wlast ||
        std::memcmp(m.wdata.data(), held_.wdata.data(), db) != 0)
      violation("W payload changed while WVALID waited for WREADY");
  }

  const bool ar_fire = m.arvalid && out_.arready;
  const bool r_fire = out_.rvalid && m.rready;
  const bool aw_fire = m.awvalid && out_.awready;
  const bool w_fire = m.wvalid && out_.wready;
  const bool b_fire = out_.bvalid && m.bready;

  // Read channels.
  if (r_fire) {
    ReadBurst& b = reads_.front();
    ++stats_.read_beats;
    if (++b.next_beat == b.beats) reads_.pop();
    out_.rvalid = false;
  }
  if (ar_fire) {
    check_burst("AR", m.araddr, m.arlen, m.arsize, m.arburst);
    reads_.push(ReadBurst{m.araddr & ~uint64_t(db - 1), unsigned(m.arlen) + 1, 0,
                          cycle_ + cfg_.read_latency + extra_latency()});
    ++stats_.read_bursts;
    stats_.max_reads_in_flight = std::max(stats_.max_reads_in_flight, unsigned(reads_.size()));
  }

  // Write channels.
  if (b_fire) {
    writes_.pop();
    --w_index_;
    out_.bvalid = false;
  }
  if (w_fire) {
    WriteBurst& b = writes_.at(w_index_);
    const bool last = b.next_beat + 1 == b.beats;
    if (m.wlast != last)
      violation("WLAST " + std::string(m.wlast ? "set on beat " : "missing on last beat ") +
                std::to_string(b.next_beat) + " of the " + std::to_string(b.beats) +
                "-beat write burst at " + hex(b.addr));
    const uint64_t addr = b.addr + uint64_t(b.next_beat) * db;
    const AxiResp resp = beat_resp(addr);
    if (resp != AxiResp::kOkay) {
      if (b.resp == AxiResp::kOkay) b.resp = resp;
    } else {
      uint8_t* dst = image_.bytes().data() + (addr - image_.base());
      const auto* src = reinterpret_cast<const uint8_t*>(m.wdata.data());
      const uint64_t full = db == 64 ? ~uint64_t(0) : (uint64_t(1) << db) - 1;
      const uint64_t strb = m.wstrb & full;
      if (strb == full) {
        std::memcpy(dst, src, db);
      } else {
        for (unsigned k = 0; k < db; ++k)
          if ((strb >> k) & 1) dst[k] = src[k];
      }
    }
    ++stats_.write_beats;
    if (++b.next_beat == b.beats) {
      b.ready_cycle = cycle_ + cfg_.write_latency + extra_latency();
      if (b.resp != AxiResp::kOkay) ++stats_.write_errors;
      ++w_index_;
    }
  }
  if (aw_fire) {
    check_burst("AW", m.awaddr, m.awlen, m.awsize, m.awburst);
    writes_.push(WriteBurst{m.awaddr & ~uint64_t(db - 1), unsigned(m.awlen) + 1, 0, 0,
                            AxiResp::kOkay});
    ++stats_.write_bursts;
    stats_.max_writes_in_flight = std::max(stats_.max_writes_in_flight, unsigned(writes_.size()));
  }

  // Remember payloads that must be held.
  hold_ar_ = m.arvalid && !ar_fire;
  if (hold_ar_) {
    held_.araddr = m.araddr;
    held_.arlen = m.arlen;
    held_.arsize = m.arsize;
    held_.arburst = m.arburst;
  }
  hold_aw_ = m.awvalid && !aw_fire;
  if (hold_aw_) {
    held_.awaddr = m.awaddr;
    held_.awlen = m.awlen;
    held_.awsize = m.awsize;
    held_.awburst = m.awburst;
  }
  hold_w_ = m.wvalid && !w_fire;
  if (hold_w_) {
    std::memcpy(held_.wdata.data(), m.wdata.data(), db);
    held_.wstrb = m.wstrb;
    held_.wlast = m.wlast;
  }

  // Outputs for the next cycle.
  ++cycle_;
  ++stats_.cycles;
  const int64_t cap = std::max(beat_cost_, rate_);
  int64_t& rd_credit = rd_credit_;
  int64_t& wr_credit = cfg_.shared_bandwidth ? rd_credit_ : wr_credit_;
  if (w_fire) wr_credit -= beat_cost_;  // W beats pay at the handshake, R beats when presented
  rd_credit = std::min(cap, rd_credit + rate_);
  if (!cfg_.shared_bandwidth) wr_credit = std::min(cap, wr_credit + rate_);

  if (!out_.rvalid && !reads_.empty() && reads_.front().ready_cycle <= cycle_ &&
      rd_credit >= beat_cost_) {
    if (chance(delay_threshold_)) {
      ++stats_.resp_delays;
    } else {
      rd_credit -= beat_cost_;
      present_read_beat(reads_.front());
    }
  }
  out_.arready = !reads_.full();
  if (out_.arready && chance(stall_threshold_)) {
    out_.arready = false;
    ++stats_.ready_stalls;
  }

  out_.wready = w_index_ < writes_.size() && wr_credit >= beat_cost_;
  if (out_.wready && chance(stall_threshold_)) {
    out_.wready = false;
    ++stats_.ready_stalls;
  }
  out_.awready = !writes_.full();
  if (out_.awready && chance(stall_threshold_)) {
    out_.awready = false;
    ++stats_.ready_stalls;
  }
  if (!out_.bvalid && w_index_ > 0 && writes_.front().ready_cycle <= cycle_) {
    if (chance(delay_threshold_)) {
      ++stats_.resp_delays;
    } else {
      out_.bvalid = true;
      out_.bresp = uint8_t(writes_.front().resp);
    }
  }
  return out_;
}

}  // namespace tessera::sim
