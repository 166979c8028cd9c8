#!/usr/bin/env python3
"""fpga/common/results_table.py on hand-made summaries: MACs and peak GOPS (2 x MACs x Fmax) come
from the array size and the slowest clock, a UP5K that does not fit says so with its capacities,
and a file that is not a summary is refused with its name, not a traceback."""
import json
import os
import subprocess
import sys
import tempfile

TABLE_PY = os.path.join(os.path.dirname(__file__), "..", "..", "fpga", "common", "results_table.py")

PARAMS = {"ArrayDim": 8, "AbufWords": 1024, "WbufWords": 1024, "AccWords": 1024,
          "ObufWords": 1024, "PbufWords": 16, "AxiDataW": 32, "QueueDepth": 2}
ECP5 = {
    "target": "ecp5",
    "device": {"name": "LFE5U-85F (CABGA381)", "lut": 83640, "ff": 83640, "dsp": 156, "bram": 208,
               "speed_grade": 6},
    "parameters": PARAMS,
    "tessera_top": {"lut": 16315, "ff": 16233, "dsp": 102, "bram": 28},
    "pnr": {"status": "ok", "fmax_mhz": {"clk_a": 81.0, "clk_b": 55.0},
            "seeds": {"runs": {"1": 55.0, "2": 50.0, "3": 52.0}, "median_mhz": 52.0}},
    "bitstream": {"file": "tessera.bit"},
}
UP5K = {
    "target": "ice40",
    "device": {"name": "iCE40UP5K-SG48", "lc": 5280, "dsp": 8, "bram": 30},
    "parameters": dict(PARAMS, ArrayDim=4, FetchDepth=2),
    "tessera_top": {"lut": 15160, "ff": 10710, "dsp": 35, "bram": 23},
    "pnr": {"status": "failed", "error": "no BELs remaining",
            "utilization": {"ICESTORM_LC": {"used": 22562}}},
}


def run(*files):
    return subprocess.run([sys.executable, TABLE_PY, *files], capture_output=True, text=True)


def main():
    failures = []
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, s in (("ecp5.json", ECP5), ("up5k.json", UP5K)):
            paths.append(os.path.join(d, name))
            with open(paths[-1], "w") as f:
                json.dump(s, f)
        r = run(*paths)
        lines = r.stdout.splitlines()
        if r.returncode != 0 or len(lines) != 4:
            failures.append(f"two summaries: rc {r.returncode}, output {r.stdout!r} {r.stderr!r}")
        else:
            ecp5 = [c.strip() for c in lines[2].split("|")[1:-1]]
            # 8 x 8 = 64 MACs; the slower clock (55.0) counts: 2 * 64 * 55.0 MHz = 7.04 GOPS.
            want = {0: "LFE5U-85F-6", 2: "64", 3: "16,315", 5: "102 MULT18X18D",
                    7: "55.0 MHz (nextpnr, best of 3 seeds, median 52.0)", 8: "7.04"}
            for i, v in want.items():
                if ecp5[i] != v:
                    failures.append(f"ECP5 column {i}: {ecp5[i]!r}, expected {v!r}")
            up5k = [c.strip() for c in lines[3].split("|")[1:-1]]
            if "FetchDepth 2" not in up5k[1]:
                failures.append(f"UP5K configuration lacks its extra parameter: {up5k[1]!r}")
            for i, v in {3: "15,160 (22,562 LCs of 5,280)", 5: "35 SB_MAC16 of 8",
                         6: "23 EBR of 30", 7: "does not fit", 8: "–"}.items():
                if up5k[i] != v:
                    failures.append(f"UP5K column {i}: {up5k[i]!r}, expected {v!r}")

        bad = os.path.join(d, "not_a_summary.json")
        with open(bad, "w") as f:
            f.write("{}")
        for path in (bad, os.path.join(d, "missing.json")):
            r = run(path)
            if r.returncode == 0 or path not in r.stderr or "Traceback" in r.stderr:
                failures.append(f"{os.path.basename(path)}: rc {r.returncode}, stderr {r.stderr!r}")

    for f in failures:
        print("FAIL:", f)
    print("results_table: %s" % ("ok" if not failures else f"{len(failures)} failure(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
