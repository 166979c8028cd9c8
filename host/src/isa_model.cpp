// Instruction-level golden model: docs/isa.md as code (see isa_model.hpp for the execution model).
#include "tessera/isa_model.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

#include "tessera/quant.hpp"

namespace tessera {
namespace {

using isa::Error;
using isa::Opcode;

enum Unit : int { kLoadUnit = 0, kComputeUnit = 1, kStoreUnit = 2, kNumUnits = 3 };

// Token counters between neighbouring units.
enum Token : int { kLoadToCompute = 0, kComputeToLoad, kComputeToStore, kStoreToCompute, kNone };

// Counter a unit pops with pop_prev / pop_next and pushes with push_prev / push_next (kNone: the
// flag is illegal for that unit).
constexpr std::array<Token, kNumUnits> kPopPrev{kNone, kLoadToCompute, kComputeToStore};
constexpr std::array<Token, kNumUnits> kPopNext{kComputeToLoad, kStoreToCompute, kNone};
constexpr std::array<Token, kNumUnits> kPushPrev{kNone, kComputeToLoad, kStoreToCompute};
constexpr std::array<Token, kNumUnits> kPushNext{kLoadToCompute, kComputeToStore, kNone};

bool legal_opcode(uint32_t op) { return op >= 1 && op <= 6; }

Unit unit_of(Opcode op) {
  switch (op) {
    case Opcode::kLoad: return kLoadUnit;
    case Opcode::kStore: return kStoreUnit;
    default: return kComputeUnit;
  }
}

struct Entry {
  uint32_t index;
  isa::Command cmd;
  Opcode op;
};

struct Window {
  uint64_t base, size;
  bool contains(uint64_t addr, uint64_t n) const {
    return addr >= base && addr + n <= base + size;
  }
};

// Element size and depth of the on-chip side of a LOAD / STORE.
struct DmaSide {
  unsigned elem_bytes;
  uint64_t depth;
};

DmaSide load_side(const HwConfig& cfg, uint32_t buf) {
  switch (isa::LoadBuf(buf)) {
    case isa::LoadBuf::kAbuf: return {cfg.vec_bytes(), cfg.abuf_words};
    case isa::LoadBuf::kWbuf: return {cfg.vec_bytes(), cfg.wbuf_words};
    default: return {cfg.wide_bytes(), cfg.pbuf_words};
  }
}

DmaSide store_side(const HwConfig& cfg, uint32_t buf) {
  if (isa::StoreBuf(buf) == isa::StoreBuf::kObuf) return {cfg.vec_bytes(), cfg.obuf_words};
  return {cfg.wide_bytes(), cfg.acc_words};
}

bool deps_legal(Unit u, const isa::Deps& d) {
  return !((d.pop_prev && kPopPrev[u] == kNone) || (d.pop_next && kPopNext[u] == kNone) ||
           (d.push_prev && kPushPrev[u] == kNone) || (d.push_next && kPushNext[u] == kNone));
}

// Checks 3..5 shared by LOAD and STORE.
Error check_dma(const DmaSide& side, uint32_t sram_addr, uint32_t dram_addr, uint32_t x_len,
                uint32_t y_len, uint32_t z_len, uint32_t y_stride, uint32_t z_stride,
                const Window& win) {
  const uint64_t e = side.elem_bytes;
  if (dram_addr % e || y_stride % e || z_stride % e) return Error::kMisaligned;
  const uint64_t end = uint64_t(dram_addr) + uint64_t(z_len - 1) * z_stride +
                       uint64_t(y_len - 1) * y_stride + uint64_t(x_len) * e;
  if (!win.contains(dram_addr, end - dram_addr)) return Error::kAddrWindow;
  if (uint64_t(sram_addr) + uint64_t(x_len) * y_len * z_len > side.depth) return Error::kSramRange;
  return Error::kNone;
}

// Static checks of docs/isa.md "Faults" 2..5 (the opcode is already known to be legal).
Error static_check(const HwConfig& cfg, const isa::Command& cmd, Opcode op, const Window& win) {
  const isa::Deps d = isa::get_deps(cmd);
  const uint64_t n = cfg.array_dim;
  switch (op) {
    case Opcode::kLoad: {
      const auto c = isa::LoadCmd::decode(cmd);
      if (!deps_legal(kLoadUnit, d) || c.buf > 2 || !c.x_len || !c.y_len || !c.z_len)
        return Error::kIllegalField;
      return check_dma(load_side(cfg, c.buf), c.sram_addr, c.dram_addr, c.x_len, c.y_len,
                       c.z_len, c.y_stride, c.z_stride, win);
    }
    case Opcode::kStore: {
      const auto c = isa::StoreCmd::decode(cmd);
      if (!deps_legal(kStoreUnit, d) || c.buf > 1 || !c.x_len || !c.y_len || !c.z_len)
        return Error::kIllegalField;
      return check_dma(store_side(cfg, c.buf), c.sram_addr, c.dram_addr, c.x_len, c.y_len,
                       c.z_len, c.y_stride, c.z_stride, win);
    }
    case Opcode::kConv: {
      const auto c = isa::ConvCmd::decode(cmd);
      if (!c.in_h || !c.in_w || !c.kh || !c.kw || !c.out_h || !c.out_w || !c.stride_h ||
          !c.stride_w || !c.cg || !c.obuf_stride || !c.dil_h || !c.dil_w)
        return Error::kIllegalField;
      const uint64_t pixels = uint64_t(c.out_h) * c.out_w;
      if (c.abuf_addr + uint64_t(c.in_h) * c.in_w * c.cg > cfg.abuf_words ||
          c.wbuf_addr + uint64_t(c.kh) * c.kw * c.cg * n > cfg.wbuf_words ||
          c.pbuf_addr + uint64_t(3) > cfg.pbuf_words || c.acc_addr + pixels > cfg.acc_words ||
          (c.requant && c.obuf_addr + (pixels - 1) * c.obuf_stride + 1 > cfg.obuf_words))
        return Error::kSramRange;
      return Error::kNone;
    }
    case Opcode::kPool: {
      const auto c = isa::PoolCmd::decode(cmd);
      if (!c.in_h || !c.in_w || !c.kh || !c.kw || !c.out_h || !c.out_w || !c.cg ||
          !c.stride_h || !c.stride_w)
        return Error::kIllegalField;
      if (c.abuf_addr + uint64_t(c.in_h) * c.in_w * c.cg > cfg.abuf_words ||
          c.obuf_addr + uint64_t(c.out_h) * c.out_w * c.cg > cfg.obuf_words)
        return Error::kSramRange;
      return Error::kNone;
    }
    case Opcode::kAdd: {
      const auto c = isa::AddCmd::decode(cmd);
      if (!c.len) return Error::kIllegalField;
      if (uint64_t(c.a_addr) + c.len > cfg.abuf_words ||
          uint64_t(c.b_addr) + c.len > cfg.abuf_words ||
          uint64_t(c.obuf_addr) + c.len > cfg.obuf_words)
        return Error::kSramRange;
      return Error::kNone;
    }
    case Opcode::kFinish:
      if (d.pop_prev || d.pop_next || d.push_prev || d.push_next) return Error::kIllegalField;
      return Error::kNone;
  }
  return Error::kIllegalOpcode;
}

int32_t lane32(const uint8_t* p) {
  return int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
                 uint32_t(p[3]) << 24);
}

void put_lane32(uint8_t* p, int32_t v) {
  const uint32_t u = uint32_t(v);
  p[0] = uint8_t(u);
  p[1] = uint8_t(u >> 8);
  p[2] = uint8_t(u >> 16);
  p[3] = uint8_t(u >> 24);
}

// Operands of one CONV, resolved to raw pointers for the kernel below.
struct ConvArgs {
  const isa::ConvCmd& c;
  const uint8_t* abuf;   // ABUF word abuf_addr
  const int32_t* wd;     // w - wzp[c], [tap][r][c]
  int32_t* acc_mem;      // ACC word 0
  uint8_t* obuf_mem;     // OBUF word 0
  const int32_t* bias;
  const int32_t* mult;
  const unsigned* shift;
  int32_t act_zp;
};

// The CONV loops of docs/isa.md with the lane count N known at compile time, so the innermost
// loop over output lanes is a fixed-length vector operation.
template <unsigned N>
void conv_kernel(const ConvArgs& a) {
  const isa::ConvCmd& c = a.c;
  const bool as = c.act_signed, os = c.out_signed;
  alignas(64) uint32_t acc[N];  // unsigned: two's-complement wraparound
  for (uint32_t oy = 0; oy < c.out_h; ++oy)
    for (uint32_t ox = 0; ox < c.out_w; ++ox) {
      const size_t pix = size_t(oy) * c.out_w + ox;
      int32_t* acc_word = a.acc_mem + (c.acc_addr + pix) * N;
      for (unsigned k = 0; k < N; ++k) acc[k] = c.accumulate ? uint32_t(acc_word[k]) : 0u;
      for (uint32_t ky = 0; ky < c.kh; ++ky) {
        const int64_t iy = int64_t(oy) * c.stride_h + int64_t(ky) * c.dil_h - c.pad_top;
        if (iy < 0 || iy >= int64_t(c.in_h)) continue;  // padding row: every term is 0
        for (uint32_t kx = 0; kx < c.kw; ++kx) {
          const int64_t ix = int64_t(ox) * c.stride_w + int64_t(kx) * c.dil_w - c.pad_left;
          if (ix < 0 || ix >= int64_t(c.in_w)) continue;
          for (uint32_t g = 0; g < c.cg; ++g) {
            const uint8_t* act = a.abuf + ((size_t(iy) * c.in_w + size_t(ix)) * c.cg + g) * N;
            const int32_t* w = a.wd + ((size_t(ky) * c.kw + kx) * c.cg + g) * N * N;
            for (unsigned r = 0; r < N; ++r) {
              const int32_t av = byte_value(act[r], as) - a.act_zp;
              if (av == 0) continue;
              const int32_t* wr = w + size_t(r) * N;
              for (unsigned k = 0; k < N; ++k) acc[k] += uint32_t(av * wr[k]);
            }
          }
        }
      }
      if (c.requant) {
        uint8_t* o = a.obuf_mem + (c.obuf_addr + pix * c.obuf_stride) * N;
        const int32_t ozp = byte_value(uint8_t(c.out_zp), os);
        const int32_t lo = byte_value(uint8_t(c.clamp_min), os);
        const int32_t hi = byte_value(uint8_t(c.clamp_max), os);
        for (unsigned k = 0; k < N; ++k)
          o[k] = uint8_t(requantize(int32_t(acc[k]), a.bias[k], a.mult[k], a.shift[k], ozp, lo, hi));
      } else {
        for (unsigned k = 0; k < N; ++k) acc_word[k] = int32_t(acc[k]);
      }
    }
}

}  // namespace

