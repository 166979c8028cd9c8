#!/usr/bin/env bash
# Place and route for the iCE40UP5K-SG48: nextpnr-ice40, icepack, icetime. $1 = build dir,
# $2 = fpga/ice40. Target 12 MHz (the UPduino oscillator); the achieved Fmax is reported anyway.
# PNR_SEED: the placer's seed (scripts/fpga.sh --seeds).
set -euo pipefail
cd "$1"
nextpnr-ice40 --up5k --package sg48 --json netlist.json --pcf "$2/tessera_up5k.pcf" \
  --freq 12 --timing-allow-fail ${PNR_SEED:+--seed "$PNR_SEED"} --report report.json --asc tessera.asc
icepack tessera.asc tessera.bin
icetime -d up5k -P sg48 -p "$2/tessera_up5k.pcf" -t tessera.asc
