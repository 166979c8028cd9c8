#!/usr/bin/env bash
# The whole test suite on a fresh machine: install, build, run every CTest test.
# TESSERA_SEED=<n> and TESSERA_RANDOM_LAYERS=<count> run more randomized layers with any seed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure -j"$(nproc)"
