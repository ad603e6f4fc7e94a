"""The facts index at scale (issue #13): build (cold), reload (warm), queries, ``dgviewer find`` end to end, the
viewer's longest event-loop stall while a filter runs, and the stores the index could have used.

    python benchmarks/bench_facts.py [N] [--viewer]   # N datapoints (default 100000), a hard-linked Datagen layout

--viewer: only the viewer's filter stalls (with their stacks); BENCH_FACTS_CACHE=DIR reuses a cache folder;
--react=MS: the filter is typed MS after the first datapoint is drawn (default 0: at once, within the window's
first paint of it).

Targets at 100k: index built < 60 s on 2 cores; ``find --filter "expression=happiness camera=camera_2"`` < 2 s
including process start; no event-loop stall > 50 ms. Uses a cache folder of its own (so the build is cold).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

CACHE = os.environ.get("BENCH_FACTS_CACHE") or tempfile.mkdtemp(prefix="bench-facts-cache-")
os.environ["XDG_CACHE_HOME"] = CACHE  # before dgviewer asks platformdirs
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from layouts import datagen_layout  # noqa: E402

EXPR = "expression=happiness camera=camera_2"
KEEPS_ALL = "expression!=happiness"  # every datapoint of the layout
QUERIES = [EXPR, "expression!=happiness", "yaw<-5 pitch>-8", "lighting=indoor,outdoor", "datapoint_0999", "age=*"]


def load() -> str:
    return open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"


def say(what: str, seconds: float, extra: str = "") -> None:
    print(f"{what:<46} {seconds * 1000:10.1f} ms  {extra}  (load {load()})", flush=True)


def bench_index(root: str):
    import dgviewer
    from dgviewer import batches, facts
    from dgviewer.core import facts_query
    from dgviewer.core.facts_index import FactsIndex, fingerprint, index_path

    t = time.perf_counter()
    ds = dgviewer.load(root)
    ids = [dp.id for dp in ds]
    say(f"load() + list {len(ids)} datapoints", time.perf_counter() - t)
    t = time.perf_counter()
    index = facts.build(ds)
    say(f"facts index built (cold, {batches.cores()} cores)", time.perf_counter() - t)
    path = index_path(ds.roots)
    print(f"  stored: {os.path.getsize(path) / 1e6:.1f} MB, {len(index.columns)} columns, {path}")
    t = time.perf_counter()
    fingerprint(ds.roots)
    say("fingerprint (one stat per top-level entry)", time.perf_counter() - t)
    t = time.perf_counter()
    FactsIndex.load(path)
    say("index file loaded", time.perf_counter() - t)
    t = time.perf_counter()
    warm = facts.cached(ds.roots, ids)
    say("reload (warm: load + fingerprint + ids check)", time.perf_counter() - t)
    assert warm is not None
    for q in QUERIES:
        t = time.perf_counter()
        mask = facts_query.select(warm, q)
        say(f"query {q!r}", time.perf_counter() - t, f"{int(mask.sum())} match")
    return ds, warm


def bench_find(root: str) -> None:
    cmd = [sys.executable, "-m", "dgviewer", "find", root, "--filter", EXPR]
    times, lines = [], 0
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        times.append(time.perf_counter() - t)
        lines = len(out.splitlines())
    say(f"dgviewer find (process, best of 3; median {statistics.median(times):.2f} s)", min(times),
        f"{lines} ids")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    say("  of which a bare python start", time.perf_counter() - t)


def bench_stores(index) -> None:
    """The same columns as Parquet (pyarrow) and DuckDB, to compare with the .npz store chosen."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder = tempfile.mkdtemp(prefix="bench-facts-stores-")
    cols = {"id": pa.array(index.ids)}
    for (kind, key), c in index.columns.items():
        cols[f"{kind}:{key}"] = pa.ListArray.from_arrays(pa.array(c.offsets, pa.int64()),
                                                         pa.DictionaryArray.from_arrays(c.codes, pa.array(c.texts)))
    table = pa.table(cols)
    pq_path = os.path.join(folder, "facts.parquet")
    pq.write_table(table, pq_path)
    t = time.perf_counter()
    loaded = pq.read_table(pq_path)
    say("parquet: read_table", time.perf_counter() - t, f"{os.path.getsize(pq_path) / 1e6:.1f} MB")
    t = time.perf_counter()
    expr = loaded["fact:expression"].combine_chunks()
    hits = pc.equal(pc.utf8_lower(expr.flatten().cast(pa.string())), "happiness")
    parents = pc.list_parent_indices(expr).to_numpy()
    _ = parents[hits.to_numpy(zero_copy_only=False)]
    say("parquet: expression=happiness via pyarrow.compute", time.perf_counter() - t)
    import duckdb

    con = duckdb.connect(os.path.join(folder, "facts.duckdb"))
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{pq_path}')")
    con.close()
    t = time.perf_counter()
    con = duckdb.connect(os.path.join(folder, "facts.duckdb"), read_only=True)
    n = con.execute("""SELECT count(*) FROM t WHERE list_contains(list_transform("fact:expression", lambda x: lower(x)),
                       'happiness') AND list_contains("generic:camera", 'camera_2')""").fetchone()[0]
    say("duckdb: connect + the find query", time.perf_counter() - t,
        f"{n} match, {os.path.getsize(os.path.join(folder, 'facts.duckdb')) / 1e6:.1f} MB")
    for module in ("numpy", "pyarrow.parquet", "duckdb"):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        say(f"  python -c 'import {module}'", time.perf_counter() - t)


