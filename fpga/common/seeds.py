#!/usr/bin/env python3
"""Ranks the place-and-route runs of `scripts/fpga.sh --seeds N`: reads <out>/seed<k>/report.json
(nextpnr) and <out>/seed<k>/status for k = 1..N, writes <out>/seeds.json and prints one line per
seed, the median and the best ("best seed: K (F MHz)", which fpga.sh reads). A seed whose place and
route failed or reported no Fmax is listed, never picked."""
import json
import os
import statistics
import sys


def seed_fmax(d):
    """The lowest achieved Fmax over the clocks of one run's report.json, or None."""
    try:
        with open(os.path.join(d, "report.json")) as f:
            fmax = json.load(f).get("fmax", {})
    except (OSError, ValueError):
        return None
    achieved = [v.get("achieved") for v in fmax.values() if v.get("achieved") is not None]
    return min(achieved) if achieved else None


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    runs = []
    for k in range(1, n + 1):
        d = os.path.join(out, f"seed{k}")
        try:
            with open(os.path.join(d, "status")) as f:
                status = f.read().strip()
        except OSError:
            status = "missing"
        fmax = seed_fmax(d) if status == "ok" else None
        runs.append({"seed": k, "status": status, "fmax_mhz": fmax})
        print(f"seed {k}: " + (f"{fmax:.2f} MHz" if fmax is not None else f"no Fmax ({status})"))
    good = [r for r in runs if r["fmax_mhz"] is not None]
    result = {"runs": runs}
    if good:
        best = max(good, key=lambda r: r["fmax_mhz"])
        values = [r["fmax_mhz"] for r in good]
        result.update(best_seed=best["seed"], median_mhz=statistics.median(values),
                      min_mhz=min(values), max_mhz=max(values))
        print(f"median {statistics.median(values):.2f} MHz, range {min(values):.2f}-{max(values):.2f} MHz "
              f"over {len(good)} of {n} seeds")
        print(f"best seed: {best['seed']} ({best['fmax_mhz']:.2f} MHz)")
    with open(os.path.join(out, "seeds.json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
