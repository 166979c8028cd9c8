// Build parameters of one accelerator instance: what the HW_* registers report.
#pragma once

#include <cstdint>
#include <string>

namespace tessera {

struct HwConfig {
  unsigned array_dim = 16;     // PE array is array_dim x array_dim (power of two, 4..32)
  unsigned out_lanes = 16;     // output lanes shared by the columns (power of two, <= array_dim)
  unsigned abuf_words = 4096;  // array_dim bytes each
  unsigned wbuf_words = 4096;  // array_dim bytes each
  unsigned acc_words = 1024;   // array_dim x int32 each
  unsigned obuf_words = 2048;  // array_dim bytes each
  unsigned pbuf_words = 64;    // array_dim x 32 bit each
  unsigned axi_data_bytes = 16;
  unsigned axi_addr_bits = 32;
  unsigned queue_depth = 8;    // per-unit command queue depth

  /// Byte size of one element of a LOAD/STORE for a given buffer word.
  unsigned vec_bytes() const { return array_dim; }       // ABUF, WBUF, OBUF
  unsigned wide_bytes() const { return 4 * array_dim; }  // PBUF, ACC
  /// Columns per output lane: requantized CONV pixels are issued this many cycles apart, POOL
  /// windows and ADD words twice that when it is above 1 (docs/architecture.md).
  unsigned cols_per_lane() const { return array_dim / out_lanes; }

  std::string describe() const;
};

/// The configuration tessera_top builds with for a given array size (its default parameters).
HwConfig default_config(unsigned array_dim = 16);

}  // namespace tessera
