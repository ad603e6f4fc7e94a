"""Drive the viewer's thumbnail grid offscreen over a big layout and print its figures.

    python benchmarks/bench_grid.py [--datapoints 1000000 | --path DATASET] [--steps 600] [--screens 15]
                                    [--while-listing]

The layout is a hard-linked Datagen folder from ``layouts.py`` (built once, then reused). The window
opens it and lists it whole (unless --while-listing), the grid is shown (``T``), and then, with the event loop
running and a timer beating every millisecond:

1. fling: the grid is scrolled from the top to the bottom in ``--steps`` jumps, one per 16 ms frame;
   the longest gap between two beats is the longest event-loop stall (target ≤ 50 ms);
2. browse: ``--screens`` screens one after another, each shown until its thumbnails are all in:
   thumbnails per second from the datapoints' files (a fresh disk cache), then the same screens again
   with the memory cache dropped (from the disk cache);
3. the viewer's resident memory after all that (the issue's bound: < 1.5 GB at 1M datapoints).
The load average is printed with the figures: other processes make them noisy.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import psutil
from stalls import StallWatch, pump_until  # benchmarks/ is the script's folder


class Heartbeat:
    """Gaps between beats of a 1 ms timer, in ms, while running (not a zero timer: the loop must idle between
    beats, as the viewer's does, for its background threads to run as they do in use)."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def __enter__(self):
        self.ticks.clear()
        self.timer.start()
        return self

    def __exit__(self, *exc):
        self.timer.stop()

    def summary(self) -> str:
        pairs = list(zip(self.ticks, self.ticks[1:]))
        gaps = sorted((b - a) * 1000 for a, b in pairs)
        if not gaps:
            return "no beats"
        at = max(pairs, key=lambda p: p[1] - p[0])[0] - self.ticks[0]
        return (f"longest event-loop stall {gaps[-1]:.1f} ms at {at:.2f} s (p99 {gaps[int(len(gaps) * 0.99)]:.1f} ms, "
                f"{sum(g > 50 for g in gaps)} over 50 ms, {len(gaps)} beats)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=1_000_000, help="size of the layout built by layouts.py")
    ap.add_argument("--path", help="an existing dataset instead of a built layout")
    ap.add_argument("--steps", type=int, default=600, help="jumps from top to bottom in the fling")
    ap.add_argument("--screens", type=int, default=15, help="screens browsed for thumbnails/s")
    ap.add_argument("--while-listing", action="store_true", help="fling as soon as the first datapoint is drawn")
    args = ap.parse_args()
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="dgviewer-bench-grid-")  # a cold disk cache

    if args.path:
        path = args.path
    else:
        from layouts import datagen_layout  # benchmarks/ is this script's folder

        t = time.perf_counter()
        path = datagen_layout(args.datapoints)
        print(f"layout: {path} ({time.perf_counter() - t:.0f} s to build or find)")

    from PySide6.QtCore import QSettings, QTimer

    from dgviewer.app import qtapp

    app = qtapp.application(qtapp.OFFSCREEN)
    from dgviewer.app.main_window import MainWindow
    from dgviewer.app.settings import Settings

    proc = psutil.Process()
    settings = Settings(QSettings(os.path.join(os.environ["XDG_CACHE_HOME"], "s.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings=settings, restore_layout=False)
    w.resize(1440, 900)
    w.show()
    w.activateWindow()
    s = w.session
    shown: list[str] = []
    s.shown.connect(shown.append)
    t = time.perf_counter()
    w.open_paths([path])
    pump_until(lambda: shown)
    print(f"opened {len(s.order)} datapoints, first drawn in {time.perf_counter() - t:.1f} s; "
          f"RSS {proc.memory_info().rss >> 20} MB; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    if not args.while_listing:  # the fling over the whole dataset, as the issue asks
        pump_until(lambda: not s.is_listing, timeout=3600)
        print(f"listed {len(s.order)} datapoints {time.perf_counter() - t:.0f} s after open; "
              f"RSS {proc.memory_info().rss >> 20} MB; load average {os.getloadavg()[0]:.2f}")

    w.findChild(type(w.grid_action), "grid").trigger()
    grid = w.grid
    bar = grid.view.verticalScrollBar()
    app.processEvents()
    print(f"grid: {grid.model.columns} columns × {grid.model.rowCount()} lines, scroll range {bar.maximum()} px")

    # 1. fling from top to bottom, one jump per frame
    state = {"i": 0}

    def jump():
        state["i"] += 1
        bar.setValue(bar.maximum() * state["i"] // args.steps)

    frame = QTimer()
    frame.setInterval(16)
    frame.timeout.connect(jump)
    made = grid.thumbs.made
    rss_peak = proc.memory_info().rss
    t, cpu = time.perf_counter(), time.thread_time()
    watch = StallWatch()
    watch.start()
    with Heartbeat() as beat:
        frame.start()
        pump_until(lambda: state["i"] >= args.steps)
        frame.stop()
        rss_peak = max(rss_peak, proc.memory_info().rss)
        elapsed, cpu = time.perf_counter() - t, time.thread_time() - cpu
        lines = grid.visible_lines()
        last = grid.model.datapoints(*lines)
        t_end = time.perf_counter()
        pump_until(lambda: all(grid.thumbs.get(dp) is not None for dp in last))
    print(f"fling top → bottom in {args.steps} jumps over {elapsed:.1f} s: {beat.summary()}  target ≤ 50 ms; "
          f"GUI thread busy {cpu * 1000 / args.steps:.1f} ms (CPU) per jump; "
          f"{grid.thumbs.made - made} thumbnails made on the way, the last screen complete "
          f"{(time.perf_counter() - t_end) * 1000:.0f} ms after the last jump; RSS {proc.memory_info().rss >> 20} MB")
    watch.stop()
    watch.report(50)

    # 2. browse screen by screen: from the files, then (memory dropped) from the disk cache
    def browse(label: str) -> None:
        page = grid.view.viewport().height()
        bar.setValue(0)
        made, t = grid.thumbs.made, time.perf_counter()
        with Heartbeat() as beat:
            for k in range(args.screens):
                bar.setValue(k * page)
                app.processEvents()
                screen = grid.model.datapoints(*grid.visible_lines())
                pump_until(lambda: all(grid.thumbs.get(dp) is not None for dp in screen))
        n, dt = grid.thumbs.made - made, time.perf_counter() - t
        print(f"browse {args.screens} screens {label}: {n} thumbnails in {dt:.1f} s = {n / dt:.1f} thumbnails/s; "
              f"{beat.summary()}; RSS {proc.memory_info().rss >> 20} MB")

    browse("from the files")
    grid.thumbs.clear()
    grid.request_visible()
    browse("from the disk cache")
    rss = proc.memory_info().rss
    print(f"RSS after scrolling end to end and browsing: {rss >> 20} MB (peak seen {max(rss_peak, rss) >> 20} MB; "
          f"of it the decoded-image cache {s.cache.size_bytes >> 20} / {s.cache.max_bytes >> 20} MB), "
          f"target < 1536 MB at 1M; load average {os.getloadavg()[0]:.2f}")
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
