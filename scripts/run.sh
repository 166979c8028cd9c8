#!/usr/bin/env bash
# The main job: installs what is missing and builds Tessera (scripts/build.sh, Release, build/),
# then classifies the shipped images with the shipped int8 ConvNet on the verilated RTL and checks
# the RTL against the golden model and the layer-level reference. Exits 0 only when all three
# agree bit for bit on every value of every image. Extra arguments go to `tessera run`
# (e.g. --fst build/seed_convnet.fst, --json results.json, --dim 8).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh"
tessera="$root/build/host/cli/tessera"
[ -x "$tessera" ] || { echo "run.sh: $tessera was not built (is host/cli in CMakeLists.txt?)" >&2; exit 1; }
cd "$root"
exec "$tessera" run models/seed_convnet.onnx models/images/*.png --backend rtl --check "$@"
