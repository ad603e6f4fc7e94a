"""``dgviewer validate`` speed: prints numbers, asserts nothing (the target lives in issue #5).

Metadata checks over a 10k-datapoint Datagen layout (one generated datapoint
folder hard-linked N times, as in bench_core.py), timed end to end in a fresh
process exactly as a pipeline would run it: ``dgviewer validate ROOT --json OUT``.
Then the same through the library with 1 worker, for the per-core cost.

    python benchmarks/bench_validate.py [--datapoints 10000] [--size 64] [--images]
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
    from dgviewer.core.qa import run_checks

    with tempfile.TemporaryDirectory(prefix="dgv-bench-") as base:
        root = build_layout(base, args.datapoints)
        out = os.path.join(base, "report.json")
        modes = [[], ["--images"]] if args.images else [[]]
        for extra in modes:
            cmd = [sys.executable, "-m", "dgviewer", "validate", root, "--json", out, *extra]
            t = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - t
            report = json.load(open(out))
            print(f"validate {' '.join(extra) or '(metadata)'}: {args.datapoints} datapoints in {wall:.1f} s wall "
                  f"on {os.cpu_count()} cores (exit {r.returncode}, {len(report['findings'])} findings; "
                  f"target < 30 s for metadata)")
        ds = dgviewer.load(root)
        sample = ds[: min(1000, len(ds))]
        t = time.perf_counter()
        from dgviewer.core.qa import Settings, check_datapoint

        for dp in sample:
            check_datapoint(dp, Settings())
        per = (time.perf_counter() - t) / len(sample) * 1000
        print(f"one core: {per:.2f} ms per datapoint of metadata checks (JSON parsing included)")
        t = time.perf_counter()
        result = run_checks(ds)
        print(f"library run_checks(): {result.summary()} (wall {time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
