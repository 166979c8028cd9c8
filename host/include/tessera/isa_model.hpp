// Instruction-level golden model (golden model #2): executes a command stream exactly as
// docs/isa.md specifies, on its own ABUF / WBUF / PBUF / ACC / OBUF with the HwConfig depths.
//
// Model of execution
// - The dispatcher fetches commands 0 .. cmd_count-1 in order and pushes each into its unit's
//   in-order queue. It runs ahead as far as it can: it stops only at a FINISH, at the end of the
//   stream, or when the next command's queue is full. A unit holds one command besides its queue
//   (the command it executes or waits with, as LOAD_WAIT etc. describe), so up to
//   cfg.queue_depth + 1 commands of one unit are dispatched and not yet retired.
// - Static checks run when a command is dispatched, in the order of docs/isa.md (ILLEGAL_OPCODE,
//   ILLEGAL_FIELD, MISALIGNED, ADDR_WINDOW, SRAM_RANGE). A fetch outside the window is
//   ADDR_WINDOW; a fetch or DMA transfer outside the DramImage (but inside the window) gets an
//   error response: AXI_RESP.
// - Each command executes atomically: pop its tokens, do all its work, push its tokens. Which of
//   the ready units (head command's tokens available) runs next is the schedule: fixed priority
//   load, compute, store (schedule_seed 0) or a seeded random choice. A program whose units are
//   ordered by tokens alone leaves the same memory for every schedule; one that misses a token
//   shows a difference for some seed.
// - FINISH waits until every queue is empty, then retires (CMDS_RETIRED counts it) and sets done.
//   When the stream ends without a FINISH the dispatcher likewise waits for the queues to drain
//   and then stops with CMD_OVERRUN (ERR_INFO = cmd_count); if they cannot drain, DEADLOCK.
// - DEADLOCK: no unit can execute, at least one waits for a token, and the dispatcher can
//   dispatch nothing more. ERR_INFO = lowest index among the waiting commands.
//
// Counters (RunResult::counters, indexed by isa::Counter): MAC_ACTIVE, DMA_RD_BYTES,
// DMA_WR_BYTES and CMDS_RETIRED are exact. CYCLES and the *_BUSY / *_WAIT counters are not
// modelled and read 0.
//
// Buffers keep their contents across run() calls (START does not clear SRAM); counters and
// token counters start from 0 in every run.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/device.hpp"
#include "tessera/hw_config.hpp"
#include "tessera/isa_gen.hpp"
#include "tessera/memory.hpp"

namespace tessera {

class IsaModel {
 public:
  struct Options {
    uint64_t schedule_seed = 0;  // 0: fixed priority (load, compute, store); else seeded random
  };

  /// Throws std::invalid_argument for an impossible configuration (array_dim not a power of two
  /// in 4..32, a zero buffer depth or queue depth).
  explicit IsaModel(const HwConfig& cfg);

  /// Runs cmd_count commands at cmd_base (START with CMD_BASE, CMD_COUNT, WINDOW_BASE,
  /// WINDOW_SIZE) against mem until DONE or a fault.
  RunResult run(DramImage& mem, uint32_t cmd_base, uint32_t cmd_count, uint32_t window_base,
                uint32_t window_size, const Options& opt);
  RunResult run(DramImage& mem, uint32_t cmd_base, uint32_t cmd_count, uint32_t window_base,
                uint32_t window_size) {
    return run(mem, cmd_base, cmd_count, window_base, window_size, Options{});
  }

  const HwConfig& config() const { return cfg_; }

  /// On-chip buffers, for tests and debugging. ABUF / WBUF / OBUF: words of array_dim bytes;
  /// PBUF: words of 4*array_dim bytes (little-endian int32 lanes); ACC: array_dim int32 lanes.
  const std::vector<uint8_t>& abuf() const { return abuf_; }
  const std::vector<uint8_t>& wbuf() const { return wbuf_; }
  const std::vector<uint8_t>& pbuf() const { return pbuf_; }
  const std::vector<int32_t>& acc() const { return acc_; }
  const std::vector<uint8_t>& obuf() const { return obuf_; }

 private:
  // Returns kNone or the fault code of a transfer / compute command.
  isa::Error exec_load(DramImage& mem, const isa::LoadCmd& c, RunResult& r);
  isa::Error exec_store(DramImage& mem, const isa::StoreCmd& c, RunResult& r);
  void exec_conv(const isa::ConvCmd& c, RunResult& r);
  void exec_pool(const isa::PoolCmd& c);
  void exec_add(const isa::AddCmd& c);

  HwConfig cfg_;
  std::vector<uint8_t> abuf_, wbuf_, pbuf_, obuf_;
  std::vector<int32_t> acc_;
};

}  // namespace tessera
