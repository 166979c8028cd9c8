// Cycle harness for the compute unit's POOL and ADD sub-units (tessera_pool_unit,
// tessera_add_unit): both have the same ports, so one template drives either verilated model.
// ABUF and OBUF are byte arrays with the SRAM's timing (tessera_sram: read data one cycle after
// rd_en, a write lands at the clock edge). Protocol checks happen while the command runs.
#pragma once

#include <verilated.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tessera/isa_gen.hpp"

namespace poolunit {

// Small fast PRNG (xorshift64*) for data and for the garbage driven on the read port when the
// unit did not read: a unit that used a word it never asked for then fails the comparison.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }  // 0 .. n-1
  int32_t range(int32_t lo, int32_t hi) { return lo + int32_t(below(uint32_t(hi - lo + 1))); }
  bool chance(unsigned percent) { return below(100) < percent; }
  uint8_t byte() { return uint8_t(next() >> 56); }

 private:
  uint64_t s_;
};

// Verilator maps an N-bit port to uint32_t (<= 32), uint64_t (<= 64) or VlWide<words>.
inline void put_bytes(IData& p, const uint8_t* b, unsigned n) {
  p = 0;
  for (unsigned k = 0; k < n; ++k) p |= IData(b[k]) << (8 * k);
}
inline void put_bytes(QData& p, const uint8_t* b, unsigned n) {
  p = 0;
  for (unsigned k = 0; k < n; ++k) p |= QData(b[k]) << (8 * k);
}
template <std::size_t W>
inline void put_bytes(VlWide<W>& p, const uint8_t* b, unsigned n) {
  for (std::size_t i = 0; i < W; ++i) p[i] = 0;
  for (unsigned k = 0; k < n; ++k) p[k / 4] |= EData(b[k]) << (8 * (k % 4));
}
inline void get_bytes(IData p, uint8_t* b, unsigned n) {
  for (unsigned k = 0; k < n; ++k) b[k] = uint8_t(p >> (8 * k));
}
inline void get_bytes(QData p, uint8_t* b, unsigned n) {
  for (unsigned k = 0; k < n; ++k) b[k] = uint8_t(p >> (8 * k));
}
template <std::size_t W>
inline void get_bytes(const VlWide<W>& p, uint8_t* b, unsigned n) {
  for (unsigned k = 0; k < n; ++k) b[k] = uint8_t(p[k / 4] >> (8 * (k % 4)));
}

struct RunStats {
  uint64_t cycles = 0;  // from the start cycle to the done_o cycle, both included
  uint64_t reads = 0;
  uint64_t writes = 0;
  bool done = false;
  std::string error;  // first protocol violation, empty if none
};

template <class Model>
class UnitTb {
 public:
  UnitTb(unsigned lanes, unsigned abuf_aw, unsigned obuf_aw, uint64_t seed)
      : lanes(lanes),
        abuf_words(1u << abuf_aw),
        obuf_words(1u << obuf_aw),
        abuf(size_t(abuf_words) * lanes),
        obuf(size_t(obuf_words) * lanes),
        write_count(obuf_words),
        ctx_(std::make_unique<VerilatedContext>()),
        rng_(seed ^ 0x5a5a) {
    ctx_->randReset(2);
    top_ = std::make_unique<Model>(ctx_.get(), "dut");
    rd_word_.resize(lanes);
    wr_word_.resize(lanes);
    reset();
  }
  ~UnitTb() { top_->final(); }
  UnitTb(const UnitTb&) = delete;
  UnitTb& operator=(const UnitTb&) = delete;

  uint8_t* abuf_word(uint32_t a) { return &abuf[size_t(a) * lanes]; }
  uint8_t* obuf_word(uint32_t a) { return &obuf[size_t(a) * lanes]; }

  void reset() {
    top_->rst_ni = 0;
    top_->start_i = 0;
    top_->flush_i = 0;
    for (int i = 0; i < 3; ++i) step();
    top_->rst_ni = 1;
    step();
  }

