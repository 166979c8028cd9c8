#!/usr/bin/env python3
"""Builds MobileNetV2 (width 1.0, 224x224x3 -> 1000) with seeded random weights as an int8 QDQ
ONNX model, on demand (not committed: about 4 MB), plus images and onnxruntime's reference
logits for them. See models/README.md "Large models".

The architecture is torchvision's mobilenet_v2, written out here (torchvision is not needed):
Conv-BN-ReLU6 stem, 17 inverted residual blocks (1x1 expand + ReLU6, 3x3 depthwise + ReLU6,
1x1 project, residual Add when the shape is kept), 1x1 conv to 1280 + ReLU6, global average
pool, flatten, FC 1280 -> 1000 (dropout is the identity in eval mode). Weights, BatchNorm and
quantization as in scripts/make_resnet18_onnx.py (make_ort_reference.build_quantized_model).

Outputs (in --out-dir, default build/models):
  mobilenetv2_int8.onnx, images/m224_K_LABEL.png (224x224), mobilenetv2_int8_ort.txt
Usage: scripts/make_mobilenetv2_onnx.py [--seed 1] [--out-dir build/models]
"""
import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_ort_reference import build_quantized_model  # noqa: E402

# (expansion t, output channels c, repeats n, first stride s), as in the MobileNetV2 paper.
SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
            (6, 160, 3, 2), (6, 320, 1, 1)]


def conv_bn_relu6(cin, cout, k, stride, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU6()]


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        layers = conv_bn_relu6(cin, hidden, 1, 1) if t != 1 else []
        layers += conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden)
        layers += [nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


class MobileNetV2(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()
        layers = conv_bn_relu6(3, 32, 3, 2)
        cin = 32
        for t, c, n, s in SETTINGS:
            for k in range(n):
                layers.append(InvertedResidual(cin, c, s if k == 0 else 1, t))
                cin = c
        layers += conv_bn_relu6(cin, 1280, 1, 1)
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(1280, classes)

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.features(x), 1)
        return self.fc(torch.flatten(x, 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                      "models"))
    args = ap.parse_args()
    build_quantized_model(MobileNetV2, "mobilenetv2_int8", "m224", args.seed,
                          os.path.abspath(args.out_dir))


if __name__ == "__main__":
    main()
