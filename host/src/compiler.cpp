// Layer compiler (docs/compiler.md): tiling, weight packing, double buffering and dependency
// tokens.
//
// Dependencies are derived, not hand-placed: the builder records, for every on-chip word range,
// which command last wrote it and which last read it. Each new command asks for the latest
// producer / consumer it must wait for in a neighbouring unit; because units run in order and
// only the latest one matters, a single token per distinct wait suffices. The builder marks that
// earlier command with the push flag and the new one with the matching pop, keeping pushes and
// pops paired one to one in order on each counter. Every wait points to a command earlier in the
// stream, so no schedule and no queue depth can deadlock.
#include "tessera/compiler.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

namespace tessera {
namespace {

constexpr uint32_t kSramCap = 65535;  // sram_addr / x_len are 16-bit fields
constexpr unsigned kMaxSlots = 16;    // bounds outstanding tokens (counters are 8-bit)
constexpr unsigned kMaxPad = 15;      // pad_top / pad_left are 4-bit
constexpr int kMaxDim = 4095;         // in_h / in_w / out_h / out_w are 12-bit
// AXI bursts the planner assumes in flight per direction (the default memory model's limit;
// the RTL allows more): a transfer of many short runs, one burst each, is latency-bound.
constexpr double kBurstsInFlight = 8;

int ceil_div(int a, int b) { return (a + b - 1) / b; }
int round_up(int a, int b) { return ceil_div(a, b) * b; }

// DMA time (cycles) of `cmds` transfers moving `bytes` in `runs` contiguous runs: the latency
// once per command, then the bus, or for short runs (one AXI burst each, plus run_cycles of
// engine time) the bursts in flight.
double dma_cycles(double cmds, double bytes, double runs, double run_cycles, double axi_bytes,
                  double latency) {
  const double beats = bytes / axi_bytes;
  return cmds * latency + std::max(beats + run_cycles * runs,
                                   runs * latency / kBurstsInFlight + beats);
}

enum Unit { kLoadUnit = 0, kComputeUnit = 1, kStoreUnit = 2 };
enum Buf { kAbuf = 0, kWbuf, kPbuf, kObuf, kAcc, kNumBufs };

struct Range {
  Buf buf;
  uint32_t lo, hi;  // words [lo, hi)
};

// Non-overlapping segments [lo, hi) -> sequence number of the last command that touched them.
class IntervalMap {
 public:
  void assign(uint32_t lo, uint32_t hi, int64_t v) {
    if (lo >= hi) return;
    split(lo);
    split(hi);
    segs_.erase(segs_.lower_bound(lo), segs_.lower_bound(hi));
    segs_[lo] = Seg{hi, v};
  }
  int64_t max_over(uint32_t lo, uint32_t hi) const {
    int64_t m = -1;
    auto it = segs_.upper_bound(lo);
    if (it != segs_.begin()) --it;
    for (; it != segs_.end() && it->first < hi; ++it)
      if (it->second.hi > lo) m = std::max(m, it->second.v);
    return m;
  }

 private:
  struct Seg {
    uint32_t hi;
    int64_t v;
  };
  void split(uint32_t at) {
    auto it = segs_.upper_bound(at);
    if (it == segs_.begin()) return;
    --it;
    if (it->first < at && it->second.hi > at) {
      const Seg tail{it->second.hi, it->second.v};
      it->second.hi = at;
      segs_[at] = tail;
    }
  }
  std::map<uint32_t, Seg> segs_;
};

using Key = std::array<int64_t, 4>;

// K equal slots with LRU replacement: which chunk of a layer's data sits where in a buffer.
class SlotCache {
 public:
  SlotCache(uint32_t slot_words, unsigned slots) : words_(slot_words), slots_(slots) {}
  // Returns the slot's first word; *miss tells whether the chunk has to be loaded.
  uint32_t get(const Key& k, bool* miss) {
    ++clock_;
    for (size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].valid && slots_[i].key == k) {
        slots_[i].used = clock_;
        *miss = false;
        return uint32_t(i) * words_;
      }
    size_t victim = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (!slots_[i].valid) {
        victim = i;
        break;
      }
      if (slots_[i].used < slots_[victim].used) victim = i;
    }
    slots_[victim] = Slot{k, true, clock_};
    *miss = true;
    return uint32_t(victim) * words_;
  }

 private:
  struct Slot {
    Key key{};
    bool valid = false;
    uint64_t used = 0;
  };
  uint32_t words_;
  std::vector<Slot> slots_;
  uint64_t clock_ = 0;
};

// Round-robin slots of an output buffer (OBUF / ACC).
class Ring {
 public:
  Ring(uint32_t slot_words, unsigned slots) : words_(slot_words), slots_(slots) {}
  uint32_t next() {
    const uint32_t a = cur_ * words_;
    cur_ = (cur_ + 1) % slots_;
    return a;
  }

 private:
  uint32_t words_;
  unsigned slots_;
  unsigned cur_ = 0;
};

// Rows (or columns) of the input a tile of outputs [o0, o0 + n) needs.
struct Span {
  int base;  // first input row held on chip
  int len;   // rows held on chip
  int pad;   // padding rows before base the first output's window starts at
};
Span input_span(int o0, int n, int stride, int k, int dil, int pad, int in_size) {
  const int start = o0 * stride - pad;
  const int last = (o0 + n - 1) * stride - pad + (k - 1) * dil;
  Span s;
  s.base = std::max(0, start);
  s.len = std::min(in_size, last + 1) - s.base;
  s.pad = s.base - start;
  return s;
}
int max_span(int n, int stride, int k, int dil, int in_size) {
  return std::min(in_size, (n - 1) * stride + (k - 1) * dil + 1);
}

struct ConvPlan {
  int th = 0, tw = 0;    // output tile
  int npass = 1, cgp = 1;  // input-channel-group passes and groups per pass
  int sb = 1;            // output groups per weight superblock (loop: sb -> tile -> block)
  int obs = 1;           // output groups per OBUF block
  bool w_res = false, p_res = false;
  unsigned a_slots = 0, w_slots = 0, p_slots = 0, o_slots = 0, acc_slots = 0;
  uint32_t a_words = 0, w_words = 0, p_words = 0;  // slot sizes (streamed weights / params)
  double est = 0;
};

}  // namespace

struct ProgramBuilder::Impl {
  HwConfig cfg;
  unsigned n;
  uint32_t mem_base;
  uint64_t mem_end;
  uint64_t bump;
  uint32_t caps[kNumBufs];

  std::vector<isa::Command> cmds;
  std::vector<uint32_t> seq_cmd[3];  // per unit: sequence number -> stream index
  IntervalMap writer[kNumBufs], reader[kNumBufs];
  int64_t acked_l2c = -1, acked_c2l = -1, acked_c2s = -1, acked_s2c = -1;
  // DRAM ranges written by stores that a later load might not yet be ordered after. Once a
  // compute command has waited for the store, covered_by names it: a load then only needs to wait
  // for that compute command; once a load has waited for it, the entry is dropped.
  struct DramWrite {
    uint64_t lo, hi;
    int64_t store;
    int64_t covered_by = -1;
  };
  std::vector<DramWrite> dram_writes;
  std::vector<Blob> constants;
  std::vector<LayerInfo> layers;
  // DRAM ranges of the output tensors of the layers compiled so far: what the device produces.
  std::vector<std::pair<uint64_t, uint64_t>> produced;
  bool host_im2col = true;
  bool resident_on_top = false;  // where the next layer's resident weights / parameters go
  std::string layer_name;
  uint32_t layer_first_cmd = 0;
  int64_t layer_id = 0;
  bool finished = false;

