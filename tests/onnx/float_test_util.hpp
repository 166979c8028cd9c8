// Helpers of the float-model tests: the committed test data (scripts/make_float_test_models.py)
// and slicing of stacked tensors.
#pragma once

#include <string>
#include <vector>

#include "tessera/onnx/network.hpp"

namespace tessera::onnx::test {

inline std::string float_data(const std::string& model, const std::string& file) {
  return std::string(TESSERA_ONNX_FLOAT_DATA) + "/" + model + "/" + file;
}

/// Item k of a tensor stacked on axis 0 ([N, ...] -> [...]).
inline Tensor slice(const Tensor& stacked, size_t k) {
  Tensor t;
  t.type = stacked.type;
  t.dims.assign(stacked.dims.begin() + 1, stacked.dims.end());
  const size_t n = t.numel();
  t.f.assign(stacked.f.begin() + k * n, stacked.f.begin() + (k + 1) * n);
  return t;
}

/// Every item of a stacked tensor as the named input.
inline std::vector<std::map<std::string, Tensor>> as_inputs(const Tensor& stacked,
                                                            const std::string& name) {
  std::vector<std::map<std::string, Tensor>> v;
  for (size_t k = 0; k < size_t(stacked.dims.at(0)); ++k) {
    Tensor t = slice(stacked, k);
    t.name = name;
    v.push_back({{name, t}});
  }
  return v;
}

inline size_t argmax(const Tensor& t) {
  size_t best = 0;
  for (size_t k = 1; k < t.numel(); ++k)
    if (t.value(k) > t.value(best)) best = k;
  return best;
}

}  // namespace tessera::onnx::test
