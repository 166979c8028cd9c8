// A tessera::Device backed by the instruction-level golden model (IsaModel) and a DramImage.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/device.hpp"
#include "tessera/isa_model.hpp"
#include "tessera/memory.hpp"

namespace tessera {

class IsaDevice : public Device {
 public:
  static constexpr uint32_t kDefaultBase = 0x10000000u;
  static constexpr size_t kDefaultSize = size_t(256) << 20;

  explicit IsaDevice(const HwConfig& cfg = default_config(), uint32_t base = kDefaultBase,
                     size_t size = kDefaultSize);

  std::string name() const override { return "isa-model"; }
  HwConfig config() const override { return model_.config(); }
  uint32_t mem_base() const override { return mem_.base(); }
  size_t mem_size() const override { return mem_.size(); }
  void write(uint32_t addr, const void* src, size_t n) override { mem_.write(addr, src, n); }
  void read(uint32_t addr, void* dst, size_t n) override { mem_.read(addr, dst, n); }
  /// Runs with the window set to the whole image. The model has no notion of time: the timeout
  /// is not used (the model always terminates).
  RunResult run(uint32_t cmd_addr, uint32_t cmd_count, std::chrono::milliseconds timeout) override;

  /// Schedule seed for the following runs (0: fixed priority; else random ready unit each step).
  void set_schedule_seed(uint64_t seed) { opt_.schedule_seed = seed; }

  /// Bump allocator over the image (for callers that do not use ProgramBuilder's own).
  uint32_t alloc(size_t bytes, size_t align = 256);

  DramImage& image() { return mem_; }
  IsaModel& model() { return model_; }

 private:
  IsaModel model_;
  DramImage mem_;
  IsaModel::Options opt_;
  uint64_t bump_;
};

}  // namespace tessera
