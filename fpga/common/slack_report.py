#!/usr/bin/env python3
"""Every slow register input of one nextpnr-ecp5 run, not just the worst path.

nextpnr prints one critical path per clock, so a run limited by a dozen unrelated paths shows
one of them, and fixing them one at a time costs a place-and-route each. With
`--detailed-timing-report` (`scripts/fpga.sh ecp5 --paths` runs nextpnr so and writes paths.txt)
the report also lists, for every net that ends at a clocked input (flip-flop D / CE / LSR,
block-RAM and LUT-RAM write ports), the [earliest, latest] arrival time there. This script ranks
those inputs, groups the bits of one register, and counts the registers over a target period per
module.

Usage: slack_report.py report.json [--period NS] [--top N]
"""
import argparse
import json
import re
import sys
from collections import defaultdict


def register_name(cell):
    """The RTL register a packed flip-flop belongs to: strip the _TRELLIS_FF_Q<n> suffix."""
    return re.sub(r"_TRELLIS_FF_Q(_\d+)?$", "", cell)


def module_of(name):
    parts = name.split(".")
    return ".".join(parts[:-1]) if len(parts) > 1 else "(top)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("report", help="nextpnr --report JSON written with --detailed-timing-report")
    ap.add_argument("--period", type=float, default=1000 / 150, help="target period, ns (150 MHz)")
    ap.add_argument("--top", type=int, default=30, help="registers to list")
    a = ap.parse_args()

    with open(a.report) as f:
        rep = json.load(f)
    nets = rep.get("detailed_net_timings")
    if nets is None:
        sys.exit(f"{a.report}: no detailed_net_timings (nextpnr needs --detailed-timing-report)")

    # register -> [latest arrival, bits, worst input port, driving net]
    regs = {}
    for n in nets:
        for e in n["endpoints"]:
            late = max(e["delay"]) if isinstance(e["delay"], list) else e["delay"]
            key = register_name(e["cell"])
            r = regs.get(key)
            if r is None:
                regs[key] = [late, 1, e["port"], n["net"]]
            else:
                r[1] += 1
                if late > r[0]:
                    r[0], r[2], r[3] = late, e["port"], n["net"]

    ranked = sorted(regs.items(), key=lambda kv: -kv[1][0])
    worst = ranked[0][1][0] if ranked else 0.0
    fmax = rep.get("fmax", {})
    print(f"{len(regs)} registers / RAM ports; latest arrival {worst:.2f} ns "
          f"({1000 / worst:.1f} MHz); nextpnr Fmax "
          + ", ".join(f"{v['achieved']:.2f} MHz" for v in fmax.values()))
    over = [(k, v) for k, v in ranked if v[0] > a.period]
    print(f"{len(over)} of them over {a.period:.2f} ns ({1000 / a.period:.1f} MHz)")

    per_module = defaultdict(lambda: [0, 0.0])
    for k, v in over:
        m = per_module[module_of(k)]
        m[0] += 1
        m[1] = max(m[1], v[0])
    print("\nper module: registers over the period, latest arrival")
    for m, (cnt, late) in sorted(per_module.items(), key=lambda kv: -kv[1][1]):
        print(f"  {cnt:5d}  {late:6.2f} ns  {m}")

    print(f"\nlatest {min(a.top, len(ranked))} registers:")
    for k, (late, bits, port, net) in ranked[:a.top]:
        print(f"  {late:6.2f} ns  {k}  ({bits} inputs, worst at {port}, net {net})")


if __name__ == "__main__":
    main()