  Impl(const HwConfig& c, uint32_t base, size_t size)
      : cfg(c), n(c.array_dim), mem_base(base), mem_end(uint64_t(base) + size), bump(base) {
    if (n < 4 || n > 32 || (n & (n - 1)))
      throw std::invalid_argument("ProgramBuilder: array_dim must be a power of two in 4..32");
    caps[kAbuf] = std::min<uint32_t>(cfg.abuf_words, kSramCap);
    caps[kWbuf] = std::min<uint32_t>(cfg.wbuf_words, kSramCap);
    caps[kPbuf] = std::min<uint32_t>(cfg.pbuf_words, kSramCap);
    caps[kObuf] = std::min<uint32_t>(cfg.obuf_words, kSramCap);
    caps[kAcc] = std::min<uint32_t>(cfg.acc_words, kSramCap);
    if (caps[kAbuf] == 0 || caps[kObuf] == 0)
      throw std::invalid_argument("ProgramBuilder: zero buffer depth in " + cfg.describe());
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("layer '" + layer_name + "': " + what + " (" + cfg.describe() + ")");
  }

  uint64_t alloc(uint64_t bytes, uint64_t align) {
    const uint64_t a = (bump + align - 1) / align * align;
    if (a + bytes > mem_end)
      throw std::runtime_error("ProgramBuilder: device memory exhausted (need " +
                               std::to_string(bytes) + " bytes more)");
    bump = a + bytes;
    return a;
  }
  uint32_t add_constant(std::vector<uint8_t> bytes) {
    const uint32_t a = uint32_t(alloc(bytes.size(), 256));
    constants.push_back(Blob{a, std::move(bytes)});
    return a;
  }

  // ---- command emission with derived dependencies ------------------------------------------
  void mark(Unit u, int64_t seq, isa::Field f) { isa::set(cmds[seq_cmd[u][seq]], f, 1); }

  template <class C>
  void append(Unit u, C c) {
    try {
      cmds.push_back(c.encode());
    } catch (const std::out_of_range& e) {  // the tiler must never get here
      throw std::logic_error("layer '" + layer_name + "': compiler bug: " + e.what());
    }
    seq_cmd[u].push_back(uint32_t(cmds.size() - 1));
  }

  // Compute command that must follow store `store_seq` exists (DRAM read-after-write barrier).
  int64_t barrier(int64_t store_seq) {
    isa::AddCmd c;
    c.len = 1;
    c.clamp_max = 255;  // a = b = ABUF[0], multipliers 0: writes out_zp = 0 to OBUF[0]
    return compute(c, {Range{kAbuf, 0, 1}}, {Range{kObuf, 0, 1}}, store_seq);
  }

  void load(isa::LoadBuf b, uint32_t sram, uint64_t dram, uint32_t x, uint32_t y, uint32_t ys,
            uint32_t z, uint32_t zs) {
    const Buf buf = b == isa::LoadBuf::kAbuf ? kAbuf : b == isa::LoadBuf::kWbuf ? kWbuf : kPbuf;
    const unsigned el = buf == kPbuf ? cfg.wide_bytes() : cfg.vec_bytes();
    collapse(el, x, y, ys, z, zs);
    const uint64_t dlo = dram, dhi = dram + uint64_t(z - 1) * zs + uint64_t(y - 1) * ys + x * el;
    const uint32_t lo = sram, hi = sram + x * y * z;
    // Read-after-write through DRAM: a store of an earlier layer wrote what this load reads.
    int64_t need_c = reader[buf].max_over(lo, hi);
    int64_t st = -1;
    for (const DramWrite& w : dram_writes)
      if (w.lo < dhi && dlo < w.hi) {
        if (w.covered_by >= 0)
          need_c = std::max(need_c, w.covered_by);
        else
          st = std::max(st, w.store);
      }
    if (st >= 0) need_c = std::max(need_c, barrier(st));
    isa::LoadCmd c;
    c.buf = uint32_t(b);
    c.sram_addr = sram;
    c.dram_addr = uint32_t(dram);
    c.x_len = x;
    c.y_len = y;
    c.y_stride = ys;
    c.z_len = z;
    c.z_stride = zs;
    if (need_c > acked_c2l) {
      mark(kComputeUnit, need_c, isa::field::kPushPrev);
      c.deps.pop_next = true;
      acked_c2l = need_c;
      dram_writes.erase(std::remove_if(dram_writes.begin(), dram_writes.end(),
                                       [&](const DramWrite& w) {
                                         return w.covered_by >= 0 && w.covered_by <= acked_c2l;
                                       }),
                        dram_writes.end());
    }
    append(kLoadUnit, c);
    writer[buf].assign(lo, hi, int64_t(seq_cmd[kLoadUnit].size() - 1));
  }

  // Linear transfer of `count` elements, split into x_len pieces that fit 16 bits.
  void load_linear(isa::LoadBuf b, uint32_t sram, uint64_t dram, uint32_t count) {
    const unsigned el = b == isa::LoadBuf::kPbuf ? cfg.wide_bytes() : cfg.vec_bytes();
    load(b, sram, dram, count, 1, count * el, 1, count * el);
  }

  void store(isa::StoreBuf b, uint32_t sram, uint64_t dram, uint32_t x, uint32_t y, uint32_t ys,
             uint32_t z, uint32_t zs) {
    const Buf buf = b == isa::StoreBuf::kObuf ? kObuf : kAcc;
    const unsigned el = buf == kAcc ? cfg.wide_bytes() : cfg.vec_bytes();
    collapse(el, x, y, ys, z, zs);
    const uint32_t lo = sram, hi = sram + x * y * z;
    isa::StoreCmd c;
    c.buf = uint32_t(b);
    c.sram_addr = sram;
    c.dram_addr = uint32_t(dram);
    c.x_len = x;
    c.y_len = y;
    c.y_stride = ys;
    c.z_len = z;
    c.z_stride = zs;
    const int64_t need = writer[buf].max_over(lo, hi);
    if (need > acked_c2s) {
      mark(kComputeUnit, need, isa::field::kPushNext);
      c.deps.pop_prev = true;
      acked_c2s = need;
    }
    append(kStoreUnit, c);
    const int64_t seq = int64_t(seq_cmd[kStoreUnit].size() - 1);
    reader[buf].assign(lo, hi, seq);
    dram_writes.push_back(DramWrite{
        dram, dram + uint64_t(z - 1) * zs + uint64_t(y - 1) * ys + uint64_t(x) * el, seq, -1});
  }

  template <class C>
  int64_t compute(C c, std::initializer_list<Range> reads, std::initializer_list<Range> writes,
                  int64_t min_store = -1) {
    int64_t need_l = -1, need_s = min_store;
    for (const Range& r : reads) need_l = std::max(need_l, writer[r.buf].max_over(r.lo, r.hi));
    for (const Range& r : writes) need_s = std::max(need_s, reader[r.buf].max_over(r.lo, r.hi));
    if (need_l > acked_l2c) {
      mark(kLoadUnit, need_l, isa::field::kPushNext);
      c.deps.pop_prev = true;
      acked_l2c = need_l;
    }
    const bool popped_store = need_s > acked_s2c;
    if (popped_store) {
      mark(kStoreUnit, need_s, isa::field::kPushPrev);
      c.deps.pop_next = true;
      acked_s2c = need_s;
    }
    append(kComputeUnit, c);
    const int64_t seq = int64_t(seq_cmd[kComputeUnit].size() - 1);
    if (popped_store)  // stores complete in order: all up to need_s are done before this command
      for (DramWrite& w : dram_writes)
        if (w.covered_by < 0 && w.store <= need_s) w.covered_by = seq;
    for (const Range& r : reads) reader[r.buf].assign(r.lo, r.hi, seq);
    for (const Range& r : writes) writer[r.buf].assign(r.lo, r.hi, seq);
    return seq;
  }

