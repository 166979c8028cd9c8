// Whole-network execution: host pre-ops, the device ops (one program on a Device, or
// tessera::ref), host post-ops. docs/onnx.md "Execution".
#include "tessera/onnx/runner.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "tessera/quant.hpp"
#include "tessera/reference.hpp"

namespace tessera::onnx {

std::string dims_str(const std::vector<int64_t>& d);

namespace {

bool is_q8(ElemType t) { return t == ElemType::kUint8 || t == ElemType::kInt8; }

// Host copy of one value: its ONNX-order tensor and / or its items.
struct HostVal {
  bool have_t = false, have_items = false;
  Tensor t;
  std::vector<QTensor> q;                 // uint8 / int8 items
  std::vector<std::vector<int32_t>> i32;  // int32 items
};

// Flat index inside an item -> (y, x, c) offset in the item's HWC data.
size_t hwc_index(const Value& v, size_t k) {
  const Shape& s = v.shape;
  if (v.chw_order) {
    const size_t hw = size_t(s.h) * s.w;
    const size_t c = k / hw, p = k % hw;
    return p * s.c + c;
  }
  return k;  // rows order is HWC already
}

class Exec {
 public:
  Exec(const Network& net) : net_(net), vals_(net.values.size()) {}

  using DeviceFn = std::function<void(Exec&)>;

  void run(const TensorMap& inputs, const DeviceFn& device) {
    for (int v : net_.inputs) {
      const Value& x = net_.values[v];
      auto it = inputs.find(x.name);
      if (it == inputs.end()) throw std::runtime_error("input '" + x.name + "' is missing");
      const Tensor& t = it->second;
      if (t.type != x.type)
        throw std::runtime_error("input '" + x.name + "' is " + elem_type_name(t.type) +
                                 ", the network expects " + elem_type_name(x.type));
      if (t.dims != x.dims)
        throw std::runtime_error("input '" + x.name + "' has shape " + dims_str(t.dims) +
                                 ", the network expects " + dims_str(x.dims));
      const size_t n = t.numel();
      if ((t.is_float() ? t.f.size() : t.i.size()) != n)
        throw std::runtime_error("input '" + x.name + "' holds the wrong number of elements");
      vals_[v].t = t;
      vals_[v].have_t = true;
    }
    bool device_done = false;
    for (const Op& op : net_.ops) {
      if (net_.is_device_op(op)) {
        if (!device_done) device(*this);
        device_done = true;
        continue;
      }
      host_op(op);
    }
  }

  // Items of a value's storage (converted from its tensor if needed).
  HostVal& items(int v) {
    const Value& x = net_.values[v];
    HostVal& h = vals_[x.storage];
    if (h.have_items) return h;
    const Value& s = net_.values[x.storage];
    const Tensor& t = tensor(x.storage);
    const size_t ie = s.shape.elems();
    if (s.type == ElemType::kInt32) {
      h.i32.assign(s.batch, std::vector<int32_t>(ie));
      for (int b = 0; b < s.batch; ++b)
        for (size_t k = 0; k < ie; ++k) h.i32[b][hwc_index(s, k)] = int32_t(t.i[b * ie + k]);
    } else if (is_q8(s.type)) {
      h.q.assign(s.batch, QTensor(s.shape, s.type == ElemType::kInt8));
      for (int b = 0; b < s.batch; ++b)
        for (size_t k = 0; k < ie; ++k) h.q[b].data[hwc_index(s, k)] = uint8_t(t.i[b * ie + k]);
    } else {
      throw std::logic_error("value '" + s.name + "' is float and has no device form");
    }
    h.have_items = true;
    return h;
  }
  void set_items(int v, HostVal&& hv) {
    hv.have_items = true;
    hv.have_t = false;
    vals_[v] = std::move(hv);
  }
  bool has_data(int v) const {
    const HostVal& h = vals_[net_.values[v].storage];
    return h.have_t || h.have_items;
  }

