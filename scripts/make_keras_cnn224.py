#!/usr/bin/env python3
"""Writes model 2, the seed essay's Keras-style classifier, as an int8 QDQ ONNX model, two
224x224 images and onnxruntime's reference logits for them (see models/README.md).

Network (input 'input' float [1, 3, 224, 224], RGB in [0, 1]; output 'probs' float [1, 10]):
  conv 3x3 3->32 (valid) + ReLU, maxpool 2; conv 3x3 32->64 + ReLU, maxpool 2;
  conv 3x3 64->128 + ReLU, maxpool 2; flatten (26*26*128 = 86528); dense ->128 + ReLU;
  dense ->10; softmax
Weights are seeded random (torch's default initialisation under torch.manual_seed), not
trained: the predicted classes are arbitrary. Quantization: onnxruntime's quantize_static, QDQ
format, per-channel int8 weights, int8 activations, MinMax calibration on the shipped images
plus seeded random images. Softmax stays float (Tessera runs it on the host).

Outputs (in --out-dir, default models/):
  keras_cnn224.onnx          the int8 QDQ model (about 11 MB: the dense layer's 11 M weights)
  images/k224_K_LABEL.png    Fashion-MNIST test images 4, 5 scaled to 224x224, tinted RGB
  keras_cnn224_ort.txt       onnxruntime's quantized logits of those images
The float model is written to a temporary directory only (45 MB). Images: Fashion-MNIST test
images 4, 5 scaled 8x (nearest) and tinted, so the three channels differ.

Needs torch, onnx, onnxruntime, numpy (pip). Usage:
  scripts/make_keras_cnn224.py [--seed 1] [--out-dir models]
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ort_reference import (FASHION_CLASSES, fashion_images, preprocess,  # noqa: E402
                                quantize_qdq, write_reference)

N_RANDOM_CALIB = 8


class KerasCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(26 * 26 * 128, 128), nn.ReLU(), nn.Linear(128, 10),
            nn.Softmax(dim=1))

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = ap.parse_args()
    out_dir = os.path.abspath(args.out_dir)
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    net = KerasCnn().eval()

    images = fashion_images(out_dir, "k224", [4, 5], [(1.0, 0.8, 0.6), (0.5, 0.9, 1.0)])
    rng = np.random.default_rng(args.seed)
    calib = [preprocess(rgb, 3) for _, rgb in images]
    calib += [rng.random((1, 3, 224, 224), dtype=np.float32) for _ in range(N_RANDOM_CALIB)]

    path = os.path.join(out_dir, "keras_cnn224.onnx")
    with tempfile.TemporaryDirectory() as tmp:
        float_path = os.path.join(tmp, "keras_cnn224_float.onnx")
        torch.onnx.export(net, torch.zeros(1, 3, 224, 224), float_path, input_names=["input"],
                          output_names=["probs"], opset_version=13, dynamo=False)
        # Softmax stays float: Tessera runs it on the host after the device.
        quantize_qdq(float_path, path, calib, ["Conv", "Gemm", "MaxPool", "Relu", "Flatten"])
    model = onnx.load(path)
    onnx.helper.set_model_props(model, {
        "class_names": ",".join(FASHION_CLASSES),
        "description": "seed essay Keras-style CNN 224x224x3, random weights (seed %d); "
                       "input RGB in [0, 1]" % args.seed})
    onnx.save(model, path)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
    write_reference(path, images, os.path.join(out_dir, "keras_cnn224_ort.txt"))


if __name__ == "__main__":
    main()
