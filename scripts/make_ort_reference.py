#!/usr/bin/env python3
"""Writes onnxruntime's quantized logits of an int8 QDQ model for image files, the reference
tests/onnx/onnx_model_agreement_test.cpp compares Tessera with (see models/README.md). Also the
shared steps of the make_*.py model scripts (images, ORT quantization, reference files).

The input is preprocessed exactly as `tessera run` does by default (host/cli/src/cli.cpp):
RGB pixel * float32(1/255), NCHW float32; a 1-channel model gets the mean of R, G, B. Images
must already have the model's size (OpenCV's resize is not reproduced here). The saved tensor
is the output of the QuantizeLinear that the graph output dequantizes (int8 / uint8), so the
comparison is in LSB.

Output: one line per image, "<file name> <q_0> ... <q_n-1>", after a '#' comment line.
Needs numpy, onnx, onnxruntime (pip). Usage:
  scripts/make_ort_reference.py MODEL.onnx IMAGE.png... --out FILE
"""
import argparse
import gzip
import os
import struct
import tempfile
import zlib

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                      quantize_static)

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
FASHION_LABELS = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
FASHION_CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat",
                   "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_png(path):
    """8-bit, non-interlaced grey / RGB / RGBA PNG -> HxWx3 uint8 RGB (alpha dropped)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG file" % path)
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if tag == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    channels = {0: 1, 2: 3, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError("%s: only 8-bit grey / RGB / RGBA, non-interlaced PNGs" % path)
    raw = zlib.decompress(idat)
    stride = w * channels
    out = np.zeros((h, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        cur = np.zeros(stride, np.int32)
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if ft == 0:
                p = 0
            elif ft == 1:
                p = a
            elif ft == 2:
                p = b
            elif ft == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (line[x] + p) & 0xFF
        out[y] = cur
        prev = cur
    img = out.reshape(h, w, channels).astype(np.uint8)
    if channels == 1:
        return np.repeat(img, 3, axis=2)
    return img[:, :, :3]


def preprocess(rgb, c):
    """tessera run's default preprocessing: NCHW float32, pixel * float32(1/255)."""
    x = rgb.astype(np.float32)
    if c == 1:
        x = ((x[:, :, 0] + x[:, :, 1] + x[:, :, 2]) / np.float32(3))[:, :, None]
    x = x * np.float32(1.0 / 255.0)
    return x.transpose(2, 0, 1)[None].copy()


def quantized_output_name(model):
    """The quantized tensor behind the graph output (the input of the DequantizeLinear it comes
    from, walking back over Softmax) and its element type (that DequantizeLinear's zero point)."""
    producer = {o: n for n in model.graph.node for o in n.output}
    inits = {t.name: t for t in model.graph.initializer}
    name = model.graph.output[0].name
    while name in producer and producer[name].op_type == "Softmax":
        name = producer[name].input[0]
    dq = producer.get(name)
    if dq is None or dq.op_type != "DequantizeLinear":
        raise ValueError("the graph output does not come from a DequantizeLinear")
    elem = inits[dq.input[2]].data_type if len(dq.input) > 2 else onnx.TensorProto.UINT8
    return dq.input[0], elem


class QuantizedSession:
    """An onnxruntime session of `path` that also returns the quantized logits."""

    def __init__(self, path, threads=2):
        model = onnx.load(path)
        self.input = model.graph.input[0].name
        self.shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        self.q_name, elem = quantized_output_name(model)
        model.graph.output.append(onnx.helper.make_tensor_value_info(self.q_name, elem, None))
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        with tempfile.TemporaryDirectory() as tmp:
            probe = os.path.join(tmp, "probe.onnx")
            onnx.save(model, probe, save_as_external_data=False)
            self.sess = ort.InferenceSession(probe, so, providers=["CPUExecutionProvider"])
        self.outputs = [self.sess.get_outputs()[0].name, self.q_name]

    def run(self, x):
        """(graph output, quantized logits) of one input."""
        return self.sess.run(self.outputs, {self.input: x})


