"""``dgviewer validate --images`` on a Dask LocalCluster vs the local process pool: prints numbers, asserts nothing.

On a hard-linked Datagen layout (benchmarks/layouts.py), for each worker count: ``validate ROOT --images
--workers N`` (the process pool; N=1 checks in the calling process) and ``validate ROOT --images --scheduler
local:N``, each in a fresh process as a pipeline runs them, with wall time, the CPU time of the command and
everything it started (per datapoint), and the Dask overhead at equal worker count. Then the CPU cost of one
datapoint's checks on one core (independent of the machine's load; the load average is printed beside every
wall time), the figure the README's scaling estimate starts from. The two reports must be equal.

    python benchmarks/bench_dask.py [--datapoints 100000] [--workers 1 2] [--metadata]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from layouts import datagen_layout


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # every waited-for descendant: pool and Dask workers too
    return r.ru_utime + r.ru_stime


def validate(root: str, out: str, extra: list[str]) -> tuple[float, float, float, dict]:
    """(wall s, CPU s, load average before, report without timing) of one ``dgviewer validate`` run."""
    load, cpu, t = os.getloadavg()[0], children_cpu(), time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "dgviewer", "validate", root, "--json", out, "-q", *extra],
                       capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t, children_cpu() - cpu
    if r.returncode not in (0, 1):
        sys.exit(f"validate {' '.join(extra)} failed ({r.returncode}): {r.stderr.strip()}")
    report = json.load(open(out))
    del report["seconds"]
    return wall, cpu, load, report


def one_core_ms(root: str, images: bool, n: int = 200) -> float:
    """CPU ms of one datapoint's checks on one core, as a worker runs them."""
    import dgviewer
    from dgviewer.core import jsonio
    from dgviewer.qa import Settings, check_datapoint

    dps = list(dgviewer.load(root))[:n]
    t = time.process_time()
    for dp in dps:
        check_datapoint(dp, Settings(images=images))
        jsonio.clear()
    return (time.process_time() - t) / len(dps) * 1000


def cluster_start_s(workers: int) -> float:
    """Seconds to start, check and close a LocalCluster of ``workers`` processes."""
    from dgviewer import batches

    t = time.perf_counter()
    with batches.executor_for(f"local:{workers}"):
        pass
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=100_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--metadata", action="store_true", help="metadata checks only (no --images)")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each line as it is measured, also into a pipe or log
    images = [] if args.metadata else ["--images"]
    root = datagen_layout(args.datapoints)
    n = args.datapoints
    print(f"{n} datapoints ({root}), validate {' '.join(images) or '(metadata)'}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="dgv-bench-dask-") as tmp:
        out = os.path.join(tmp, "report.json")
        for w in args.workers:
            rows = {}
            for name, extra in (("process pool", ["--workers", str(w)]), ("dask", ["--scheduler", f"local:{w}"])):
                wall, cpu, load, report = rows[name] = validate(root, out, images + extra)
                print(f"  {w} worker(s), {name:12}: {wall:7.1f} s wall, {n / wall:6.1f} datapoints/s, "
                      f"{cpu / n * 1000:6.2f} ms CPU per datapoint (load average {load:.1f} -> "
                      f"{os.getloadavg()[0]:.1f}; {len(report['findings'])} findings)")
            (pw, pc, _, pr), (dw, dc, _, dr) = rows["process pool"], rows["dask"]
            same = "equal reports" if pr == dr else "REPORTS DIFFER"
            print(f"  {w} worker(s), dask overhead: {dw - pw:+.1f} s wall ({(dw / pw - 1) * 100:+.0f}%), "
                  f"{(dc - pc) / n * 1000:+.2f} ms CPU per datapoint; {same}")
        for w in args.workers:
            print(f"LocalCluster of {w}: started, checked and closed in {cluster_start_s(w):.1f} s "
                  f"(load average {os.getloadavg()[0]:.1f})")
        print(f"one core: {one_core_ms(root, bool(images)):.2f} ms CPU per datapoint of "
              f"{'metadata and image' if images else 'metadata'} checks (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
