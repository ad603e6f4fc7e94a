"""Review costs on the GUI thread at a million datapoints: prints numbers, asserts nothing.

An in-memory dataset of ``--datapoints`` datapoints (1000 per scene, no files) whose review file holds
``--decisions`` decisions, on the first datapoints in tree order (a reviewer who went through them in
order). Timed, as the session runs them on a key press or a review change:

1. "next unreviewed" (``N``) from the middle of the order (the next one is undecided) and from the first
   datapoint (it walks over every decision before finding one);
2. the review bar's progress ("n / m reviewed" and its tallies), without a filter and with one keeping
   every other datapoint.

    python benchmarks/bench_review.py [--datapoints 1000000] [--decisions 1000] [--repeat 20]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from dgviewer.app.open_dataset import OpenDataset, filtered  # noqa: E402
from dgviewer.core.dataset import Dataset  # noqa: E402
from dgviewer.core.model import Datapoint, Scene  # noqa: E402
from dgviewer.core.review import HEADER, sidecar_path  # noqa: E402

PER_SCENE = 1000


def build(root: str, datapoints: int, decisions: int) -> OpenDataset:
    """The open dataset of ``datapoints`` bare datapoints under folder ``root``, the first ``decisions`` decided."""
    scenes = []
    for s in range(-(-datapoints // PER_SCENE)):
        scene = Scene(f"scene_{s:05d}", "faces")
        cam = scene.camera("camera")
        for d in range(min(PER_SCENE, datapoints - s * PER_SCENE)):
            cam.add(Datapoint(f"faces/scene_{s:05d}/camera/dp_{d:04d}", cam, f"dp_{d:04d}", ("visible_spectrum",)))
        scenes.append(scene)
    ds = Dataset(scenes, [root], ["bench"], names=["faces"]).wait()
    lines = [json.dumps(HEADER)] + [
        json.dumps({"id": dp.id.split("/", 1)[1], "state": ("pass", "fail", "flag")[i % 3], "reason": "x" if i % 3 == 2 else "",
                    "reviewer": "bench", "time": "2024-01-01T00:00:00.000+00:00"}) for i, dp in enumerate(ds.so_far(0, decisions))]
    with open(sidecar_path(root), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return OpenDataset(ds, [root])


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """(median ms, max ms, last result) of ``repeat`` calls."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2], times[-1], out


def report(name: str, fn, repeat: int) -> None:
    med, worst, out = timed(fn, repeat)
    print(f"{name:<44} median {med:9.3f} ms  max {worst:9.3f} ms  -> {out}   load {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=1_000_000)
    ap.add_argument("--decisions", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dgv-bench-") as base:
        root = os.path.join(base, "faces")
        os.mkdir(root)
        t = time.perf_counter()
        data = build(root, args.datapoints, args.decisions)
        print(f"{len(data.order)} datapoints, {args.decisions} decisions, built in {time.perf_counter() - t:.1f} s;"
              " load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        middle, first = data.order[len(data.order) // 2], data.order[0]
        report("next unreviewed from the middle", lambda: data.next_unreviewed(middle), args.repeat)
        report("next unreviewed from the first", lambda: data.next_unreviewed(first), args.repeat)
        report("progress, no filter", data.review_counts, args.repeat)
        data.set_order("every other", filtered(data.dataset, lambda dp: dp.name[-1] in "02468"), 60.0)
        report(f"progress, filtered to {len(data.order)}", data.review_counts, args.repeat)


if __name__ == "__main__":
    main()
