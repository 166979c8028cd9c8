// Layer compiler: turns ConvLayer / PoolLayer / AddLayer descriptions into a Tessera command
// stream (docs/isa.md) tiled to the buffer depths of one HwConfig, with double buffering and the
// dependency-token discipline. Device-memory layout and tiling: docs/compiler.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/device.hpp"
#include "tessera/hw_config.hpp"
#include "tessera/isa_gen.hpp"
#include "tessera/layers.hpp"

namespace tessera {

/// A host-side im2col copy of a host-written tensor, made for one convolution that reads it
/// (docs/compiler.md "Host-side im2col"). The copy is an out_h x out_w x (kh*kw*c) byte tensor
/// at addr (channels padded to cpad): channel (ky*kw + kx)*c + ci of pixel (oy, ox) is input
/// (oy*stride_h + ky*dil_h - pad_top, ox*stride_w + kx*dil_w - pad_left, ci), or pad_value
/// (the convolution's activation zero point) where that position is padding.
struct Im2colCopy {
  uint32_t addr = 0;
  Shape shape;  // out_h, out_w, kh*kw*c
  int cpad = 0;
  int kh = 1, kw = 1, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1, pad_top = 0, pad_left = 0;
  uint8_t pad_value = 0;
};

/// What write_tensor() has to write besides a tensor's own HWC bytes. The compiler fills it in
/// while it compiles the layers reading the tensor; every copy of the DeviceTensor shares it.
struct HostLayout {
  uint32_t source_addr = 0;  // the tensor these copies are made from
  Shape source_shape;
  std::vector<Im2colCopy> im2col;
};

/// An activation tensor in device memory: HWC, channels padded to cpad = roundup(c, array_dim),
/// elem_bytes per element (1: int8/uint8, 4: int32). Pixel (y, x) starts at
/// addr + (y*w + x) * cpad * elem_bytes. Padded channels are don't-care.
struct DeviceTensor {
  uint32_t addr = 0;
  Shape shape;
  int cpad = 0;
  unsigned elem_bytes = 1;
  bool is_signed = true;
  /// Set by ProgramBuilder::alloc_tensor (byte tensors); null for hand-made tensors, which then
  /// never get host-side copies.
  std::shared_ptr<HostLayout> host_layout;

  size_t pixel_bytes() const { return size_t(cpad) * elem_bytes; }
  size_t bytes() const { return size_t(shape.h) * shape.w * pixel_bytes(); }
};

/// Writes an unpadded HWC QTensor into a device tensor (padded channels are written as 0), and
/// the host-side copies the compiler asked for (t.host_layout). Write a program's inputs after
/// the layers reading them were compiled.
void write_tensor(Device& dev, const DeviceTensor& t, const QTensor& q);
/// The im2col copy of q described by v (unpadded HWC, v.shape).
QTensor im2col(const QTensor& q, const Im2colCopy& v);
/// Reads a byte tensor back (padded channels dropped).
QTensor read_tensor(Device& dev, const DeviceTensor& t);
/// Reads an int32 tensor (elem_bytes == 4) back as HWC values (padded channels dropped).
std::vector<int32_t> read_tensor_i32(Device& dev, const DeviceTensor& t);

/// Bytes placed in device memory before a run (packed weights, PBUF parameters).
struct Blob {
  uint32_t addr = 0;
  std::vector<uint8_t> bytes;
};

struct LayerInfo {
  std::string name;
  uint64_t macs = 0;             // useful multiply-accumulates (0 for pool / add)
  uint32_t first_cmd = 0;        // commands [first_cmd, last_cmd] belong to the layer
  uint32_t last_cmd = 0;
  std::string plan;              // tiling summary, e.g. "tiles 8x28 ..."
};

struct Program {
  std::vector<isa::Command> cmds;  // ends with FINISH
  std::vector<Blob> constants;
  uint32_t cmd_addr = 0;           // where load_program() puts cmds (32-byte aligned)
  std::vector<LayerInfo> layers;
};

/// Builds one command stream. Tensors and constants are bump-allocated inside
/// [mem_base, mem_base + mem_size); every method throws std::runtime_error naming the layer when
/// the layer cannot be tiled for the configuration (or std::invalid_argument for inconsistent
/// arguments).
class ProgramBuilder {
 public:
  ProgramBuilder(const HwConfig& cfg, uint32_t mem_base, size_t mem_size);
  ~ProgramBuilder();
  ProgramBuilder(const ProgramBuilder&) = delete;
  ProgramBuilder& operator=(const ProgramBuilder&) = delete;