def write_png(path, rgb):
    """Minimal 8-bit RGB PNG writer (rgb: HxWx3 uint8), filter 0 on every row."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def fashion_images(out_dir, prefix, ids, tints, size=224):
    """Fashion-MNIST test images `ids`, scaled (nearest) to size x size and tinted RGB, written
    as out_dir/images/<prefix>_<id>_<label>.png. Returns [(path, rgb)]."""
    with gzip.open(FASHION, "rb") as f:
        data = f.read()
    with gzip.open(FASHION_LABELS, "rb") as f:
        labels = f.read()[8:]
    imgs = np.frombuffer(data, np.uint8, offset=16).reshape(-1, 28, 28)
    rows = (np.arange(size) * 28) // size
    out = []
    for k, tint in zip(ids, tints):
        g = imgs[k][rows][:, rows]
        rgb = np.stack([np.round(g * t).astype(np.uint8) for t in tint], axis=-1)
        path = os.path.join(out_dir, "images", "%s_%d_%s.png" % (prefix, k,
                                                                  FASHION_CLASSES[labels[k]]))
        write_png(path, rgb)
        out.append((path, rgb))
    return out


def write_reference(model_path, images, out_path):
    """onnxruntime's quantized logits of each (path, rgb) image, one line each."""
    qs = QuantizedSession(model_path)
    c = qs.shape[1]
    lines = ["# onnxruntime %s quantized logits of %s (%s), input pixel * float32(1/255)"
             % (ort.__version__, os.path.basename(model_path), qs.q_name)]
    for path, rgb in images:
        _, q = qs.run(preprocess(rgb, c))
        lines.append(" ".join([os.path.basename(path)] + [str(int(v)) for v in q.ravel()]))
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[:6]))
    return lines


class CalibrationInputs(CalibrationDataReader):
    """onnxruntime calibration data: the graph input 'input' bound to each array in turn."""

    def __init__(self, inputs):
        self.it = iter([{"input": x} for x in inputs])

    def get_next(self):
        return next(self.it, None)


def quantize_qdq(float_path, out_path, calib_inputs, op_types=None):
    """onnxruntime quantize_static: QDQ, per-channel int8 weights, int8 activations, MinMax."""
    quantize_static(float_path, out_path, CalibrationInputs(calib_inputs),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    op_types_to_quantize=op_types)


def build_quantized_model(make_net, name, prefix, seed, out_dir, n_random_calib=8):
    """A torch image model (224x224x3 input) with seeded random weights and BatchNorm
    statistics measured on seeded random inputs -> float ONNX (BatchNorm folded by the exporter)
    -> ORT int8 QDQ out_dir/<name>.onnx, two shipped-style images and <name>_ort.txt."""
    import torch
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    net = make_net()
    bns = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)
            bn.momentum = None  # cumulative average over the batches below
            bn.reset_running_stats()
        net.train()
        for _ in range(4):
            net(torch.rand(4, 3, 224, 224))
    net.eval()
    os.makedirs(out_dir, exist_ok=True)
    images = fashion_images(out_dir, prefix, [4, 5], [(1.0, 0.8, 0.6), (0.5, 0.9, 1.0)])
    rng = np.random.default_rng(seed)
    calib = [preprocess(rgb, 3) for _, rgb in images]
    calib += [rng.random((1, 3, 224, 224), dtype=np.float32) for _ in range(n_random_calib)]
    path = os.path.join(out_dir, name + ".onnx")
    with tempfile.TemporaryDirectory() as tmp:
        float_path = os.path.join(tmp, name + "_float.onnx")
        torch.onnx.export(net, torch.zeros(1, 3, 224, 224), float_path, input_names=["input"],
                          output_names=["logits"], opset_version=13, dynamo=False)
        quantize_qdq(float_path, path, calib)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
    write_reference(path, images, os.path.join(out_dir, name + "_ort.txt"))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("images", nargs="+")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    h, w = QuantizedSession(args.model).shape[2:]
    images = []
    for path in sorted(args.images):
        rgb = read_png(path)
        if rgb.shape[:2] != (h, w):
            raise ValueError("%s is %dx%d, the model wants %dx%d"
                             % (path, rgb.shape[0], rgb.shape[1], h, w))
        images.append((path, rgb))
    write_reference(args.model, images, args.out)


if __name__ == "__main__":
    main()
