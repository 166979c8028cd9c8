#!/usr/bin/env python3
"""`tessera eval` of the Fashion-MNIST model on the first N test images, checked three ways.

usage: check_fashion_eval.py TESSERA MODEL DATASET_DIR ORT_TOP1_BIN N BACKEND

1. --check: every value of every image bit-exact between the backend, the golden model and the
   layer-level reference (exit code 0, no disagreements, N images checked);
2. the reported accuracy is the fraction of predictions equal to the IDX labels (read here with
   Python's gzip, independently of the C++ reader), per class as well;
3. the top-1 predictions agree with ONNX Runtime's int8 top-1 (scripts/train_fashion_mnist.py
   wrote them to ORT_TOP1_BIN) on at least 99% of the images: another runtime, same model.
"""
import gzip
import json
import struct
import subprocess
import sys
import tempfile

MIN_ORT_AGREEMENT = 0.99


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def idx_labels(dataset, n):
    for name in ("t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte"):
        try:
            raw = (gzip.open if name.endswith(".gz") else open)(f"{dataset}/{name}", "rb").read()
            break
        except FileNotFoundError:
            continue
    else:
        fail(f"no label file in {dataset}")
    magic, count = struct.unpack(">II", raw[:8])
    if magic != 0x801 or count < n:
        fail(f"label file: magic {magic:#x}, count {count}")
    return list(raw[8:8 + n])


def main():
    exe, model, dataset, ort_bin, n, backend = sys.argv[1:7]
    n = int(n)
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        p = subprocess.run([exe, "eval", model, "--dataset", dataset, "--limit", str(n),
                            "--backend", backend, "--check", "--json", f.name],
                           capture_output=True, text=True)
        print(p.stdout)
        if p.returncode != 0:
            fail(f"exit code {p.returncode}\n{p.stderr}")
        r = json.load(open(f.name))
    if r["images"] != n or r["checked"] != n or r["disagreements"]:
        fail(f"images {r['images']}, checked {r['checked']}, disagreements {r['disagreements']}")
    labels = idx_labels(dataset, n)
    if r["labels"] != labels:
        fail("labels differ from the IDX file")
    preds = r["predictions"]
    correct = sum(p == l for p, l in zip(preds, labels))
    if r["top1"] != correct:
        fail(f"top1 {r['top1']}, predictions equal to the labels: {correct}")
    for c in r["per_class"]:
        want = sum(1 for p, l in zip(preds, labels) if l == c["index"] and p == l)
        if c["top1"] != want or c["images"] != labels.count(c["index"]):
            fail(f"class {c['index']}: {c}")
    ort = open(ort_bin, "rb").read()[:n]
    agree = sum(p == o for p, o in zip(preds, ort)) / n
    if agree < MIN_ORT_AGREEMENT:
        fail(f"top-1 agrees with ONNX Runtime int8 on {100 * agree:.1f}% of the images")
    print(f"OK: top-1 {100 * correct / n:.1f}% on {n} images, bit-exact with the golden model and "
          f"the reference, top-1 = ONNX Runtime int8 on {100 * agree:.1f}%")


if __name__ == "__main__":
    main()
