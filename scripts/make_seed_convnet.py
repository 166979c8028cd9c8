#!/usr/bin/env python3
"""Writes models/seed_convnet.onnx and models/images/*.png (see models/README.md).

The seed essay's ConvNet, 32x32x3 input:
  conv 3x3 3->32 pad 1 + ReLU, maxpool 2; conv 3x3 32->64 pad 1 + ReLU, maxpool 2;
  flatten; FC 4096->128 + ReLU; FC 128->10; softmax
as a QDQ int8 model in the form tessera_onnx imports (docs/onnx.md): float input ->
QuantizeLinear -> DequantizeLinear -> Conv(DequantizeLinear(int8 w), DequantizeLinear(int32 b))
-> Relu -> QuantizeLinear -> ... The weights are seeded random (He-normal), quantized per output
channel, symmetric int8. Activation scales are per tensor, calibrated with a numpy float forward
pass over the shipped images plus random inputs (max over the batch of each tensor's range).
Activations are int8: after ReLU zero point -128, scale max/255; the logits asymmetric.

Needs numpy and onnx (pip install numpy onnx). Deterministic: the same seed gives the same bytes.
Usage: scripts/make_seed_convnet.py [--seed 1] [--out-dir models]
"""
import argparse
import gzip
import os
import struct
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
FASHION_LABELS = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
# RGB tints of the four shipped images, so that the three channels differ.
TINTS = [(1.0, 1.0, 1.0), (1.0, 0.6, 0.3), (0.3, 0.8, 1.0), (0.7, 1.0, 0.5)]


