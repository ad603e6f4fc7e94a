"""Timeline dock cost against sequence length: prints numbers, asserts nothing.

The viewer builds a sequence's capture timeline when its first capture is shown, then paints it on
every switch. Before the timeline's facts were computed once, every tick recomputed the axis span
over every tick (cubic in the sequence length): 300 captures took 5 s to show, 1,000 took 165 s.

    python benchmarks/bench_timeline.py [--lengths 300 1000 2000 20000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def sequence(n: int):
    """One sequence, two sensors (every step and every third step), like Perception's 2 s / 3 s example."""
    from dgviewer.core.model import Datapoint, Scene

    scene = Scene("sequence.0", "bench")
    for name, every in (("camera", 1), ("lidar", 3)):
        cam = scene.camera(name)
        for step in range(0, n, every):
            cam.add(Datapoint(f"bench/sequence.0/{name}/step{step}", cam, f"step{step}", [],
                              {"step": step, "timestamp": step * 0.5}))
    return scene


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lengths", type=int, nargs="+", default=[300, 1000, 2000, 20000])
    args = ap.parse_args()
    from dgviewer.app import qtapp

    qtapp.application(qtapp.OFFSCREEN)
    from dgviewer.app.session import Session
    from dgviewer.app.timeline_widget import TimelineWidget

    session = Session(64 << 20)
    widget = TimelineWidget(session)
    widget.resize(1200, 120)
    print(f"load average {os.getloadavg()[0]:.2f}")
    for n in args.lengths:
        scene = sequence(n)
        t0 = time.perf_counter()
        widget.set_current(scene.cameras[0][0])
        widget.grab()  # the first paint: what showing the sequence's first capture costs
        first = time.perf_counter() - t0
        switches = []
        for dp in scene.cameras[0][1:21]:
            t0 = time.perf_counter()
            widget.set_current(dp)
            widget.grab()
            switches.append(time.perf_counter() - t0)
        print(f"{n:>6} captures: first show {first * 1000:8.1f} ms, switch (repaint) median "
              f"{statistics.median(switches) * 1000:7.1f} ms")
    session.shutdown()


if __name__ == "__main__":
    main()
