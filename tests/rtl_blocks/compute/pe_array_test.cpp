// tessera_pe_array against a plain-loop GEMM: random 9-bit signed activations and weights, the
// two weight buffers used alternately while the stream continues (the buffer tag of each row
// switches with the skewed wavefront), at 16x16 and at a non-square 8 rows x 16 columns whose last
// 3 rows multiply in LUTs (tessera_lut_mul, activations recoded at the row's entry).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "Vpe_array_16x16.h"
#include "Vpe_array_8x16.h"
#include "tb_util.hpp"

namespace {

using computetb::get_bits;
using computetb::Rng;
using computetb::set_bits;

template <class V>
void run_gemms(unsigned rows, unsigned cols, uint64_t seed) {
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<V>(ctx.get());
  Rng rng(seed);
  auto tick = [&] {
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
  };
  top->rst_ni = 0;
  tick();
  tick();
  top->rst_ni = 1;

  // A sequence of tiles: tile k uses buffer k % 2 and has P_k pixels; the weights of tile k+1
  // are loaded while tile k streams (its buffer is free: tile k-1 finished long enough before).
  const unsigned kTiles = 12;
  struct Tile {
    std::vector<int32_t> w;  // [r][c]
    std::vector<int32_t> a;  // [p][r]
    unsigned pixels;
  };
  std::vector<Tile> tiles(kTiles);
  for (auto& t : tiles) {
    t.pixels = 1 + rng.below(3 * rows);
    t.w.resize(rows * cols);
    t.a.resize(t.pixels * rows);
    for (auto& x : t.w) x = rng.range(-256, 255);
    for (auto& x : t.a) x = rng.range(-256, 255);
  }
  // corner tile: all extremes
  for (auto& x : tiles[3].w) x = -256;
  for (auto& x : tiles[3].a) x = -256;
  for (size_t i = 0; i < tiles[4].w.size(); ++i) tiles[4].w[i] = (i & 1) ? 255 : -256;

  // Schedule (row-0 time): tile k's activations enter row 0 at start[k] .. start[k]+P-1, its
  // weight row r is written in cycle load[k] + r. Keep loads and streams legal for the array:
  // a row is loaded before the wavefront of its tile reaches it, and a buffer is reloaded only
  // after its previous tile's last activation left the row (cols cycles).
  std::vector<long> start(kTiles), load(kTiles);
  long t = 0;
  for (unsigned k = 0; k < kTiles; ++k) {
    load[k] = t;
    if (k >= 2) load[k] = std::max(load[k], start[k - 2] + long(tiles[k - 2].pixels) + cols);
    if (k >= 1) load[k] = std::max(load[k], load[k - 1] + long(rows));
    start[k] = load[k] + 1;
    if (k >= 1) start[k] = std::max(start[k], start[k - 1] + long(tiles[k - 1].pixels));
    t = start[k];
  }
  const long end = start[kTiles - 1] + tiles[kTiles - 1].pixels + rows + cols + 4;

  // Expected outputs, keyed by cycle of appearance: column c of a vector that entered row 0 in
  // cycle s is visible on psum_o after the edge ending cycle s + rows + 1 + c (rows adders,
  // one factor register and one product register).
  std::vector<std::vector<std::pair<unsigned, uint32_t>>> expect(end + 1);
  for (unsigned k = 0; k < kTiles; ++k) {
    for (unsigned p = 0; p < tiles[k].pixels; ++p) {
      for (unsigned c = 0; c < cols; ++c) {
        int64_t s = 0;
        for (unsigned r = 0; r < rows; ++r)
          s += int64_t(tiles[k].a[p * rows + r]) * tiles[k].w[r * cols + c];
        expect[start[k] + p + rows + 1 + c].push_back({c, uint32_t(s)});
      }
    }
  }

  unsigned checked = 0;
  for (long cyc = 0; cyc <= end; ++cyc) {
    // weight port: at most one row per cycle
    top->wgt_we_i = 0;
    for (unsigned k = 0; k < kTiles; ++k) {
      if (cyc >= load[k] && cyc < load[k] + long(rows)) {
        const unsigned r = unsigned(cyc - load[k]);
        top->wgt_we_i = 1;
        top->wgt_row_i = r;
        top->wgt_buf_i = k & 1;
        for (unsigned c = 0; c < cols; ++c)
          set_bits(top->wgt_i, 9 * c, 9, uint64_t(tiles[k].w[r * cols + c]) & 0x1ff);
      }
    }
    // activations, skewed: row r carries the vector that entered row 0 r cycles ago
    for (unsigned r = 0; r < rows; ++r) {
      const long s = cyc - long(r);
      uint64_t val = 0, buf = rng.below(2);  // idle rows: activation 0, any buffer
      for (unsigned k = 0; k < kTiles; ++k) {
        if (s >= start[k] && s < start[k] + long(tiles[k].pixels)) {
          val = uint64_t(tiles[k].a[(s - start[k]) * rows + r]) & 0x1ff;
          buf = k & 1;
        }
      }
      set_bits(top->act_i, 9 * r, 9, val);
      set_bits(top->act_buf_i, r, 1, buf);
    }
    tick();
    for (auto& [c, v] : expect[cyc]) {
      ASSERT_EQ(uint32_t(get_bits(top->psum_o, 32 * c, 32)), v) << "cycle " << cyc << " col " << c;
      ++checked;
    }
  }
  unsigned total = 0;
  for (auto& t2 : tiles) total += t2.pixels * cols;
  EXPECT_EQ(checked, total);
  top->final();
}

TEST(PeArray, RandomGemm16x16) {
  for (uint64_t seed = 1; seed <= 4; ++seed) run_gemms<Vpe_array_16x16>(16, 16, seed);
}

TEST(PeArray, RandomGemm8x16LutRows) {
  for (uint64_t seed = 11; seed <= 14; ++seed) run_gemms<Vpe_array_8x16>(8, 16, seed);
}

}  // namespace
