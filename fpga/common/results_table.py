#!/usr/bin/env python3
"""Prints the FPGA results as a Markdown table (the README / docs/fpga.md rows) from the
summary.json files scripts/fpga.sh writes:

    fpga/common/results_table.py [build-fpga/*/summary.json ...]   (default: build-fpga/*/summary.json)

MACs = ArrayDim^2; peak GOPS = 2 * MACs * Fmax (one multiply and one add per MAC per cycle), only
where place and route gave an Fmax."""
import argparse
import glob
import json
import os
import sys

DSP_NAME = {"ice40": "SB_MAC16", "ecp5": "MULT18X18D", "xilinx": "DSP48E1"}
BRAM_NAME = {"ice40": "EBR", "ecp5": "DP16KD", "xilinx": "RAMB36"}


def fmt(n):
    return f"{n:,}"


def row(s):
    t = s["target"]
    p = s["parameters"]
    dev = s["device"]
    c = s["tessera_top"]
    dim = int(p.get("ArrayDim", 16))
    macs = dim * dim
    pnr = s.get("pnr", {})
    fmax = min(pnr.get("fmax_mhz", {}).values(), default=None) if pnr.get("status") == "ok" else None
    if t == "ice40":
        # nextpnr packs LUTs and FFs into logic cells; its count is the one to compare with 5,280.
        lc = pnr.get("utilization", {}).get("ICESTORM_LC", {}).get("used")
        lut = fmt(c["lut"]) + (f" ({fmt(lc)} LCs of {fmt(dev['lc'])})" if lc else "")
    else:
        lut = fmt(c["lut"])
    # Capacities only for the UP5K, where they decide whether it fits at all.
    dsp = f"{fmt(c['dsp'])} {DSP_NAME[t]}" + (f" of {dev['dsp']}" if t == "ice40" else "")
    bram = f"{fmt(c['bram'])} {BRAM_NAME[t]}" + (f" of {dev['bram']}" if t == "ice40" else "")
    if fmax:
        seeds = pnr.get("seeds", {})
        how = f"best of {len(seeds['runs'])} seeds, median {seeds['median_mhz']:.1f}" if "median_mhz" in seeds else "routed"
        fm = f"{fmax:.1f} MHz (nextpnr, {how})"
        gops = f"{2 * macs * fmax / 1000:.2f}"
    elif pnr.get("status") == "not run":
        fm, gops = "no place and route" if t == "xilinx" else "not run", "–"
    else:
        fm, gops = "does not fit" if "error" in pnr else pnr.get("status", "–"), "–"
    bit = s.get("bitstream", {}).get("file", "–")
    buffers = "/".join(str(p.get(k, "?")) for k in
                       ("AbufWords", "WbufWords", "AccWords", "ObufWords", "PbufWords"))
    # Parameters beyond the usual ones (e.g. the area options FetchDepth, PerfCounters).
    usual = ("ArrayDim", "AbufWords", "WbufWords", "AccWords", "ObufWords", "PbufWords", "AxiDataW",
             "QueueDepth")
    extra = "".join(f", {k} {v}" for k, v in p.items() if k not in usual)
    name = dev["name"].split(" ")[0] + (f"-{dev['speed_grade']}" if "speed_grade" in dev else "")
    return (f"| {name} | {dim} x {dim}, buffers {buffers}, AXI {p.get('AxiDataW')}{extra} "
            f"| {macs} | {lut} | {fmt(c['ff'])} | {dsp} | {bram} | {fm} | {gops} | {bit} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("summary", nargs="*", help="summary.json files (default: build-fpga/*/summary.json)")
    files = ap.parse_args().summary or sorted(glob.glob(os.path.join(
        os.path.dirname(__file__), "..", "..", "build-fpga", "*", "summary.json")))
    rows = []
    for f in files:
        try:
            with open(f) as fh:
                rows.append(row(json.load(fh)))
        except (OSError, ValueError, KeyError, TypeError) as e:
            sys.exit(f"results_table.py: {f}: not a readable scripts/fpga.sh summary ({e!r})")
    print("| target | configuration | MACs | LUT4 / LUT | FF | DSP | block RAM | Fmax | peak GOPS | bitstream |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
