"""``dgviewer diff`` speed: prints numbers, asserts nothing.

Two copies of a generated Datagen sample (hard-linked copies of its datapoints, so the second is
byte-identical), compared (a) identical: every image file recognised by its bytes, none decoded;
(b) with every visible image rewritten with one changed pixel block, so each is decoded on both sides.
Threads 1 and the default (one per core, at most 8).

    python benchmarks/bench_diff.py [--datapoints 200] [--size 512]
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def build(base: str, n: int, size: int) -> tuple[str, str]:
    from dgviewer.samples import write_sample

    template = os.path.join(base, "template")
    write_sample(template, variant="datapoint", size=size, seed=0)
    firsts = sorted(d for d in os.listdir(template) if d.startswith("datapoint_"))
    roots = []
    for name in ("A", "B"):
        root = os.path.join(base, name)
        os.makedirs(root)
        for i in range(n):
            src = os.path.join(template, firsts[i % len(firsts)])
            shutil.copytree(src, os.path.join(root, f"datapoint_{i + 1:05d}"), copy_function=os.link)
        roots.append(root)
    return roots[0], roots[1]


def change_every_visible(root: str) -> None:
    import cv2

    from dgviewer.core.imaging import read_png

    for path in sorted(glob.glob(os.path.join(root, "*", "camera", "visible_spectrum*.png"))):
        img = read_png(path)
        img[10:20, 10:20] = 0
        os.unlink(path)  # a hard link: write a new file, never through the link into A
        cv2.imwrite(path, cv2.cvtColor(img, cv2.COLOR_RGB2BGR))


def time_diff(a: str, b: str, workers: int | None) -> tuple[float, int]:
    import dgviewer
    from dgviewer.core.dataset_diff import diff_datasets

    da, db = dgviewer.load(a), dgviewer.load(b)
    t = time.perf_counter()
    result = diff_datasets(da, db, workers=workers)
    return time.perf_counter() - t, len(result.changed)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=200)
    ap.add_argument("--size", type=int, default=512)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as base:
        a, b = build(base, args.datapoints, args.size)
        with open("/proc/loadavg") as f:
            print(f"load average before: {f.read().split()[:3]}")
        for label in ("identical", "visible changed"):
            if label == "visible changed":
                change_every_visible(b)
            for workers in (1, None):
                secs, changed = time_diff(a, b, workers)
                print(f"{label:16} {args.datapoints} datapoints at {args.size}², threads {workers or 'default'}: "
                      f"{secs:.2f} s ({1000 * secs / args.datapoints:.1f} ms/datapoint), {changed} changed")
        with open("/proc/loadavg") as f:
            print(f"load average after: {f.read().split()[:3]}")


if __name__ == "__main__":
    main()
