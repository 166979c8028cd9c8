// The driver's register sequences, shared by every backend that reaches the accelerator through
// its AXI4-Lite registers (MmioDevice: mapped registers; UartDevice: frames of the ULX3S UART
// bridge). Offsets, bits and fields come from the generated isa_gen.hpp only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tessera/device.hpp"
#include "tessera/hw_config.hpp"

namespace tessera {

class RegisterSpace;  // tessera/mmio_device.hpp

/// Reads ID, VERSION and the HW_* registers. Throws std::runtime_error naming `who` when ID is
/// not 'TESS', the major version differs from isa_gen.hpp's, or HW_ARRAY's rows and columns
/// differ (or are 0).
HwConfig read_hw_config(RegisterSpace& regs, const std::string& who);

/// One run: acknowledges stale interrupts, programs IRQ_ENABLE, CMD_BASE / CMD_COUNT and
/// WINDOW_BASE / WINDOW_SIZE, writes CTRL.START and reads STATUS (calling regs.wait() between
/// reads) until DONE or ERROR, or until `timeout` has passed (timed_out = true; the
/// accelerator may still be running). Reads ERR_CODE / ERR_INFO and the 64-bit counters, then
/// clears IRQ_STATUS. Throws std::runtime_error naming `who` when STATUS.BUSY is set before
/// START (an earlier run is still executing; START would be ignored).
RunResult run_on_registers(RegisterSpace& regs, const std::string& who, uint32_t cmd_addr,
                           uint32_t cmd_count, uint32_t window_base, uint32_t window_size,
                           std::chrono::milliseconds timeout);

}  // namespace tessera