  // ONNX-order tensor of a value (views take the storage's data with their own dims).
  const Tensor& tensor(int v) {
    HostVal& own = vals_[v];
    if (own.have_t) return own.t;
    const Value& x = net_.values[v];
    const Value& s = net_.values[x.storage];
    HostVal& h = vals_[x.storage];
    Tensor t;
    t.name = x.name;
    t.type = x.type;
    t.dims = x.dims;
    if (h.have_t) {
      t.f = h.t.f;
      t.i = h.t.i;
    } else if (h.have_items) {
      const size_t ie = s.shape.elems();
      t.i.resize(ie * s.batch);
      for (int b = 0; b < s.batch; ++b)
        for (size_t k = 0; k < ie; ++k)
          t.i[b * ie + k] = s.type == ElemType::kInt32 ? h.i32[b][hwc_index(s, k)]
                                                       : byte_value(h.q[b].data[hwc_index(s, k)],
                                                                    h.q[b].is_signed);
    } else {
      throw std::logic_error("value '" + x.name + "' was not computed");
    }
    own.t = std::move(t);
    own.have_t = true;
    return own.t;
  }

  const Network& net() const { return net_; }

 private:
  void host_op(const Op& op) {
    const Value& out = net_.values[op.output];
    const Tensor& in = tensor(op.inputs[0]);
    Tensor r;
    r.name = out.name;
    r.type = out.type;
    r.dims = out.dims;
    const size_t n = in.numel();
    if (op.kind == OpKind::kQuantize) {
      const bool sg = out.type == ElemType::kInt8;
      r.i.resize(n);
      for (size_t k = 0; k < n; ++k) {
        const float q = std::nearbyint(in.f[k] / out.scale);  // ONNX: round half to even
        r.i[k] = std::clamp<int64_t>(int64_t(std::clamp(q, -1e9f, 1e9f)) + out.zero_point,
                                     type_min(sg), type_max(sg));
      }
    } else if (op.kind == OpKind::kDequantize) {
      const Value& x = net_.values[op.inputs[0]];
      r.f.resize(n);
      for (size_t k = 0; k < n; ++k) r.f[k] = float(in.i[k] - x.zero_point) * x.scale;
    } else if (op.kind == OpKind::kSoftmax) {
      const int rank = int(in.dims.size());
      size_t outer = 1, len = 1, inner = 1;
      for (int a = 0; a < rank; ++a) {
        const size_t d = size_t(in.dims[a]);
        if (a < op.softmax_axis) outer *= d;
        else if (a == op.softmax_axis || op.softmax_coerce_2d) len *= d;
        else inner *= d;
      }
      r.f.resize(n);
      for (size_t o = 0; o < outer; ++o)
        for (size_t i = 0; i < inner; ++i) {
          auto at = [&](size_t j) { return (o * len + j) * inner + i; };
          float mx = -INFINITY;
          for (size_t j = 0; j < len; ++j) mx = std::max(mx, in.f[at(j)]);
          double sum = 0;
          for (size_t j = 0; j < len; ++j) sum += std::exp(double(in.f[at(j)] - mx));
          for (size_t j = 0; j < len; ++j)
            r.f[at(j)] = float(std::exp(double(in.f[at(j)] - mx)) / sum);
        }
    } else {
      throw std::logic_error("host_op: not a host op");
    }
    vals_[op.output].t = std::move(r);
    vals_[op.output].have_t = true;
  }

