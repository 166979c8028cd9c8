// tessera_compute_unit against plain-loop models of docs/isa.md: random CONV commands (kernel,
// stride, dilation, padding, cg, out sizes, accumulate, requant, signedness, zero points, PBUF
// parameters), plus POOL and ADD through the sub-unit muxes. ABUF / WBUF / PBUF / OBUF are arrays
// with tessera_sram's timing (read data one cycle after rd_en; garbage when nothing was read, so a
// read the unit did not issue shows up as a mismatch); ACC is read back through the external port.
//
// ACC after a CONV with requant = 1: docs/isa.md says ACC is not modified, but the weight tiles
// before the last one keep their partial sums in ACC words acc_addr .. acc_addr + out_h*out_w - 1
// (the TOML field doc: "the last weight tile ... ACC is not written"). The test treats those words
// as unspecified after such a command with more than one tile: it compares every other word and
// adopts the unit's values for those.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "Vcompute_16.h"
#include "Vcompute_4.h"
#include "Vcompute_4_lanes1.h"
#include "Vcompute_8_lanes2.h"
#include "tb_util.hpp"
#include "tessera/isa_gen.hpp"
#include "tessera/quant.hpp"

namespace {

using computetb::get_bits;
using computetb::get_words;
using computetb::put_words;
using computetb::Rng;
using computetb::set_bits;
using tessera::byte_value;
namespace isa = tessera::isa;

struct Cfg {
  unsigned n, abuf, wbuf, acc, obuf, pbuf;
};

// ---- the reference: docs/isa.md written as loops -------------------------------------------
struct Mem {
  Cfg cfg;
  std::vector<uint8_t> abuf, wbuf, obuf;  // word w, byte k at [w*n + k]
  std::vector<uint32_t> pbuf;             // word w, lane k at [w*n + k]
  std::vector<uint32_t> acc;              // word w, lane k at [w*n + k]
  explicit Mem(const Cfg& c)
      : cfg(c), abuf(size_t(c.abuf) * c.n), wbuf(size_t(c.wbuf) * c.n), obuf(size_t(c.obuf) * c.n),
        pbuf(size_t(c.pbuf) * c.n), acc(size_t(c.acc) * c.n) {}
};

void model_conv(const isa::ConvCmd& c, Mem& m) {
  const unsigned n = m.cfg.n;
  const int32_t azp = byte_value(uint8_t(c.act_zp), c.act_signed);
  const unsigned pixels = c.out_h * c.out_w;
  std::vector<uint32_t> out(size_t(pixels) * n);
  for (unsigned oy = 0; oy < c.out_h; ++oy) {
    for (unsigned ox = 0; ox < c.out_w; ++ox) {
      const unsigned pix = oy * c.out_w + ox;
      for (unsigned lane = 0; lane < n; ++lane) {
        uint32_t acc = c.accumulate ? m.acc[size_t(c.acc_addr + pix) * n + lane] : 0u;
        const uint32_t w2 = m.pbuf[size_t(c.pbuf_addr + 2) * n + lane];
        const int32_t wzp = byte_value(uint8_t(w2 >> 8), c.wgt_signed);
        for (unsigned ky = 0; ky < c.kh; ++ky)
          for (unsigned kx = 0; kx < c.kw; ++kx)
            for (unsigned g = 0; g < c.cg; ++g)
              for (unsigned r = 0; r < n; ++r) {
                const long iy = long(oy) * c.stride_h + long(ky) * c.dil_h - long(c.pad_top);
                const long ix = long(ox) * c.stride_w + long(kx) * c.dil_w - long(c.pad_left);
                int32_t a = azp;
                if (iy >= 0 && iy < long(c.in_h) && ix >= 0 && ix < long(c.in_w)) {
                  const size_t word = c.abuf_addr + (size_t(iy) * c.in_w + size_t(ix)) * c.cg + g;
                  a = byte_value(m.abuf[word * n + r], c.act_signed);
                }
                const size_t wword = c.wbuf_addr + ((size_t(ky) * c.kw + kx) * c.cg + g) * n + r;
                const int32_t w = byte_value(m.wbuf[wword * n + lane], c.wgt_signed);
                acc += uint32_t((a - azp) * (w - wzp));
              }
        out[size_t(pix) * n + lane] = acc;
      }
    }
  }
  for (unsigned pix = 0; pix < pixels; ++pix) {
    for (unsigned lane = 0; lane < n; ++lane) {
      const uint32_t acc = out[size_t(pix) * n + lane];
      if (!c.requant) {
        m.acc[size_t(c.acc_addr + pix) * n + lane] = acc;
      } else {
        const int32_t bias = int32_t(m.pbuf[size_t(c.pbuf_addr) * n + lane]);
        const int32_t mult = int32_t(m.pbuf[size_t(c.pbuf_addr + 1) * n + lane]);
        const unsigned shift = m.pbuf[size_t(c.pbuf_addr + 2) * n + lane] & 63u;
        const int32_t y = tessera::requantize(
            int32_t(acc), bias, mult, shift, byte_value(uint8_t(c.out_zp), c.out_signed),
            byte_value(uint8_t(c.clamp_min), c.out_signed),
            byte_value(uint8_t(c.clamp_max), c.out_signed));
        m.obuf[size_t(c.obuf_addr + pix * c.obuf_stride) * n + lane] = uint8_t(y);
      }
    }
  }
}

void model_pool(const isa::Command& cmd, Mem& m) {
  namespace f = isa::field::pool;
  const unsigned n = m.cfg.n;
  auto g = [&](isa::Field fl) { return uint32_t(isa::get(cmd, fl)); };
  const bool avg = g(f::kAvg), sgn = g(f::kDataSigned);
  const unsigned in_h = g(f::kInH), in_w = g(f::kInW), kh = g(f::kKh), kw = g(f::kKw);
  const unsigned out_h = g(f::kOutH), out_w = g(f::kOutW), cg = g(f::kCg);
  const unsigned sh = g(f::kStrideH), sw = g(f::kStrideW), pt = g(f::kPadTop), pl = g(f::kPadLeft);
  const int32_t mult = int32_t(g(f::kMult));
  const int32_t izp = byte_value(uint8_t(g(f::kInZp)), sgn);
  const int32_t ozp = byte_value(uint8_t(g(f::kOutZp)), sgn);
  const unsigned shift = g(f::kShift);
  for (unsigned oy = 0; oy < out_h; ++oy)
    for (unsigned ox = 0; ox < out_w; ++ox)
      for (unsigned gg = 0; gg < cg; ++gg)
        for (unsigned r = 0; r < n; ++r) {
          int64_t s = 0;
          int32_t mx = tessera::type_min(sgn);
          for (unsigned ky = 0; ky < kh; ++ky)
            for (unsigned kx = 0; kx < kw; ++kx) {
              const long iy = long(oy) * sh + ky - long(pt), ix = long(ox) * sw + kx - long(pl);
              if (iy < 0 || iy >= long(in_h) || ix < 0 || ix >= long(in_w)) continue;
              const size_t word = g(f::kAbufAddr) + (size_t(iy) * in_w + size_t(ix)) * cg + gg;
              const int32_t x = byte_value(m.abuf[word * n + r], sgn);
              s += x - izp;
              mx = std::max(mx, x);
            }
          int32_t y = mx;
          if (avg) {
            const int64_t v = ozp + tessera::rshift_rne(s * mult, shift);
            y = int32_t(std::clamp<int64_t>(v, tessera::type_min(sgn), tessera::type_max(sgn)));
          }
          const size_t oword = g(f::kObufAddr) + (size_t(oy) * out_w + ox) * cg + gg;
          m.obuf[oword * n + r] = uint8_t(y);
        }
}

void model_add(const isa::Command& cmd, Mem& m) {
  namespace f = isa::field::add;
  const unsigned n = m.cfg.n;
  auto g = [&](isa::Field fl) { return uint32_t(isa::get(cmd, fl)); };
  const bool sgn = g(f::kDataSigned);
  for (unsigned i = 0; i < g(f::kLen); ++i)
    for (unsigned r = 0; r < n; ++r) {
      const int64_t a = byte_value(m.abuf[(size_t(g(f::kAAddr)) + i) * n + r], sgn);
      const int64_t b = byte_value(m.abuf[(size_t(g(f::kBAddr)) + i) * n + r], sgn);
      const int64_t p = (a - byte_value(uint8_t(g(f::kAZp)), sgn)) * int32_t(g(f::kAMult)) +
                        (b - byte_value(uint8_t(g(f::kBZp)), sgn)) * int32_t(g(f::kBMult));
      const int64_t y = byte_value(uint8_t(g(f::kOutZp)), sgn) + tessera::rshift_rne(p, g(f::kShift));
      const int64_t o = std::min<int64_t>(std::max<int64_t>(y, byte_value(uint8_t(g(f::kClampMin)), sgn)),
                                          byte_value(uint8_t(g(f::kClampMax)), sgn));
      m.obuf[(size_t(g(f::kObufAddr)) + i) * n + r] = uint8_t(o);
    }
}

// ---- the harness -----------------------------------------------------------------------------
template <class V>
class Harness {
 public:
  Harness(const Cfg& cfg, uint64_t seed) : cfg_(cfg), mem_(cfg), rng_(seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->randReset(2);
    top_ = std::make_unique<V>(ctx_.get());
    for (auto& b : mem_.abuf) b = rng_.byte();
    for (auto& b : mem_.wbuf) b = rng_.byte();
    for (auto& b : mem_.obuf) b = rng_.byte();
    rtl_obuf_ = mem_.obuf;
    top_->rst_ni = 0;
    top_->cmd_valid_i = 0;
    top_->flush_i = 0;
    top_->acc_ext_rd_req_i = 0;
    for (int i = 0; i < 3; ++i) tick();
    top_->rst_ni = 1;
    // ACC holds whatever it powered up with: read it into the model.
    sync_acc_from_rtl(nullptr);
  }
  ~Harness() { top_->final(); }

