#!/usr/bin/env python3
"""Writes models/fashion_mnist_cnn_qop.onnx: model 3's float model (fashion_mnist_cnn_float.onnx,
scripts/train_fashion_mnist.py) quantized by onnxruntime in the QOperator form (QLinearConv,
com.microsoft QGemm, MaxPool on uint8) with uint8 activations and per-channel int8 weights,
calibrated on the same 500 seeded training images, plus onnxruntime's reference data as for
model 3 (fashion_mnist_cnn_qop_ort_q.bin: uint8 logits of test images 0..999,
fashion_mnist_cnn_qop_ort_top1.bin, fashion_mnist_cnn_qop.json). It covers the other form and
the other activation type onnxruntime writes.

Needs torch, onnx, onnxruntime, numpy (pip). Usage:
  scripts/make_fashion_mnist_qoperator.py [--seed 1] [--models models]
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnxruntime.quantization import QuantFormat, QuantType, quantize_static

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_fashion_mnist as fm  # noqa: E402
from make_ort_reference import CalibrationInputs  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = ap.parse_args()
    models = os.path.abspath(args.models)
    float_path = os.path.join(models, "fashion_mnist_cnn_float.onnx")
    path = os.path.join(models, "fashion_mnist_cnn_qop.onnx")

    x_train = (fm.read_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)[:, None]
    x_test = (fm.read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)[:, None]
    y_test = fm.read_idx("t10k-labels-idx1-ubyte.gz")
    rng = np.random.default_rng(args.seed)  # the calibration subset of train_fashion_mnist.py
    calib = x_train[rng.choice(len(x_train), fm.N_CALIB, replace=False)]
    quantize_static(float_path, path, CalibrationInputs([x[None] for x in calib]),
                    quant_format=QuantFormat.QOperator,
                    per_channel=True, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8)
    model = onnx.load(path)
    onnx.helper.set_model_props(model, {p.key: p.value for p in onnx.load(float_path).metadata_props})
    onnx.save(model, path)
    fm.evaluate(float_path, path, x_test, y_test, models, {
        "model": "fashion_mnist_cnn_qop.onnx", "float_model": "fashion_mnist_cnn_float.onnx",
        "form": "QOperator, uint8 activations", "seed": args.seed,
        "calibration_images": fm.N_CALIB}, prefix="fashion_mnist_cnn_qop")


if __name__ == "__main__":
    main()
