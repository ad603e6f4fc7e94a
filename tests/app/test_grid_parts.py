"""The grid's parts on their own: the disk cache (keys, reuse, pruning), the worker pool's groups (one
client's refocus keeps the other's queue), and the model following an order that grows while listing."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QModelIndex

import dgviewer
from dgviewer.app.grid import thumbnail
from dgviewer.app.grid.disk import ThumbDisk
from dgviewer.app.grid.model import GridModel
from dgviewer.app.grid.thumbnail import ThumbSpec, make_thumbnail
from dgviewer.app.session import Session
from dgviewer.app.view_state import ViewState
from dgviewer.app.workers import Loader
from dgviewer.core.cache import ByteCache

from ..conftest import snapshot


def test_disk_cache_reuses_until_the_file_or_the_look_changes(qapp, samples, tmp_path, monkeypatch):
    path = samples["datapoint"]
    before = snapshot(Path(path))
    ds = dgviewer.load(path)
    dp = ds[0]
    view = ViewState()
    view.follow_dataset(ds.layers)
    disk = ThumbDisk(str(tmp_path / "thumbs"))
    spec = ThumbSpec.of(view, 96)
    first = make_thumbnail(dp, spec, disk)
    assert max(first.width(), first.height()) == 96 and len(disk._files()) == 1

    drawn = []
    monkeypatch.setattr(thumbnail, "draw_thumbnail", lambda *a: drawn.append(a) or first)
    again = make_thumbnail(dp, spec, disk)  # from disk: JPEG, so close to the drawn one, not equal
    assert not drawn and (again.width(), again.height()) == (first.width(), first.height())
    a = np.frombuffer(again.convertToFormat(first.format()).constBits(), np.uint8).astype(int)
    b = np.frombuffer(first.constBits(), np.uint8).astype(int)
    assert np.abs(a - b).mean() < 6
    view.set_style("standard", visible=False)  # another look: another key
    make_thumbnail(dp, ThumbSpec.of(view, 96), disk)
    assert len(drawn) == 1
    assert snapshot(Path(path)) == before  # nothing written inside the dataset

    image = dp.file("visible")  # the key follows the file's size and time (a re-rendered dataset)
    key = disk.key(image, dp.id, repr(spec))
    st = os.stat(image)
    os.utime(image, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    try:
        assert disk.key(image, dp.id, repr(spec)) != key
    finally:
        os.utime(image, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_disk_cache_prunes_the_least_recently_used(tmp_path):
    disk = ThumbDisk(str(tmp_path / "thumbs"), max_bytes=60_000)
    rng = np.random.default_rng(0)
    keys = [f"{i:02x}" + "0" * 38 for i in range(30)]
    for i, key in enumerate(keys):
        disk.put(key, rng.integers(0, 255, (64, 64, 3), np.uint8))  # noise: ~10 kB per JPEG
        for k, t in ((key, 1000 + i), (keys[0], 5000)):  # in this order of use, the first one most recently
            if os.path.exists(disk._file(k)):
                os.utime(disk._file(k), (t, t))
    total = sum(size for _, size, _ in disk._files())
    assert total <= 60_000
    assert os.path.exists(disk._file(keys[0])) and not os.path.exists(disk._file(keys[1]))
    assert os.path.exists(disk._file(keys[-1]))
    assert disk.get("ff" + "0" * 38) is None  # absent: a miss, not an error


def test_loader_groups_keep_each_others_queue(qapp, qtbot):
    loader = Loader(ByteCache(1 << 20), threads=1)
    gate, ran = threading.Event(), []
    loader.focus([(("block",), lambda: gate.wait(10), 100)], "view")
    qtbot.waitUntil(lambda: ("block",) in loader._running)
    loader.focus([(("thumb", i), lambda i=i: ran.append(i), 0) for i in range(3)], "grid")
    loader.focus([(("img", "a"), lambda: ran.append("a"), 10)], "view")  # the canvas moves on
    loader.focus([(("thumb", i), lambda i=i: ran.append(i), 0) for i in (2, 3)], "grid")  # scrolled: 0, 1 dropped
    done = []
    loader.signals.done.connect(lambda key, _v: done.append(key))
    gate.set()
    qtbot.waitUntil(lambda: len(done) >= 3, timeout=5000)
    loader.shutdown()
    assert ran == ["a", 2, 3]


def test_model_grows_with_the_order_and_resets_on_a_filter(qapp, samples, qtbot):
    session = Session(64 << 20)
    with qtbot.waitSignal(session.dataset_opened, timeout=20000):
        session.open([samples["scene"]])
    qtbot.waitUntil(lambda: not session.is_listing, timeout=20000)
    full = list(session.data.order)
    assert len(full) == 12
    model = GridModel(session)
    session.data.order = full[:5]  # the index is still listing
    model.reset(columns=4)
    assert model.rowCount() == 2 and model.datapoint(model.index(1, 0)) is full[4]
    assert model.datapoint(model.index(1, 1)) is None and model.last() == model.index(1, 0)
    assert not model.index(2, 0).isValid() and not model.index(0, 4).isValid()
    inserted, changed = [], []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.dataChanged.connect(lambda a, b: changed.append((a.row(), a.column(), b.column())))
    model.modelReset.connect(lambda: inserted.append("reset"))
    session.data.order = full  # 12 listed: lines 2 and 3 appear, line 1 fills up in place
    model.grow()
    assert inserted == [(2, 2)] and changed == [(1, 0, 3)]
    assert model.rowCount() == 3 and model.datapoint(model.index(2, 3)) is full[11]
    assert [model.datapoint(model.index_at(i)) for i in range(12)] == full
    session.data.order = full[:3]  # a filter: the order is replaced, not grown
    model.grow()
    assert inserted[-1] == "reset" and model.rowCount() == 1
    assert model.rowCount(model.index(0, 0)) == 0 and model.index_at(3) == QModelIndex()
    session.shutdown()
