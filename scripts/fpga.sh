#!/usr/bin/env bash
# Open FPGA flows for Tessera: Yosys synthesis (+ nextpnr place-and-route where available).
#
#   scripts/fpga.sh <ice40|xilinx|ecp5> [--set Name=Value]... [--lut-mul MODULE]... [--no-pnr|--pnr-only] [--breakdown] [--paths] [--seeds N [--jobs J]] [--out DIR]
#
# Parameters of tessera_top come from fpga/<target>/params.env, overridden by --set. The design is
# synthesized inside fpga/common/tessera_fpga_wrap.sv (a 5-pin serial shim, so it can be placed
# in a small package) with tessera_top kept as its own module, so the reported LUT/FF/DSP/BRAM
# numbers are those of tessera_top alone. --lut-mul MODULE (a module without parameters, e.g.
# tessera_out_lane) builds that module's multipliers from Yosys's generic LUT multiplier instead of
# DSP blocks; the PE array has its own, smaller LUT multiplier: --set LutMulRows=N puts the last N
# PE rows on it. --breakdown adds a second, unflattened synthesis with a per-module `stat`
# (breakdown.txt). --pnr-only reuses the netlist of the previous run in DIR. --paths (ECP5) has
# nextpnr report the arrival time at every register input and lists the slow ones per register
# and per module (paths.txt, fpga/common/slack_report.py), not only the one critical path.
# --seeds N places and routes the same netlist with nextpnr seeds 1..N (J at a time, in
# DIR/seed<k>/) and keeps the fastest in DIR: nextpnr's Fmax on this design moves by more from one
# placement to the next than most RTL changes gain, so one run is one sample; summary.json lists
# every seed's Fmax. ECP5_SPEED=6|7|8 picks the LFE5U-85F speed grade (6, the ULX3S part, by default).
# Results go to build-fpga/<target>/ (summary.json, stat.txt, synth.log, pnr.log, ...).
# Single-threaded: every tool runs on one core. docs/fpga.md has the numbers.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '4p' "$0" | sed 's/^#   //'; exit 2; }
[[ $# -ge 1 ]] || usage
TARGET=$1; shift
TDIR=$ROOT/fpga/$TARGET
[[ -f $TDIR/synth.ys ]] || { echo "fpga.sh: unknown target '$TARGET' (no $TDIR/synth.ys)" >&2; exit 2; }

OUT=$ROOT/build-fpga/$TARGET
PNR=1
BREAKDOWN=0
PATHS=0
SYNTH=1
SEEDS=0
JOBS=1
declare -a SETS=()
declare -a LUT_MULS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --set) SETS+=("$2"); shift 2 ;;
    --lut-mul) LUT_MULS+=("$2"); shift 2 ;;
    --no-pnr) PNR=0; shift ;;
    --pnr-only) SYNTH=0; shift ;;
    --breakdown) BREAKDOWN=1; shift ;;
    --paths) PATHS=1; shift ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $PATHS == 0 || $TARGET == ecp5 ]] || { echo "fpga.sh: --paths needs nextpnr-ecp5's detailed timing report (target ecp5)" >&2; exit 2; }