  const Network& net_;
  std::vector<HostVal> vals_;
};

std::vector<Tensor> collect_outputs(Exec& ex) {
  std::vector<Tensor> out;
  for (int v : ex.net().outputs) out.push_back(ex.tensor(v));
  return out;
}

TensorMap collect_all(Exec& ex) {
  TensorMap m;
  const Network& net = ex.net();
  for (size_t v = 0; v < net.values.size(); ++v)
    if (ex.has_data(int(v))) m[net.values[v].name] = ex.tensor(int(v));
  return m;
}

void reference_device(Exec& ex) {
  const Network& net = ex.net();
  for (const Op& op : net.ops) {
    if (!net.is_device_op(op)) continue;
    const Value& out = net.values[op.output];
    HostVal hv;
    for (int b = 0; b < out.batch; ++b) {
      const QTensor& in = ex.items(op.inputs[0]).q[b];
      if (op.kind == OpKind::kConv) {
        const ConvLayer& L = op.conv[op.conv.size() == 1 ? 0 : b];
        if (L.requant)
          hv.q.push_back(ref::conv(L, in));
        else
          hv.i32.push_back(ref::conv_acc(L, in));
      } else if (op.kind == OpKind::kPool) {
        hv.q.push_back(ref::pool(op.pool, in));
      } else {
        const QTensor& in_b = ex.items(op.inputs[1]).q[b];
        hv.q.push_back(ref::add(op.add, in, in_b));
      }
    }
    ex.set_items(op.output, std::move(hv));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

NetworkRunner::NetworkRunner(const Network& net, Device& dev)
    : net_(net), dev_(dev), dev_tensors_(net.values.size()) {
  ProgramBuilder pb(dev.config(), dev.mem_base(), dev.mem_size());
  auto tensors = [&](int v) -> const std::vector<DeviceTensor>& {
    const Value& s = net_.values[net_.values[v].storage];
    auto& ts = dev_tensors_[s.storage];
    if (ts.empty())
      for (int b = 0; b < s.batch; ++b)
        ts.push_back(pb.alloc_tensor(s.shape, s.type == ElemType::kInt8,
                                     s.type == ElemType::kInt32 ? 4 : 1));
    return ts;
  };
  for (const Op& op : net_.ops) {
    if (!net_.is_device_op(op)) continue;
    for (int i : op.inputs) tensors(i);
    tensors(op.output);
  }
  for (const Op& op : net_.ops) {
    if (!net_.is_device_op(op)) continue;
    const auto& out = tensors(op.output);
    const auto& a = tensors(op.inputs[0]);
    const int items = int(out.size());
    auto suffix = [&](std::string name, int b) {
      return items > 1 && name.find('[') == std::string::npos
                 ? name + "[" + std::to_string(b) + "]"
                 : name;
    };
    for (int b = 0; b < items; ++b) {
      if (op.kind == OpKind::kConv) {
        ConvLayer L = op.conv[op.conv.size() == 1 ? 0 : b];
        L.name = suffix(L.name, b);
        const DeviceTensor& in = a[b];
        if (op.flatten_fc) {
          pb.conv(flatten_fc_layer(L, in.cpad), flat_view(in), out[b]);
        } else {
          pb.conv(L, in, out[b]);
        }
      } else if (op.kind == OpKind::kPool) {
        PoolLayer P = op.pool;
        P.name = suffix(P.name, b);
        pb.pool(P, a[b], out[b]);
      } else {
        AddLayer A = op.add;
        A.name = suffix(A.name, b);
        pb.add(A, a[b], tensors(op.inputs[1])[b], out[b]);
      }
    }
  }
  prog_ = pb.finish();
  load_program(dev_, prog_);
}

namespace {
void device_section(Exec& ex, const Network& net, Device& dev, const Program& prog,
                    const std::vector<std::vector<DeviceTensor>>& dts, RunResult& last,
                    std::chrono::milliseconds timeout) {
  std::vector<bool> produced(net.values.size(), false);
  for (const Op& op : net.ops)
    if (net.is_device_op(op)) produced[op.output] = true;
  std::vector<bool> written(net.values.size(), false);
  for (const Op& op : net.ops) {
    if (!net.is_device_op(op)) continue;
    for (int i : op.inputs) {
      const int s = net.values[i].storage;
      if (produced[s] || written[s]) continue;
      const HostVal& h = ex.items(s);
      for (size_t b = 0; b < dts[s].size(); ++b) write_tensor(dev, dts[s][b], h.q[b]);
      written[s] = true;
    }
  }
  last = run_program(dev, prog, timeout);
  for (const Op& op : net.ops) {
    if (!net.is_device_op(op)) continue;
    HostVal hv;
    for (const DeviceTensor& t : dts[op.output]) {
      if (t.elem_bytes == 4)
        hv.i32.push_back(read_tensor_i32(dev, t));
      else
        hv.q.push_back(read_tensor(dev, t));
    }
    ex.set_items(op.output, std::move(hv));
  }
}
}  // namespace

std::vector<Tensor> NetworkRunner::run(const TensorMap& inputs, std::chrono::milliseconds timeout) {
  Exec ex(net_);
  ex.run(inputs, [&](Exec& e) {
    device_section(e, net_, dev_, prog_, dev_tensors_, last_, timeout);
  });
  return collect_outputs(ex);
}

TensorMap NetworkRunner::run_all(const TensorMap& inputs, std::chrono::milliseconds timeout) {
  Exec ex(net_);
  ex.run(inputs, [&](Exec& e) {
    device_section(e, net_, dev_, prog_, dev_tensors_, last_, timeout);
  });
  return collect_all(ex);
}

std::vector<Tensor> run_reference(const Network& net, const TensorMap& inputs) {
  Exec ex(net);
  ex.run(inputs, reference_device);
  return collect_outputs(ex);
}

TensorMap run_reference_all(const Network& net, const TensorMap& inputs) {
  Exec ex(net);
  ex.run(inputs, reference_device);
  return collect_all(ex);
}

}  // namespace tessera::onnx
