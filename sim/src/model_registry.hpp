// The verilated models built into tessera_rtl (private to tessera_sim). CMake generates the
// definition (tessera_models.cpp) from TESSERA_ARRAY_DIMS, one tessera_model_<N>[_fst].cpp per model.
#pragma once

#include <memory>
#include <vector>

#include "tessera/harness.hpp"

namespace tessera::sim::detail {

using HarnessFactory = std::unique_ptr<Harness> (*)(unsigned array_dim, DramImage& image,
                                                    const AxiMemConfig& mem);
struct ModelEntry {
  unsigned array_dim;
  bool traced;  // verilated with --trace-fst (Vtessera_top_<N>_fst)
  HarnessFactory make;
};

/// In TESSERA_ARRAY_DIMS order.
const std::vector<ModelEntry>& model_registry();

}  // namespace tessera::sim::detail
