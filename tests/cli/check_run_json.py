#!/usr/bin/env python3
"""`tessera run --json` per-layer report, parsed back and checked for consistency.

usage: check_run_json.py TESSERA MODEL IMAGE BACKEND

Layer names, MACs and command counts must match the layer list `tessera compile` prints; the
per-layer DMA bytes (and, when measured, cycles) must add up to the whole run's counters; the
utilization and time fields must follow from cycles, MACs, the array size and --clock-mhz.
The terminal table must have the DMA (and on rtl the cycles and time) columns.
"""
import json
import re
import subprocess
import sys
import tempfile

CLOCK_MHZ = 250.0


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def compiled_layers(exe, model):
    out = subprocess.run([exe, "compile", model], check=True, capture_output=True, text=True).stdout
    section = out.split("  layers:\n", 1)[1]
    layers = []
    for line in section.splitlines():
        m = re.match(r"    (.+): commands (\d+)\.\.(\d+), (\d+) MACs", line)
        if m:
            layers.append((m.group(1), int(m.group(4)), int(m.group(3)) - int(m.group(2)) + 1))
    if not layers:
        fail("no layers in `tessera compile` output")
    return layers


def close(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def main():
    exe, model, image, backend = sys.argv[1:5]
    want = compiled_layers(exe, model)
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        table = subprocess.run([exe, "run", model, image, "--backend", backend, "--json", f.name,
                                "--clock-mhz", str(CLOCK_MHZ)],
                               check=True, capture_output=True, text=True).stdout
        report = json.load(open(f.name))
    columns = ["DMA rd B", "DMA wr B"] + (["cycles", "time us"] if backend == "rtl" else [])
    for c in columns:
        if c not in table:
            fail(f"column '{c}' missing from the terminal table:\n{table}")
    dim = report["array_dim"]
    perf = report["perf"]
    net = perf["network"]
    layers = perf["layers"]
    image0 = report["images"][0]
    measured = perf["cycles_measured"]
    if measured != (backend == "rtl"):
        fail(f"cycles_measured = {measured} on backend {backend}")
    if perf["clock_mhz"] != CLOCK_MHZ:
        fail(f"clock_mhz {perf['clock_mhz']}")
    got = [(l["name"], l["macs"], l["commands"]) for l in layers]
    if got != want:
        fail(f"layers {got} differ from `tessera compile`'s {want}")
    sums = {k: sum(l[k] for l in layers) for k in ("macs", "dma_rd_bytes", "dma_wr_bytes")}
    for k, v in sums.items():
        if v != net[k] or v != image0[k]:
            fail(f"sum of per-layer {k} = {v}, network {net[k]}, image {image0[k]}")
    if net["dma_rd_bytes"] == 0 or net["dma_wr_bytes"] == 0:
        fail("no DMA bytes counted")
    if net["cycles"] != image0["cycles"]:
        fail(f"network cycles {net['cycles']} vs image {image0['cycles']}")
    if measured:
        total = sum(l["cycles"] for l in layers)
        if total != net["cycles"]:
            fail(f"per-layer cycles add up to {total}, the run took {net['cycles']}")
        for l in [*layers, net]:
            if not close(l["time_us"], l["cycles"] / CLOCK_MHZ):
                fail(f"time_us of {l.get('name', 'network')}: {l['time_us']}")
            util = l["macs"] / (dim * dim * l["cycles"]) if l["cycles"] else 0.0
            if not close(l["mac_utilization"], util):
                fail(f"mac_utilization of {l.get('name', 'network')}: {l['mac_utilization']}")
    elif any("cycles" in l for l in layers):
        fail("per-layer cycles reported although not measured")
    print(f"OK: {len(layers)} layers, {net['cycles']} cycles, {sums['dma_rd_bytes']} B read, "
          f"{sums['dma_wr_bytes']} B written, {sums['macs']} MACs")


if __name__ == "__main__":
    main()
