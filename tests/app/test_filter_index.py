"""The filter box on the real window: filters run off the GUI thread against the facts index, a misspelt key is
refused at once with the known keys, a filter waits for the index with its progress while it is built, and a
second dataset gets its own index."""
from __future__ import annotations

import shutil
import threading

import dgviewer
from PySide6.QtCore import QModelIndex, Qt

from dgviewer import facts
from dgviewer.app.tree_model import DATAPOINT_ROLE
from dgviewer.core.facts_index import index_path
from dgviewer.core.filters import compile_filter


def _tree_ids(w) -> list[str]:
    """The datapoint rows the tree holds, top to bottom (fetching every batch)."""
    model, out = w.tree.model, []

    def walk(parent: QModelIndex) -> None:
        while model.canFetchMore(parent):
            model.fetchMore(parent)
        for r in range(model.rowCount(parent)):
            index = model.index(r, 0, parent)
            dp = index.data(DATAPOINT_ROLE)
            if dp is not None:
                out.append(dp.id)
            else:
                walk(index)

    walk(QModelIndex())
    return out


def _type(qtbot, w, text: str) -> None:
    w.tree.filter.clear()
    qtbot.keyClicks(w.tree.filter, text)
    qtbot.keyClick(w.tree.filter, Qt.Key.Key_Return)


def test_typed_filters_fill_the_tree_from_the_index_and_a_misspelt_key_is_refused_at_once(open_window, samples,
                                                                                         qtbot, tmp_path):
    path = shutil.copytree(samples["scene"], tmp_path / "scene")
    ds = dgviewer.load(str(path))
    w = open_window(str(path))
    for text in ("expression=anger camera=camera_2", "lighting=indoor,outdoor yaw<0", "camera!=camera_1 scene_00002"):
        with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
            _type(qtbot, w, text)
        expected = [dp.id for dp in compile_filter(text).select(ds)]
        assert _tree_ids(w) == [dp.id for dp in w.session.order] == expected and expected, text
        assert w.tree.summary.text().startswith(f"{len(expected)} ")
    assert w.session.filtering.index is not None  # those ran against the index

    shown = _tree_ids(w)
    _type(qtbot, w, "expresion=anger")  # no wait: refused before any work
    message = w.tree.summary.text()
    assert "unknown key 'expresion'" in message and "expression" in message and "time_of_day" in message
    assert "border" in w.tree.filter.styleSheet() and _tree_ids(w) == shown

    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        _type(qtbot, w, "age=*")
    assert w.tree.filter.styleSheet() == "" and _tree_ids(w) == [dp.id for dp in compile_filter("age=*").select(ds)]


def test_a_filter_waits_for_the_index_with_progress_and_a_second_dataset_gets_its_own(open_window, samples, qtbot,
                                                                                    tmp_path, monkeypatch):
    scene = str(shutil.copytree(samples["scene"], tmp_path / "scene"))
    solo = str(shutil.copytree(samples["perception"], tmp_path / "solo"))
    release = threading.Event()
    real = facts.extract

    def held(job, ids, keys):  # the build waits until the test has seen the filter wait
        release.wait(20)
        return real(job, ids, keys)

    monkeypatch.setattr(facts, "extract", held)
    w = open_window(scene)
    with qtbot.waitSignal(w.session.filter_waiting, timeout=20000):
        _type(qtbot, w, "expression=anger")
    assert w.tree.progress.isVisible() and "indexing" in w.tree.summary.text()
    assert w.session.filtering.index is None and len(w.session.order) == 12  # the tree as it was

    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):  # generic keys need no index: they run now
        _type(qtbot, w, "camera=camera_3")
    assert _tree_ids(w) == [dp.id for dp in w.session.dataset if dp.camera_node.name == "camera_3"]

    with qtbot.waitSignal(w.session.filter_waiting, timeout=20000):
        _type(qtbot, w, "expression=anger")
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        release.set()
    ds = dgviewer.load(scene)
    assert _tree_ids(w) == [dp.id for dp in compile_filter("expression=anger").select(ds)]
    assert not w.tree.progress.isVisible() and w.session.filtering.index.ids == [dp.id for dp in ds]
    first = w.session.filtering.index

    with qtbot.waitSignal(w.session.shown, timeout=20000):
        w.open_paths([solo])
    assert w.tree.filter.text() == ""
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        _type(qtbot, w, "label=Character objects>=3")
    solo_ds = dgviewer.load(solo)
    assert _tree_ids(w) == [dp.id for dp in compile_filter("label=Character objects>=3").select(solo_ds)]
    second = w.session.filtering.index
    assert second is not first and second.ids == [dp.id for dp in solo_ds]
    assert index_path([solo]) != index_path([scene]) and facts.cached([scene]).ids == first.ids
