#!/usr/bin/env bash
# Configures and builds Tessera (Release) in build/. Extra arguments go to CMake's configure step.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release "$@" > "$root/build.configure.log" 2>&1 ||
  { cat "$root/build.configure.log"; exit 1; }
# Verilator's CMake integration (verilate()) takes a model's list of generated C++ files from its
# configure-time run; an RTL change that adds or removes generated files updates that list during
# the build, but CMake reads it only when the next build starts, so the first build after such a
# change fails to link. The second build re-configures with the new list; a real error fails it too.
if ! cmake --build "$root/build" -j"$(nproc)"; then
  echo "build.sh: build failed; building once more (a Verilator model's file list may have changed)" >&2
  cmake --build "$root/build" -j"$(nproc)"
fi
