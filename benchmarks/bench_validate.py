"""``dgviewer validate`` speed: prints numbers, asserts nothing (the target lives in issue #5).

Metadata checks over a 10k-datapoint Datagen layout (one generated datapoint
folder hard-linked N times, as in bench_core.py), timed end to end in a fresh
process exactly as a pipeline runs it: ``dgviewer validate ROOT --json OUT``.
Then the CPU cost of one datapoint's checks on one core, which does not depend
on what else the machine runs (the load average is printed beside the wall time).

    python benchmarks/bench_validate.py [--datapoints 10000] [--images]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from bench_core import build_layout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=10000)
    ap.add_argument("--images", action="store_true", help="also time the pixel checks")
    args = ap.parse_args()

    import dgviewer
    from dgviewer.core import jsonio
    from dgviewer.qa import Settings, check_datapoint

    with tempfile.TemporaryDirectory(prefix="dgv-bench-") as base:
        root = build_layout(base, args.datapoints)
        out = os.path.join(base, "report.json")
        for extra in [[], ["--images"]] if args.images else [[]]:
            load = os.getloadavg()[0]
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "dgviewer", "validate", root, "--json", out, *extra],
                               capture_output=True, text=True)
            wall = time.perf_counter() - t
            found = len(json.load(open(out))["findings"])
            print(f"validate {' '.join(extra) or '(metadata)'}: {args.datapoints} datapoints in {wall:.1f} s wall, "
                  f"{os.cpu_count()} cores, load average {load:.1f} -> {os.getloadavg()[0]:.1f} "
                  f"(exit {r.returncode}, {found} findings; target < 30 s for metadata)")
        dps = list(dgviewer.load(root))[:1000]
        t = time.process_time()
        for dp in dps:
            check_datapoint(dp, Settings())
            jsonio.clear()  # as the workers do: every datapoint's JSON parsed afresh
        print(f"one core: {(time.process_time() - t) / len(dps) * 1000:.2f} ms CPU per datapoint of metadata checks")


if __name__ == "__main__":
    main()
