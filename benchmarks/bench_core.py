"""Loader-core speed: prints numbers, asserts nothing (targets live in the issues).

(a) ``import dgviewer`` + ``load()`` of a 10k-datapoint Datagen layout (fresh process, so the
    import is really cold; the index is built from listings and environment.json only);
(b) reading every modality of a 1024² datapoint, against the sum of its files' raw decode
    times (OpenCV / OpenEXR called directly), single-threaded and with a 2-thread pool.

    python benchmarks/bench_core.py [--datapoints 10000] [--size 1024]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def build_layout(base: str, n: int) -> str:
    """n datapoint_ folders, hard links to one small generated datapoint (the index never decodes images)."""
    from dgviewer.samples import write_sample

    template = os.path.join(base, "template")
    write_sample(template, variant="datapoint", size=64, seed=0)
    first = sorted(d for d in os.listdir(template) if d.startswith("datapoint_"))[0]
    root = os.path.join(base, "layout")
    os.makedirs(root)
    for i in range(n):
        shutil.copytree(os.path.join(template, first), os.path.join(root, f"datapoint_{i + 1:05d}"), copy_function=os.link)
    return root


def time_open(root: str, runs: int = 5) -> list[tuple[float, float]]:
    code = (
        "import time; t = time.perf_counter(); import dgviewer; t1 = time.perf_counter(); "
        f"ds = dgviewer.load({root!r}); t2 = time.perf_counter(); n = len(ds); "
        "print(t1 - t, t2 - t1)"
    )
    out = []
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        a, b = map(float, r.stdout.split())
        out.append((a, b))
    return out


def raw_decode_ms(paths: list[str]) -> float:
    import cv2
    import OpenEXR

    total = 0.0
    for p in paths:
        t = time.perf_counter()
        if p.endswith(".exr"):
            with OpenEXR.File(p, separate_channels=True) as f:
                [c.pixels for c in f.channels().values()]
        else:
            with open(p, "rb") as f:
                cv2.imdecode(np.frombuffer(f.read(), np.uint8), cv2.IMREAD_UNCHANGED)
        total += time.perf_counter() - t
    return total * 1000


def read_all(dp) -> None:
    for m in dp.modalities:
        dp.read(m)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=10000)
    ap.add_argument("--size", type=int, default=1024)
    args = ap.parse_args()

    import dgviewer
    from dgviewer.core.cache import ByteCache
    from dgviewer.samples import write_sample

    with tempfile.TemporaryDirectory(prefix="dgv-bench-") as base:
        root = build_layout(base, args.datapoints)
        runs = time_open(root)
        imp = [a for a, _ in runs]
        opn = [b for _, b in runs]
        tot = [a + b for a, b in runs]
        print(f"(a) {args.datapoints} datapoints: import {statistics.median(imp) * 1000:.0f} ms, "
              f"load {statistics.median(opn) * 1000:.0f} ms, import+load median {statistics.median(tot) * 1000:.0f} ms "
              f"(min {min(tot) * 1000:.0f}, max {max(tot) * 1000:.0f}; target < 1000 ms)")

        big = os.path.join(base, "big")
        write_sample(big, variant="datapoint", size=args.size, seed=1)
        ds = dgviewer.load(big, cache=ByteCache(0))  # no caching: every read decodes
        dps = [dp for dp in ds if len(dp.modalities) >= 4]
        files = []
        for dp in dps:
            files.append([dp._path_of(m) for m in dp.modalities])
        raw = [raw_decode_ms(f) for f in files]
        ours = []
        for dp in dps:
            t = time.perf_counter()
            read_all(dp)
            ours.append((time.perf_counter() - t) * 1000)
        ratio = [o / r for o, r in zip(ours, raw)]
        print(f"(b) {args.size}² datapoint, modalities {', '.join(dps[0].modalities)}:")
        print(f"    raw decode sum {statistics.median(raw):.1f} ms, dgviewer read-all {statistics.median(ours):.1f} ms "
              f"single-threaded (ratio median {statistics.median(ratio):.2f}, max {max(ratio):.2f}; target <= 1.3)")
        for workers in (2,):
            with ThreadPoolExecutor(workers) as pool:
                t = time.perf_counter()
                for _ in range(3):
                    list(pool.map(read_all, dps))
                dt = (time.perf_counter() - t) * 1000 / (3 * len(dps))
            print(f"    {workers} threads: {dt:.1f} ms per datapoint (throughput over {len(dps)} datapoints x3)")
        print(f"    annotations(): {np.median([_time(dp.annotations) for dp in dps]):.1f} ms per datapoint")


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


if __name__ == "__main__":
    main()