  Mem& mem() { return mem_; }
  Rng& rng() { return rng_; }
  uint64_t cycles() const { return cycles_; }

  // One clock cycle. The memories act at the edge: reads return data for the next cycle, writes
  // land. Returns after the edge with the new read data on the inputs.
  void tick() {
    const unsigned n = cfg_.n, nw = n / 4;
    top_->clk_i = 0;
    top_->eval();
    const bool a_en = top_->abuf_rd_en_o, w_en = top_->wbuf_rd_en_o, p_en = top_->pbuf_rd_en_o;
    const uint32_t a_addr = top_->abuf_rd_addr_o, w_addr = top_->wbuf_rd_addr_o,
                   p_addr = top_->pbuf_rd_addr_o;
    const bool o_en = top_->obuf_wr_en_o && top_->rst_ni;  // outputs are random before reset
    mac_ += top_->mac_active_o;
    if (top_->cmd_done_o) done_seen_ = true;
    if (o_en) {
      if (done_seen_ && !in_cmd_) stray_writes_++;
      const uint32_t o_addr = top_->obuf_wr_addr_o;
      if (o_addr < cfg_.obuf) {
        uint32_t tmp[8];
        get_words(top_->obuf_wr_data_o, tmp, nw);
        for (unsigned k = 0; k < n; ++k) rtl_obuf_write(o_addr, k, uint8_t(tmp[k / 4] >> (8 * (k % 4))));
      } else {
        bad_addr_++;
      }
    }
    ext_gnt_ = top_->acc_ext_rd_gnt_o;
    if (ext_gnt_ && !top_->acc_ext_rd_req_i) gnt_without_req_++;
    top_->clk_i = 1;
    top_->eval();
    ++cycles_;
    uint32_t tmp[32];
    if (a_en && a_addr < cfg_.abuf) {
      for (unsigned i = 0; i < nw; ++i)
        tmp[i] = uint32_t(mem_.abuf[a_addr * n + 4 * i]) | uint32_t(mem_.abuf[a_addr * n + 4 * i + 1]) << 8 |
                 uint32_t(mem_.abuf[a_addr * n + 4 * i + 2]) << 16 |
                 uint32_t(mem_.abuf[a_addr * n + 4 * i + 3]) << 24;
    } else {
      if (a_en) bad_addr_++;
      for (unsigned i = 0; i < nw; ++i) tmp[i] = rng_.u32();
    }
    put_words(top_->abuf_rd_data_i, tmp, nw);
    if (w_en && w_addr < cfg_.wbuf) {
      for (unsigned i = 0; i < nw; ++i)
        tmp[i] = uint32_t(mem_.wbuf[w_addr * n + 4 * i]) | uint32_t(mem_.wbuf[w_addr * n + 4 * i + 1]) << 8 |
                 uint32_t(mem_.wbuf[w_addr * n + 4 * i + 2]) << 16 |
                 uint32_t(mem_.wbuf[w_addr * n + 4 * i + 3]) << 24;
    } else {
      if (w_en) bad_addr_++;
      for (unsigned i = 0; i < nw; ++i) tmp[i] = rng_.u32();
    }
    put_words(top_->wbuf_rd_data_i, tmp, nw);
    if (p_en && p_addr < cfg_.pbuf) {
      for (unsigned i = 0; i < n; ++i) tmp[i] = mem_.pbuf[p_addr * n + i];
    } else {
      if (p_en) bad_addr_++;
      for (unsigned i = 0; i < n; ++i) tmp[i] = rng_.u32();
    }
    put_words(top_->pbuf_rd_data_i, tmp, n);
  }