  // Runs one command. read_allowed(addr) says which ABUF words the command may read. With
  // flush_after >= 0, flush_i is high in the cycle that many cycles after the start cycle; the
  // unit must then be idle from the next cycle on, write nothing more and never signal done.
  RunStats run(const tessera::isa::Command& c, const std::function<bool(uint32_t)>& read_allowed,
               uint64_t timeout, long flush_after = -1) {
    RunStats st;
    std::fill(write_count.begin(), write_count.end(), 0u);
    for (unsigned i = 0; i < 8; ++i) top_->cmd_i[i] = c[i];
    top_->start_i = 1;
    top_->flush_i = flush_after == 0;  // a flush in the start cycle cancels the command
    Sample s = step();
    top_->start_i = 0;
    top_->flush_i = 0;
    for (unsigned i = 0; i < 8; ++i) top_->cmd_i[i] = ~0u;  // only valid in the start cycle
    if (s.busy) fail(st, "busy_o high in the start cycle (unit was not idle)");
    account(st, s, read_allowed);
    if (flush_after == 0) {
      if (!idle_quiet(16)) fail(st, "activity after flush_i in the start cycle");
      return st;
    }

    for (uint64_t cyc = 1; cyc <= timeout; ++cyc) {
      const bool flushing = flush_after >= 0 && cyc == uint64_t(flush_after);
      top_->flush_i = flushing;
      s = step();
      top_->flush_i = 0;
      account(st, s, read_allowed);
      if (!s.busy) fail(st, "busy_o low at cycle " + std::to_string(cyc) + " before done_o");
      if (flushing) {
        if (s.done) {  // finished in the very cycle of the flush: allowed
          st.done = true;
          st.cycles = cyc + 1;
        }
        // From the next cycle on: idle, silent.
        for (int k = 0; k < 16; ++k) {
          Sample q = step();
          if (q.busy || q.done || q.rd || q.wr)
            fail(st, "activity " + std::to_string(k + 1) + " cycles after flush_i");
        }
        return st;
      }
      if (s.done) {
        st.done = true;
        st.cycles = cyc + 1;
        Sample q = step();  // the cycle after done_o
        if (q.busy || q.done || q.rd || q.wr) fail(st, "not idle in the cycle after done_o");
        if (s.wr) fail(st, "OBUF write in the done_o cycle (done_o must follow the last write)");
        return st;
      }
    }
    fail(st, "timeout after " + std::to_string(timeout) + " cycles");
    return st;
  }

  // Idle cycles, checking the unit stays quiet.
  bool idle_quiet(int cycles) {
    for (int k = 0; k < cycles; ++k) {
      Sample q = step();
      if (q.busy || q.done || q.rd || q.wr) return false;
    }
    return true;
  }

  const unsigned lanes;
  const uint32_t abuf_words, obuf_words;
  std::vector<uint8_t> abuf, obuf;
  std::vector<uint32_t> write_count;  // OBUF writes per word during the last run

 private:
  struct Sample {
    bool busy, done, rd, wr;
    uint32_t ra, wa;
  };

  // One clock cycle: settle with the current inputs, sample the outputs, clock edge, then the
  // memories act on what was sampled.
  Sample step() {
    top_->clk_i = 0;
    top_->eval();
    Sample s{top_->busy_o != 0,
             top_->done_o != 0,
             top_->abuf_rd_en_o != 0,
             top_->obuf_wr_en_o != 0,
             uint32_t(top_->abuf_rd_addr_o),
             uint32_t(top_->obuf_wr_addr_o)};
    if (s.wr) get_bytes(top_->obuf_wr_data_o, wr_word_.data(), lanes);
    top_->clk_i = 1;
    top_->eval();
    if (s.wr) {
      std::copy(wr_word_.begin(), wr_word_.end(), obuf_word(s.wa));
      ++write_count[s.wa];
    }
    if (s.rd) {
      std::copy(abuf_word(s.ra), abuf_word(s.ra) + lanes, rd_word_.begin());
    } else {
      for (auto& b : rd_word_) b = rng_.byte();
    }
    put_bytes(top_->abuf_rd_data_i, rd_word_.data(), lanes);
    return s;
  }

  void account(RunStats& st, const Sample& s, const std::function<bool(uint32_t)>& read_allowed) {
    if (s.rd) {
      ++st.reads;
      if (!read_allowed(s.ra)) fail(st, "read of ABUF word " + std::to_string(s.ra));
    }
    if (s.wr) ++st.writes;
  }

  static void fail(RunStats& st, const std::string& what) {
    if (st.error.empty()) st.error = what;
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> top_;
  Rng rng_;
  std::vector<uint8_t> rd_word_, wr_word_;
};

}  // namespace poolunit
