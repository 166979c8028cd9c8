#!/usr/bin/env python3
"""Trains model 3, a small Fashion-MNIST CNN, and writes it as a float and an int8 QDQ ONNX model
plus onnxruntime reference data (see models/README.md).

Network (input 'input' float [1, 1, 28, 28], pixel / 255; output 'logits' float [1, 10]):
  conv 3x3 1->16 pad 1 + ReLU, maxpool 2; conv 3x3 16->32 pad 1 + ReLU, maxpool 2;
  flatten; FC 1568->64 + ReLU; FC 64->10
Training: torch on the CPU (2 threads), Adam, a few epochs, seeded. Quantization: onnxruntime's
quantize_static, QDQ format, per-channel int8 weights, int8 activations, MinMax calibration on a
seeded subset of the training images.

Outputs (in --out-dir, default models/):
  fashion_mnist_cnn_float.onnx   the trained float model (opset 13)
  fashion_mnist_cnn.onnx         the int8 QDQ model (class names in metadata_props)
  fashion_mnist_cnn.json         float / int8 top-1 accuracy of onnxruntime on the 10,000 test
                                 images, training settings, the reference files
  fashion_mnist_cnn_ort_q.bin    onnxruntime's int8 logits (the QuantizeLinear output before the
                                 final DequantizeLinear) of the first N test images, N x 10 int8
  fashion_mnist_cnn_ort_top1.bin onnxruntime's int8-model top-1 class of all 10,000 test images

Needs torch, onnx, onnxruntime, numpy (pip). Deterministic on one machine: the same seed gives
the same weights (torch CPU kernels with 2 threads). About 10 minutes per epoch on a busy
2-core machine.
Usage: scripts/train_fashion_mnist.py [--seed 1] [--epochs 3] [--out-dir models]
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ort_reference import FASHION_CLASSES, QuantizedSession, quantize_qdq  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
N_REF = 1000          # test images whose int8 logits are saved
N_CALIB = 500         # training images used for calibration


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def train(seed, epochs, x_train, y_train):
    torch.manual_seed(seed)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(x_train)
    y = torch.from_numpy(y_train.astype(np.int64))
    for epoch in range(epochs):
        t0 = time.time()
        net.train()
        perm = torch.randperm(len(x), generator=gen)
        total = 0.0
        for k in range(0, len(x), 128):
            idx = perm[k:k + 128]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print("epoch %d: loss %.4f (%.0f s)" % (epoch + 1, total / len(x), time.time() - t0))
    net.eval()
    return net


def evaluate(float_path, int8_path, x_test, y_test, out_dir, info, prefix="fashion_mnist_cnn"):
    """onnxruntime accuracy of both models on the test set; saves the quantized model's logits
    (<prefix>_ort_q.bin, first N_REF images, its int8 / uint8 type) and top-1
    (<prefix>_ort_top1.bin, all images); writes <prefix>.json."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    fs = ort.InferenceSession(float_path, so, providers=["CPUExecutionProvider"])
    f_top1 = np.array([fs.run(None, {"input": x[None]})[0].argmax() for x in x_test])
    qs = QuantizedSession(int8_path)
    q_logits = np.concatenate([qs.run(x[None])[1] for x in x_test])
    q_top1 = q_logits.argmax(1)
    q_logits[:N_REF].tofile(os.path.join(out_dir, prefix + "_ort_q.bin"))
    q_top1.astype(np.uint8).tofile(os.path.join(out_dir, prefix + "_ort_top1.bin"))
    info.update({
        "test_images": int(len(x_test)),
        "top1_float_ort": float((f_top1 == y_test).mean()),
        "top1_int8_ort": float((q_top1 == y_test).mean()),
        "top1_float_int8_agree": float((f_top1 == q_top1).mean()),
        "ort_q_logits": {"file": prefix + "_ort_q.bin", "images": N_REF,
                         "tensor": qs.q_name,
                         "layout": "%s [images][10], test images 0..images-1" % q_logits.dtype},
        "ort_top1": {"file": prefix + "_ort_top1.bin", "images": int(len(x_test)),
                     "layout": "uint8 [images]"},
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__,
                     "onnxruntime": ort.__version__, "numpy": np.__version__},
    })
    with open(os.path.join(out_dir, prefix + ".json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    print(json.dumps(info, indent=2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = ap.parse_args()
    out_dir = os.path.abspath(args.out_dir)
    torch.set_num_threads(2)

    x_train = (read_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)[:, None]
    y_train = read_idx("train-labels-idx1-ubyte.gz")
    # pixel / 255 in float32; `tessera run` multiplies by float32(1/255) instead, which can differ
    # by one float ulp but quantizes to the same int8 input for every pixel value.
    x_test = (read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)[:, None]
    y_test = read_idx("t10k-labels-idx1-ubyte.gz")

    net = train(args.seed, args.epochs, x_train, y_train)

    float_path = os.path.join(out_dir, "fashion_mnist_cnn_float.onnx")
    int8_path = os.path.join(out_dir, "fashion_mnist_cnn.onnx")
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), float_path, input_names=["input"],
                      output_names=["logits"], opset_version=13, dynamo=False)
    props = {"class_names": ",".join(FASHION_CLASSES),
             "description": "Fashion-MNIST CNN (scripts/train_fashion_mnist.py, seed %d); "
                            "input grey 28x28 in [0, 1]" % args.seed}
    fm = onnx.load(float_path)
    onnx.helper.set_model_props(fm, props)
    onnx.save(fm, float_path)

    rng = np.random.default_rng(args.seed)
    calib = x_train[rng.choice(len(x_train), N_CALIB, replace=False)]
    quantize_qdq(float_path, int8_path, [x[None] for x in calib])
    qm = onnx.load(int8_path)
    onnx.helper.set_model_props(qm, props)
    onnx.save(qm, int8_path)

    evaluate(float_path, int8_path, x_test, y_test, out_dir, {
        "model": "fashion_mnist_cnn.onnx", "float_model": "fashion_mnist_cnn_float.onnx",
        "seed": args.seed, "epochs": args.epochs, "calibration_images": N_CALIB})


if __name__ == "__main__":
    main()
