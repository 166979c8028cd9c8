// ONNX node attribute readers, the Conv / pooling geometry and the Flatten / Reshape output
// shape, shared by the quantized importer (import.cpp) and the float-model parser
// (float_graph.cpp).
#include <algorithm>

#include "onnx_internal.hpp"

namespace tessera::onnx::detail {

using ::onnx::AttributeProto;
using ::onnx::NodeProto;

const AttributeProto* attr(const NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t attr_i(const NodeProto& n, const std::string& name, int64_t def) {
  const AttributeProto* a = attr(n, name);
  return a ? a->i() : def;
}
float attr_f(const NodeProto& n, const std::string& name, float def) {
  const AttributeProto* a = attr(n, name);
  return a ? a->f() : def;
}
std::string attr_s(const NodeProto& n, const std::string& name, const std::string& def) {
  const AttributeProto* a = attr(n, name);
  return a ? a->s() : def;
}
std::vector<int64_t> attr_ints(const NodeProto& n, const std::string& name,
                               std::vector<int64_t> def) {
  const AttributeProto* a = attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : def;
}

void conv_geometry(const NodeProto& n, ConvLayer& L, const NodeFail& fail) {
  const auto ks = attr_ints(n, "kernel_shape", {L.kh, L.kw});
  if (ks.size() != 2 || ks[0] != L.kh || ks[1] != L.kw)
    fail("kernel_shape " + dims_str(ks) + " does not match the 2-D weights");
  const auto st = attr_ints(n, "strides", {1, 1});
  const auto dl = attr_ints(n, "dilations", {1, 1});
  auto pads = attr_ints(n, "pads", {0, 0, 0, 0});
  if (st.size() != 2 || dl.size() != 2 || pads.size() != 4)
    fail("only 2-D strides / dilations / pads are supported");
  L.stride_h = int(st[0]);
  L.stride_w = int(st[1]);
  L.dil_h = int(dl[0]);
  L.dil_w = int(dl[1]);
  if (L.stride_h < 1 || L.stride_w < 1 || L.dil_h < 1 || L.dil_w < 1)
    fail("strides and dilations must be >= 1");
  const std::string ap = attr_s(n, "auto_pad", "NOTSET");
  if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    const int in[2] = {L.in.h, L.in.w}, k[2] = {L.kh, L.kw}, s[2] = {L.stride_h, L.stride_w},
              d[2] = {L.dil_h, L.dil_w};
    for (int a = 0; a < 2; ++a) {
      const int out = (in[a] + s[a] - 1) / s[a];
      const int total = std::max(0, (out - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in[a]);
      const int small = total / 2, big = total - small;
      pads[a] = ap == "SAME_UPPER" ? small : big;
      pads[a + 2] = ap == "SAME_UPPER" ? big : small;
    }
  } else if (ap == "VALID") {
    pads = {0, 0, 0, 0};
  } else if (ap != "NOTSET") {
    fail("auto_pad '" + ap + "' is not supported");
  }
  for (int64_t p : pads)
    if (p < 0) fail("negative pads");
  L.pad_top = int(pads[0]);
  L.pad_left = int(pads[1]);
  L.pad_bottom = int(pads[2]);
  L.pad_right = int(pads[3]);
  if (L.out_h() < 1 || L.out_w() < 1) fail("the output would be empty");
}

void pool_geometry(const NodeProto& n, PoolLayer& P, Shape in, bool global, const NodeFail& fail) {
  P.in = in;
  if (global) {
    P.kh = in.h;
    P.kw = in.w;
    P.stride_h = P.stride_w = 1;
    return;
  }
  const auto ks = attr_ints(n, "kernel_shape", {});
  if (ks.size() != 2) fail("kernel_shape must have 2 entries");
  const auto st = attr_ints(n, "strides", {1, 1});
  auto pads = attr_ints(n, "pads", {0, 0, 0, 0});
  const auto dl = attr_ints(n, "dilations", {1, 1});
  if (st.size() != 2 || pads.size() != 4) fail("only 2-D pooling is supported");
  if (dl != std::vector<int64_t>{1, 1}) fail("pooling dilations are not supported");
  if (attr_i(n, "storage_order", 0) != 0) fail("storage_order = 1 is not supported");
  if (n.output_size() > 1 && !n.output(1).empty())
    fail("the Indices output of MaxPool is not supported");
  P.kh = int(ks[0]);
  P.kw = int(ks[1]);
  P.stride_h = int(st[0]);
  P.stride_w = int(st[1]);
  if (P.kh < 1 || P.kw < 1 || P.stride_h < 1 || P.stride_w < 1)
    fail("kernel and strides must be >= 1");
  const std::string ap = attr_s(n, "auto_pad", "NOTSET");
  const bool ceil_mode = attr_i(n, "ceil_mode", 0) != 0;
  const int inn[2] = {in.h, in.w}, k[2] = {P.kh, P.kw}, s[2] = {P.stride_h, P.stride_w};
  for (int a = 0; a < 2; ++a) {
    if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
      const int out = (inn[a] + s[a] - 1) / s[a];
      const int total = std::max(0, (out - 1) * s[a] + k[a] - inn[a]);
      pads[a] = ap == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[a + 2] = total - pads[a];
    } else if (ap == "VALID") {
      pads[a] = pads[a + 2] = 0;
    } else if (ap != "NOTSET") {
      fail("auto_pad '" + ap + "' is not supported");
    }
    if (pads[a] < 0 || pads[a + 2] < 0) fail("negative pads");
    if (ceil_mode && ap == "NOTSET") {
      const int64_t span = inn[a] + pads[a] + pads[a + 2] - k[a];
      int64_t out = (span + s[a] - 1) / s[a] + 1;
      if ((out - 1) * s[a] >= inn[a] + pads[a]) --out;  // the last window must start inside
      const int64_t need = (out - 1) * s[a] + k[a] - (inn[a] + pads[a] + pads[a + 2]);
      if (need > 0) {
        // Extra bottom/right padding makes floor == ceil for max pooling; an average over a
        // partial window would count the extra padding in its divisor.
        if (P.avg) fail("ceil_mode = 1 that adds a partial window is not supported");
        pads[a + 2] += need;
      }
    }
  }
  P.pad_top = int(pads[0]);
  P.pad_left = int(pads[1]);
  P.pad_bottom = int(pads[2]);
  P.pad_right = int(pads[3]);
  if (P.out_h() < 1 || P.out_w() < 1) fail("the output would be empty");
}

std::vector<int64_t> view_dims(const NodeProto& n, const std::vector<int64_t>& in, int64_t total,
                               const std::vector<int64_t>* shape, const NodeFail& fail) {
  std::vector<int64_t> dims;
  if (n.op_type() == "Flatten") {
    int64_t axis = attr_i(n, "axis", 1);
    if (axis < 0) axis += int64_t(in.size());
    if (axis < 0 || axis > int64_t(in.size())) fail("axis out of range");
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= in[k];
    dims = {outer, total / outer};
  } else {
    if (attr_i(n, "allowzero", 0) != 0) fail("allowzero = 1 is not supported");
    if (!shape) fail("Reshape without a shape");
    int64_t known = 1, infer = -1;
    for (size_t k = 0; k < shape->size(); ++k) {
      int64_t d = (*shape)[k];
      if (d == 0) {
        if (k >= in.size()) fail("shape entry 0 beyond the input rank");
        d = in[k];
      }
      if (d == -1) {
        if (infer >= 0) fail("more than one -1 in shape");
        infer = int64_t(k);
        dims.push_back(1);
        continue;
      }
      if (d < 1) fail("invalid shape entry " + std::to_string(d));
      known *= d;
      dims.push_back(d);
    }
    if (infer >= 0) {
      if (known == 0 || total % known) fail("shape does not divide the element count");
      dims[size_t(infer)] = total / known;
    }
  }
  int64_t prod = 1;
  for (int64_t d : dims) prod *= d;
  if (prod != total)
    fail("new shape " + dims_str(dims) + " has " + std::to_string(prod) +
         " elements, the input " + std::to_string(total));
  return dims;
}

}  // namespace tessera::onnx::detail
