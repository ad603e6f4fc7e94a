"""Review keys, the QA panel and the tree filter, driven through the real main window."""
from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QInputDialog

from dgviewer.app.tree_model import STATUS_ROLE
from dgviewer.core.review import sidecar_path

from .conftest import press_and_wait


@pytest.fixture
def scene_copy(samples, tmp_path) -> str:
    """A private copy of the multi-camera sample: reviews and planted faults must not leak into other tests."""
    path = tmp_path / "scene"
    shutil.copytree(samples["scene"], path)
    return str(path)


def _row_tally(model, dp) -> tuple:
    """(status icon of dp's row, count column of its camera row, of its dataset row)."""
    idx = model.index_for(dp)
    camera = idx.parent()
    dataset = model.index(0, 1, QModelIndex())
    return idx.data(STATUS_ROLE), camera.siblingAtColumn(1).data(), dataset.data()


def _saved(path: str) -> dict:
    with open(sidecar_path(path), encoding="utf-8") as f:
        lines = [json.loads(line) for line in f.read().splitlines()[1:]]
    return {d["id"]: d for d in lines}


def test_review_keys_icons_tallies_sidecar_and_resume(open_window, scene_copy, qtbot, monkeypatch):
    w = open_window(scene_copy)
    model, first = w.tree.model, w.cur.dp
    assert _row_tally(model, first) == (None, "2", "12")

    qtbot.keyClick(w, Qt.Key.Key_P)
    icon, camera_count, dataset_count = _row_tally(model, first)
    assert icon is not None and camera_count == "✓1   2" and dataset_count == "✓1   12"
    rel = first.id.split("/", 1)[1]
    assert _saved(scene_copy)[rel]["state"] == "pass"
    assert "pass" in w.review.bar.state.text() and "1 / 12 reviewed" in w.review.bar.progress.text()

    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    second = w.cur.dp
    qtbot.keyClick(w, Qt.Key.Key_F)
    assert _row_tally(model, second)[1] == "✓1 ✗1   2"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("eyes  closed", True))
    qtbot.keyClick(w, Qt.Key.Key_R)
    saved = _saved(scene_copy)[second.id.split("/", 1)[1]]
    assert (saved["state"], saved["reason"]) == ("flag", "eyes closed")
    assert "eyes closed" in w.review.bar.state.text() and _row_tally(model, second)[1] == "✓1 ⚑1   2"
    qtbot.keyClick(w, Qt.Key.Key_Backspace)
    assert _saved(scene_copy)[second.id.split("/", 1)[1]]["state"] == "cleared"
    assert _row_tally(model, second)[0] is None

    # "Next unreviewed" skips the passed first datapoint when coming round again.
    press_and_wait(qtbot, w, Qt.Key.Key_N)
    assert w.cur.dp is model.order[2]
    w.close()

    again = open_window(scene_copy)  # reopening resumes: decisions, icons and tallies come back
    assert again.review.store.state(first.id) == "pass"
    assert again.review.store.state(second.id) == "unreviewed"
    assert _row_tally(again.tree.model, again.cur.dp)[0] is not None
    assert "pass" in again.review.bar.state.text()
    press_and_wait(qtbot, again, Qt.Key.Key_N)
    assert again.cur.dp is again.tree.model.order[1]