IsaModel::IsaModel(const HwConfig& cfg) : cfg_(cfg) {
  const unsigned n = cfg.array_dim;
  if (n < 4 || n > 32 || (n & (n - 1)))
    throw std::invalid_argument("IsaModel: array_dim must be a power of two in 4..32, got " +
                                std::to_string(n));
  if (!cfg.abuf_words || !cfg.wbuf_words || !cfg.pbuf_words || !cfg.acc_words ||
      !cfg.obuf_words || !cfg.queue_depth)
    throw std::invalid_argument("IsaModel: buffer and queue depths must be >= 1 (" +
                                cfg.describe() + ")");
  abuf_.assign(size_t(cfg.abuf_words) * cfg.vec_bytes(), 0);
  wbuf_.assign(size_t(cfg.wbuf_words) * cfg.vec_bytes(), 0);
  pbuf_.assign(size_t(cfg.pbuf_words) * cfg.wide_bytes(), 0);
  obuf_.assign(size_t(cfg.obuf_words) * cfg.vec_bytes(), 0);
  acc_.assign(size_t(cfg.acc_words) * n, 0);
}

RunResult IsaModel::run(DramImage& mem, uint32_t cmd_base, uint32_t cmd_count,
                        uint32_t window_base, uint32_t window_size, const Options& opt) {
  RunResult r;
  const auto fault = [&r](Error e, uint32_t info) {
    r.error = e;
    r.err_info = info;
    return r;
  };
  if (cmd_base % isa::kCmdBytes) return fault(Error::kMisaligned, 0);

  const Window win{window_base, window_size};
  const size_t capacity = size_t(cfg_.queue_depth) + 1;  // queue + the command a unit holds
  std::array<std::deque<Entry>, kNumUnits> queues;
  std::array<uint32_t, 4> tokens{};
  std::optional<Entry> fetched;  // fetched, waiting for room in its queue
  uint32_t next = 0;             // next command index to fetch
  bool finish_pending = false;
  std::mt19937_64 rng(opt.schedule_seed);

  for (;;) {
    // Dispatcher: run ahead until FINISH, the end of the stream or a full queue.
    while (!finish_pending) {
      if (!fetched) {
        if (next == cmd_count) break;
        const uint64_t addr = uint64_t(cmd_base) + uint64_t(next) * isa::kCmdBytes;
        if (!win.contains(addr, isa::kCmdBytes)) return fault(Error::kAddrWindow, next);
        if (!mem.contains(addr, isa::kCmdBytes)) return fault(Error::kAxiResp, next);
        const uint8_t* p = mem.at(addr, isa::kCmdBytes);
        isa::Command cmd{};
        for (size_t w = 0; w < cmd.size(); ++w) cmd[w] = uint32_t(lane32(p + 4 * w));
        const uint32_t op = uint32_t(isa::get(cmd, isa::field::kOpcode));
        if (!legal_opcode(op)) return fault(Error::kIllegalOpcode, next);
        fetched = Entry{next, cmd, Opcode(op)};
        ++next;
      }
      if (fetched->op != Opcode::kFinish &&
          queues[unit_of(fetched->op)].size() >= capacity)
        break;  // back-pressure: dispatch it once its queue has room
      const Error e = static_check(cfg_, fetched->cmd, fetched->op, win);
      if (e != Error::kNone) return fault(e, fetched->index);
      if (fetched->op == Opcode::kFinish)
        finish_pending = true;
      else
        queues[unit_of(fetched->op)].push_back(*fetched);
      fetched.reset();
    }

    const bool empty = queues[0].empty() && queues[1].empty() && queues[2].empty();
    if (empty && finish_pending) {
      ++r.counters[size_t(isa::Counter::kCmdsRetired)];
      r.done = true;
      return r;
    }
    if (empty && !fetched && next == cmd_count) return fault(Error::kCmdOverrun, cmd_count);

    // Units whose head command has its tokens.
    std::array<Unit, kNumUnits> ready{};
    int n_ready = 0;
    uint32_t lowest_waiting = UINT32_MAX;
    for (int u = 0; u < kNumUnits; ++u) {
      if (queues[u].empty()) continue;
      const Entry& h = queues[u].front();
      const isa::Deps d = isa::get_deps(h.cmd);
      const bool ok = (!d.pop_prev || tokens[kPopPrev[u]] > 0) &&
                      (!d.pop_next || tokens[kPopNext[u]] > 0);
      if (ok)
        ready[n_ready++] = Unit(u);
      else
        lowest_waiting = std::min(lowest_waiting, h.index);
    }
    // With nothing ready every queued head waits for a token (the dispatcher stopped above, so
    // the queues are not all empty).
    if (n_ready == 0) return fault(Error::kDeadlock, lowest_waiting);

    const Unit u = opt.schedule_seed == 0 ? ready[0] : ready[rng() % unsigned(n_ready)];
    const Entry h = queues[u].front();
    queues[u].pop_front();
    const isa::Deps d = isa::get_deps(h.cmd);
    if (d.pop_prev) --tokens[kPopPrev[u]];
    if (d.pop_next) --tokens[kPopNext[u]];

    Error e = Error::kNone;
    switch (h.op) {
      case Opcode::kLoad: e = exec_load(mem, isa::LoadCmd::decode(h.cmd), r); break;
      case Opcode::kStore: e = exec_store(mem, isa::StoreCmd::decode(h.cmd), r); break;
      case Opcode::kConv: exec_conv(isa::ConvCmd::decode(h.cmd), r); break;
      case Opcode::kPool: exec_pool(isa::PoolCmd::decode(h.cmd)); break;
      case Opcode::kAdd: exec_add(isa::AddCmd::decode(h.cmd)); break;
      case Opcode::kFinish: break;  // never queued
    }
    if (e != Error::kNone) return fault(e, h.index);

    for (const auto& [flag, tok] : {std::pair{d.push_prev, kPushPrev[u]},
                                    std::pair{d.push_next, kPushNext[u]}}) {
      if (!flag) continue;
      if (tokens[tok] == 255) return fault(Error::kTokenOverflow, h.index);
      ++tokens[tok];
    }
    ++r.counters[size_t(isa::Counter::kCmdsRetired)];
  }
}