[[ $SEEDS =~ ^[0-9]+$ && $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "fpga.sh: --seeds and --jobs take a count" >&2; exit 2; }
[[ $SEEDS == 0 || $TARGET != xilinx ]] || { echo "fpga.sh: --seeds needs a nextpnr target (ice40, ecp5)" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# Parameters: defaults from params.env, then --set overrides (later wins).
declare -A P=()
declare -a ORDER=()
while IFS='=' read -r k v; do
  k=${k%%#*}; k=${k// /}; v=${v%%#*}; v=${v// /}
  [[ -n $k ]] || continue
  [[ -v P[$k] ]] || ORDER+=("$k")
  P[$k]=$v
done < <(cat "$TDIR/params.env"; for s in "${SETS[@]+"${SETS[@]}"}"; do echo "$s"; done)
CHPARAM=""
for k in "${ORDER[@]}"; do CHPARAM+=" -set $k ${P[$k]}"; done
# The array options Yosys would take silently (the RTL's checks of them are simulation-only).
dim=${P[ArrayDim]:-16}
[[ ${P[LutMulRows]:-0} -le $dim ]] ||
  { echo "fpga.sh: LutMulRows ${P[LutMulRows]} exceeds ArrayDim $dim" >&2; exit 2; }
lanes=${P[OutLanes]:-$dim}
(( lanes >= 1 && lanes <= dim && (lanes & (lanes - 1)) == 0 )) ||
  { echo "fpga.sh: OutLanes $lanes is not a power of two in 1..ArrayDim ($dim)" >&2; exit 2; }

# Sources in compilation order: the ISA package, other packages, modules, the wrapper. A target's
# cells/<module>.v replaces rtl/<module>.sv: the same module built from that FPGA's primitives.
SOURCES="$ROOT/rtl/tessera_isa_pkg.sv"
for f in "$ROOT"/rtl/*_pkg.sv; do [[ $f == */tessera_isa_pkg.sv ]] || SOURCES+=" $f"; done
for f in "$ROOT"/rtl/*.sv; do
  [[ $f == *_pkg.sv ]] && continue
  cell="$TDIR/cells/$(basename "$f" .sv).v"
  if [[ -f $cell ]]; then SOURCES+=" $cell"; else SOURCES+=" $f"; fi
done
SOURCES+=" $ROOT/fpga/common/tessera_fpga_wrap.sv"

# The cells instantiate the target's primitives: Yosys's black boxes for them come first.
CELL_LIB=""
[[ -d $TDIR/cells ]] && CELL_LIB="read_verilog -lib +/$TARGET/cells_bb.v"
cat > "$OUT/read.ys" <<YS
$CELL_LIB
read_verilog -sv $SOURCES
chparam$CHPARAM tessera_fpga_wrap
hierarchy -check -top tessera_fpga_wrap
setattr -mod -set keep_hierarchy 1 *tessera_top*
YS
# The DSP mappers (mul2dsp) skip $__soft_mul cells; synth_* turns them back into $mul for LUTs.
for m in "${LUT_MULS[@]+"${LUT_MULS[@]}"}"; do
  echo "select -assert-min 1 $m/t:\$mul" >> "$OUT/read.ys"
  echo "chtype -set \$__soft_mul $m/t:\$mul" >> "$OUT/read.ys"
done
cd "$OUT"
rm -rf summary.json pnr.log report.json paths.txt seeds.txt seeds.json seed[0-9]*
# The target's Yosys scripts name their helper files (techmap cells) relative to the build directory.
for f in "$TDIR"/*.v; do [[ -e $f ]] && ln -sf "$f" .; done
echo "fpga.sh: $TARGET:$CHPARAM -> $OUT"
t0=$(date +%s)
if [[ $SYNTH == 1 ]]; then
  # Warnings go to synth.log / breakdown.log only; on an error show its tail.
  yosys -q -l synth.log -p "script read.ys; script $TDIR/synth.ys" >/dev/null 2>yosys.err ||
    { grep -v '^Warning' yosys.err | tail -20 >&2; echo "fpga.sh: yosys failed (synth.log)" >&2; exit 1; }
  # Yosys 0.23 settles some multi-driven nets of its own making (synth_ice40's DSP packing) with a
  # constant and carries on: such a netlist does not compute what the RTL does.
  if grep -q 'Driver-driver conflict' synth.log; then
    grep -m 3 'Driver-driver conflict' synth.log >&2
    echo "fpga.sh: yosys resolved a driver conflict with a constant; the netlist is not the RTL" >&2
    exit 1
  fi
fi
t1=$(date +%s)
echo "fpga.sh: yosys $((t1 - t0)) s"
if [[ $BREAKDOWN == 1 && -f $TDIR/breakdown.ys ]]; then
  yosys -q -l breakdown.log -p "script read.ys; script $TDIR/breakdown.ys" >/dev/null 2>yosys.err ||
    { grep -v '^Warning' yosys.err | tail -20 >&2; echo "fpga.sh: yosys failed (breakdown.log)" >&2; exit 1; }
  echo "fpga.sh: breakdown $(( $(date +%s) - t1 )) s -> $OUT/breakdown.txt"
fi

PNR_STATUS="not run"
PNR_SECONDS=0
if [[ $PNR == 1 && -x $TDIR/pnr.sh ]]; then
  t2=$(date +%s)
  [[ $PATHS == 1 ]] && export NEXTPNR_ECP5_ARGS="${NEXTPNR_ECP5_ARGS:-} --detailed-timing-report"
  if [[ $SEEDS == 0 ]]; then
    if "$TDIR/pnr.sh" "$OUT" "$TDIR" > pnr.log 2>&1; then PNR_STATUS=ok; else PNR_STATUS=failed; fi
  else
    # One directory per seed (the pnr scripts write fixed file names), JOBS at a time. The netlist
    # is hard-linked (yowasp's WebAssembly nextpnr cannot follow a symlink out of its directory).
    for ((k = 1; k <= SEEDS; k++)); do
      mkdir -p "seed$k" && { ln -f netlist.json "seed$k/netlist.json" 2>/dev/null || cp netlist.json "seed$k/"; }
      ( if PNR_SEED=$k "$TDIR/pnr.sh" "$OUT/seed$k" "$TDIR" > "seed$k/pnr.log" 2>&1
        then echo ok; else echo failed; fi > "seed$k/status" ) &
      while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
    done
    wait
    python3 "$ROOT/fpga/common/seeds.py" "$OUT" "$SEEDS" > seeds.txt
    cat seeds.txt
    best=$(sed -n 's/^best seed: \([0-9]*\).*/\1/p' seeds.txt)
    if [[ -n $best ]]; then
      PNR_STATUS=ok
      for f in "seed$best"/*; do [[ $f == */netlist.json || $f == */status ]] || cp "$f" .; done
    else
      PNR_STATUS=failed
      cp seed1/pnr.log pnr.log
    fi
  fi
  PNR_SECONDS=$(( $(date +%s) - t2 ))
  echo "fpga.sh: place and route $PNR_STATUS ($PNR_SECONDS s, $OUT/pnr.log)"
  if [[ $PATHS == 1 && $PNR_STATUS == ok ]]; then
    python3 "$ROOT/fpga/common/slack_report.py" report.json > paths.txt
    echo "fpga.sh: $(sed -n 2p paths.txt) -> $OUT/paths.txt"
  fi
fi

PARAMS_JSON=$(for k in "${ORDER[@]}"; do echo "$k=${P[$k]}"; done)
SYNTH_SECONDS=$((t1 - t0))
[[ $SYNTH == 1 ]] || SYNTH_SECONDS=-1   # --pnr-only: synthesis time unknown
LUT_MUL_MODULES="${LUT_MULS[*]+"${LUT_MULS[*]}"}" TARGET=$TARGET PNR_STATUS=$PNR_STATUS PNR_SECONDS=$PNR_SECONDS SYNTH_SECONDS=$SYNTH_SECONDS \
PARAMS="$PARAMS_JSON" python3 "$ROOT/fpga/common/summary.py" "$OUT"
echo "fpga.sh: $OUT/summary.json"