  // Runs one command to completion; returns the cycles from acceptance to cmd_done_o. With
  // ext_noise, the store unit's ACC read port is requested at random meanwhile. With flush_at,
  // flush_i is raised that many cycles after acceptance instead (returns 0).
  long run(const isa::Command& cmd, bool ext_noise = false, long flush_at = -1) {
    for (unsigned i = 0; i < 8; ++i) top_->cmd_i[i] = cmd[i];
    top_->cmd_valid_i = 1;
    long wait = 0;
    for (;;) {
      top_->clk_i = 0;
      top_->eval();
      const bool ready = top_->cmd_ready_o;
      tick();
      if (ready) break;
      if (++wait > 100) ADD_FAILURE() << "command not accepted";
      if (wait > 100) return -1;
    }
    top_->cmd_valid_i = 0;
    in_cmd_ = true;
    done_seen_ = false;
    long cyc = 1;
    const long limit = 4'000'000;
    while (!done_seen_ && cyc < limit) {
      if (flush_at >= 0 && cyc == flush_at) {
        top_->flush_i = 1;
        tick();
        top_->flush_i = 0;
        in_cmd_ = false;
        done_seen_ = true;  // any OBUF write from now on is a stray one
        for (int i = 0; i < 4 * int(cfg_.n) + 16; ++i) tick();
        return 0;
      }
      top_->acc_ext_rd_req_i = ext_noise && rng_.chance(30);
      top_->acc_ext_rd_addr_i = rng_.below(cfg_.acc);
      tick();
      ++cyc;
    }
    top_->acc_ext_rd_req_i = 0;
    EXPECT_LT(cyc, limit) << "command did not finish";
    in_cmd_ = false;
    // done means every write happened: a few idle cycles must not change anything
    for (int i = 0; i < 8; ++i) tick();
    return cyc;
  }