  // Merges contiguous dimensions of a 3-D transfer while x_len stays within 16 bits.
  static void collapse(unsigned el, uint32_t& x, uint32_t& y, uint32_t& ys, uint32_t& z,
                       uint32_t& zs) {
    if (z > 1 && zs == uint64_t(y) * ys && y * uint64_t(z) <= 0xFFFF) {
      y *= z;
      z = 1;
    }
    if (y > 1 && ys == uint64_t(x) * el && uint64_t(x) * y <= 0xFFFF) {
      x *= y;
      y = z;
      ys = zs;
      z = 1;
    }
    if (z == 1) zs = ys;
    if (y == 1) ys = x * el;
    if (z == 1) zs = ys;
  }

  void begin_layer(const std::string& name) {
    if (finished) throw std::logic_error("ProgramBuilder: finish() was already called");
    layer_name = name;
    layer_first_cmd = uint32_t(cmds.size());
    ++layer_id;
  }
  void end_layer(const DeviceTensor& out, uint64_t macs, const std::string& plan) {
    produced.emplace_back(out.addr, out.addr + uint64_t(out.bytes()));
    layers.push_back(LayerInfo{layer_name, macs, layer_first_cmd, uint32_t(cmds.size() - 1), plan});
  }

  void check_tensor(const DeviceTensor& t, Shape s, unsigned elem, const char* what) const {
    if (!(t.shape == s))
      throw std::invalid_argument("layer '" + layer_name + "': " + what + " tensor is " +
                                  std::to_string(t.shape.h) + "x" + std::to_string(t.shape.w) +
                                  "x" + std::to_string(t.shape.c) + ", layer needs " +
                                  std::to_string(s.h) + "x" + std::to_string(s.w) + "x" +
                                  std::to_string(s.c));
    if (t.elem_bytes != elem || t.cpad != round_up(s.c, int(n)))
      throw std::invalid_argument("layer '" + layer_name + "': " + what +
                                  " tensor has the wrong element size or channel padding");
    if (t.addr % 256 != 0 || t.addr < mem_base || t.addr + uint64_t(t.bytes()) > mem_end)
      throw std::invalid_argument("layer '" + layer_name + "': " + what +
                                  " tensor is not inside the builder's memory (or misaligned)");
  }
  void check_disjoint(const DeviceTensor& a, const DeviceTensor& b) const {
    if (a.addr < b.addr + b.bytes() && b.addr < a.addr + a.bytes())
      throw std::invalid_argument("layer '" + layer_name +
                                  "': input and output tensors overlap in device memory");
  }

  bool device_produced(const DeviceTensor& t) const {
    for (const auto& r : produced)
      if (r.first < t.addr + uint64_t(t.bytes()) && t.addr < r.second) return true;
    return false;
  }

  void conv(const ConvLayer& L, const DeviceTensor& in, const DeviceTensor& out);
  bool try_host_im2col(const ConvLayer& L, const DeviceTensor& in, const DeviceTensor& out,
                       double direct_est);
  void emit_conv(const ConvLayer& L, const DeviceTensor& in, const DeviceTensor& out,
                 const ConvPlan& p, const std::string& note);
  ConvPlan plan_conv(const ConvLayer& L) const;
  void pool(const PoolLayer& L, const DeviceTensor& in, const DeviceTensor& out);
  void add(const AddLayer& L, const DeviceTensor& a, const DeviceTensor& b,
           const DeviceTensor& out);
};

// ---- convolution ----------------------------------------------------------------------------

