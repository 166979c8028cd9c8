// Compiler helpers that only use the public interface: tensor I/O, program loading,
// disassembly and the timing estimate (docs/compiler.md).
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "tessera/compiler.hpp"

namespace tessera {

namespace {

void check_tensor(const DeviceTensor& t, Shape s) {
  if (!(t.shape == s))
    throw std::invalid_argument("tensor shape mismatch: device tensor " +
                                std::to_string(t.shape.h) + "x" + std::to_string(t.shape.w) +
                                "x" + std::to_string(t.shape.c) + ", host tensor " +
                                std::to_string(s.h) + "x" + std::to_string(s.w) + "x" +
                                std::to_string(s.c));
}

}  // namespace

void write_tensor(Device& dev, const DeviceTensor& t, const QTensor& q) {
  check_tensor(t, q.shape);
  if (t.elem_bytes != 1) throw std::invalid_argument("write_tensor: not a byte tensor");
  std::vector<uint8_t> buf(t.bytes(), 0);
  const size_t pixels = size_t(q.shape.h) * q.shape.w;
  for (size_t p = 0; p < pixels; ++p)
    std::copy_n(q.data.data() + p * q.shape.c, q.shape.c, buf.data() + p * t.cpad);
  dev.write(t.addr, buf.data(), buf.size());
  if (!t.host_layout || t.host_layout->source_addr != t.addr ||
      !(t.host_layout->source_shape == t.shape))
    return;
  for (const Im2colCopy& v : t.host_layout->im2col) {
    DeviceTensor copy;
    copy.addr = v.addr;
    copy.shape = v.shape;
    copy.cpad = v.cpad;
    write_tensor(dev, copy, im2col(q, v));
  }
}

QTensor im2col(const QTensor& q, const Im2colCopy& v) {
  QTensor m(v.shape, q.is_signed);
  const int c = q.shape.c;
  for (int oy = 0; oy < v.shape.h; ++oy)
    for (int ox = 0; ox < v.shape.w; ++ox) {
      uint8_t* dst = m.data.data() + m.index(oy, ox, 0);
      for (int ky = 0; ky < v.kh; ++ky)
        for (int kx = 0; kx < v.kw; ++kx, dst += c) {
          const int iy = oy * v.stride_h + ky * v.dil_h - v.pad_top;
          const int ix = ox * v.stride_w + kx * v.dil_w - v.pad_left;
          if (iy < 0 || iy >= q.shape.h || ix < 0 || ix >= q.shape.w)
            std::fill_n(dst, c, v.pad_value);
          else
            std::copy_n(q.data.data() + q.index(iy, ix, 0), c, dst);
        }
    }
  return m;
}

QTensor read_tensor(Device& dev, const DeviceTensor& t) {
  if (t.elem_bytes != 1) throw std::invalid_argument("read_tensor: not a byte tensor");
  std::vector<uint8_t> buf(t.bytes());
  dev.read(t.addr, buf.data(), buf.size());
  QTensor q(t.shape, t.is_signed);
  const size_t pixels = size_t(t.shape.h) * t.shape.w;
  for (size_t p = 0; p < pixels; ++p)
    std::copy_n(buf.data() + p * t.cpad, t.shape.c, q.data.data() + p * t.shape.c);
  return q;
}

std::vector<int32_t> read_tensor_i32(Device& dev, const DeviceTensor& t) {
  if (t.elem_bytes != 4) throw std::invalid_argument("read_tensor_i32: not an int32 tensor");
  std::vector<uint8_t> buf(t.bytes());
  dev.read(t.addr, buf.data(), buf.size());
  std::vector<int32_t> v(t.shape.elems());
  const size_t pixels = size_t(t.shape.h) * t.shape.w;
  for (size_t p = 0; p < pixels; ++p)
    for (int c = 0; c < t.shape.c; ++c) {
      const uint8_t* b = buf.data() + (p * t.cpad + c) * 4;
      v[p * t.shape.c + c] =
          int32_t(uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24);
    }
  return v;
}

void load_program(Device& dev, const Program& prog) {
  for (const Blob& b : prog.constants)
    if (!b.bytes.empty()) dev.write(b.addr, b.bytes.data(), b.bytes.size());
  std::vector<uint8_t> bytes(prog.cmds.size() * isa::kCmdBytes);
  for (size_t i = 0; i < prog.cmds.size(); ++i)
    for (unsigned w = 0; w < 8; ++w)
      for (unsigned k = 0; k < 4; ++k)
        bytes[i * isa::kCmdBytes + w * 4 + k] = uint8_t(prog.cmds[i][w] >> (8 * k));
  dev.write(prog.cmd_addr, bytes.data(), bytes.size());
}

RunResult run_program(Device& dev, const Program& prog, std::chrono::milliseconds timeout) {
  RunResult r = dev.run(prog.cmd_addr, uint32_t(prog.cmds.size()), timeout);
  if (!r.ok()) {
    std::string where;
    if (r.error != isa::Error::kNone && r.err_info < prog.cmds.size())
      where = ": " + disassemble(prog.cmds[r.err_info]);
    throw std::runtime_error(dev.name() + ": program did not finish: " + r.describe() + where);
  }
  return r;
}

std::string disassemble(const isa::Command& c) {
  std::ostringstream os;
  const isa::Deps d = isa::get_deps(c);
  const auto op = isa::Opcode(isa::get(c, isa::field::kOpcode));
  std::string flags;
  if (d.pop_prev) flags += " pop_prev";
  if (d.pop_next) flags += " pop_next";
  if (d.push_prev) flags += " push_prev";
  if (d.push_next) flags += " push_next";
  char buf[400];
  switch (op) {
    case isa::Opcode::kLoad: {
      const auto l = isa::LoadCmd::decode(c);
      static const char* kBufs[] = {"ABUF", "WBUF", "PBUF", "?"};
      std::snprintf(buf, sizeof buf,
                    "LOAD   %s[%u] <- 0x%08x x%u y%u/%u z%u/%u", kBufs[l.buf & 3], l.sram_addr,
                    l.dram_addr, l.x_len, l.y_len, l.y_stride, l.z_len, l.z_stride);
      break;
    }
    case isa::Opcode::kStore: {
      const auto s = isa::StoreCmd::decode(c);
      std::snprintf(buf, sizeof buf, "STORE  %s[%u] -> 0x%08x x%u y%u/%u z%u/%u",
                    s.buf == 0 ? "OBUF" : "ACC", s.sram_addr, s.dram_addr, s.x_len, s.y_len,
                    s.y_stride, s.z_len, s.z_stride);
      break;
    }
    case isa::Opcode::kConv: {
      const auto v = isa::ConvCmd::decode(c);
      std::snprintf(buf, sizeof buf,
                    "CONV   a%u w%u p%u acc%u o%u/%u in %ux%u cg%u k%ux%u s%ux%u d%ux%u pad %u,%u "
                    "out %ux%u%s%s zp a%u o%u clamp %u..%u%s%s%s",
                    v.abuf_addr, v.wbuf_addr, v.pbuf_addr, v.acc_addr, v.obuf_addr,
                    v.obuf_stride, v.in_h, v.in_w, v.cg, v.kh, v.kw, v.stride_h, v.stride_w,
                    v.dil_h, v.dil_w, v.pad_top, v.pad_left, v.out_h, v.out_w,
                    v.accumulate ? " accumulate" : "", v.requant ? " requant" : "", v.act_zp,
                    v.out_zp, v.clamp_min, v.clamp_max, v.act_signed ? " s8a" : " u8a",
                    v.wgt_signed ? " s8w" : " u8w", v.out_signed ? " s8o" : " u8o");
      break;
    }
    case isa::Opcode::kPool: {
      const auto v = isa::PoolCmd::decode(c);
      std::snprintf(buf, sizeof buf,
                    "POOL   %s a%u o%u in %ux%u cg%u k%ux%u s%ux%u pad %u,%u out %ux%u%s "
                    "zp %u->%u mult %u shift %u",
                    v.avg ? "avg" : "max", v.abuf_addr, v.obuf_addr, v.in_h, v.in_w, v.cg, v.kh,
                    v.kw, v.stride_h, v.stride_w, v.pad_top, v.pad_left, v.out_h, v.out_w,
                    v.data_signed ? " s8" : " u8", v.in_zp, v.out_zp, v.mult, v.shift);
      break;
    }
    case isa::Opcode::kAdd: {
      const auto v = isa::AddCmd::decode(c);
      std::snprintf(buf, sizeof buf,
                    "ADD    a%u b%u o%u len %u%s zp %u,%u->%u mult %d,%d shift %u clamp %u..%u",
                    v.a_addr, v.b_addr, v.obuf_addr, v.len, v.data_signed ? " s8" : " u8", v.a_zp,
                    v.b_zp, v.out_zp, int32_t(v.a_mult), int32_t(v.b_mult), v.shift, v.clamp_min,
                    v.clamp_max);
      break;
    }
    case isa::Opcode::kFinish: std::snprintf(buf, sizeof buf, "FINISH"); break;
    default: std::snprintf(buf, sizeof buf, "ILLEGAL opcode %u", unsigned(op)); break;
  }
  os << buf << flags;
  return os.str();
}

std::string disassemble(const Program& prog) {
  std::ostringstream os;
  size_t layer = 0;
  for (size_t i = 0; i < prog.cmds.size(); ++i) {
    while (layer < prog.layers.size() && prog.layers[layer].first_cmd == i) {
      os << "# layer " << prog.layers[layer].name << ": " << prog.layers[layer].plan << "\n";
      ++layer;
    }
    char idx[32];
    std::snprintf(idx, sizeof idx, "%5zu  ", i);
    os << idx << disassemble(prog.cmds[i]) << "\n";
  }
  return os.str();
}

Estimate estimate(const Program& prog, const HwConfig& cfg, unsigned dram_latency,
                  unsigned row_overhead) {
  // Unit 0 load, 1 compute, 2 store; counters l2c, c2l, c2s, s2c as in docs/isa.md.
  enum { kL2C, kC2L, kC2S, kS2C };
  std::vector<uint64_t> pushes[4];
  size_t popped[4] = {0, 0, 0, 0};
  uint64_t unit_free[3] = {0, 0, 0};
  Estimate e;
  const unsigned n = cfg.array_dim;
  const unsigned axi = std::max(1u, cfg.axi_data_bytes);
  // POOL and ADD with shared output lanes (tessera_compute_unit): word spacing and latency.
  const unsigned k = cfg.cols_per_lane();
  const uint64_t pa_gap = k > 1 ? 2 * k : 1;
  const uint64_t pa_lane_lat = isa::kOutLaneLat + 2 * (k - 1);
  // Each row is one AXI burst; with many short rows the bursts in flight (8 in the default
  // memory model) rather than the bus bound the transfer.
  auto dma_cycles = [&](uint64_t bytes, uint64_t rows) {
    const uint64_t beats = (bytes + axi - 1) / axi;
    return dram_latency + std::max(rows * row_overhead, rows * dram_latency / 8) + beats;
  };
  for (const isa::Command& c : prog.cmds) {
    const auto op = isa::Opcode(isa::get(c, isa::field::kOpcode));
    const isa::Deps d = isa::get_deps(c);
    int unit = 1, pop_p = -1, pop_n = -1, push_p = -1, push_n = -1;
    uint64_t dur = 0, drain = 0;
    if (op == isa::Opcode::kLoad) {
      unit = 0;
      pop_n = kC2L;
      push_n = kL2C;
      const auto l = isa::LoadCmd::decode(c);
      const uint64_t el = l.buf == 2 ? cfg.wide_bytes() : cfg.vec_bytes();
      const uint64_t bytes = uint64_t(l.x_len) * l.y_len * l.z_len * el;
      e.load_bytes += bytes;
      dur = dma_cycles(bytes, uint64_t(l.y_len) * l.z_len);
    } else if (op == isa::Opcode::kStore) {
      unit = 2;
      pop_p = kC2S;
      push_p = kS2C;
      const auto s = isa::StoreCmd::decode(c);
      const uint64_t el = s.buf == 1 ? cfg.wide_bytes() : cfg.vec_bytes();
      const uint64_t bytes = uint64_t(s.x_len) * s.y_len * s.z_len * el;
      e.store_bytes += bytes;
      dur = dma_cycles(bytes, uint64_t(s.y_len) * s.z_len);
    } else if (op == isa::Opcode::kFinish) {
      e.cycles = std::max({e.cycles, unit_free[0], unit_free[1], unit_free[2]});
      continue;
    } else {
      pop_p = kL2C;
      pop_n = kS2C;
      push_p = kC2L;
      push_n = kC2S;
      if (op == isa::Opcode::kConv) {
        const auto v = isa::ConvCmd::decode(c);
        const uint64_t mac = uint64_t(v.kh) * v.kw * v.cg * v.out_h * v.out_w;
        e.mac_cycles += mac;
        dur = conv_issue_cycles(v.kh * v.kw * v.cg, uint64_t(v.out_h) * v.out_w, n, v.requant, k);
        drain = conv_drain_cycles(n);
      } else if (op == isa::Opcode::kPool) {
        const auto v = isa::PoolCmd::decode(c);
        // start, 3 setup and 4 pipeline cycles, the lanes (tessera_pool_unit); a window takes
        // 2K cycles at least with K > 1 columns per lane
        const uint64_t window = std::max<uint64_t>(uint64_t(v.kh) * v.kw, pa_gap);
        dur = window * v.cg * v.out_h * v.out_w + 8 + pa_lane_lat;
      } else {
        // two ABUF reads per word (2K cycles with K > 1 columns per lane); start, read,
        // subtract, the lanes, OBUF write (tessera_add_unit)
        dur = std::max<uint64_t>(2, pa_gap) * isa::AddCmd::decode(c).len + 4 + pa_lane_lat;
      }
    }
    uint64_t start = unit_free[unit];
    auto pop = [&](int ctr) {
      if (ctr < 0) return;
      // A pop whose push comes later in the stream is not modelled (it does not start earlier).
      if (popped[ctr] < pushes[ctr].size()) start = std::max(start, pushes[ctr][popped[ctr]]);
      ++popped[ctr];
    };
    if (d.pop_prev) pop(pop_p);
    if (d.pop_next) pop(pop_n);
    // The unit takes its next command after `dur`; tokens come when the command is done.
    const uint64_t end = start + dur + drain;
    unit_free[unit] = start + dur;
    if (d.push_prev && push_p >= 0) pushes[push_p].push_back(end);
    if (d.push_next && push_n >= 0) pushes[push_n].push_back(end);
    e.cycles = std::max(e.cycles, end);
  }
  return e;
}

ConvLayer flatten_fc_layer(const ConvLayer& fc, int cpad) {
  const Shape S = fc.in;
  const int K = int(S.elems()), Kp = S.h * S.w * cpad;
  ConvLayer f = fc;
  f.in = Shape{1, 1, Kp};
  f.kh = f.kw = 1;
  f.pad_top = f.pad_left = f.pad_bottom = f.pad_right = 0;
  f.stride_h = f.stride_w = f.dil_h = f.dil_w = 1;
  f.weights.assign(size_t(fc.out_c) * Kp, 0);
  for (int o = 0; o < fc.out_c; ++o)
    for (int p = 0; p < S.h * S.w; ++p)
      for (int c = 0; c < cpad; ++c)
        f.weights[size_t(o) * Kp + size_t(p) * cpad + c] =
            c < S.c ? fc.weights[size_t(o) * K + size_t(p) * S.c + c] : uint8_t(fc.wzp[o]);
  return f;
}

DeviceTensor flat_view(DeviceTensor t) {
  t.shape = Shape{1, 1, t.shape.h * t.shape.w * t.cpad};
  t.cpad = t.shape.c;  // a multiple of N: one pixel of all the bytes
  return t;
}

uint64_t conv_issue_cycles(uint64_t tiles, uint64_t pixels, unsigned n, bool requant,
                           unsigned cols_per_lane) {
  // A weight tile streams for max(pixels, N) cycles; 7 cycles pass between the last pixel of
  // one CONV and the first of the next (accept, dispatch, set-up, first weight row). Requantized
  // pixels (the last tile's) are cols_per_lane cycles apart.
  const uint64_t tile = std::max<uint64_t>(pixels, n);
  const uint64_t last = requant ? std::max<uint64_t>((pixels - 1) * cols_per_lane + 1, n) : tile;
  const uint64_t before_rq = (tiles - 1) * tile;
  const uint64_t rq_wait = requant && before_rq < conv_drain_cycles(n) + 2
                               ? conv_drain_cycles(n) + 2 - before_rq : 0;
  return before_rq + last + 7 + rq_wait;
}

// The last pixel's sums leave the array's last column 2N+3 cycles after it is issued, pass
// the requantization (RqLat = 2 + isa::kOutLaneLat: tessera_bias_sat and the output lane) and the
// deskew, are written to OBUF, and done follows (tessera_conv_unit's DrainCycles = 2N + RqLat + 3).
uint64_t conv_drain_cycles(unsigned n) { return 2 * uint64_t(n) + 5 + isa::kOutLaneLat; }

}  // namespace tessera
