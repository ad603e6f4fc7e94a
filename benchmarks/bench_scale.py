"""Opening 100k and 1M datapoints: prints numbers, asserts nothing (targets live in issue #13).

For each size, on a hard-linked Datagen layout (benchmarks/layouts.py, built once and cached):
(a) library, fresh process: ``load()`` return time, ``len()`` time (the whole index), RSS and bytes
    per datapoint of the index; first open (listed, and the listing kept), then opened again (served from
    the kept listing, core/listing_cache.py);
(b) viewer, fresh process (offscreen): process start → the window's first paint, → the first
    datapoint drawn (``shown``), → the whole index listed in the background (``listed``; after
    --limit seconds it is measured as far as it got), the event loop's longest stall meanwhile, and
    the viewer's RSS then; first open and opened again, as for the library;
(c) ``dgviewer PATH --screenshot OUT.png``: process start → exit;
(d) with --profile: where a full listing's time goes (cProfile over the in-process index, grouped).

    python benchmarks/bench_scale.py [--sizes 100000 1000000] [--where DIR] [--profile]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from layouts import datagen_layout

LIBRARY = r"""
import gc, json, os, sys, time
t0 = time.perf_counter()
def rss(): return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
import dgviewer
r0 = rss(); t1 = time.perf_counter()
ds = dgviewer.load(sys.argv[1]); t2 = time.perf_counter()
n = len(ds); t3 = time.perf_counter()
gc.collect(); r1 = rss()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "len": t3 - t2, "n": n, "rss": r1, "per_dp": (r1 - r0) / n}))
"""

VIEWER = r"""
import json, os, sys, time
t0 = time.perf_counter()
def rss(): return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
from dgviewer.cli.viewer import list_early  # as `dgviewer PATH` starts
list_early([sys.argv[1]])
from dgviewer.app import launch
app = launch.start("capture.png")
from PySide6.QtCore import QEvent, QObject, QTimer
from dgviewer.app.main_window import MainWindow
w = MainWindow(restore_layout=False)
out = {"stall": 0.0}
class Paint(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "paint" not in out:
            out["paint"] = time.perf_counter() - t0
        return False
painted = Paint(); w.installEventFilter(painted)
last = [time.perf_counter()]
def tick():
    now = time.perf_counter()
    if "shown" in out and "listed" not in out:
        out["stall"] = max(out["stall"], now - last[0])
    last[0] = now
ticker = QTimer(interval=10); ticker.timeout.connect(tick); ticker.start()
def shown(_):
    out.setdefault("shown", time.perf_counter() - t0)
    out.setdefault("indexed_at_shown", w.session.dataset.indexed)
def listed():
    out["listed"] = time.perf_counter() - t0
    out["n"] = len(w.session.order)
    QTimer.singleShot(500, finish)
def finish():
    import gc; gc.collect(); out["rss"] = rss(); out["indexed"] = w.session.dataset.indexed; app.quit()
def give_up():
    if "listed" not in out:
        out["listed"] = float("nan"); out["n"] = len(w.session.order); finish()
QTimer.singleShot(int(float(sys.argv[2]) * 1000), give_up)
w.session.shown.connect(shown); w.session.listed.connect(listed)
w.show(); w.open_paths([sys.argv[1]])
app.exec(); w.session.shutdown()
print(json.dumps(out))
"""


#: The user cache folder of the processes measured (kept listings, thumbnails, facts): emptied for a first open.
CACHE = tempfile.mkdtemp(prefix="bench-scale-cache-")


def first_open() -> None:
    shutil.rmtree(CACHE, ignore_errors=True)
    os.makedirs(CACHE)


def measured_env() -> dict:
    """The environment of the processes measured. Their bytecode is written once and reused, as an installed
    dgviewer's is: with PYTHONDONTWRITEBYTECODE set (this sandbox sets it) every start compiled dgviewer's
    modules again, 0.2-0.3 s of each process start."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CACHE_HOME=CACHE)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_once() -> None:
    subprocess.run([sys.executable, "-c", "import dgviewer.app.main_window, dgviewer.cli"], env=measured_env(),
                   check=True)


def run(code: str, *args: str) -> dict:
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=measured_env(),
                       check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def screenshot(root: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dgviewer", root, "--screenshot", os.path.join(tmp, "s.png")],
                       env=measured_env(), check=True, capture_output=True)
        return time.perf_counter() - t


def profile(root: str) -> None:
    """Where a full listing's time goes, by kind of work."""
    import cProfile
    import pstats

    import dgviewer

    prof = cProfile.Profile()
    prof.enable()
    dgviewer.load(root).wait()
    prof.disable()
    stats = pstats.Stats(prof).stats
    groups = {"listing (scandir, entries)": ("scandir", "listing", "<listcomp>", "is_dir"),
              "environment.json (open/read/parse)": ("parse_file", "read_bytes", "_read", "regular_file", "loads",
                                                     "_open_regular", "posix.open", "posix.read", "fstat", "stat"),
              "objects (datapoints, scenes, ids)": ("__init__", "_add", "camera", "modalities_of", "shared",
                                                    "_missing", "_shared_entry", "_entries")}
    total = sum(tt for (_, _, tt, _, _) in stats.values())
    print(f"    profile of the full listing (cProfile inflates Python calls), {total:.1f} s of own time:")
    for name, keys in groups.items():
        own = sum(tt for (f, _, fn), (_, _, tt, _, _) in stats.items() if any(k in fn or k in f for k in keys))
        print(f"      {name:38} {own:6.2f} s  ({100 * own / total:.0f}%)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--where", help="layout cache folder (see layouts.py)")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--limit", type=float, default=600, help="seconds the viewer may list before it is measured as it is")
    ap.add_argument("--skip-library", action="store_true", help="only the viewer and the screenshot")
    args = ap.parse_args()
    compile_once()
    for n in args.sizes:
        root = datagen_layout(n, args.where)
        print(f"{n} datapoints ({root}), load average {open('/proc/loadavg').read().split()[:3]}")
        for again in (False, True):
            if args.skip_library:
                break
            if not again:
                first_open()
            lib = run(LIBRARY, root)
            print(f"  (a) library, {'opened again' if again else 'first open'}: import {lib['import']:.2f} s, "
                  f"load() returned in {lib['load'] * 1000:.0f} ms, len() (whole index) {lib['len']:.1f} s, "
                  f"RSS {lib['rss'] >> 20} MB, {lib['per_dp']:.0f} bytes per datapoint")
        for again in (False, True):
            if not again:
                first_open()
            v = run(VIEWER, root, str(args.limit))
            print(f"  (b) viewer, {'opened again' if again else 'first open'}: first paint "
                  f"{v.get('paint', float('nan')):.2f} s, first datapoint drawn {v['shown']:.2f} s "
                  f"(with {v['indexed_at_shown']} listed; target < 2 s), {v['n']} in order, all listed at "
                  f"{v['listed']:.1f} s (target < 30 s), longest event-loop stall while listing "
                  f"{v['stall'] * 1000:.0f} ms, RSS {v['rss'] >> 20} MB with {v['indexed']} listed "
                  f"(target < 1536 MB at 1M)")
        print(f"  (c) dgviewer PATH --screenshot: {screenshot(root):.2f} s process start to exit")
        if args.profile:
            profile(root)
        print(f"  load average after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(CACHE, ignore_errors=True)