Error IsaModel::exec_load(DramImage& mem, const isa::LoadCmd& c, RunResult& r) {
  const unsigned e = load_side(cfg_, c.buf).elem_bytes;
  std::vector<uint8_t>& dst = c.buf == uint32_t(isa::LoadBuf::kAbuf)   ? abuf_
                              : c.buf == uint32_t(isa::LoadBuf::kWbuf) ? wbuf_
                                                                        : pbuf_;
  size_t word = c.sram_addr;
  for (uint32_t z = 0; z < c.z_len; ++z)
    for (uint32_t y = 0; y < c.y_len; ++y) {
      const uint64_t row = uint64_t(c.dram_addr) + uint64_t(z) * c.z_stride +
                           uint64_t(y) * c.y_stride;
      if (!mem.contains(row, uint64_t(c.x_len) * e)) return Error::kAxiResp;
      std::memcpy(dst.data() + word * e, mem.at(row, uint64_t(c.x_len) * e), size_t(c.x_len) * e);
      word += c.x_len;
    }
  r.counters[size_t(isa::Counter::kDmaRdBytes)] += uint64_t(c.x_len) * c.y_len * c.z_len * e;
  return Error::kNone;
}

Error IsaModel::exec_store(DramImage& mem, const isa::StoreCmd& c, RunResult& r) {
  const unsigned e = store_side(cfg_, c.buf).elem_bytes;
  const unsigned n = cfg_.array_dim;
  const bool from_acc = c.buf == uint32_t(isa::StoreBuf::kAcc);
  size_t word = c.sram_addr;
  for (uint32_t z = 0; z < c.z_len; ++z)
    for (uint32_t y = 0; y < c.y_len; ++y) {
      const uint64_t row = uint64_t(c.dram_addr) + uint64_t(z) * c.z_stride +
                           uint64_t(y) * c.y_stride;
      if (!mem.contains(row, uint64_t(c.x_len) * e)) return Error::kAxiResp;
      uint8_t* p = mem.at(row, uint64_t(c.x_len) * e);
      if (from_acc) {
        for (uint32_t x = 0; x < c.x_len; ++x)
          for (unsigned k = 0; k < n; ++k) put_lane32(p + size_t(x) * e + 4 * k, acc_[(word + x) * n + k]);
      } else {
        std::memcpy(p, obuf_.data() + word * e, size_t(c.x_len) * e);
      }
      word += c.x_len;
    }
  r.counters[size_t(isa::Counter::kDmaWrBytes)] += uint64_t(c.x_len) * c.y_len * c.z_len * e;
  return Error::kNone;
}