  const HwConfig& config() const;

  /// A tensor of the given shape; elem_bytes 1 (quantized) or 4 (int32 accumulators).
  DeviceTensor alloc_tensor(Shape shape, bool is_signed, unsigned elem_bytes = 1);

  /// Host-side im2col (docs/compiler.md): a convolution whose input is written by the host (no
  /// earlier command of this program stores into it) and whose channels leave array rows empty
  /// reads an im2col copy that write_tensor() makes, when the estimate says that is faster.
  /// On by default; off, every convolution reads its input tensor as is.
  void set_host_im2col(bool enabled);

  /// Convolution, depthwise (groups == in.c == out_c) or fully connected (a 1x1 convolution).
  /// layer.requant == false: out must be an int32 tensor (elem_bytes 4) and receives the raw
  /// accumulators.
  void conv(const ConvLayer& layer, const DeviceTensor& in, const DeviceTensor& out);
  void pool(const PoolLayer& layer, const DeviceTensor& in, const DeviceTensor& out);
  void add(const AddLayer& layer, const DeviceTensor& a, const DeviceTensor& b,
           const DeviceTensor& out);

  /// Appends FINISH, places the command stream and returns the program. The builder is spent.
  Program finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes the constants and the command stream into device memory.
void load_program(Device& dev, const Program& prog);

/// Runs a loaded program and throws std::runtime_error when it does not finish cleanly.
RunResult run_program(Device& dev, const Program& prog, std::chrono::milliseconds timeout);

/// An FC over a Flatten of an h x w x c activation tensor, compiled as the ONNX runner does: a
/// 1x1 layer over the tensor's padded HWC bytes (input channel (y*w + x)*cpad + ch; the padding
/// channels get the lane's weight zero point, so they contribute nothing), reading the tensor
/// through flat_view() as one pixel of h*w*cpad channels.
ConvLayer flatten_fc_layer(const ConvLayer& fc, int cpad);
DeviceTensor flat_view(DeviceTensor t);

/// One readable line per command: index, opcode, dependency flags and fields.
std::string disassemble(const Program& prog);
std::string disassemble(const isa::Command& cmd);

/// Rough timing of a command stream on the RTL (docs/compiler.md "Performance estimate"): each
/// unit executes its commands in order, honouring the tokens; LOAD / STORE take
/// dram_latency + rows * max(row_overhead, dram_latency / 8) + bytes / axi_data_bytes cycles
/// (a row is one burst; 8 bursts in flight, as in the default memory model), CONV as
/// conv_issue_cycles() + conv_drain_cycles() (the next command starts during the drain), POOL
/// one cycle per window position and ADD two per output word (with shared output lanes at
/// least 2 * cols_per_lane per window or word), plus their pipelines.
struct Estimate {
  uint64_t cycles = 0;       // until the last command completes
  uint64_t mac_cycles = 0;   // sum of kh*kw*cg*out_h*out_w over CONVs (MAC_ACTIVE)
  uint64_t load_bytes = 0;
  uint64_t store_bytes = 0;
};
Estimate estimate(const Program& prog, const HwConfig& cfg, unsigned dram_latency = 100,
                  unsigned row_overhead = 2);

/// CONV timing on an N x N array (docs/architecture.md "CONV timing"): the cycles from taking a
/// CONV of `tiles` weight tiles (kh*kw*cg) over `pixels` output pixels to taking the next
/// command, and the drain after which its results are written. A requantizing CONV that follows
/// another one waits for the earlier one's output pipeline unless its earlier tiles cover that.
/// With shared output lanes (HwConfig::cols_per_lane() > 1) the last tile's requantized pixels
/// are cols_per_lane cycles apart.
uint64_t conv_issue_cycles(uint64_t tiles, uint64_t pixels, unsigned n, bool requant,
                           unsigned cols_per_lane = 1);
uint64_t conv_drain_cycles(unsigned n);

}  // namespace tessera