  // Reads ACC through the external port and compares it with the model; words marked in
  // `unspecified` are adopted from the RTL instead.
  void sync_acc_from_rtl(const std::vector<bool>* unspecified, unsigned* mismatches = nullptr) {
    const unsigned n = cfg_.n;
    uint32_t tmp[32];
    for (uint32_t w = 0; w < cfg_.acc; ++w) {
      top_->acc_ext_rd_req_i = 1;
      top_->acc_ext_rd_addr_i = w;
      top_->clk_i = 0;
      top_->eval();
      if (!top_->acc_ext_rd_gnt_o) {
        ADD_FAILURE() << "ACC read not granted while idle";
        return;
      }
      tick();
      top_->acc_ext_rd_req_i = 0;
      top_->clk_i = 0;
      top_->eval();
      get_words(top_->acc_ext_rd_data_o, tmp, n);
      for (unsigned k = 0; k < n; ++k) {
        uint32_t& model = mem_.acc[size_t(w) * n + k];
        if (mismatches && !(unspecified && (*unspecified)[w]) && model != tmp[k]) {
          if (*mismatches < 5)
            ADD_FAILURE() << "ACC word " << w << " lane " << k << ": rtl " << int32_t(tmp[k])
                          << " model " << int32_t(model);
          ++*mismatches;
        }
        if (!mismatches || (unspecified && (*unspecified)[w])) model = tmp[k];
      }
    }
  }

  unsigned compare_obuf() {
    unsigned bad = 0;
    for (size_t i = 0; i < mem_.obuf.size(); ++i) {
      if (rtl_obuf_[i] != mem_.obuf[i]) {
        if (bad < 5)
          ADD_FAILURE() << "OBUF word " << i / cfg_.n << " lane " << i % cfg_.n << ": rtl "
                        << unsigned(rtl_obuf_[i]) << " model " << unsigned(mem_.obuf[i]);
        ++bad;
      }
    }
    return bad;
  }
  void init_rtl_obuf() { rtl_obuf_ = mem_.obuf; }
  void adopt_rtl_obuf() { mem_.obuf = rtl_obuf_; }

