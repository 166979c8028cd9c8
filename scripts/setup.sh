#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, simulate and test Tessera. Idempotent:
# when every package is already installed it does nothing (and needs no network).
set -euo pipefail

PACKAGES=(
  cmake g++ make python3 verilator iverilog
  libgtest-dev libgmock-dev libcli11-dev libopencv-dev
  libonnx-dev libprotobuf-dev protobuf-compiler zlib1g-dev
  yosys nextpnr-ice40 fpga-icestorm fpga-icestorm-chipdb
  dataset-fashion-mnist libonnx-testdata
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