ConvPlan ProgramBuilder::Impl::plan_conv(const ConvLayer& L) const {
  const int N = int(n);
  const bool dw = L.groups != 1;
  const int cg = ceil_div(L.in.c, N), ocg = ceil_div(L.out_c, N);
  const int oh = L.out_h(), ow = L.out_w();
  const int kk = L.kh * L.kw;
  const bool multi_acc = !L.requant;  // int32 output leaves results in ACC for the store unit
  const double axi = std::max(1u, cfg.axi_data_bytes);
  const double lat = 100;

  std::vector<int> passes;
  if (!dw) {
    int prev = -1;
    for (int np = 1; np <= cg; ++np) {
      const int cgp = ceil_div(cg, np);
      const int npr = ceil_div(cg, cgp);
      if (npr == prev) continue;
      prev = npr;
      const uint64_t w = uint64_t(kk) * cgp * N;
      const uint64_t total = uint64_t(kk) * cg * N * ocg;
      if ((np == 1 && total <= caps[kWbuf]) || w <= caps[kWbuf] / 2) {
        passes.push_back(npr);
        break;
      }
      if (w <= caps[kWbuf] && passes.empty()) passes.push_back(npr);
    }
    // One group per pass needs the least ABUF: the fallback for tiny buffers.
    if (std::find(passes.begin(), passes.end(), cg) == passes.end()) passes.push_back(cg);
  }
  // (input-channel passes, groups per ABUF input chunk). Depthwise: one pass; a chunk holds
  // cgp interleaved groups that cgp CONVs read one each (emit_conv), as many as the 4-bit
  // stride / dilation / padding fields allow once scaled by cgp. Wide chunks mean long DMA
  // bursts instead of one N-byte burst per pixel.
  std::vector<std::pair<int, int>> chunkings;
  if (dw) {
    const int gmax = std::min(cg, 15 / std::max({L.stride_w, L.dil_w, L.pad_left, 1}));
    for (int g : {1, 2, 4, 8, gmax})
      if (g <= gmax && (chunkings.empty() || chunkings.back().second != g))
        chunkings.emplace_back(1, g);
  } else {
    for (int np : passes) chunkings.emplace_back(np, ceil_div(cg, np));
  }
  std::vector<int> sbs{ocg};
  for (int s = 1; s < ocg; s *= 2) sbs.push_back(s);
  std::vector<int> tws;
  for (int k = 1; k <= std::min(ow, 64); ++k) {
    const int tw = ceil_div(ow, k);
    if (tws.empty() || tws.back() != tw) tws.push_back(tw);
  }
  if (tws.back() != 1) tws.push_back(1);

  ConvPlan best;
  best.est = -1;
  for (const auto& [np, cgp] : chunkings) {
    const int conv_cg = dw ? 1 : cgp;  // groups one CONV reduces over
    const uint32_t a_extra = dw ? uint32_t(cgp - 1) : 0;  // the last group's CONV reads past
    // Streamed weights / parameters come in chunks: one output group's (and input pass's), or
    // for depthwise those of the cgp groups of an input chunk, so each LOAD pays the latency once.
    const uint32_t w_words = uint32_t(kk) * cgp * N;
    const uint32_t p_words = dw ? uint32_t(3 * cgp) : 3u;
    const uint64_t wt = uint64_t(ocg) * (dw ? uint64_t(kk) * N : uint64_t(kk) * cg * N);
    const bool w_res = wt <= caps[kWbuf];
    const bool p_res = uint64_t(3) * ocg <= caps[kPbuf];
    if (w_words > caps[kWbuf] || (!p_res && p_words > caps[kPbuf]) || caps[kPbuf] < 3) continue;
    const unsigned w_slots = w_res ? 1 : std::min(kMaxSlots, caps[kWbuf] / w_words);
    const unsigned p_slots = p_res ? 1 : std::min(kMaxSlots, caps[kPbuf] / p_words);
    const bool use_acc = multi_acc || np > 1;
    for (int sb : sbs) {
      std::vector<int> obss{sb};
      if (L.requant)
        for (int s = 1; s < sb; s *= 2) obss.push_back(s);
      for (int obs : obss) {
        for (int tw : tws) {
          // Largest th that fits, and the largest that leaves room for two slots.
          auto fits = [&](int th, unsigned div) {
            const uint64_t P = uint64_t(th) * tw;
            const int ith = max_span(th, L.stride_h, L.kh, L.dil_h, L.in.h);
            const int itw = max_span(tw, L.stride_w, L.kw, L.dil_w, L.in.w);
            if (th > kMaxDim || tw > kMaxDim || ith > kMaxDim || itw * (dw ? cgp : 1) > kMaxDim)
              return false;
            if (P > caps[kAcc] / (use_acc ? div : 1)) return false;
            if (uint64_t(ith) * itw * cgp + a_extra > caps[kAbuf] / div) return false;
            if (L.requant && P * obs > caps[kObuf] / div) return false;
            return true;
          };
          for (unsigned div : {1u, 2u}) {
            if (!fits(1, div)) continue;
            int lo = 1, hi = oh;
            while (lo < hi) {
              const int mid = (lo + hi + 1) / 2;
              if (fits(mid, div)) lo = mid; else hi = mid - 1;
            }
            const int th = ceil_div(oh, ceil_div(oh, lo));  // balanced tiles
            ConvPlan p;
            p.th = th;
            p.tw = tw;
            p.npass = np;
            p.cgp = cgp;
            p.sb = sb;
            p.obs = obs;
            p.w_res = w_res;
            p.p_res = p_res;
            p.w_words = w_words;
            p.p_words = p_words;
            const int ith = max_span(th, L.stride_h, L.kh, L.dil_h, L.in.h);
            const int itw = max_span(tw, L.stride_w, L.kw, L.dil_w, L.in.w);
            const uint64_t P = uint64_t(th) * tw;
            p.a_words = uint32_t(ith) * itw * cgp + a_extra;
            p.a_slots = std::min<unsigned>(kMaxSlots, caps[kAbuf] / p.a_words);
            p.w_slots = w_slots;
            p.p_slots = p_slots;
            p.o_slots = L.requant ? std::min<unsigned>(kMaxSlots, caps[kObuf] / (P * obs)) : 0;
            p.acc_slots = std::min<unsigned>(kMaxSlots, caps[kAcc] / P);
            // Estimate (docs/compiler.md): max of compute, load and store time, plus what
            // single-buffered resources cannot overlap.
            const int nt = ceil_div(oh, th) * ceil_div(ow, tw);
            const int nsb = ceil_div(ocg, sb);
            const double per_conv =
                double(conv_issue_cycles(uint64_t(kk) * conv_cg, P, n, L.requant,
                                         cfg.cols_per_lane()));
            const double comp = double(nt) * ocg * np * per_conv;
            const double tile_in = double(ith) * itw * cg * N;
            double in_loads, in_bytes, in_rows;
            if (dw) {
              in_loads = double(nt) * nsb * ceil_div(sb, cgp);
              in_bytes = nt * tile_in;
              in_rows = in_loads * ith * (cgp == cg ? 1 : itw);
            } else {
              const double reload = p.a_slots >= unsigned(np) ? 1 : sb;
              in_loads = double(nsb) * nt * np * reload;
              in_bytes = nsb * nt * tile_in * reload;
              in_rows = in_loads * ith * (np > 1 ? itw : 1);
            }
            // Weight and parameter chunks per superblock and in all; they stay cached across
            // the superblock's tiles when they fit their slots.
            const int w_sb = dw ? ceil_div(sb, cgp) : sb * np, p_sb = dw ? ceil_div(sb, cgp) : sb;
            const double w_all = dw ? double(nsb) * w_sb : double(ocg) * np;
            const double p_all = dw ? double(nsb) * p_sb : double(ocg);
            double w_loads, w_bytes;
            if (w_res) {
              w_loads = 1;
              w_bytes = double(wt) * N;
            } else if (unsigned(w_sb) <= w_slots) {
              w_loads = w_all;
              w_bytes = double(wt) * N;
            } else {
              w_loads = double(nt) * w_all;
              w_bytes = double(nt) * wt * N;
            }
            const double p_loads = p_res ? 1 : unsigned(p_sb) <= p_slots ? p_all : nt * p_all;
            const double st_bytes = double(oh) * ow * ocg * N * (L.requant ? 1 : 4);
            const double st_cmds = L.requant ? double(nt) * nsb * ceil_div(sb, obs) : double(nt) * ocg;
            auto dma = [&](double cmds, double bytes, double runs, double run_cycles) {
              return dma_cycles(cmds, bytes, runs, run_cycles, axi, lat);
            };
            const double t_in = dma(in_loads, in_bytes, in_rows, 2);
            const double t_w = dma(w_loads, w_bytes, w_loads, 0);
            const double t_load = t_in + t_w + p_loads * lat;
            const double runs = L.requant && obs == ocg ? (tw == ow ? 1 : th) : double(P);
            const double t_store = dma(st_cmds, st_bytes, st_cmds * runs, 4);
            double exposed = 0;
            const bool one_tile = nt == 1 && nsb == 1;
            if (!one_tile && p.a_slots < unsigned(2 * (dw ? 1 : np))) exposed += t_in;
            if (!w_res && w_slots < 2) exposed += t_w;
            if (L.requant && p.o_slots < 2) exposed += t_store;
            if (use_acc && p.acc_slots < 2) exposed += t_store;
            p.est = std::max({comp + exposed, t_load, t_store}) + lat * 2 + tile_in / axi;
            if (best.est < 0 || p.est < best.est * 0.999 ||
                (p.est <= best.est * 1.001 && P > uint64_t(best.th) * best.tw))
              best = p;
          }
        }
      }
    }
  }
  return best;
}