def write_png(path, rgb):
    """Minimal 8-bit RGB PNG writer (rgb: HxWx3 uint8)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def make_images(out_dir):
    """Four Fashion-MNIST test images, 28x28 -> 32x32 (nearest, 2 px border), tinted RGB."""
    with gzip.open(FASHION, "rb") as f:
        data = f.read()
    with gzip.open(FASHION_LABELS, "rb") as f:
        labels = f.read()[8:]
    n, h, w = struct.unpack(">III", data[4:16])
    imgs = np.frombuffer(data, np.uint8, offset=16).reshape(n, h, w)
    os.makedirs(out_dir, exist_ok=True)
    rgbs, names = [], []
    for k in range(4):
        g = np.zeros((32, 32), np.uint8)
        g[2:30, 2:30] = imgs[k]
        rgb = np.stack([np.round(g * t).astype(np.uint8) for t in TINTS[k]], axis=-1)
        name = "fmnist_%d_%s.png" % (k, CLASSES[labels[k]])
        write_png(os.path.join(out_dir, name), rgb)
        rgbs.append(rgb)
        names.append(name)
    return rgbs, names


def conv2d(x, w, b):  # x [N,C,H,W], w [O,C,3,3], pad 1, stride 1
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([xp[:, :, ky:ky + h, kx:kx + wd] for ky in range(3) for kx in range(3)], 2)
    # cols [N,C,9,H,W]
    return np.einsum("nckhw,ock->nohw", cols, w.reshape(w.shape[0], c, 9)) + b[None, :, None, None]


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = ap.parse_args()
    out_dir = os.path.abspath(args.out_dir)
    rng = np.random.default_rng(args.seed)

    rgbs, _ = make_images(os.path.join(out_dir, "images"))

    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    w1, b1 = he((32, 3, 3, 3), 27), (rng.standard_normal(32) * 0.05).astype(np.float32)
    w2, b2 = he((64, 32, 3, 3), 288), (rng.standard_normal(64) * 0.05).astype(np.float32)
    w3, b3 = he((128, 4096), 4096), (rng.standard_normal(128) * 0.05).astype(np.float32)
    w4, b4 = he((10, 128), 128), (rng.standard_normal(10) * 0.05).astype(np.float32)

    # Per-channel symmetric int8 weights; the float model uses the dequantized weights.
    def qw(w):
        s = np.abs(w.reshape(w.shape[0], -1)).max(axis=1) / 127.0
        s = s.astype(np.float32)
        q = np.clip(np.round(w / s.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
        return q, s

    (w1q, w1s), (w2q, w2s), (w3q, w3s), (w4q, w4s) = qw(w1), qw(w2), qw(w3), qw(w4)
    deq = lambda q, s: q.astype(np.float32) * s.reshape((-1,) + (1,) * (q.ndim - 1))

    # Calibration: the shipped images plus random inputs in [0, 1] (the CLI's default range).
    x = np.concatenate([np.stack([r.transpose(2, 0, 1) for r in rgbs]).astype(np.float32) / 255.0,
                        rng.random((12, 3, 32, 32), dtype=np.float32)])
    a1 = np.maximum(conv2d(x, deq(w1q, w1s), b1), 0)
    p1 = maxpool2(a1)
    a2 = np.maximum(conv2d(p1, deq(w2q, w2s), b2), 0)
    p2 = maxpool2(a2)
    a3 = np.maximum(p2.reshape(len(x), -1) @ deq(w3q, w3s).T + b3, 0)
    a4 = a3 @ deq(w4q, w4s).T + b4

    s_in, z_in = np.float32(1.0 / 255.0), -128          # [0, 1] -> [-128, 127]
    relu_scale = lambda a: np.float32(max(float(a.max()), 1e-3) / 255.0)
    s1, s2, s3 = relu_scale(a1), relu_scale(a2), relu_scale(a3)
    lo, hi = min(float(a4.min()), 0.0), max(float(a4.max()), 0.0)
    s4 = np.float32((hi - lo) / 255.0)
    z4 = int(np.clip(np.round(-128 - lo / s4), -128, 127))

    inits, nodes = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))

    def qparams(p, s, z):
        init(p + "_s", np.float32(s))
        init(p + "_z", np.int8(z))

    def q(i, p, o):
        nodes.append(helper.make_node("QuantizeLinear", [i, p + "_s", p + "_z"], [o]))

    def dq(i, p, o):
        nodes.append(helper.make_node("DequantizeLinear", [i, p + "_s", p + "_z"], [o]))

    def weights(p, wq, ws, b, s_x):
        init(p + "_w", wq)
        init(p + "_w_s", ws)
        init(p + "_w_z", np.zeros(len(ws), np.int8))
        bs = (np.float32(s_x) * ws).astype(np.float32)
        init(p + "_b", np.round(b / bs).astype(np.int32))
        init(p + "_b_s", bs)
        init(p + "_b_z", np.zeros(len(ws), np.int32))
        nodes.append(helper.make_node("DequantizeLinear", [p + "_w", p + "_w_s", p + "_w_z"],
                                      [p + "_wd"], axis=0))
        nodes.append(helper.make_node("DequantizeLinear", [p + "_b", p + "_b_s", p + "_b_z"],
                                      [p + "_bd"], axis=0))

    qparams("qin", s_in, z_in)
    qparams("q1", s1, -128)
    qparams("q2", s2, -128)
    qparams("q3", s3, -128)
    qparams("q4", s4, z4)

    q("input", "qin", "xq")
    dq("xq", "qin", "xd")
    weights("conv1", w1q, w1s, b1, s_in)
    nodes.append(helper.make_node("Conv", ["xd", "conv1_wd", "conv1_bd"], ["c1"], name="conv1",
                                  pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
    nodes.append(helper.make_node("Relu", ["c1"], ["r1"], name="relu1"))
    q("r1", "q1", "r1q")
    dq("r1q", "q1", "r1d")
    nodes.append(helper.make_node("MaxPool", ["r1d"], ["m1"], name="pool1",
                                  kernel_shape=[2, 2], strides=[2, 2]))
    q("m1", "q1", "m1q")
    dq("m1q", "q1", "m1d")
    weights("conv2", w2q, w2s, b2, s1)
    nodes.append(helper.make_node("Conv", ["m1d", "conv2_wd", "conv2_bd"], ["c2"], name="conv2",
                                  pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
    nodes.append(helper.make_node("Relu", ["c2"], ["r2"], name="relu2"))
    q("r2", "q2", "r2q")
    dq("r2q", "q2", "r2d")
    nodes.append(helper.make_node("MaxPool", ["r2d"], ["m2"], name="pool2",
                                  kernel_shape=[2, 2], strides=[2, 2]))
    q("m2", "q2", "m2q")
    dq("m2q", "q2", "m2d")
    nodes.append(helper.make_node("Flatten", ["m2d"], ["fl"], name="flatten", axis=1))
    weights("fc1", w3q, w3s, b3, s2)
    nodes.append(helper.make_node("Gemm", ["fl", "fc1_wd", "fc1_bd"], ["f1"], name="fc1", transB=1))
    nodes.append(helper.make_node("Relu", ["f1"], ["f1r"], name="relu3"))
    q("f1r", "q3", "f1q")
    dq("f1q", "q3", "f1d")
    weights("fc2", w4q, w4s, b4, s3)
    nodes.append(helper.make_node("Gemm", ["f1d", "fc2_wd", "fc2_bd"], ["f2"], name="fc2",
                                  transB=1))
    q("f2", "q4", "f2q")
    dq("f2q", "q4", "logits")
    nodes.append(helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1))

    graph = helper.make_graph(
        nodes, "seed_convnet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, producer_name="tessera make_seed_convnet.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    helper.set_model_props(model, {
        "class_names": ",".join(CLASSES),
        "description": ("seed essay ConvNet, random weights (seed %d); input RGB in [0, 1]"
                        % args.seed),
    })
    onnx.checker.check_model(model)
    path = os.path.join(out_dir, "seed_convnet.onnx")
    onnx.save(model, path)
    print("wrote %s (%d bytes); scales in %.6g conv1 %.6g conv2 %.6g fc1 %.6g logits %.6g zp %d"
          % (path, os.path.getsize(path), s_in, s1, s2, s3, s4, z4))


if __name__ == "__main__":
    main()
