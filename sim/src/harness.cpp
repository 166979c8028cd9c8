#include "tessera/harness.hpp"

#include <stdexcept>
#include <string>

#include "model_registry.hpp"

namespace tessera::sim {

namespace {

std::string list(const std::vector<unsigned>& v) {
  std::string s;
  for (unsigned d : v) s += (s.empty() ? "" : ", ") + std::to_string(d);
  return s.empty() ? "none" : s;
}

}  // namespace

std::unique_ptr<Harness> Harness::create(unsigned array_dim, DramImage& image, AxiMemConfig mem,
                                         bool traced) {
  for (const detail::ModelEntry& e : detail::model_registry())
    if (e.array_dim == array_dim && e.traced == traced) return e.make(array_dim, image, mem);
  const std::string n = std::to_string(array_dim);
  if (!traced)
    throw std::invalid_argument("no verilated tessera_top for a " + n + "x" + n +
                                " array; this build has: " + list(built_array_dims()) +
                                " (set TESSERA_ARRAY_DIMS at configure time)");
  std::vector<unsigned> traced_dims;
  for (const detail::ModelEntry& e : detail::model_registry())
    if (e.traced) traced_dims.push_back(e.array_dim);
  throw std::invalid_argument("no FST-traced tessera_top for a " + n + "x" + n +
                              " array; traced models exist for: " + list(traced_dims) +
                              " (set TESSERA_SIM_FST_DIMS at configure time)");
}

std::vector<unsigned> Harness::built_array_dims() {
  std::vector<unsigned> dims;
  for (const detail::ModelEntry& e : detail::model_registry())
    if (!e.traced) dims.push_back(e.array_dim);
  return dims;
}

bool Harness::trace_supported(unsigned array_dim) {
  for (const detail::ModelEntry& e : detail::model_registry())
    if (e.traced && e.array_dim == array_dim) return true;
  return false;
}

}  // namespace tessera::sim
