// Builds small ONNX models in the tests with the protobuf API (no Python).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstring>
#include <string>
#include <vector>

namespace tessera::onnx::test {

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13) {
    m_.set_ir_version(7);
    m_.set_producer_name("tessera-test");
    auto* o = m_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    m_.mutable_graph()->set_name("g");
  }
  ::onnx::ModelProto& model() { return m_; }
  ::onnx::GraphProto& graph() { return *m_.mutable_graph(); }

  // dims < 0 become symbolic (dim_param "N").
  void input(const std::string& name, int elem, const std::vector<int64_t>& dims) {
    value_info(graph().add_input(), name, elem, dims);
  }
  void output(const std::string& name, int elem, const std::vector<int64_t>& dims) {
    value_info(graph().add_output(), name, elem, dims);
  }
  ::onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                          const std::vector<std::string>& outs, const std::string& name = "") {
    auto* n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(graph().node_size()) : name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return *n;
  }
  static void attr_ints(::onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void attr_int(::onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  }
  void init_f(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
  }
  // uint8 / int8 / int32 via int32_data, int64 via int64_data.
  void init_i(const std::string& name, int elem, const std::vector<int64_t>& dims,
              const std::vector<int64_t>& v) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(elem);
    for (int64_t d : dims) t->add_dims(d);
    for (int64_t x : v) {
      if (elem == ::onnx::TensorProto::INT64)
        t->add_int64_data(x);
      else
        t->add_int32_data(int32_t(x));
    }
  }
  std::string bytes() const { return m_.SerializeAsString(); }

 private:
  static void value_info(::onnx::ValueInfoProto* vi, const std::string& name, int elem,
                         const std::vector<int64_t>& dims) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto* sh = tt->mutable_shape();
    for (int64_t d : dims) {
      auto* dd = sh->add_dim();
      if (d < 0)
        dd->set_dim_param("N");
      else
        dd->set_dim_value(d);
    }
  }
  ::onnx::ModelProto m_;
};

}  // namespace tessera::onnx::test
