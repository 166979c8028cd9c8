#!/usr/bin/env bash
# Fashion-MNIST accuracy benchmark: all 10,000 test images through the RTL and the golden model
# (`tessera eval`), printed next to the float / ONNX Runtime int8 accuracies that
# scripts/train_fashion_mnist.py recorded in models/fashion_mnist_cnn.json, plus the per-image
# agreement of Tessera's top-1 with ONNX Runtime's int8 top-1
# (models/fashion_mnist_cnn_ort_top1.bin).
#
# usage: scripts/bench_fashion.sh [BUILD_DIR] [LIMIT] [BACKENDS]
#        (defaults: build, 0 = all images, "isa rtl")
# Results (JSON per backend) go to BUILD_DIR/bench_fashion/. The backends run one after the other;
# the RTL needs ~19,000 cycles per image, about 10 to 60 minutes of one core for all 10,000.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
limit=${2:-0}
backends=${3:-isa rtl}
exe=$build/host/cli/tessera
model=$root/models/fashion_mnist_cnn.onnx
meta=$root/models/fashion_mnist_cnn.json
dataset=${TESSERA_FASHION_DIR:-/usr/share/datasets/fashion-mnist}
out=$build/bench_fashion

[[ -x $exe ]] || { echo "bench_fashion: $exe not built (cmake --build $build)" >&2; exit 1; }
[[ -f $model ]] || { echo "bench_fashion: $model missing" >&2; exit 1; }
[[ -d $dataset ]] ||
  { echo "bench_fashion: $dataset missing (apt install dataset-fashion-mnist)" >&2; exit 1; }
mkdir -p "$out"

for backend in $backends; do
  echo "== tessera eval --backend $backend (limit $limit)" >&2
  "$exe" eval "$model" --dataset "$dataset" --limit "$limit" --backend "$backend" \
    --json "$out/$backend.json" | tee "$out/$backend.txt"
done

python3 - "$out" "$meta" "$root/models" $backends <<'EOF'
import json, os, sys
out, meta_path, models = sys.argv[1:4]
runs = {b: json.load(open(os.path.join(out, b + ".json"))) for b in sys.argv[4:]}
meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
ort_top1 = None
if "ort_top1" in meta:
    with open(os.path.join(models, meta["ort_top1"]["file"]), "rb") as f:
        ort_top1 = f.read()

def agree(preds):
    if ort_top1 is None or len(preds) > len(ort_top1):
        return "-"
    same = sum(1 for i, p in enumerate(preds) if p == ort_top1[i])
    return f"{100.0 * same / len(preds):.2f}%"

first = next(iter(runs.values()))
n = first["images"]
print(f"\nFashion-MNIST test set, {n} images ({meta.get('model', 'fashion_mnist_cnn.onnx')})")
print(f"| runtime | top-1 | top-5 | top-1 = ORT int8 | images/s | cycles/image |")
print(f"|---|---:|---:|---:|---:|---:|")
if "top1_float_ort" in meta:
    print(f"| float model, ONNX Runtime ({meta.get('test_images', '?')} images) "
          f"| {100 * meta['top1_float_ort']:.2f}% | | | | |")
if "top1_int8_ort" in meta:
    print(f"| int8 QDQ model, ONNX Runtime ({meta.get('test_images', '?')} images) "
          f"| {100 * meta['top1_int8_ort']:.2f}% | | | | |")
if ort_top1 is not None and n <= len(ort_top1):
    ok = sum(1 for i, l in enumerate(first["labels"]) if ort_top1[i] == l)
    print(f"| int8 QDQ model, ONNX Runtime (these {n} images) | {100 * ok / n:.2f}% | | 100% | | |")
names = {"isa": "Tessera golden model (isa)", "rtl": "Tessera RTL 16x16 (Verilator)"}
for b, r in runs.items():
    cyc = f"{r['cycles_total'] / r['images']:,.0f}" if r.get("cycles_measured") else "-"
    print(f"| {names[b]} | {100 * r['top1_accuracy']:.2f}% | {100 * r['top5_accuracy']:.2f}% "
          f"| {agree(r['predictions'])} | {r['images_per_second']:.1f} | {cyc} |")
if "isa" in runs and "rtl" in runs:
    diff = sum(1 for a, b in zip(runs["isa"]["predictions"], runs["rtl"]["predictions"]) if a != b)
    if diff:
        print(f"\nRTL and golden model disagree on {diff} images")
        sys.exit(2)
    print("\nRTL and golden model: identical top-1 on every image")
EOF
