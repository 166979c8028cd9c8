#!/usr/bin/env python3
"""Builds ResNet-18 (ImageNet layout, 224x224x3 -> 1000) with seeded random weights as an int8
QDQ ONNX model, on demand (not committed: about 12 MB), plus images and onnxruntime's reference
logits for them. See models/README.md "Large models".

The architecture is torchvision's resnet18, written out here (torchvision is not needed).
Weights: torch's default initialisation under torch.manual_seed. BatchNorm: seeded random
gamma / beta; the running statistics are measured on seeded random inputs (so every layer is
normalised, as in a trained network), then the model is put in eval mode and the exporter folds
BatchNorm into the convolutions. Quantization: onnxruntime's quantize_static, QDQ, per-channel
int8 weights, int8 activations, MinMax calibration on the images plus seeded random inputs.

Outputs (in --out-dir, default build/models):
  resnet18_int8.onnx, images/r224_K_LABEL.png (224x224), resnet18_int8_ort.txt
Usage: scripts/make_resnet18_onnx.py [--seed 1] [--out-dir build/models]
Then: build/host/cli/tessera run build/models/resnet18_int8.onnx build/models/images/*.png
"""
import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ort_reference import build_quantized_model  # noqa: E402


def conv_bn(cin, cout, k, stride):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout)]


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(cin, cout, 3, stride), nn.ReLU(),
                                  *conv_bn(cout, cout, 3, 1))
        self.shortcut = (nn.Sequential(*conv_bn(cin, cout, 1, stride))
                         if stride != 1 or cin != cout else nn.Identity())
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.body(x) + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        layers = [*conv_bn(3, 64, 7, 2), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
        cin = 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                      "models"))
    args = ap.parse_args()
    build_quantized_model(ResNet18, "resnet18_int8", "r224", args.seed,
                          os.path.abspath(args.out_dir))


if __name__ == "__main__":
    main()
