"""Sequence playback in the real viewer window (offscreen): the rate frames are shown at for each chosen rate.

    python benchmarks/bench_playback.py [--size 1024] [--frames 120] [--rates 10,24,30,60]

A generated Humans-in-Context scene at ``size``², its frame folders hard-linked into a ``frames``-long
sequence. For each rate the cache is emptied, playback starts at the first frame and runs to the last;
printed: the rate reached (frames shown over the time between the first and the last), the slowest gap
between two frames, and the load average (other processes make the figures noisy).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def make_sequence(root: str, size: int, frames: int) -> str:
    from dgviewer.samples import write_sample

    src = write_sample(os.path.join(root, "template"), variant="hic", size=size, seed=0)
    out = os.path.join(root, "hic")
    for scene in os.listdir(src):
        real = sorted(os.listdir(os.path.join(src, scene, "frames")))
        for i in range(frames):
            shutil.copytree(os.path.join(src, scene, "frames", real[i % len(real)]),
                            os.path.join(out, scene, "frames", f"{i + 1:03d}"), copy_function=os.link)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--rates", default="10,24,30,60")
    args = ap.parse_args()

    from PySide6.QtCore import QSettings

    from dgviewer.app import qtapp

    app = qtapp.application(qtapp.OFFSCREEN)
    from dgviewer.app.main_window import MainWindow
    from dgviewer.app.settings import Settings

    tmp = tempfile.mkdtemp(prefix="dgviewer-bench-playback-")
    try:
        path = make_sequence(tmp, args.size, args.frames)
        w = MainWindow(settings=Settings(QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat)),
                       restore_layout=False)
        s, pb = w.session, w.session.playback
        w.resize(1440, 900)
        w.show()
        shown: list[float] = []
        s.shown.connect(lambda _id: shown.append(time.perf_counter()))
        w.open_paths([path])
        while not shown:
            app.processEvents()
        n = len(pb.sequence())
        print(f"{n} frames at {args.size}² ({path}); {os.cpu_count()} cores")
        for rate in (int(r) for r in args.rates.split(",")):
            pb.seek(0)
            while s.cur.dp is not pb.sequence()[0] or not s.cur.announced:
                app.processEvents()
            s.loader.pool.waitForDone()
            s.cache.clear()
            pb.rate = rate
            shown.clear()
            pb.play()
            while pb.playing:
                app.processEvents()
                time.sleep(0.0005)
            gaps = [b - a for a, b in zip(shown, shown[1:])]
            reached = (len(shown) - 1) / (shown[-1] - shown[0])
            print(f"  chosen {rate:3d} fps: reached {reached:5.1f} fps over {len(shown)} frames, slowest gap "
                  f"{max(gaps) * 1000:5.0f} ms  (load {' '.join(open('/proc/loadavg').read().split()[:3])})")
        w.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