void ProgramBuilder::Impl::conv(const ConvLayer& L, const DeviceTensor& in,
                                const DeviceTensor& out) {
  begin_layer(L.name);
  const int N = int(n);
  const bool dw = L.groups != 1;
  if (L.groups != 1 && !(L.groups == L.in.c && L.groups == L.out_c))
    throw std::invalid_argument("layer '" + L.name + "': groups must be 1 or depthwise");
  if (L.in.h < 1 || L.in.w < 1 || L.in.c < 1 || L.out_c < 1 || L.kh < 1 || L.kw < 1 ||
      L.stride_h < 1 || L.stride_w < 1 || L.dil_h < 1 || L.dil_w < 1 || L.pad_top < 0 ||
      L.pad_left < 0 || L.pad_bottom < 0 || L.pad_right < 0 || L.out_h() < 1 || L.out_w() < 1)
    throw std::invalid_argument("layer '" + L.name + "': invalid geometry");
  const int cin_g = dw ? 1 : L.in.c;
  if (L.weights.size() != size_t(L.out_c) * L.kh * L.kw * cin_g || int(L.wzp.size()) != L.out_c ||
      int(L.bias.size()) != L.out_c || int(L.mult.size()) != L.out_c ||
      int(L.shift.size()) != L.out_c)
    throw std::invalid_argument("layer '" + L.name + "': weight / parameter sizes do not match");
  check_tensor(in, L.in, 1, "input");
  check_tensor(out, L.out(), L.requant ? 1 : 4, "output");
  check_disjoint(in, out);
  if (L.kh > 15 || L.kw > 15) fail("kernel larger than 15 is not supported");
  if (L.stride_h > 15 || L.stride_w > 15) fail("stride larger than 15 is not supported");
  if (L.dil_h > 15 || L.dil_w > 15) fail("dilation larger than 15 is not supported");
  if (L.pad_top > int(kMaxPad) || L.pad_left > int(kMaxPad))
    fail("padding larger than 15 is not supported");
  const int oh = L.out_h(), ow = L.out_w();
  if ((oh - 1) * L.stride_h - L.pad_top > L.in.h - 1 || (ow - 1) * L.stride_w - L.pad_left > L.in.w - 1 ||
      L.pad_top > (L.kh - 1) * L.dil_h || L.pad_left > (L.kw - 1) * L.dil_w)
    fail("padding beyond the dilated kernel extent (windows entirely in padding) is not supported");

  const ConvPlan p = plan_conv(L);
  if (try_host_im2col(L, in, out, p.est)) return;
  if (p.est < 0)
    fail("no tiling fits the buffers (a " + std::to_string(L.kh) + "x" + std::to_string(L.kw) +
         " kernel needs " + std::to_string(L.kh * L.kw * N) + " WBUF words, PBUF needs 3 words, "
         "and ABUF must hold the input window of one output pixel)");
  emit_conv(L, in, out, p, "");
}

// Host-side im2col (docs/compiler.md): the array reduces over input channels, so an input with
// c % N != 0 channels leaves rows idle in every kernel tap (the 3-channel stem uses 3 of 16).
// When the host writes the input, it can write the convolution's im2col matrix instead: a 1x1
// convolution over kh*kw*c channels fills the rows, with the same weights in the same order
// ([out_c][kh][kw][c] is [out_c][kh*kw*c]) and the same useful MACs. The padding taps hold the
// activation zero point, so they contribute nothing, exactly as the hardware's padding does.
bool ProgramBuilder::Impl::try_host_im2col(const ConvLayer& L, const DeviceTensor& in,
                                           const DeviceTensor& out, double direct_est) {
  if (!host_im2col || !in.host_layout || L.groups != 1 || L.kh * L.kw == 1 ||
      L.in.c % int(n) == 0 || device_produced(in))
    return false;
  ConvLayer G = L;
  G.in = Shape{L.out_h(), L.out_w(), L.kh * L.kw * L.in.c};
  G.kh = G.kw = 1;
  G.stride_h = G.stride_w = G.dil_h = G.dil_w = 1;
  G.pad_top = G.pad_left = G.pad_bottom = G.pad_right = 0;
  const HostLayout& h = *in.host_layout;
  if (!h.im2col.empty() && (h.source_addr != in.addr || !(h.source_shape == in.shape)))
    return false;  // the record belongs to another view of this memory
  const ConvPlan p = plan_conv(G);
  // Worth it only when clearly faster: the copy costs host time and device memory.
  if (p.est < 0 || (direct_est >= 0 && p.est > 0.9 * direct_est)) return false;
  Im2colCopy v;
  v.shape = G.in;
  v.cpad = round_up(G.in.c, int(n));
  v.addr = uint32_t(alloc(uint64_t(v.shape.h) * v.shape.w * v.cpad, 256));
  v.kh = L.kh;
  v.kw = L.kw;
  v.stride_h = L.stride_h;
  v.stride_w = L.stride_w;
  v.dil_h = L.dil_h;
  v.dil_w = L.dil_w;
  v.pad_top = L.pad_top;
  v.pad_left = L.pad_left;
  v.pad_value = uint8_t(L.act_zp & 0xFF);
  in.host_layout->source_addr = in.addr;
  in.host_layout->source_shape = in.shape;
  in.host_layout->im2col.push_back(v);
  DeviceTensor t;
  t.addr = v.addr;
  t.shape = v.shape;
  t.cpad = v.cpad;
  t.is_signed = in.is_signed;
  emit_conv(G, t, out, p,
            "host im2col " + std::to_string(L.kh) + "x" + std::to_string(L.kw) + "x" +
                std::to_string(L.in.c) + " -> 1x1 over " + std::to_string(G.in.c) +
                " channels; ");
  return true;
}

