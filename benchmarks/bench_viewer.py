"""Drive the real viewer window offscreen on a 1024² sample and print the switching figures.

    python benchmarks/bench_viewer.py [--datapoints 300] [--switches 2000] [--size 1024] [--modality visible]

Figures: key press → repainted frame for a prefetched neighbour and for an
uncached datapoint (median), the longest event-loop stall while a key is held
across the datapoints (the longest gap between two turns of the event loop while
keys repeat at ~30/s; then the held key's last datapoint must come on screen),
and resident memory over many switches against the cache budget + 300 MB.
Other processes make the figures noisy: the load average is printed with them.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import psutil
from stalls import StallWatch, pump_until  # benchmarks/ is the script's folder
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtTest import QTest


def make_dataset(root: str, n: int, size: int) -> str:
    """``n`` datapoints at ``size``²: one generated faces dataset, its datapoint folders linked under new names."""
    from dgviewer.samples import write_sample

    src = os.path.join(root, "generated")
    write_sample(src, variant="datapoint", size=size, seed=0)
    real = sorted(d for d in os.listdir(src) if d.startswith("datapoint_"))
    out = os.path.join(root, "bench")
    os.makedirs(out)
    for i in range(n):
        os.symlink(os.path.join(src, real[i % len(real)]), os.path.join(out, f"datapoint_{i + 1:05d}"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=300)
    ap.add_argument("--switches", type=int, default=2000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--samples", type=int, default=25, help="timed key presses per latency figure")
    ap.add_argument("--modality", default="visible", help="the modality on screen while switching")
    args = ap.parse_args()

    from dgviewer.app import qtapp

    app = qtapp.application(qtapp.OFFSCREEN)
    from dgviewer.app.main_window import MainWindow
    from dgviewer.app.settings import Settings
    from dgviewer.app.current import Current
    from dgviewer.app.workers import annotations_key, image_key
    from dgviewer.core import jsonio

    tmp = tempfile.mkdtemp(prefix="dgviewer-bench-")
    t = time.perf_counter()
    path = make_dataset(tmp, args.datapoints, args.size)
    print(f"sample: {args.datapoints} datapoints at {args.size}² in {time.perf_counter() - t:.1f} s ({path})")
    settings = Settings(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings=settings, restore_layout=False)
    s = w.session
    w.resize(1440, 900)
    w.show()
    w.activateWindow()
    shown: list[str] = []
    s.shown.connect(shown.append)
    rss_empty = psutil.Process().memory_info().rss  # the app before any data: the budget is on top of this
    w.open_paths([path])
    pump_until(lambda: shown)
    if args.modality != s.view.modality:
        n = len(shown)
        s.set_modality(args.modality)
        pump_until(lambda: len(shown) > n)
    order = s.order
    budget = s.cache.max_bytes
    proc = psutil.Process()

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    def press_and_time(key=Qt.Key.Key_Right) -> float:
        target = order[min(len(order) - 1, s.position(s.cur.dp) + 1)].id
        n = len(shown)
        t0 = time.perf_counter()
        QTest.keyClick(w, key)
        pump_until(lambda: len(shown) > n and shown[-1] == target)
        w.canvas.glw.viewport().repaint()  # the frame is on screen, not just scheduled
        return (time.perf_counter() - t0) * 1000

    def prefetched(dp) -> bool:
        m = Current(dp).modality(s.view.modality)
        return image_key(dp, m) in s.cache and annotations_key(dp) in s.cache

    # 1. prefetched neighbour
    cached_ms = []
    for _ in range(args.samples):
        nxt = order[s.position(s.cur.dp) + 1]
        pump_until(lambda: prefetched(nxt))
        cached_ms.append(press_and_time())
    # 2. uncached: drop everything (and let running decodes finish) before each press, parsed JSON too
    uncached_ms = []
    for _ in range(args.samples):
        s.loader.pool.waitForDone()
        app.processEvents()
        s.cache.clear()
        jsonio.clear()
        uncached_ms.append(press_and_time())
    print(f"key → repainted frame, prefetched neighbour: median {statistics.median(cached_ms):.1f} ms "
          f"(max {max(cached_ms):.1f}, n={len(cached_ms)})  target ≤ 30 ms")
    print(f"key → repainted frame, uncached:             median {statistics.median(uncached_ms):.1f} ms "
          f"(max {max(uncached_ms):.1f}, n={len(uncached_ms)})  target ≤ 150 ms")

    # 3. holding → (autorepeat ~30/s) across the datapoints, then ping-pong for the memory run
    def hold(presses: int, interval_ms: int = 33) -> tuple[list[float], int]:
        """Auto-repeat a key ``presses`` times; (gaps between event-loop turns in ms, peak RSS)."""
        ticks: list[float] = []
        beat = QTimer()
        beat.setInterval(1)  # not a zero timer: the loop must idle between beats, as the viewer's does
        beat.setTimerType(Qt.TimerType.PreciseTimer)
        beat.timeout.connect(lambda: ticks.append(time.perf_counter()))
        state = {"left": presses, "dir": Qt.Key.Key_Right, "rss": proc.memory_info().rss}

        def key():
            pos = s.position(s.cur.dp)
            if pos == len(order) - 1:
                state["dir"] = Qt.Key.Key_Left
            elif pos == 0:
                state["dir"] = Qt.Key.Key_Right
            QTest.keyClick(w, state["dir"])
            state["left"] -= 1
            state["rss"] = max(state["rss"], proc.memory_info().rss)

        repeat = QTimer()
        repeat.setInterval(interval_ms)
        repeat.timeout.connect(key)
        beat.start()
        repeat.start()
        pump_until(lambda: state["left"] <= 0, timeout=presses)
        repeat.stop()
        beat.stop()
        return sorted((b - a) * 1000 for a, b in zip(ticks, ticks[1:])), state["rss"]

    s.show_datapoint(order[0])
    pump_until(lambda: s.cur.dp is order[0] and shown[-1] == order[0].id)
    watch = StallWatch()
    watch.start()
    gaps, _ = hold(len(order) - 1)
    watch.stop()
    last = s.cur.dp.id  # the key is released: the last datapoint asked for must come on screen
    t = time.perf_counter()
    pump_until(lambda: shown[-1] == last)
    print(f"holding → across {len(order)} datapoints: longest event-loop stall {gaps[-1]:.1f} ms  target ≤ 50 ms "
          f"(p99 {gaps[int(len(gaps) * 0.99)]:.1f} ms, {sum(g > 50 for g in gaps)} over 50 ms; "
          f"the last one on screen {(time.perf_counter() - t) * 1000:.0f} ms after the last press)")
    watch.report(50)
    rss0 = proc.memory_info().rss
    _, peak = hold(args.switches, interval_ms=15)
    limit = rss_empty + budget + (300 << 20)
    print(f"memory over {args.switches} switches: empty app {rss_empty >> 20} MB, before run {rss0 >> 20} MB, "
          f"peak {peak >> 20} MB; cache {s.cache.size_bytes >> 20} / {budget >> 20} MB; "
          f"target peak ≤ empty app + cache budget + 300 MB = {limit >> 20} MB: {'ok' if peak <= limit else 'OVER'}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    w.close()  # stops the session's workers
    return 0


if __name__ == "__main__":
    sys.exit(main())