void IsaModel::exec_conv(const isa::ConvCmd& c, RunResult& r) {
  const unsigned n = cfg_.array_dim;
  const bool ws = c.wgt_signed;
  const int32_t act_zp = byte_value(uint8_t(c.act_zp), bool(c.act_signed));

  // Lane parameters from the three PBUF words.
  std::vector<int32_t> bias(n), mult(n), wzp(n);
  std::vector<unsigned> shift(n);
  const uint8_t* pw = pbuf_.data() + size_t(c.pbuf_addr) * cfg_.wide_bytes();
  for (unsigned k = 0; k < n; ++k) {
    bias[k] = lane32(pw + 4 * k);
    mult[k] = lane32(pw + cfg_.wide_bytes() + 4 * k);
    const uint32_t w2 = uint32_t(lane32(pw + 2 * cfg_.wide_bytes() + 4 * k));
    shift[k] = w2 & 63u;
    wzp[k] = byte_value(uint8_t(w2 >> 8), ws);
  }

  // Weight differences w - wzp[c], laid out [tap = (ky*kw + kx)*cg + g][r][c].
  const size_t taps = size_t(c.kh) * c.kw * c.cg;
  std::vector<int32_t> wd(taps * n * n);
  const uint8_t* wsrc = wbuf_.data() + size_t(c.wbuf_addr) * n;
  for (size_t i = 0; i < taps * n; ++i)
    for (unsigned k = 0; k < n; ++k) wd[i * n + k] = byte_value(wsrc[i * n + k], ws) - wzp[k];

  const ConvArgs args{c, abuf_.data() + size_t(c.abuf_addr) * n, wd.data(), acc_.data(),
                      obuf_.data(), bias.data(), mult.data(), shift.data(), act_zp};
  switch (n) {
    case 4: conv_kernel<4>(args); break;
    case 8: conv_kernel<8>(args); break;
    case 16: conv_kernel<16>(args); break;
    default: conv_kernel<32>(args); break;  // the constructor allows only 4, 8, 16, 32
  }
  r.counters[size_t(isa::Counter::kMacActive)] +=
      uint64_t(c.kh) * c.kw * c.cg * c.out_h * c.out_w;
}