void ProgramBuilder::Impl::emit_conv(const ConvLayer& L, const DeviceTensor& in,
                                     const DeviceTensor& out, const ConvPlan& p,
                                     const std::string& note) {
  const int N = int(n);
  const bool dw = L.groups != 1;
  const int oh = L.out_h(), ow = L.out_w();
  const int cg = ceil_div(L.in.c, N), ocg = ceil_div(L.out_c, N);
  const int kk = L.kh * L.kw;
  const uint32_t wj = dw ? uint32_t(kk) * N : uint32_t(kk) * cg * N;  // words per output group

  // Weights: chunk (j, p) at word j*wj + kk*p*cgp*N, layout ((ky*kw+kx)*cg_p + g)*N + r.
  std::vector<uint8_t> wblob(size_t(ocg) * wj * N, 0);
  for (int j = 0; j < ocg; ++j)
    for (int pp = 0; pp < p.npass; ++pp) {
      const int g0 = pp * p.cgp, gn = std::min(cg, g0 + p.cgp) - g0;
      const size_t base = (size_t(j) * wj + size_t(kk) * g0 * N) * N;
      for (int t = 0; t < kk; ++t)
        for (int g = 0; g < (dw ? 1 : gn); ++g)
          for (int r = 0; r < N; ++r)
            for (int c = 0; c < N; ++c) {
              const int oc = j * N + c;
              if (oc >= L.out_c) continue;
              const uint8_t zp = uint8_t(L.wzp[oc] & 0xFF);
              uint8_t v = zp;
              if (dw) {
                if (r == c) v = L.weights[size_t(oc) * kk + t];
              } else {
                const int ic = (g0 + g) * N + r;
                if (ic < L.in.c) v = L.weights[(size_t(oc) * kk + t) * L.in.c + ic];
              }
              wblob[base + ((size_t(t) * (dw ? 1 : gn) + g) * N + r) * N + c] = v;
            }
    }
  const uint32_t waddr = add_constant(std::move(wblob));
  // PBUF: per output group 3 words of N little-endian int32 lanes.
  std::vector<uint8_t> pblob(size_t(ocg) * 3 * 4 * N, 0);
  auto put32 = [&](size_t off, uint32_t v) {
    for (int k = 0; k < 4; ++k) pblob[off + k] = uint8_t(v >> (8 * k));
  };
  for (int oc = 0; oc < L.out_c; ++oc) {
    const size_t j = oc / N, c = oc % N;
    put32((j * 3 + 0) * 4 * N + 4 * c, uint32_t(L.bias[oc]));
    put32((j * 3 + 1) * 4 * N + 4 * c, uint32_t(L.mult[oc]));
    put32((j * 3 + 2) * 4 * N + 4 * c, (L.shift[oc] & 63u) | (uint32_t(L.wzp[oc] & 0xFF) << 8));
  }
  const uint32_t paddr = add_constant(std::move(pblob));

  SlotCache acache(p.a_words, p.a_slots);
  SlotCache wcache(p.w_res ? uint32_t(ocg) * wj : p.w_words, p.w_slots);
  SlotCache pcache(p.p_res ? uint32_t(3 * ocg) : p.p_words, p.p_slots);
  // Resident weights and parameters alternate between the bottom and the top of WBUF / PBUF
  // from one layer to the next, so a layer's constants can load while the previous layer still
  // computes from its own (the derived dependencies then find no overlap to wait for).
  const uint32_t w_base = p.w_res && resident_on_top ? caps[kWbuf] - uint32_t(ocg) * wj : 0;
  const uint32_t p_base = p.p_res && resident_on_top ? caps[kPbuf] - uint32_t(3 * ocg) : 0;
  if (p.w_res || p.p_res) resident_on_top = !resident_on_top;
  const uint64_t P_max = uint64_t(p.th) * p.tw;
  Ring oring(uint32_t(P_max * p.obs), std::max(1u, p.o_slots));
  Ring aring(uint32_t(P_max), std::max(1u, p.acc_slots));
  const bool use_acc = !L.requant || p.npass > 1;

  const int64_t lid = layer_id;
  const uint32_t in_row = uint32_t(L.in.w) * in.cpad;  // bytes per input row
  const uint32_t out_px = uint32_t(out.cpad) * out.elem_bytes;
  const uint32_t out_row = uint32_t(ow) * out_px;
  const int nsb = ceil_div(ocg, p.sb);
  for (int sbi = 0; sbi < nsb; ++sbi) {
    const int j0 = sbi * p.sb, j1 = std::min(ocg, j0 + p.sb);
    const int dw_chunk = ceil_div(j1 - j0, ceil_div(j1 - j0, p.cgp));
    for (int oy0 = 0; oy0 < oh; oy0 += p.th) {
      const int th = std::min(p.th, oh - oy0);
      const Span sy = input_span(oy0, th, L.stride_h, L.kh, L.dil_h, L.pad_top, L.in.h);
      for (int ox0 = 0; ox0 < ow; ox0 += p.tw) {
        const int tw = std::min(p.tw, ow - ox0);
        const Span sx = input_span(ox0, tw, L.stride_w, L.kw, L.dil_w, L.pad_left, L.in.w);
        if (sy.len < 1 || sx.len < 1 || sy.pad > int(kMaxPad) || sx.pad > int(kMaxPad))
          fail("internal tiling error (empty input tile)");
        const uint32_t P = uint32_t(th) * tw;
        for (int b0 = j0; b0 < j1; b0 += p.obs) {
          const int b1 = std::min(j1, b0 + p.obs), nb = b1 - b0;
          const uint32_t oslot = L.requant ? oring.next() : 0;
          for (int j = b0; j < b1; ++j) {
            const uint32_t accslot = use_acc ? aring.next() : 0;
            for (int pp = 0; pp < p.npass; ++pp) {
              // Input groups [g0, g0 + gn) in the ABUF chunk; depthwise chunks split the
              // superblock evenly into pieces of at most cgp groups.
              const int g0 = dw ? j0 + (j - j0) / dw_chunk * dw_chunk : pp * p.cgp;
              const int gn = std::min(dw ? j1 : cg, g0 + (dw ? dw_chunk : p.cgp)) - g0;
              const int conv_cg = dw ? 1 : gn;
              bool miss = false;
              // Streamed parameter / weight chunks: output group j, or for depthwise the
              // groups of this input chunk (they start at group `first`).
              const int first = dw ? g0 : j, chunk_groups = dw ? gn : 1;
              // Parameters.
              const uint32_t pslot =
                  p_base + pcache.get(Key{lid, p.p_res ? -1 : first, 0, 0}, &miss);
              if (miss) {
                if (p.p_res)
                  load_linear(isa::LoadBuf::kPbuf, pslot, paddr, uint32_t(3 * ocg));
                else
                  load_linear(isa::LoadBuf::kPbuf, pslot, paddr + uint64_t(first) * 3 * 4 * N,
                              uint32_t(3 * chunk_groups));
              }
              const uint32_t pb = pslot + uint32_t(3 * (p.p_res ? j : j - first));
              // Weights: this CONV's words at conv_off of the blob, inside the chunk at load_off.
              const uint32_t conv_off = uint32_t(j) * wj + uint32_t(kk) * (dw ? 0 : g0) * N;
              const uint32_t load_off = dw ? uint32_t(first) * wj : conv_off;
              const uint32_t conv_words = uint32_t(kk) * conv_cg * N;
              const uint32_t wslot =
                  w_base + wcache.get(Key{lid, p.w_res ? -1 : first, p.w_res ? -1 : pp, 0}, &miss);
              if (miss) {
                if (p.w_res)
                  load_linear(isa::LoadBuf::kWbuf, wslot, waddr, uint32_t(ocg) * wj);
                else
                  load_linear(isa::LoadBuf::kWbuf, wslot, waddr + uint64_t(load_off) * N,
                              uint32_t(kk) * gn * N);
              }
              const uint32_t wb = wslot + (p.w_res ? conv_off : conv_off - load_off);
              // Input tile: groups [g0, g0 + gn) of input rows / columns of the tile.
              const uint32_t ab = acache.get(Key{lid, int64_t(oy0) << 20 | ox0, g0, gn}, &miss);
              const uint32_t a_words = uint32_t(sy.len) * sx.len * gn + (dw ? gn - 1 : 0);
              if (miss)
                load(isa::LoadBuf::kAbuf, ab,
                     in.addr + uint64_t(sy.base) * in_row + uint64_t(sx.base) * in.cpad +
                         uint64_t(g0) * N,
                     uint32_t(gn), uint32_t(sx.len), uint32_t(in.cpad), uint32_t(sy.len), in_row);
              isa::ConvCmd c;
              c.accumulate = pp > 0;
              c.requant = L.requant && pp == p.npass - 1;
              c.act_signed = L.act_signed;
              c.wgt_signed = L.wgt_signed;
              c.out_signed = L.out_signed;
              c.pbuf_addr = pb;
              // Depthwise over a chunk of gn interleaved groups: group j's words are every gn-th
              // word from ab + (j - g0), i.e. rows gn times wider with stride, dilation and
              // left padding scaled by gn (ix' = gn * ix, and 0 <= ix' < gn * in_w exactly when
              // 0 <= ix < in_w).
              const int spread = dw ? gn : 1;
              c.abuf_addr = ab + uint32_t(dw ? j - g0 : 0);
              c.wbuf_addr = wb;
              c.acc_addr = accslot;
              c.obuf_addr = oslot + uint32_t(j - b0);
              c.obuf_stride = uint32_t(nb);
              c.in_h = uint32_t(sy.len);
              c.in_w = uint32_t(sx.len * spread);
              c.kh = uint32_t(L.kh);
              c.kw = uint32_t(L.kw);
              c.out_h = uint32_t(th);
              c.out_w = uint32_t(tw);
              c.stride_h = uint32_t(L.stride_h);
              c.stride_w = uint32_t(L.stride_w * spread);
              c.cg = uint32_t(conv_cg);
              c.act_zp = uint32_t(L.act_zp & 0xFF);
              c.out_zp = uint32_t(L.out_zp & 0xFF);
              c.clamp_min = uint32_t(L.clamp_min & 0xFF);
              c.clamp_max = uint32_t(L.clamp_max & 0xFF);
              c.dil_h = uint32_t(L.dil_h);
              c.dil_w = uint32_t(L.dil_w * spread);
              c.pad_top = uint32_t(sy.pad);
              c.pad_left = uint32_t(sx.pad * spread);
              const Range ra{kAbuf, ab, ab + a_words}, rw{kWbuf, wb, wb + conv_words},
                  rp{kPbuf, pb, pb + 3};
              if (c.requant)
                compute(c, {ra, rw, rp}, {Range{kObuf, oslot, oslot + P * nb}});
              else
                compute(c, {ra, rw, rp}, {Range{kAcc, accslot, accslot + P}});
            }
            if (!L.requant)  // int32 output straight from ACC
              store(isa::StoreBuf::kAcc, accslot,
                    out.addr + uint64_t(oy0) * out_row + uint64_t(ox0) * out_px +
                        uint64_t(j) * N * 4,
                    1, uint32_t(tw), out_px, uint32_t(th), out_row);
          }
          if (L.requant)
            store(isa::StoreBuf::kObuf, oslot,
                  out.addr + uint64_t(oy0) * out_row + uint64_t(ox0) * out_px + uint64_t(b0) * N,
                  uint32_t(nb), uint32_t(tw), out_px, uint32_t(th), out_row);
        }
      }
    }
  }
  std::ostringstream plan;
  plan << note << "tile " << p.th << "x" << p.tw << " (" << ceil_div(oh, p.th) * ceil_div(ow, p.tw)
       << " tiles), ";
  if (dw)
    plan << "depthwise, up to " << p.cgp << " groups per input load, weights ";
  else
    plan << p.npass << " pass(es) of " << p.cgp << " input groups, weights ";
  plan
       << (p.w_res ? "resident" : "streamed (" + std::to_string(p.w_slots) + " slots)")
       << ", superblock " << p.sb << ", OBUF block " << p.obs << " groups, ABUF slots "
       << p.a_slots << ", est " << uint64_t(p.est) << " cycles";
  end_layer(out, L.macs(), plan.str());
}

