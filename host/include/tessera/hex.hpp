// "0x" and the lowercase hexadecimal digits of v: addresses and register values in error messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace tessera {

inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace tessera
