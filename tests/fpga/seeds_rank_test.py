#!/usr/bin/env python3
"""fpga/common/seeds.py (scripts/fpga.sh --seeds) on hand-made runs: it must pick the fastest seed
that routed, never a failed one or one without an Fmax, and report the median of the good ones."""
import json
import os
import subprocess
import sys
import tempfile

SEEDS_PY = os.path.join(os.path.dirname(__file__), "..", "..", "fpga", "common", "seeds.py")

# seed: (status, Fmax of each clock in report.json or None for no report)
RUNS = {
    1: ("ok", [70.2]),
    2: ("failed", [95.0]),      # faster, but its place and route failed
    3: ("ok", [81.5, 73.4]),    # two clocks: the slower one counts
    4: ("ok", None),            # routed but wrote no report
    5: ("ok", [66.0]),
}


def main():
    with tempfile.TemporaryDirectory() as out:
        for k, (status, fmax) in RUNS.items():
            d = os.path.join(out, f"seed{k}")
            os.mkdir(d)
            with open(os.path.join(d, "status"), "w") as f:
                f.write(status + "\n")
            if fmax is not None:
                with open(os.path.join(d, "report.json"), "w") as f:
                    json.dump({"fmax": {f"clk{i}": {"achieved": v, "constraint": 25.0}
                                        for i, v in enumerate(fmax)}}, f)
        text = subprocess.run([sys.executable, SEEDS_PY, out, str(len(RUNS))], check=True,
                              capture_output=True, text=True).stdout
        with open(os.path.join(out, "seeds.json")) as f:
            result = json.load(f)
    print(text)
    ok = ("best seed: 3 (73.40 MHz)" in text and result["best_seed"] == 3
          and abs(result["median_mhz"] - 70.2) < 1e-9
          and [r["fmax_mhz"] for r in result["runs"]] == [70.2, None, 73.4, None, 66.0])
    print("PASS" if ok else "FAIL: expected seed 3 at 73.40 MHz, median 70.20 of seeds 1, 3, 5")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