// ---- pooling --------------------------------------------------------------------------------

void ProgramBuilder::Impl::pool(const PoolLayer& L, const DeviceTensor& in,
                                const DeviceTensor& out) {
  begin_layer(L.name);
  const int N = int(n);
  if (L.in.h < 1 || L.in.w < 1 || L.in.c < 1 || L.kh < 1 || L.kw < 1 || L.stride_h < 1 ||
      L.stride_w < 1 || L.pad_top < 0 || L.pad_left < 0 || L.pad_bottom < 0 || L.pad_right < 0 ||
      L.out_h() < 1 || L.out_w() < 1)
    throw std::invalid_argument("layer '" + L.name + "': invalid geometry");
  check_tensor(in, L.in, 1, "input");
  check_tensor(out, L.out(), 1, "output");
  check_disjoint(in, out);
  if (L.kh > 255 || L.kw > 255) fail("pooling window larger than 255 is not supported");
  if (L.stride_h > 15 || L.stride_w > 15) fail("stride larger than 15 is not supported");
  if (L.pad_top > int(kMaxPad) || L.pad_left > int(kMaxPad))
    fail("padding larger than 15 is not supported");
  if (L.avg && (L.mult < 0 || L.shift > 63)) fail("average pooling needs mult >= 0, shift <= 63");
  const int oh = L.out_h(), ow = L.out_w();
  if ((oh - 1) * L.stride_h - L.pad_top > L.in.h - 1 ||
      (ow - 1) * L.stride_w - L.pad_left > L.in.w - 1 || L.pad_top > L.kh - 1 ||
      L.pad_left > L.kw - 1)
    fail("padding of a whole window is not supported");
  const int cg = ceil_div(L.in.c, N);

  // Pick groups per tile and tile size by estimated time: per tile the pooling (one cycle per
  // window position and output word) and its DMA, overlapped when two slots fit. A tile of all
  // channel groups reads whole rows (long bursts); fewer groups read one short run per pixel.
  const double axi = std::max(1u, cfg.axi_data_bytes), lat = 100;
  int best_gc = 0, best_th = 0, best_tw = 0;
  double best_time = -1;
  for (int gc = cg;; gc = ceil_div(gc, 2)) {
    for (unsigned div : {2u, 1u}) {
      for (int k = 1; k <= ow; ++k) {
        const int tw = ceil_div(ow, k);
        if (k > 1 && tw == ceil_div(ow, k - 1)) continue;
        auto fits = [&](int th) {
          const int ith = max_span(th, L.stride_h, L.kh, 1, L.in.h);
          const int itw = max_span(tw, L.stride_w, L.kw, 1, L.in.w);
          return th <= kMaxDim && tw <= kMaxDim && ith <= kMaxDim && itw <= kMaxDim &&
                 uint64_t(ith) * itw * gc <= caps[kAbuf] / div &&
                 uint64_t(th) * tw * gc <= caps[kObuf] / div;
        };
        if (!fits(1)) continue;
        int lo = 1, hi = oh;
        while (lo < hi) {
          const int mid = (lo + hi + 1) / 2;
          if (fits(mid)) lo = mid; else hi = mid - 1;
        }
        const int th = ceil_div(oh, ceil_div(oh, lo));
        const int ith = max_span(th, L.stride_h, L.kh, 1, L.in.h);
        const int itw = max_span(tw, L.stride_w, L.kw, 1, L.in.w);
        const double tiles = double(ceil_div(oh, th)) * ceil_div(ow, tw) * ceil_div(cg, gc);
        const double in_runs = gc < cg ? double(ith) * itw : itw == L.in.w ? 1 : ith;
        const double out_runs = gc < cg ? double(th) * tw : tw == ow ? 1 : th;
        const double t_in = dma_cycles(1, double(ith) * itw * gc * N, in_runs, 2, axi, lat);
        const double t_out = dma_cycles(1, double(th) * tw * gc * N, out_runs, 4, axi, lat);
        const double t_pool = double(th) * tw * gc * L.kh * L.kw + 10;
        const double time = tiles * (div == 2 ? std::max({t_pool, t_in, t_out})
                                              : t_pool + t_in + t_out);
        if (best_time < 0 || time < best_time) {
          best_time = time;
          best_gc = gc;
          best_th = th;
          best_tw = tw;
        }
        break;  // wider tiles first: the first fitting tw is the best for this gc
      }
    }
    if (gc == 1) break;
  }
  if (best_gc == 0)
    fail("no tiling fits the buffers (ABUF must hold the " + std::to_string(L.kh) + "x" +
         std::to_string(L.kw) + " window of one channel group)");
  const int gc = best_gc;
  const int ith = max_span(best_th, L.stride_h, L.kh, 1, L.in.h);
  const int itw = max_span(best_tw, L.stride_w, L.kw, 1, L.in.w);
  const uint32_t a_words = uint32_t(ith) * itw * gc;
  const uint32_t o_words = uint32_t(best_th) * best_tw * gc;
  SlotCache acache(a_words, std::min<unsigned>(kMaxSlots, caps[kAbuf] / a_words));
  Ring oring(o_words, std::min<unsigned>(kMaxSlots, caps[kObuf] / o_words));
  const uint32_t in_row = uint32_t(L.in.w) * in.cpad;
  const uint32_t out_row = uint32_t(ow) * out.cpad;
  for (int g0 = 0; g0 < cg; g0 += gc) {
    const int gn = std::min(cg, g0 + gc) - g0;
    for (int oy0 = 0; oy0 < oh; oy0 += best_th) {
      const int th = std::min(best_th, oh - oy0);
      const Span sy = input_span(oy0, th, L.stride_h, L.kh, 1, L.pad_top, L.in.h);
      for (int ox0 = 0; ox0 < ow; ox0 += best_tw) {
        const int tw = std::min(best_tw, ow - ox0);
        const Span sx = input_span(ox0, tw, L.stride_w, L.kw, 1, L.pad_left, L.in.w);
        bool miss = false;
        const uint32_t ab = acache.get(Key{layer_id, oy0, ox0, g0}, &miss);
        if (miss)
          load(isa::LoadBuf::kAbuf, ab,
               in.addr + uint64_t(sy.base) * in_row + uint64_t(sx.base) * in.cpad +
                   uint64_t(g0) * N,
               uint32_t(gn), uint32_t(sx.len), uint32_t(in.cpad), uint32_t(sy.len), in_row);
        const uint32_t ob = oring.next();
        isa::PoolCmd c;
        c.avg = L.avg;
        c.data_signed = L.is_signed;
        c.abuf_addr = ab;
        c.obuf_addr = ob;
        c.in_h = uint32_t(sy.len);
        c.in_w = uint32_t(sx.len);
        c.kh = uint32_t(L.kh);
        c.kw = uint32_t(L.kw);
        c.out_h = uint32_t(th);
        c.out_w = uint32_t(tw);
        c.cg = uint32_t(gn);
        c.stride_h = uint32_t(L.stride_h);
        c.stride_w = uint32_t(L.stride_w);
        c.pad_top = uint32_t(sy.pad);
        c.pad_left = uint32_t(sx.pad);
        if (L.avg) {
          c.mult = uint32_t(L.mult);
          c.in_zp = uint32_t(L.in_zp & 0xFF);
          c.out_zp = uint32_t(L.out_zp & 0xFF);
          c.shift = L.shift;
        }
        const uint32_t ow_words = uint32_t(th) * tw * gn;
        compute(c, {Range{kAbuf, ab, ab + uint32_t(sy.len) * sx.len * gn}},
                {Range{kObuf, ob, ob + ow_words}});
        store(isa::StoreBuf::kObuf, ob,
              out.addr + uint64_t(oy0) * out_row + uint64_t(ox0) * out.cpad + uint64_t(g0) * N,
              uint32_t(gn), uint32_t(tw), uint32_t(out.cpad), uint32_t(th), out_row);
      }
    }
  }
  std::ostringstream plan;
  plan << "tile " << best_th << "x" << best_tw << " x " << gc << " groups";
  end_layer(out, 0, plan.str());
}

