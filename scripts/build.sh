#!/usr/bin/env bash
# Configures and builds Tessera (Release) in build/. Extra arguments go to CMake's configure step.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release "$@" > "$root/build.configure.log" 2>&1 ||
  { cat "$root/build.configure.log"; exit 1; }
cmake --build "$root/build" -j"$(nproc)"