def bench_viewer(root: str, cold: bool, react_ms: int = 0) -> None:
    """The longest gap of a 5 ms QTimer heartbeat while the filter box's filter runs (index warm or cold)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from dgviewer.app import qtapp
    from dgviewer.app.main_window import MainWindow
    from dgviewer.core.facts_index import index_path

    app = qtapp.application(qtapp.OFFSCREEN)
    w = MainWindow(cache_bytes=256 << 20)
    w.show()
    loop = QEventLoop()
    w.session.shown.connect(loop.quit)
    w.open_paths([root])
    loop.exec()
    if react_ms:  # a user's reaction to the window: it paints the datapoint meanwhile
        QTimer.singleShot(react_ms, loop.quit)
        loop.exec()
    if cold:
        if os.path.exists(index_path([root])):
            os.unlink(index_path([root]))
        w.session.filtering.follow(w.session.dataset)  # as when it opens: the index build starts now
    what = f"{'cold: builds the index' if cold else 'warm index'}, typed {react_ms} ms after the first datapoint"
    filter_stall(w, EXPR, what)
    if not cold:  # a filter keeping every datapoint, then the filter cleared: 100k rows in the tree each time
        filter_stall(w, KEEPS_ALL, "warm index, keeps every datapoint")
        filter_stall(w, "", "cleared")
    w.close()
    app.processEvents()


def filter_stall(w, text: str, what: str) -> None:
    """Type ``text`` in the filter box; the longest event-loop stall until the tree shows it and 300 ms after
    (the rows the tree opens, the datapoint it shows)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from stalls import StallWatch
    watch = StallWatch()
    watch.start()
    t = time.perf_counter()
    done = QEventLoop()
    w.session.filter_changed.connect(done.quit)
    w.tree.filter.setText(text)
    w.tree.apply_filter()
    done.exec()
    w.session.filter_changed.disconnect(done.quit)
    took = time.perf_counter() - t
    QTimer.singleShot(300, done.quit)
    done.exec()
    watch.stop()
    say(f"viewer filter {text!r} ({what}), until the tree shows it", took,
        f"longest event-loop stall {watch.longest_ms:.0f} ms, {len(w.session.order)} shown")
    watch.report(50)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    root = datagen_layout(n)
    print(f"facts index benchmark: {n} datapoints in {root}, cache {CACHE}, {os.cpu_count()} cpus")
    react = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--react=")), 0)
    if "--viewer" in sys.argv:  # only the viewer's stalls: cold (builds the index), then warm
        bench_viewer(root, cold=True, react_ms=react)
        bench_viewer(root, cold=False, react_ms=react)
        return
    _, index = bench_index(root)
    bench_find(root)
    bench_stores(index)
    bench_viewer(root, cold=False)
    bench_viewer(root, cold=True)


if __name__ == "__main__":
    main()
