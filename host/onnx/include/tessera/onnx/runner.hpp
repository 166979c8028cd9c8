// Whole-network execution of an imported Network: on any tessera::Device (one ProgramBuilder,
// tensors allocated once, layers chained in one command stream) or on the layer-level reference
// (tessera::ref only), with the same host-side pre / post operations, so the RTL, the golden
// model and the reference can be compared end to end.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tessera/compiler.hpp"
#include "tessera/device.hpp"
#include "tessera/onnx/network.hpp"

namespace tessera::onnx {

/// Inputs by graph-input name. Float inputs are quantized by the network's QuantizeLinear;
/// quantized inputs must have the declared type and shape.
using TensorMap = std::map<std::string, Tensor>;

class NetworkRunner {
 public:
  /// Compiles `net` for dev.config() into one program and loads it. Throws std::runtime_error
  /// naming the layer when a layer does not fit the configuration.
  NetworkRunner(const Network& net, Device& dev);

  /// Runs the network: host pre-ops, one device run, host post-ops. Returns the graph outputs
  /// in declaration order. Throws std::runtime_error on a device fault or a bad input.
  std::vector<Tensor> run(const TensorMap& inputs,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

  /// Like run(), but returns every computed value (graph inputs, every layer's output, host-op
  /// results) by name, for layer-by-layer comparison with run_reference_all().
  TensorMap run_all(const TensorMap& inputs,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

  const Program& program() const { return prog_; }
  /// Per device layer: name, MACs, command range, plan (Program::layers).
  const std::vector<LayerInfo>& layers() const { return prog_.layers; }
  const RunResult& last_result() const { return last_; }
  /// Device tensors of a value's items (empty if the value never lives on the device).
  const std::vector<DeviceTensor>& device_tensors(int value) const { return dev_tensors_[value]; }

 private:
  const Network& net_;
  Device& dev_;
  Program prog_;
  std::vector<std::vector<DeviceTensor>> dev_tensors_;  // per value (storage values only)
  RunResult last_;
};

/// The same network evaluated with tessera::ref only (no compiler, no device).
std::vector<Tensor> run_reference(const Network& net, const TensorMap& inputs);

/// Every computed value of a reference run by name (see NetworkRunner::run_all).
TensorMap run_reference_all(const Network& net, const TensorMap& inputs);

}  // namespace tessera::onnx
