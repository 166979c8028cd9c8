#!/usr/bin/env python3
"""Writes the float test models of tests/onnx/float_models_test.cpp into tests/onnx/data/.

Two small FLOAT ONNX models (seeded random weights, onnx.helper, opset 13) with the operators
Tessera quantizes itself (docs/onnx.md "Float models"), each with onnxruntime's float outputs
of the ORIGINAL graph (BatchNormalization not folded, graph optimizations off) as the
independent reference:

  float_convnet.onnx  x [1,3,12,12]:
    Conv 3->8 k3 p1 + BatchNormalization + Relu                          = a
    depthwise Conv k3 p1 + BatchNormalization + Clip(0, 6); Conv 1x1 + BatchNormalization;
    Add(., a) + Relu                                                     = r  (residual)
    Conv 8->16 k3 p1; MaxPool 2; Relu (after the pool)                   = m
    AveragePool 2; Flatten; Gemm 144->10 (transB = 1); Softmax           -> prob [1,10]
    GlobalAveragePool(m); Flatten                                        -> pooled [1,16]
  float_mlp.onnx  x [1,1,8,8]:
    Reshape [1,64]; MatMul 64->32 + Add(bias); BatchNormalization; Relu;
    Gemm 32->10 (alpha 0.5, beta 2)                                      -> logits [1,10]

Per model DIR = tests/onnx/data/<name>/: model.onnx, calib.pb (32 inputs stacked on a new
axis 0), test_in.pb (8 inputs), test_out_<output>.pb (onnxruntime's outputs for test_in, stacked
the same way). Needs numpy, onnx, onnxruntime. Deterministic (--seed 1).
Usage: scripts/make_float_test_models.py [--seed 1] [--out-dir tests/onnx/data]
"""
import argparse
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

N_CALIB, N_TEST = 32, 8


class Graph:
    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.inits = [], []

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name))
        return name

    def node(self, op, ins, out, **attrs):
        self.nodes.append(helper.make_node(op, ins, [out], name=out + "_node", **attrs))
        return out

    def conv(self, x, name, cin, cout, k, group=1, bias=True, **attrs):
        fan_in = cin // group * k * k
        w = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin // group, k, k))
        ins = [x, self.init(name + "_w", w)]
        if bias:
            ins.append(self.init(name + "_b", self.rng.normal(0, 0.1, cout)))
        return self.node("Conv", ins, name, kernel_shape=[k, k], group=group, **attrs)

    def bn(self, x, name, c):
        r = self.rng
        ins = [x, self.init(name + "_gamma", r.uniform(0.5, 1.5, c)),
               self.init(name + "_beta", r.uniform(-0.2, 0.2, c)),
               self.init(name + "_mean", r.uniform(-0.3, 0.3, c)),
               self.init(name + "_var", r.uniform(0.5, 2.0, c))]
        return self.node("BatchNormalization", ins, name, epsilon=1e-3)

    def model(self, inputs, outputs):
        g = helper.make_graph(self.nodes, "g", inputs, outputs, self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="make_float_test_models")
        m.ir_version = 8
        onnx.checker.check_model(m)
        return m


def convnet(rng):
    g = Graph(rng)
    a = g.node("Relu", [g.bn(g.conv("x", "conv1", 3, 8, 3, pads=[1, 1, 1, 1]), "bn1", 8)], "a")
    d = g.bn(g.conv(a, "dw", 8, 8, 3, group=8, bias=False, pads=[1, 1, 1, 1]), "bn2", 8)
    d = g.node("Clip", [d, g.init("six_lo", 0.0), g.init("six_hi", 6.0)], "dw_relu6")
    p = g.bn(g.conv(d, "pw", 8, 8, 1), "bn3", 8)
    r = g.node("Relu", [g.node("Add", [p, a], "res")], "r")
    c3 = g.conv(r, "conv3", 8, 16, 3, pads=[1, 1, 1, 1])
    m = g.node("Relu", [g.node("MaxPool", [c3], "pool3", kernel_shape=[2, 2], strides=[2, 2])], "m")
    ap = g.node("AveragePool", [m], "avg", kernel_shape=[2, 2], strides=[2, 2])
    f = g.node("Flatten", [ap], "flat")
    w = g.init("fc_w", rng.normal(0, np.sqrt(2.0 / 144), (10, 144)))
    logits = g.node("Gemm", [f, w, g.init("fc_b", rng.normal(0, 0.1, 10))], "logits", transB=1)
    g.node("Softmax", [logits], "prob", axis=1)
    g.node("Flatten", [g.node("GlobalAveragePool", [m], "gap")], "pooled")
    return g.model([helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])],
                   [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 10]),
                    helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [1, 16])])


def mlp(rng):
    g = Graph(rng)
    g.inits.append(numpy_helper.from_array(np.array([1, 64], dtype=np.int64), "shape64"))
    flat = g.node("Reshape", ["x", "shape64"], "flat")
    h = g.node("MatMul", [flat, g.init("fc1_w", rng.normal(0, np.sqrt(2.0 / 64), (64, 32)))], "fc1")
    h = g.node("Add", [h, g.init("fc1_b", rng.normal(0, 0.1, 32))], "fc1_bias")
    h = g.node("Relu", [g.bn(h, "bn1", 32)], "h")
    g.node("Gemm", [h, g.init("fc2_w", rng.normal(0, np.sqrt(2.0 / 32), (32, 10))),
                    g.init("fc2_b", rng.normal(0, 0.1, 10))], "logits", alpha=0.5, beta=2.0)
    return g.model([helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
                   [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])])


def save_pb(path, arr):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.asarray(arr, dtype=np.float32)).SerializeToString())


def write(name, model, in_shape, rng, out_dir):
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    calib = rng.normal(0, 1, (N_CALIB,) + in_shape).astype(np.float32)
    test = rng.normal(0, 1, (N_TEST,) + in_shape).astype(np.float32)
    save_pb(os.path.join(d, "calib.pb"), calib)
    save_pb(os.path.join(d, "test_in.pb"), test)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    outs = [sess.run(None, {"x": t}) for t in test]
    for k, n in enumerate(names):
        save_pb(os.path.join(d, "test_out_%s.pb" % n), np.stack([o[k] for o in outs]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "tests",
                                                      "onnx", "data"))
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    write("float_convnet", convnet(rng), (1, 3, 12, 12), rng, a.out_dir)
    write("float_mlp", mlp(rng), (1, 1, 8, 8), rng, a.out_dir)


if __name__ == "__main__":
    main()