  uint64_t mac() const { return mac_; }
  unsigned stray_writes() const { return stray_writes_; }
  unsigned bad_addr() const { return bad_addr_; }
  unsigned gnt_without_req() const { return gnt_without_req_; }

 private:
  void rtl_obuf_write(uint32_t w, unsigned k, uint8_t v) { rtl_obuf_[size_t(w) * cfg_.n + k] = v; }

  Cfg cfg_;
  Mem mem_;
  Rng rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> top_;
  std::vector<uint8_t> rtl_obuf_;
  uint64_t cycles_ = 0, mac_ = 0;
  bool done_seen_ = false, in_cmd_ = false, ext_gnt_ = false;
  unsigned stray_writes_ = 0, bad_addr_ = 0, gnt_without_req_ = 0;
};

// ---- random commands -------------------------------------------------------------------------
unsigned small(Rng& r, unsigned hi) {  // mostly 1..3, sometimes up to hi
  return r.chance(85) ? 1 + r.below(std::min(3u, hi)) : 1 + r.below(hi);
}

isa::ConvCmd random_conv(Rng& r, const Cfg& cfg, unsigned max_macs) {
  isa::ConvCmd c;
  for (;;) {
    c = isa::ConvCmd{};
    c.kh = small(r, 15);
    c.kw = small(r, 15);
    c.stride_h = small(r, 15);
    c.stride_w = small(r, 15);
    c.dil_h = r.chance(80) ? 1 : small(r, 15);
    c.dil_w = r.chance(80) ? 1 : small(r, 15);
    c.pad_top = r.chance(40) ? 0 : r.below(16);
    c.pad_left = r.chance(40) ? 0 : r.below(16);
    c.cg = r.chance(70) ? 1 + r.below(4) : 1 + r.below(40);
    const unsigned shape = r.below(10);
    if (shape == 0) {
      c.out_h = c.out_w = 1;  // fully connected: fewer pixels than the pipeline depth
    } else if (shape == 1) {
      c.out_h = 1;
      c.out_w = 1 + r.below(cfg.n);
    } else {
      c.out_h = 1 + r.below(12);
      c.out_w = 1 + r.below(12);
    }
    // the input tile: usually what the output needs, sometimes smaller (more padding) or larger
    const unsigned need_h = (c.out_h - 1) * c.stride_h + (c.kh - 1) * c.dil_h + 1;
    const unsigned need_w = (c.out_w - 1) * c.stride_w + (c.kw - 1) * c.dil_w + 1;
    c.in_h = std::max(1u, std::min(4095u, r.chance(70) ? need_h - std::min(need_h - 1, c.pad_top)
                                                        : 1 + r.below(need_h + 4)));
    c.in_w = std::max(1u, std::min(4095u, r.chance(70) ? need_w - std::min(need_w - 1, c.pad_left)
                                                        : 1 + r.below(need_w + 4)));
    const uint64_t tiles = uint64_t(c.kh) * c.kw * c.cg;
    const uint64_t pixels = uint64_t(c.out_h) * c.out_w;
    if (tiles * pixels * cfg.n * cfg.n > max_macs) continue;
    if (uint64_t(c.in_h) * c.in_w * c.cg > cfg.abuf) continue;
    if (tiles * cfg.n > cfg.wbuf) continue;
    if (pixels > cfg.acc) continue;
    c.requant = r.chance(50);
    c.accumulate = r.chance(40);
    c.obuf_stride = r.chance(70) ? 1 : 1 + r.below(4);
    if (c.requant && (pixels - 1) * c.obuf_stride + 1 > cfg.obuf) continue;
    c.abuf_addr = r.below(uint32_t(cfg.abuf - uint64_t(c.in_h) * c.in_w * c.cg) + 1);
    c.wbuf_addr = r.below(uint32_t(cfg.wbuf - tiles * cfg.n) + 1);
    c.acc_addr = r.below(uint32_t(cfg.acc - pixels) + 1);
    c.obuf_addr = c.requant ? r.below(uint32_t(cfg.obuf - (pixels - 1) * c.obuf_stride - 1) + 1)
                            : r.below(cfg.obuf);
    c.pbuf_addr = r.below(cfg.pbuf - 3 + 1);
    c.act_signed = r.chance(50);
    c.wgt_signed = r.chance(50);
    c.out_signed = r.chance(50);
    c.act_zp = r.byte();
    c.out_zp = r.byte();
    c.clamp_min = c.out_signed ? 0x80 : 0x00;
    c.clamp_max = c.out_signed ? 0x7f : 0xff;
    if (r.chance(30)) c.clamp_min = c.out_zp;
    if (r.chance(20)) {
      c.clamp_min = r.byte();
      c.clamp_max = r.byte();
    }
    return c;
  }
}

void randomize_pbuf(Rng& r, Mem& m, unsigned word) {
  const unsigned n = m.cfg.n;
  for (unsigned k = 0; k < n; ++k) {
    m.pbuf[size_t(word) * n + k] = r.chance(20) ? r.u32() : uint32_t(int32_t(r.u32()) >> 12);
    m.pbuf[size_t(word + 1) * n + k] =
        r.chance(85) ? (1u << 30) + (r.u32() >> 2) : r.u32();
    const unsigned shift = r.chance(80) ? 24 + r.below(20) : r.below(64);
    const uint32_t garbage = r.chance(20) ? (r.u32() & 0xffff00c0u) : 0u;  // "other bits 0"
    m.pbuf[size_t(word + 2) * n + k] = garbage | shift | uint32_t(r.byte()) << 8;
  }
}

isa::Command random_pool(Rng& r, const Cfg& cfg) {
  namespace f = isa::field::pool;
  for (;;) {
    isa::Command c{};
    isa::set_common(c, isa::Opcode::kPool, {});
    const unsigned kh = small(r, 4), kw = small(r, 4), cg = 1 + r.below(3);
    const unsigned out_h = 1 + r.below(5), out_w = 1 + r.below(5);
    const unsigned sh = small(r, 3), sw = small(r, 3), pt = r.below(2), pl = r.below(2);
    const unsigned in_h = 1 + r.below(10), in_w = 1 + r.below(10);
    if (in_h * in_w * cg > cfg.abuf || out_h * out_w * cg > cfg.obuf) continue;
    isa::set(c, f::kAvg, r.chance(50));
    isa::set(c, f::kDataSigned, r.chance(50));
    isa::set(c, f::kAbufAddr, r.below(cfg.abuf - in_h * in_w * cg + 1));
    isa::set(c, f::kObufAddr, r.below(cfg.obuf - out_h * out_w * cg + 1));
    isa::set(c, f::kInH, in_h);
    isa::set(c, f::kInW, in_w);
    isa::set(c, f::kKh, kh);
    isa::set(c, f::kKw, kw);
    isa::set(c, f::kOutH, out_h);
    isa::set(c, f::kOutW, out_w);
    isa::set(c, f::kCg, cg);
    isa::set(c, f::kStrideH, sh);
    isa::set(c, f::kStrideW, sw);
    isa::set(c, f::kPadTop, pt);
    isa::set(c, f::kPadLeft, pl);
    isa::set(c, f::kMult, (1u << 30) + (r.u32() >> 3));
    isa::set(c, f::kInZp, r.byte());
    isa::set(c, f::kOutZp, r.byte());
    isa::set(c, f::kShift, 30 + r.below(4));
    return c;
  }
}

isa::Command random_add(Rng& r, const Cfg& cfg) {
  namespace f = isa::field::add;
  isa::Command c{};
  isa::set_common(c, isa::Opcode::kAdd, {});
  const unsigned len = 1 + r.below(20);
  const bool sgn = r.chance(50);
  isa::set(c, f::kDataSigned, sgn);
  isa::set(c, f::kAAddr, r.below(cfg.abuf - len + 1));
  isa::set(c, f::kBAddr, r.below(cfg.abuf - len + 1));
  isa::set(c, f::kObufAddr, r.below(cfg.obuf - len + 1));
  isa::set(c, f::kLen, len);
  isa::set(c, f::kAMult, (1u << 30) + (r.u32() >> 2));
  isa::set(c, f::kBMult, (1u << 29) + (r.u32() >> 3));
  isa::set(c, f::kAZp, r.byte());
  isa::set(c, f::kBZp, r.byte());
  isa::set(c, f::kOutZp, r.byte());
  isa::set(c, f::kShift, 30 + r.below(3));
  isa::set(c, f::kClampMin, sgn ? 0x80 : 0x00);
  isa::set(c, f::kClampMax, sgn ? 0x7f : 0xff);
  return c;
}

template <class V>
void random_commands(const Cfg& cfg, uint64_t seed, unsigned count, unsigned max_macs,
                     unsigned pool_add_in_20 = 2) {
  Harness<V> h(cfg, seed);
  Rng& r = h.rng();
  Mem& m = h.mem();
  h.init_rtl_obuf();
  const std::clock_t t0 = std::clock();  // CPU time: the test machine is shared
  uint64_t want_mac = 0;
  unsigned convs = 0, flushes = 0;
  for (unsigned i = 0; i < count; ++i) {
    const unsigned kind = r.below(20);
    if (kind < pool_add_in_20 / 2) {
      const isa::Command c = random_pool(r, cfg);
      model_pool(c, m);
      ASSERT_GT(h.run(c), 0);
    } else if (kind < pool_add_in_20) {
      const isa::Command c = random_add(r, cfg);
      model_add(c, m);
      ASSERT_GT(h.run(c), 0);
    } else {
      const isa::ConvCmd c = random_conv(r, cfg, max_macs);
      randomize_pbuf(r, m, c.pbuf_addr);
      if (r.chance(3)) {
        // abandon it part-way: afterwards the unit must accept and run commands normally; what
        // it wrote before the flush is unspecified, so the model adopts it
        const long at = 1 + r.below(uint32_t(c.kh * c.kw * c.cg * c.out_h * c.out_w + 40));
        EXPECT_GE(h.run(c.encode(), false, at), 0);  // > 0: it finished before the flush
        h.adopt_rtl_obuf();
        h.sync_acc_from_rtl(nullptr);
        ++flushes;
        continue;
      }
      model_conv(c, m);
      const uint64_t mac_before = h.mac();
      const long cyc = h.run(c.encode(), r.chance(30));
      ASSERT_GT(cyc, 0);
      const uint64_t macs = uint64_t(c.kh) * c.kw * c.cg * c.out_h * c.out_w;
      EXPECT_EQ(h.mac() - mac_before, macs) << "mac_active_o count";
      want_mac += macs;
      ++convs;
      std::vector<bool> unspecified(cfg.acc, false);
      if (c.requant && c.kh * c.kw * c.cg > 1)
        for (unsigned p = 0; p < c.out_h * c.out_w; ++p) unspecified[c.acc_addr + p] = true;
      unsigned bad = 0;
      h.sync_acc_from_rtl(&unspecified, &bad);
      bad += h.compare_obuf();
      ASSERT_EQ(bad, 0u) << "command " << i << ": kh " << c.kh << " kw " << c.kw << " s "
                         << c.stride_h << "," << c.stride_w << " d " << c.dil_h << "," << c.dil_w
                         << " pad " << c.pad_top << "," << c.pad_left << " cg " << c.cg << " in "
                         << c.in_h << "x" << c.in_w << " out " << c.out_h << "x" << c.out_w
                         << " acc " << c.accumulate << " rq " << c.requant;
      continue;
    }
    unsigned bad = h.compare_obuf();
    ASSERT_EQ(bad, 0u) << "command " << i << " (POOL/ADD)";
  }
  EXPECT_EQ(h.stray_writes(), 0u) << "OBUF writes after cmd_done_o or flush";
  EXPECT_EQ(h.bad_addr(), 0u) << "accesses beyond a buffer";
  EXPECT_EQ(h.gnt_without_req(), 0u);
  const double secs = double(std::clock() - t0) / CLOCKS_PER_SEC;
  std::printf("[ArrayDim %u] %u commands (%u CONV, %u flushed), %llu cycles, %.0f k cycles/s\n",
              cfg.n, count, convs, flushes, (unsigned long long)h.cycles(),
              h.cycles() / secs / 1e3);
  std::fflush(stdout);
}

const Cfg kCfg16{16, 4096, 4096, 1024, 2048, 64};
const Cfg kCfg8{8, 4096, 4096, 1024, 2048, 64};
const Cfg kCfg4{4, 65536, 65536, 512, 1024, 16};

TEST(ComputeUnit, RandomConv16) { random_commands<Vcompute_16>(kCfg16, 1, 250, 6'000'000); }
TEST(ComputeUnit, RandomConv4) { random_commands<Vcompute_4>(kCfg4, 2, 400, 2'000'000); }
// OutLanes < ArrayDim: four columns share each output lane (the POOL / ADD share of the random
// mix is raised so that their time-multiplexing sees as many commands as CONV's).
TEST(ComputeUnit, RandomConv8SharedLanes) {
  random_commands<Vcompute_8_lanes2>(kCfg8, 3, 300, 2'000'000, 6);
}
TEST(ComputeUnit, RandomConv4OneLane) {
  random_commands<Vcompute_4_lanes1>(kCfg4, 4, 300, 2'000'000, 6);
}

// Utilization of the streaming: cycles from acceptance to cmd_done_o against the
// kh*kw*cg*out_h*out_w cycles in which an activation vector enters the array.
template <class V>
void utilization(const Cfg& cfg, const std::vector<isa::ConvCmd>& cmds, double min_util_big) {
  Harness<V> h(cfg, 5);
  h.init_rtl_obuf();
  for (const auto& c0 : cmds) {
    isa::ConvCmd c = c0;
    c.in_h = (c.out_h - 1) * c.stride_h + c.kh - 2 * c.pad_top;
    c.in_w = (c.out_w - 1) * c.stride_w + c.kw - 2 * c.pad_left;
    c.obuf_stride = 1;
    c.clamp_max = 0xff;
    randomize_pbuf(h.rng(), h.mem(), c.pbuf_addr);
    model_conv(c, h.mem());
    const long cyc = h.run(c.encode());
    const uint64_t macs = uint64_t(c.kh) * c.kw * c.cg * c.out_h * c.out_w;
    const double util = double(macs) / double(cyc);
    std::printf("[ArrayDim %u] CONV %ux%u cg %u out %ux%u: %ld cycles, %llu streaming, "
                "utilization %.1f%%\n",
                cfg.n, c.kh, c.kw, c.cg, c.out_h, c.out_w, cyc, (unsigned long long)macs,
                100.0 * util);
    if (c.kh == 3 && c.cg * cfg.n >= 64 && c.out_h * c.out_w >= 4 * cfg.n)
      EXPECT_GE(util, min_util_big);
    EXPECT_EQ(h.compare_obuf(), 0u);
  }
}

TEST(ComputeUnit, Utilization16) {
  std::vector<isa::ConvCmd> cmds;
  auto mk = [](unsigned k, unsigned cg, unsigned oh, unsigned ow) {
    isa::ConvCmd c;
    c.kh = c.kw = k;
    c.cg = cg;
    c.out_h = oh;
    c.out_w = ow;
    c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
    c.pad_top = c.pad_left = k / 2;
    c.requant = 1;
    return c;
  };
  cmds.push_back(mk(3, 4, 8, 8));     // 64 channels, 8x8 tile
  cmds.push_back(mk(3, 4, 16, 16));   // 64 channels, 16x16 tile
  cmds.push_back(mk(3, 8, 14, 14));   // 128 channels
  cmds.push_back(mk(1, 16, 1, 1));    // fully connected, 256 inputs
  cmds.push_back(mk(1, 4, 4, 4));     // fewer pixels than N
  utilization<Vcompute_16>(kCfg16, cmds, 0.90);
}

// Deep channel loop (cg in the thousands) on the small array.
TEST(ComputeUnit, LargeCg4) {
  Harness<Vcompute_4> h(kCfg4, 9);
  h.init_rtl_obuf();
  for (unsigned cg : {5000u, 16384u}) {
    isa::ConvCmd c;
    c.kh = c.kw = 1;
    c.cg = cg;
    c.in_h = c.in_w = c.out_h = c.out_w = 1;
    c.stride_h = c.stride_w = c.dil_h = c.dil_w = 1;
    c.act_signed = c.wgt_signed = 1;
    c.requant = cg == 5000;
    c.accumulate = 1;
    c.obuf_stride = 1;
    c.clamp_min = 0x80;
    c.clamp_max = 0x7f;
    c.out_signed = 1;
    c.acc_addr = 7;
    randomize_pbuf(h.rng(), h.mem(), 0);
    model_conv(c, h.mem());
    ASSERT_GT(h.run(c.encode()), 0);
    std::vector<bool> unspecified(kCfg4.acc, false);
    if (c.requant) unspecified[c.acc_addr] = true;
    unsigned bad = 0;
    h.sync_acc_from_rtl(&unspecified, &bad);
    bad += h.compare_obuf();
    EXPECT_EQ(bad, 0u) << "cg " << cg;
  }
}

}  // namespace