void IsaModel::exec_pool(const isa::PoolCmd& c) {
  const unsigned n = cfg_.array_dim;
  const bool s = c.data_signed;
  const int32_t lo = type_min(s), hi = type_max(s);
  const int32_t in_zp = byte_value(uint8_t(c.in_zp), s);
  const int32_t out_zp = byte_value(uint8_t(c.out_zp), s);
  const int64_t mult = int32_t(c.mult);
  std::vector<int32_t> best(n);
  std::vector<int64_t> sum(n);
  for (uint32_t oy = 0; oy < c.out_h; ++oy)
    for (uint32_t ox = 0; ox < c.out_w; ++ox)
      for (uint32_t g = 0; g < c.cg; ++g) {
        std::fill(best.begin(), best.end(), lo);
        std::fill(sum.begin(), sum.end(), 0);
        for (uint32_t ky = 0; ky < c.kh; ++ky) {
          const int64_t iy = int64_t(oy) * c.stride_h + ky - c.pad_top;
          if (iy < 0 || iy >= int64_t(c.in_h)) continue;
          for (uint32_t kx = 0; kx < c.kw; ++kx) {
            const int64_t ix = int64_t(ox) * c.stride_w + kx - c.pad_left;
            if (ix < 0 || ix >= int64_t(c.in_w)) continue;
            const uint8_t* a =
                abuf_.data() + (c.abuf_addr + (size_t(iy) * c.in_w + size_t(ix)) * c.cg + g) * n;
            for (unsigned k = 0; k < n; ++k) {
              const int32_t v = byte_value(a[k], s);
              best[k] = std::max(best[k], v);
              sum[k] += v - in_zp;
            }
          }
        }
        uint8_t* o = obuf_.data() + (c.obuf_addr + (size_t(oy) * c.out_w + ox) * c.cg + g) * n;
        for (unsigned k = 0; k < n; ++k) {
          const int64_t y =
              c.avg ? std::clamp<int64_t>(out_zp + rshift_rne(sum[k] * mult, c.shift), lo, hi)
                    : best[k];
          o[k] = uint8_t(y);
        }
      }
}

void IsaModel::exec_add(const isa::AddCmd& c) {
  const unsigned n = cfg_.array_dim;
  const bool s = c.data_signed;
  const int64_t a_zp = byte_value(uint8_t(c.a_zp), s), b_zp = byte_value(uint8_t(c.b_zp), s);
  const int64_t out_zp = byte_value(uint8_t(c.out_zp), s);
  const int64_t lo = byte_value(uint8_t(c.clamp_min), s), hi = byte_value(uint8_t(c.clamp_max), s);
  const int64_t am = int32_t(c.a_mult), bm = int32_t(c.b_mult);
  for (size_t i = 0; i < c.len; ++i) {
    const uint8_t* a = abuf_.data() + (c.a_addr + i) * n;
    const uint8_t* b = abuf_.data() + (c.b_addr + i) * n;
    uint8_t* o = obuf_.data() + (c.obuf_addr + i) * n;
    for (unsigned k = 0; k < n; ++k) {
      const int64_t y = out_zp + rshift_rne((byte_value(a[k], s) - a_zp) * am +
                                                (byte_value(b[k], s) - b_zp) * bm,
                                            c.shift);
      o[k] = uint8_t(std::min(std::max(y, lo), hi));
    }
  }
}

}  // namespace tessera
