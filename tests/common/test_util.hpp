// Helpers shared by the host-side tests (tests/unit, tests/cli, tests/fpga): a temporary
// directory per test, HW_* register words built from the generated fields, and a
// pseudo-terminal standing in for a serial port. Included by relative path
// ("../common/test_util.hpp").
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/isa_gen.hpp"

namespace tessera::testutil {

/// A fresh directory under the system temp directory, named after the process and the running
/// test (prefix_<pid>_<test>), removed again on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "tessera") {
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// A path inside the directory, as a string.
  std::string operator/(const std::string& s) const { return (path_ / s).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// HW_ARRAY and HW_AXI as the hardware reports them (generated fields, no literal masks).
inline uint32_t hw_array_word(unsigned dim, unsigned out_lanes) {
  return isa::reg_field::kHwArrayRows.put(dim) | isa::reg_field::kHwArrayCols.put(dim) |
         isa::reg_field::kHwArrayOutLanes.put(out_lanes);
}
inline uint32_t hw_array_word(unsigned dim) { return hw_array_word(dim, dim); }
inline uint32_t hw_axi_word(unsigned data_bytes, unsigned addr_bits, unsigned queue_depth) {
  return isa::reg_field::kHwAxiDataBytes.put(data_bytes) |
         isa::reg_field::kHwAxiAddrBits.put(addr_bits) |
         isa::reg_field::kHwAxiQueueDepth.put(queue_depth);
}

/// A pseudo-terminal: slave_path() is what a serial-port client opens; the test reads and
/// writes the other end (master, non-blocking). The slave stays open here too, so the master
/// never sees a hang-up while the client reopens it.
class Pty {
 public:
  Pty() {
    char name[256] = {};
    if (::openpty(&master_, &slave_, name, nullptr, nullptr) != 0)
      throw std::runtime_error(std::string("openpty failed: ") + std::strerror(errno));
    path_ = name;
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
  }
  ~Pty() {
    ::close(master_);
    ::close(slave_);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  const std::string& slave_path() const { return path_; }
  int master() const { return master_; }

  /// What the client has sent so far (non-blocking).
  std::vector<uint8_t> read_available() {
    std::vector<uint8_t> out;
    uint8_t b[256];
    for (;;) {
      const ssize_t k = ::read(master_, b, sizeof b);
      if (k <= 0) break;
      out.insert(out.end(), b, b + k);
    }
    return out;
  }
  /// Sends bytes to the client; throws when the pty does not take them within 10 s.
  void write_all(const uint8_t* p, size_t n) {
    for (int waits = 0; n;) {
      const ssize_t k = ::write(master_, p, n);
      if (k < 0 && (errno == EAGAIN || errno == EINTR) && ++waits < 100000) {
        ::usleep(100);
        continue;
      }
      if (k <= 0) throw std::runtime_error(std::string("pty write: ") + std::strerror(errno));
      p += k;
      n -= size_t(k);
    }
  }

 private:
  int master_ = -1, slave_ = -1;
  std::string path_;
};

}  // namespace tessera::testutil
