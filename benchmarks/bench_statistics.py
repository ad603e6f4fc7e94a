"""Statistics speed: prints numbers, asserts nothing.

Over a 10k-datapoint Datagen layout (one generated datapoint folder hard-linked N times, as in
bench_core.py): the time to count every fact (each actor and camera file read once) in this process,
then the Statistics panel of the real window (offscreen) counting them on its worker while a 10 ms
timer measures how long the GUI thread was ever kept from its event loop.

    python benchmarks/bench_statistics.py [--datapoints 10000]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

from bench_core import build_layout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=10000)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import dgviewer
    from dgviewer.core import jsonio
    from dgviewer.core.statistics import summarize

    with tempfile.TemporaryDirectory(prefix="dgv-bench-") as base:
        root = build_layout(base, args.datapoints)
        ds = dgviewer.load(root)
        load = os.getloadavg()[0]
        t = time.perf_counter()
        dists = summarize(list(ds), ds.fact_keys)
        wall = time.perf_counter() - t
        print(f"summarize: {len(ds)} datapoints, {len(dists)} facts in {wall:.2f} s "
              f"({wall / len(ds) * 1000:.2f} ms per datapoint), load average {load:.1f} -> {os.getloadavg()[0]:.1f}")
        jsonio.clear()
        _panel(root)


def _panel(root: str) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from dgviewer.app import qtapp
    from dgviewer.app.main_window import MainWindow

    app = qtapp.application(qtapp.OFFSCREEN)
    w = MainWindow(restore_layout=False)
    w.show()
    w.open_paths([root])
    while w.session.cur.ann is None:
        app.processEvents()
    ticks: list[float] = []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    load = os.getloadavg()[0]
    t = time.perf_counter()
    loop = QEventLoop()
    poll = QTimer(interval=20)  # until every chart is built (one per event-loop turn)
    poll.timeout.connect(lambda: w.stats.ready and loop.quit())
    poll.start()
    w.stats_dock.show()
    w.stats_dock.raise_()
    loop.exec()
    wall = time.perf_counter() - t
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])] or [wall]
    print(f"panel: {len(w.session.dataset)} datapoints charted in {wall:.2f} s; longest GUI stall {max(gaps) * 1000:.0f} ms "
          f"(10 ms timer, {len(ticks)} ticks), load average {load:.1f} -> {os.getloadavg()[0]:.1f}")
    w.close()
    QApplication.processEvents()


if __name__ == "__main__":
    main()
