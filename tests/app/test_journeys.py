"""User journeys on the real window: open A, open B from inside the app, step, review, open A again."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel

import dgviewer
from dgviewer.app.legend import NOT_IN_LEGEND
from dgviewer.app.tree_model import DATAPOINT_ROLE, STATUS_ROLE
from dgviewer.core.review import sidecar_path

from .conftest import no_leaks, press_and_wait


def _saved(folder: str) -> dict:
    if not os.path.exists(sidecar_path(folder)):
        return {}
    with open(sidecar_path(folder), encoding="utf-8") as f:
        return {d["id"]: d["state"] for d in map(json.loads, f.read().splitlines()[1:])}


def _rel(dp) -> str:
    return dp.id.split("/", 1)[1]


def _top_rows(w) -> list[str]:
    model = w.tree.model
    return [model.index(r, 0, QModelIndex()).data() for r in range(model.rowCount(QModelIndex()))]


def _open_from_menu(qtbot, w, monkeypatch, path: str) -> None:
    """File ▸ Open folder…, the dialog answering ``path``."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: path)
    with qtbot.waitSignal(w.session.shown, timeout=20000):
        w.findChild(QAction, "open").trigger()
    qtbot.waitUntil(lambda: not w.session.is_listing, timeout=60000)


def _open_recent(qtbot, w, path: str) -> None:
    w.recent_menu.aboutToShow.emit()  # what opening the menu does
    (act,) = [a for a in w.recent_menu.actions() if a.text() == os.path.abspath(path)]
    with qtbot.waitSignal(w.session.shown, timeout=20000):
        act.trigger()
    qtbot.waitUntil(lambda: not w.session.is_listing, timeout=60000)


def _overlay_keys_follow(qtbot, w, key: str, layer: str) -> None:
    """The Overlays menu lists the open dataset's toggle keys, and ``key`` toggles ``layer``."""
    toggles = w.session.dataset.layers.toggles()
    assert [(a.shortcut().toString(), a.text()) for a in w.overlays_menu.actions()] == [(k, t) for k, t, _ in toggles]
    was = w.session.view.style(layer).visible
    qtbot.keyClick(w, getattr(Qt.Key, f"Key_{key}"))
    assert w.session.view.style(layer).visible is not was
    assert w.layers.rows[layer].check.isChecked() is not was


def _errors(messages: list[str]) -> list[str]:
    return [m for m in messages if any(word in m for word in ("rror", "NOT", "not loaded", "Traceback"))]


@pytest.fixture
def folders(samples, tmp_path) -> dict:
    out = {}
    for name, variant in (("faces", "datapoint"), ("scenes", "scene"), ("solo", "perception")):
        out[name] = str(tmp_path / name)
        shutil.copytree(samples[variant], out[name])
    return out


def test_open_b_inside_the_app_then_a_again_from_recent(open_window, folders, qtbot, monkeypatch):
    a, b = dgviewer.load(folders["faces"]), dgviewer.load(folders["scenes"])
    w = open_window(folders["faces"])
    messages: list[str] = []
    w.statusBar().messageChanged.connect(messages.append)
    assert w.session.cur.dp.id == a[0].id
    qtbot.keyClick(w, Qt.Key.Key_P)
    assert _saved(folders["faces"]) == {_rel(a[0]): "pass"}

    _open_from_menu(qtbot, w, monkeypatch, folders["scenes"])
    assert w.windowTitle() == "dgviewer — scenes"
    assert _top_rows(w) == ["scenes"] and w.tree.summary.text() == f"{len(b)} datapoints"
    assert w.session.cur.dp.id == b[0].id
    assert w.session.cur.dp.id in w.inspector.title.text()
    assert "unreviewed" in w.review.state.text() and w.review.progress.text() == f"0 / {len(b)} reviewed"
    assert set(w.layers.rows) <= set(w.session.cur.ann.annotations.layers)
    assert not w.metrics_dock.isVisible() and not w.timeline_dock.isVisible()
    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    assert w.session.cur.dp.id == b[1].id and w.windowTitle() == "dgviewer — scenes"
    assert w.status_line.position.toolTip() == b[1].id and w.status_line.position.text().endswith(f"2 / {len(b)}")
    qtbot.keyClick(w, Qt.Key.Key_P)
    assert _saved(folders["scenes"]) == {_rel(b[1]): "pass"}
    assert _saved(folders["faces"]) == {_rel(a[0]): "pass"}  # A's decisions stay A's
    assert w.tree.model.index_for(w.session.cur.dp).data(STATUS_ROLE) is not None
    assert "pass" in w.review.state.text() and w.review.progress.text().startswith(f"1 / {len(b)} reviewed")
    assert not _errors(messages) and not _errors([w.statusBar().currentMessage()])

    # A Perception dataset brings its metrics and timeline; going back to Datagen hides them again.
    _open_from_menu(qtbot, w, monkeypatch, folders["solo"])
    assert w.metrics_dock.toggleViewAction().isVisible() and w.timeline_dock.isVisible()
    assert w.windowTitle() == "dgviewer — solo" and _top_rows(w) == ["solo"]
    _overlay_keys_follow(qtbot, w, "B", "boxes")

    _open_recent(qtbot, w, folders["faces"])
    assert w.windowTitle() == "dgviewer — faces" and _top_rows(w) == ["faces"]
    assert w.session.cur.dp.id == a[0].id
    assert w.session.current_review().state == "pass" and "pass" in w.review.state.text()
    assert w.tree.model.index_for(w.session.cur.dp).data(STATUS_ROLE) is not None
    assert not w.metrics_dock.isVisible() and not w.timeline_dock.isVisible()
    _overlay_keys_follow(qtbot, w, "L", "standard")
    press_and_wait(qtbot, w, Qt.Key.Key_Right)  # a Datagen datapoint: no metrics asked of it
    assert w.session.cur.dp.id == a[1].id
    assert not _errors(messages) and not _errors([w.statusBar().currentMessage()])


