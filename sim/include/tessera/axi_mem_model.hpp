// Pin-level AXI4 slave memory on top of a tessera::DramImage.
//
// The model is independent of Verilator: the harness copies the master's outputs into
// AxiMasterPins once per rising clock edge, calls tick(), and drives the returned AxiSlavePins
// into the design after the edge. Handshakes are evaluated on the values present before the edge
// (the master's outputs and the slave outputs returned by the previous tick()).
//
// Supported: INCR bursts of full-width beats (arsize = awsize = log2(data_bytes)), single ID
// (responses in order), several outstanding bursts per direction, wstrb, configurable latency and
// bandwidth, seeded random back-pressure and response gaps, error injection on an address range.
// Accesses outside the image get DECERR (reads return zeros, writes are dropped).
//
// Protocol violations by the master throw AxiProtocolError with the cycle and a description.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/memory.hpp"

namespace tessera::sim {

enum class AxiResp : uint8_t { kOkay = 0, kExOkay = 1, kSlvErr = 2, kDecErr = 3 };
const char* axi_resp_name(AxiResp r);

constexpr unsigned kAxiMaxDataBytes = 64;  // 512-bit data bus
constexpr unsigned kAxiMaxDataWords = kAxiMaxDataBytes / 4;
using AxiData = std::array<uint32_t, kAxiMaxDataWords>;  // word i = bytes 4i..4i+3 (bits 32i+31:32i)

/// Master -> slave signals of the five channels.
struct AxiMasterPins {
  uint64_t araddr = 0;
  uint8_t arlen = 0, arsize = 0, arburst = 0;
  bool arvalid = false;
  bool rready = false;
  uint64_t awaddr = 0;
  uint8_t awlen = 0, awsize = 0, awburst = 0;
  bool awvalid = false;
  AxiData wdata{};  // only the first data_bytes / 4 words are used; need not be set when !wvalid
  uint64_t wstrb = 0;
  bool wlast = false, wvalid = false;
  bool bready = false;
};

/// Slave -> master signals.
struct AxiSlavePins {
  bool arready = false;
  bool rvalid = false;
  AxiData rdata{};
  uint8_t rresp = 0;
  bool rlast = false;
  bool awready = false;
  bool wready = false;
  bool bvalid = false;
  uint8_t bresp = 0;
};

struct AxiMemConfig {
  unsigned data_bytes = 16;      // bus width in bytes (4..64, power of two): AxiDataW / 8
  unsigned read_latency = 100;   // cycles from the AR handshake to the first R beat (>= 1)
  unsigned write_latency = 100;  // cycles from the last W beat to BVALID (>= 1)
  double bytes_per_cycle = 0;    // sustained bandwidth per direction; 0 = data_bytes
  bool shared_bandwidth = false; // reads and writes draw from one bandwidth budget
  unsigned max_reads = 8;        // outstanding read bursts (AR accepted, last R beat not taken)
  unsigned max_writes = 8;       // outstanding write bursts (AW accepted, B not taken)
  unsigned max_extra_latency = 0;  // uniform random extra latency per burst, 0..max (in order)
  uint64_t seed = 1;               // seeds every random choice below
  double ready_stall_prob = 0;     // per cycle and channel: ARREADY / AWREADY / WREADY held low
  double resp_delay_prob = 0;      // per cycle: an R beat or B response that could start waits
  bool require_aligned = true;     // burst addresses must be multiples of data_bytes
  // Error injection: bursts touching [inject_base, inject_base + inject_size) get inject_resp
  // (reads per beat, writes per burst; the erroneous bytes are neither read nor written).
  uint64_t inject_base = 0;
  uint64_t inject_size = 0;  // 0 = off
  AxiResp inject_resp = AxiResp::kSlvErr;
};

class AxiProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AxiMemStats {
  uint64_t cycles = 0;
  uint64_t read_bursts = 0, read_beats = 0;
  uint64_t write_bursts = 0, write_beats = 0;
  uint64_t read_errors = 0, write_errors = 0;  // beats / bursts answered with SLVERR or DECERR
  uint64_t ready_stalls = 0;                   // channel-cycles a READY was forced low
  uint64_t resp_delays = 0;                    // cycles an R beat / B response was held back
  unsigned max_reads_in_flight = 0, max_writes_in_flight = 0;
};

class AxiMemModel {
 public:
  /// The image must outlive the model.
  AxiMemModel(DramImage& image, const AxiMemConfig& cfg);

  /// Drops every burst in flight and drives idle outputs (call while the design is in reset).
  void reset();
  /// One rising clock edge: m holds the master's outputs just before the edge. Returns the slave
  /// outputs to drive after the edge (also available through outputs()).
  const AxiSlavePins& tick(const AxiMasterPins& m);
  const AxiSlavePins& outputs() const { return out_; }

  /// No burst in flight.
  bool idle() const { return reads_.empty() && writes_.empty(); }
  const AxiMemStats& stats() const { return stats_; }
  const AxiMemConfig& config() const { return cfg_; }
  DramImage& image() { return image_; }

 private:
  struct ReadBurst {
    uint64_t addr;
    unsigned beats;
    unsigned next_beat;
    uint64_t ready_cycle;  // first R beat may be presented in this cycle
  };
  struct WriteBurst {
    uint64_t addr;
    unsigned beats;
    unsigned next_beat;
    uint64_t ready_cycle;  // BVALID may rise in this cycle (set when the last beat arrives)
    AxiResp resp;
  };
  // Fixed-capacity FIFO: no allocation per burst.
  template <class T>
  class Ring {
   public:
    explicit Ring(size_t cap) : buf_(cap ? cap : 1) {}
    bool empty() const { return n_ == 0; }
    bool full() const { return n_ == buf_.size(); }
    size_t size() const { return n_; }
    T& front() { return buf_[head_]; }
    T& at(size_t i) { return buf_[(head_ + i) % buf_.size()]; }
    void push(const T& v) { buf_[(head_ + n_++) % buf_.size()] = v; }
    void pop() { head_ = (head_ + 1) % buf_.size(); --n_; }
    void clear() { head_ = n_ = 0; }

   private:
    std::vector<T> buf_;
    size_t head_ = 0, n_ = 0;
  };

  [[noreturn]] void violation(const std::string& what) const;
  void check_burst(const char* ch, uint64_t addr, unsigned len, unsigned size, unsigned burst) const;
  AxiResp beat_resp(uint64_t addr) const;
  void present_read_beat(ReadBurst& b);
  bool chance(uint64_t threshold);
  uint64_t next_random();
  uint64_t extra_latency();

  DramImage& image_;
  AxiMemConfig cfg_;
  unsigned size_log2_;
  int64_t beat_cost_;   // data_bytes in 1/256-byte units
  int64_t rate_;        // bandwidth per cycle in 1/256-byte units
  int64_t rd_credit_ = 0, wr_credit_ = 0;
  uint64_t stall_threshold_ = 0, delay_threshold_ = 0;
  uint64_t rng_;
  uint64_t cycle_ = 0;
  Ring<ReadBurst> reads_;
  Ring<WriteBurst> writes_;
  size_t w_index_ = 0;  // index in writes_ of the burst receiving W beats (== size: none)
  AxiSlavePins out_;
  AxiMemStats stats_;
  // Payload of a VALID not accepted at the previous edge: must be held until the handshake.
  bool hold_ar_ = false, hold_aw_ = false, hold_w_ = false;
  AxiMasterPins held_;
};

}  // namespace tessera::sim
