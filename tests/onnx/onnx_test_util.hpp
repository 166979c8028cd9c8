// Shared helpers of the tessera_onnx tests: the device backends (factories, so the RTL device
// is one more entry) and exact tensor comparison with a mismatch report.
#pragma once

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/device.hpp"
#include "tessera/isa_device.hpp"
#include "tessera/onnx/network.hpp"
#ifdef TESSERA_HAVE_RTL
#include "tessera/rtl_device.hpp"
#endif

namespace tessera::onnx::test {

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Device>()> make;
};
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

/// Every backend the end-to-end tests run on. The lead adds the RTL device here, e.g.
///   {"rtl16", [] { return std::make_unique<RtlDevice>(...); }}
#ifdef TESSERA_HAVE_RTL
inline std::unique_ptr<Device> make_rtl(unsigned dim, size_t mem) {
  SimOptions opts;
  opts.mem_size = mem;
  return RtlDevice::create(dim, opts);
}
#endif

inline std::vector<Backend> backends() {
  static constexpr size_t kMem = size_t(32) << 20;
  return {
      {"isa16", [] { return std::make_unique<IsaDevice>(default_config(16), IsaDevice::kDefaultBase, kMem); }},
      {"isa4", [] { return std::make_unique<IsaDevice>(default_config(4), IsaDevice::kDefaultBase, kMem); }},
#ifdef TESSERA_HAVE_RTL
      {"rtl16", [] { return make_rtl(16, kMem); }},
      {"rtl8", [] { return make_rtl(8, kMem); }},
#endif
  };
}

/// Element-wise comparison. Returns "" when identical, else counts, the largest difference and
/// the first few differing elements.
struct Diff {
  size_t total = 0, differ = 0;
  double max_abs = 0;
  std::string report;
};

inline Diff compare(const Tensor& expected, const Tensor& got, double tol = 0.0) {
  Diff d;
  std::ostringstream os;
  if (expected.dims != got.dims || expected.type != got.type) {
    os << "shape/type differ: expected " << elem_type_name(expected.type) << "[";
    for (auto x : expected.dims) os << x << ",";
    os << "] got " << elem_type_name(got.type) << "[";
    for (auto x : got.dims) os << x << ",";
    os << "]";
    d.differ = 1;
    d.report = os.str();
    return d;
  }
  d.total = expected.numel();
  int shown = 0;
  for (size_t k = 0; k < d.total; ++k) {
    const double e = expected.value(k), g = got.value(k);
    const double ad = std::abs(e - g);
    if (ad > tol) {
      ++d.differ;
      if (shown++ < 8) os << " [" << k << "] expected " << e << " got " << g << ";";
    }
    d.max_abs = std::max(d.max_abs, ad);
  }
  if (d.differ)
    d.report = std::to_string(d.differ) + " of " + std::to_string(d.total) +
               " elements differ (max |diff| " + std::to_string(d.max_abs) + "):" + os.str();
  return d;
}

}  // namespace tessera::onnx::test
