// A flat DRAM image: the memory every backend (golden model, RTL simulation, board) sees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/hex.hpp"

namespace tessera {

class DramImage {
 public:
  DramImage(uint32_t base, size_t size) : base_(base), bytes_(size, 0) {}

  uint32_t base() const { return base_; }
  size_t size() const { return bytes_.size(); }
  bool contains(uint64_t addr, uint64_t n) const {
    return addr >= base_ && addr + n <= uint64_t(base_) + bytes_.size();
  }
  uint8_t* at(uint64_t addr, uint64_t n) {
    check(addr, n);
    return bytes_.data() + (addr - base_);
  }
  const uint8_t* at(uint64_t addr, uint64_t n) const {
    check(addr, n);
    return bytes_.data() + (addr - base_);
  }
  void write(uint64_t addr, const void* src, size_t n) { std::memcpy(at(addr, n), src, n); }
  void read(uint64_t addr, void* dst, size_t n) const { std::memcpy(dst, at(addr, n), n); }
  std::vector<uint8_t>& bytes() { return bytes_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  void check(uint64_t addr, uint64_t n) const {
    if (!contains(addr, n))
      throw std::out_of_range("DRAM access [" + hex(addr) + ", +" + std::to_string(n) +
                              ") outside the image [" + hex(base_) + ", +" +
                              std::to_string(bytes_.size()) + ")");
  }
  uint32_t base_;
  std::vector<uint8_t> bytes_;
};

}  // namespace tessera