// ---- elementwise add ------------------------------------------------------------------------

void ProgramBuilder::Impl::add(const AddLayer& L, const DeviceTensor& a, const DeviceTensor& b,
                               const DeviceTensor& out) {
  begin_layer(L.name);
  check_tensor(a, L.shape, 1, "input A");
  check_tensor(b, L.shape, 1, "input B");
  check_tensor(out, L.shape, 1, "output");
  // In place (out == a or out == b) is fine: each chunk is loaded before it is overwritten.
  if (out.addr != a.addr) check_disjoint(a, out);
  if (out.addr != b.addr) check_disjoint(b, out);
  if (L.shift > 63) fail("shift must be 0..63");
  const uint64_t total = uint64_t(L.shape.h) * L.shape.w * a.cpad / n;  // words
  uint64_t chunk = std::min<uint64_t>({caps[kAbuf] / 4, caps[kObuf] / 2, 0xFFFF, total});
  unsigned slots = 2;
  if (chunk == 0) {  // tiny buffers: single buffering
    chunk = std::min<uint64_t>({caps[kAbuf] / 2, caps[kObuf], total});
    slots = 1;
  }
  if (chunk == 0) fail("ABUF needs at least 2 words");
  // Balance the chunks.
  chunk = (total + (total + chunk - 1) / chunk - 1) / ((total + chunk - 1) / chunk);
  SlotCache acache(uint32_t(2 * chunk), slots);
  Ring oring(uint32_t(chunk), slots);
  const uint32_t wb = n;  // bytes per word
  for (uint64_t i0 = 0; i0 < total; i0 += chunk) {
    const uint32_t len = uint32_t(std::min<uint64_t>(chunk, total - i0));
    bool miss = false;
    const uint32_t ab = acache.get(Key{layer_id, int64_t(i0), 0, 0}, &miss);
    load_linear(isa::LoadBuf::kAbuf, ab, a.addr + i0 * wb, len);
    load_linear(isa::LoadBuf::kAbuf, ab + len, b.addr + i0 * wb, len);
    const uint32_t ob = oring.next();
    isa::AddCmd c;
    c.data_signed = L.is_signed;
    c.a_addr = ab;
    c.b_addr = ab + len;
    c.obuf_addr = ob;
    c.len = len;
    c.a_mult = uint32_t(L.a_mult);
    c.b_mult = uint32_t(L.b_mult);
    c.a_zp = uint32_t(L.a_zp & 0xFF);
    c.b_zp = uint32_t(L.b_zp & 0xFF);
    c.out_zp = uint32_t(L.out_zp & 0xFF);
    c.shift = L.shift;
    c.clamp_min = uint32_t(L.clamp_min & 0xFF);
    c.clamp_max = uint32_t(L.clamp_max & 0xFF);
    compute(c, {Range{kAbuf, ab, ab + 2 * len}}, {Range{kObuf, ob, ob + len}});
    store(isa::StoreBuf::kObuf, ob, out.addr + i0 * wb, len, 1, len * wb, 1, len * wb);
  }
  end_layer(out, 0, "chunks of " + std::to_string(chunk) + " words");
}

// ---- public interface -----------------------------------------------------------------------

ProgramBuilder::ProgramBuilder(const HwConfig& cfg, uint32_t mem_base, size_t mem_size)
    : impl_(std::make_unique<Impl>(cfg, mem_base, mem_size)) {}
ProgramBuilder::~ProgramBuilder() = default;

const HwConfig& ProgramBuilder::config() const { return impl_->cfg; }

DeviceTensor ProgramBuilder::alloc_tensor(Shape shape, bool is_signed, unsigned elem_bytes) {
  if (elem_bytes != 1 && elem_bytes != 4)
    throw std::invalid_argument("alloc_tensor: elem_bytes must be 1 or 4");
  if (shape.h < 1 || shape.w < 1 || shape.c < 1)
    throw std::invalid_argument("alloc_tensor: empty shape");
  DeviceTensor t;
  t.shape = shape;
  t.cpad = round_up(shape.c, int(impl_->n));
  t.elem_bytes = elem_bytes;
  t.is_signed = is_signed;
  t.addr = uint32_t(impl_->alloc(t.bytes(), 256));
  if (elem_bytes == 1) t.host_layout = std::make_shared<HostLayout>();
  return t;
}

void ProgramBuilder::set_host_im2col(bool enabled) { impl_->host_im2col = enabled; }

void ProgramBuilder::conv(const ConvLayer& l, const DeviceTensor& in, const DeviceTensor& out) {
  impl_->conv(l, in, out);
}
void ProgramBuilder::pool(const PoolLayer& l, const DeviceTensor& in, const DeviceTensor& out) {
  impl_->pool(l, in, out);
}
void ProgramBuilder::add(const AddLayer& l, const DeviceTensor& a, const DeviceTensor& b,
                         const DeviceTensor& out) {
  impl_->add(l, a, b, out);
}

Program ProgramBuilder::finish() {
  Impl& m = *impl_;
  if (m.finished) throw std::logic_error("ProgramBuilder: finish() called twice");
  m.finished = true;
  m.cmds.push_back(isa::FinishCmd{}.encode());
  Program p;
  p.cmd_addr = uint32_t(m.alloc(m.cmds.size() * isa::kCmdBytes, 256));
  p.cmds = std::move(m.cmds);
  p.constants = std::move(m.constants);
  p.layers = std::move(m.layers);
  return p;
}

}  // namespace tessera