def test_filter_and_legend_belong_to_the_open_dataset(open_window, folders, qtbot, monkeypatch):
    w = open_window(folders["faces"])
    press_and_wait(qtbot, w, Qt.Key.Key_5)  # segmentation: the legend lists the classes
    assert w.legend.entries()
    name = w.legend.entries()[0]
    w.legend.tree.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    assert name in w.session.view.hidden_classes
    w.tree.filter.setText("datapoint_00002")
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.apply_filter()
    assert len(w.session.order) == 1

    _open_from_menu(qtbot, w, monkeypatch, folders["scenes"])
    assert w.tree.filter.text() == "" and len(w.session.order) == len(dgviewer.load(folders["scenes"]))
    assert w.session.view.hidden_classes == frozenset()
    rows = [w.legend.tree.topLevelItem(i) for i in range(w.legend.tree.topLevelItemCount())]
    assert name in [r.text(0) for r in rows]
    assert all(r.checkState(0) == Qt.CheckState.Checked for r in rows if r.text(0) != NOT_IN_LEGEND)
    assert w.probe.text() == ""


def test_leak_check_fails_on_a_stray_widget(qapp):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    with pytest.raises(pytest.fail.Exception, match="QLabel"):
        with no_leaks():
            stray = QLabel("stray")
            stray.show()
    stray.close()
    stray.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_dataset_opened_again_comes_from_its_kept_listing_until_it_changes(open_window, folders, qtbot,
                                                                             monkeypatch, tmp_path):
    """Open A, open B, A again from Open recent: A's folders are not listed again, its tree and picture are
    the same; a datapoint folder removed from A meanwhile (which moves A's own time) is gone when it is opened
    once more."""
    from dgviewer.core import storage
    from tests.test_listing_cache import aged

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own-cache"))
    a = aged(folders["faces"])
    w = open_window(a)
    rows = _rows_and_counts(w)
    first = w.canvas.image.image.copy()
    _open_from_menu(qtbot, w, monkeypatch, folders["scenes"])

    listed: list[str] = []
    scandir = storage.scandir
    monkeypatch.setattr(storage, "scandir", lambda path: (listed.append(path), scandir(path))[1])
    _open_recent(qtbot, w, a)
    assert not [p for p in listed if p.startswith(a + os.sep)]  # served: no folder of A listed
    assert _rows_and_counts(w) == rows and w.tree.summary.text() == f"{rows[0][1]} datapoints"
    assert (w.canvas.image.image == first).all()

    gone = sorted(d for d in os.listdir(a) if d.startswith("datapoint_"))[-1]
    shutil.rmtree(os.path.join(a, gone))
    _open_from_menu(qtbot, w, monkeypatch, folders["scenes"])
    _open_recent(qtbot, w, a)
    now = _rows_and_counts(w)
    assert now[0] == ("faces", str(int(rows[0][1]) - 1)) and gone not in [name for name, _ in now[1:]]


def _rows_and_counts(w) -> list[tuple[str, str]]:
    """The dataset row, then its scene rows: (name, count)."""
    model = w.tree.model
    top = model.index(0, 0, QModelIndex())
    scenes = [(model.index(r, 0, top).data(), model.index(r, 1, top).data()) for r in range(model.rowCount(top))]
    return [(top.data(), model.index(0, 1, QModelIndex()).data()), *scenes]


def test_reload_lists_anew_what_a_kept_listing_cannot_see(open_window, folders, qtbot, monkeypatch, tmp_path):
    """A file replaced by another of the same size and time (``rsync -t`` of another version) is what a kept
    listing cannot see: reopened, A still shows the old entry; File ▸ Reload from disk (F5) lists A anew, at the
    same datapoint, and keeps the new listing."""
    from PySide6.QtGui import QAction

    from tests.test_listing_cache import aged

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "own-cache"))
    a = aged(folders["faces"])
    w = open_window(a)
    env = os.path.join(a, sorted(d for d in os.listdir(a) if d.startswith("datapoint_"))[2], "camera",
                       "environment.json")
    st = os.stat(env)
    with open(env, encoding="utf-8") as f:
        text = f.read()
    assert '"morning"' in text or '"evening"' in text
    swapped = text.replace('"morning"', '"MORNING"') if '"morning"' in text else text.replace('"evening"', '"EVENING"')
    with open(env, "w", encoding="utf-8") as f:
        f.write(swapped)
    os.utime(env, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same time

    def time_of_day() -> str:
        return w.session.order[2]._env["time_of_day"]

    _open_recent(qtbot, w, a)
    assert time_of_day().islower()  # served: the replaced file went unseen
    second = w.session.order[1].id
    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    assert w.session.cur.dp.id == second
    (reload,) = [act for act in w.findChildren(QAction) if act.text() == "Reload from disk"]
    assert reload.shortcut().toString() == "F5"
    with qtbot.waitSignal(w.session.shown, timeout=20000):
        qtbot.keyClick(w, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not w.session.is_listing, timeout=60000)
    assert time_of_day().isupper() and w.session.cur.dp.id == second  # listed anew, at the same datapoint
    qtbot.waitUntil(lambda: getattr(w.tree.view.currentIndex().data(DATAPOINT_ROLE), "id", None) == second)
    _open_recent(qtbot, w, a)
    assert time_of_day().isupper()  # the new listing was kept
