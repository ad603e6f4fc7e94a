"""Review keys, the QA panel and the tree filter, driven through the real main window."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QInputDialog

from dgviewer.app.tree_model import STATUS_ROLE
from dgviewer.core.review import fallback_path, read_file, sidecar_path

from ..conftest import copy_tree, read_only, snapshot
from .conftest import goto_and_wait, press_and_wait


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
    model, first = w.tree.model, w.session.cur.dp
    assert _row_tally(model, first) == (None, "2", "12")

    qtbot.keyClick(w, Qt.Key.Key_P)
    icon, camera_count, dataset_count = _row_tally(model, first)
    assert icon is not None and camera_count == "✓1   2" and dataset_count == "✓1   12"
    rel = first.id.split("/", 1)[1]
    assert _saved(scene_copy)[rel]["state"] == "pass"
    assert "pass" in w.review.state.text() and "1 / 12 reviewed" in w.review.progress.text()

    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    second = w.session.cur.dp
    qtbot.keyClick(w, Qt.Key.Key_F)
    assert _row_tally(model, second)[1] == "✓1 ✗1   2"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("eyes  closed", True))
    qtbot.keyClick(w, Qt.Key.Key_R)
    saved = _saved(scene_copy)[second.id.split("/", 1)[1]]
    assert (saved["state"], saved["reason"]) == ("flag", "eyes closed")
    assert "eyes closed" in w.review.state.text() and _row_tally(model, second)[1] == "✓1 ⚑1   2"
    qtbot.keyClick(w, Qt.Key.Key_Backspace)
    assert _saved(scene_copy)[second.id.split("/", 1)[1]]["state"] == "cleared"
    assert _row_tally(model, second)[0] is None

    # "Next unreviewed" skips the passed first datapoint when coming round again.
    press_and_wait(qtbot, w, Qt.Key.Key_N)
    assert w.session.cur.dp is w.session.order[2]
    w.close()

    again = open_window(scene_copy)  # reopening resumes: decisions, icons and tallies come back
    assert again.session.data.reviews.state(first.id) == "pass"
    assert again.session.data.reviews.state(second.id) == "unreviewed"
    assert _row_tally(again.tree.model, again.session.cur.dp)[0] is not None
    assert "pass" in again.review.state.text()
    press_and_wait(qtbot, again, Qt.Key.Key_N)
    assert again.session.cur.dp is again.session.order[1]


def test_progress_and_next_unreviewed_follow_the_filter_and_wrap_around(open_window, scene_copy, qtbot):
    w = open_window(scene_copy)
    dps = list(w.session.order)  # 12: two scenes × three cameras × two
    qtbot.keyClick(w, Qt.Key.Key_P)  # on dps[0], shown first
    for dp, key in ((dps[4], Qt.Key.Key_P), (dps[11], Qt.Key.Key_F)):
        goto_and_wait(qtbot, w, dp)
        qtbot.keyClick(w, key)
    assert w.review.progress.text() == "3 / 12 reviewed   ✓2 ✗1"

    w.tree.filter.setText("camera=camera_3")  # keeps dps 4, 5, 10 and 11: dps[0]'s decision is not counted
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.apply_filter()
    assert w.session.order == [dps[4], dps[5], dps[10], dps[11]]
    assert w.review.progress.text() == "2 / 4 reviewed   ✓1 ✗1"
    assert w.session.cur.dp is dps[11]  # the last, decided: N comes round past the decided dps[4] to dps[5]
    press_and_wait(qtbot, w, Qt.Key.Key_N)
    assert w.session.cur.dp is dps[5]
    qtbot.keyClick(w, Qt.Key.Key_P)
    press_and_wait(qtbot, w, Qt.Key.Key_N)
    assert w.session.cur.dp is dps[10] and w.review.progress.text() == "3 / 4 reviewed   ✓2 ✗1"
    qtbot.keyClick(w, Qt.Key.Key_F)
    assert w.review.progress.text() == "4 / 4 reviewed   ✓2 ✗2"
    with qtbot.waitSignal(w.session.status, timeout=5000) as said:
        qtbot.keyClick(w, Qt.Key.Key_N)
    assert "Every datapoint in the list is reviewed" in said.args[0] and w.session.cur.dp is dps[10]

    w.tree.filter.setText("")
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.apply_filter()
    assert w.review.progress.text() == "5 / 12 reviewed   ✓3 ✗2"
    assert w.session.cur.dp is dps[10]  # after it: dps[11] and (round again) dps[0] are decided, dps[1] is not
    press_and_wait(qtbot, w, Qt.Key.Key_N)
    assert w.session.cur.dp is dps[1]


def test_reviewing_beside_a_read_only_folder_saves_in_the_user_data_folder(open_window, samples, tmp_path, qtbot,
                                                                            monkeypatch):
    """As root too: a folder with mode 555 above the dataset gets no review file; reopening resumes."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    parent = tmp_path / "corpora"
    src = copy_tree(Path(samples["datapoint"]), parent / "faces")
    with read_only(parent):
        before = snapshot(parent)
        w = open_window(str(src))
        first = w.session.cur.dp
        qtbot.keyClick(w, Qt.Key.Key_F)
        saved = fallback_path(str(src))
        assert w.session.data.reviews.paths == [saved] and w.review.toolTip() == f"Saved to {saved}"
        assert read_file(saved)[first.id.split("/", 1)[1]].state == "fail"
        assert snapshot(parent) == before and not Path(sidecar_path(str(src))).exists()
        w.close()

        again = open_window(str(src))
        assert again.session.cur.dp.id == first.id and "fail" in again.review.state.text()
        assert "1 / " in again.review.progress.text() and again.tree.model.index_for(again.session.cur.dp).data(
            STATUS_ROLE) is not None
        assert snapshot(parent) == before


@pytest.fixture
def faces_with_nan(samples, tmp_path) -> tuple[str, str]:
    """A faces sample whose second datapoint has one standard landmark at NaN: (folder, datapoint id)."""
    path = tmp_path / "faces"
    shutil.copytree(samples["datapoint"], path)
    for name in ("face_standard_key_points.json", "all_key_points.json"):  # the reader may use either
        points = path / "datapoint_00002" / "camera" / "key_points" / name
        d = json.loads(points.read_text())
        d["face"]["standard"]["31"]["pixel_2d"]["x"] = float("nan")
        points.write_text(json.dumps(d))
    return str(path), "faces/datapoint_00002/camera/visible_spectrum_01.png"


def test_qa_panel_lists_planted_fault_and_jumps_to_it(open_window, faces_with_nan, qtbot):
    path, bad = faces_with_nan
    w = open_window(path)
    w.session.view.set_style("standard", visible=False)
    with qtbot.waitSignal(w.qa.finished, timeout=30000):
        w.qa.run_button.click()
    rows = [w.qa.table.topLevelItem(i) for i in range(w.qa.table.topLevelItemCount())]
    hits = [r for r in rows if r.text(1) == "landmark-nan"]
    assert len(hits) == 1 and hits[0].text(2) == bad and "point 31" in hits[0].text(3)
    assert w.qa.check_filter.findText("landmark-nan (1)") >= 0

    with qtbot.waitSignal(w.session.shown, timeout=20000, check_params_cb=lambda i: i == bad):
        w.qa.table.itemActivated.emit(hits[0], 0)  # what a double-click emits
    assert w.session.cur.dp.id == bad
    assert w.session.view.style("standard").visible and w.layers.rows["standard"].check.isChecked()
    assert w.canvas.shown_overlays()["standard"].isVisible()

    w.tree.filter.setText("finding=landmark-nan")  # the run's findings feed the tree filter
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.apply_filter()
    assert [dp.id for dp in w.session.order] == [bad]


def test_tree_filter_review_and_metadata_terms_and_arrows_follow(open_window, scene_copy, qtbot):
    w = open_window(scene_copy)
    order = list(w.session.order)
    failed = [order[1], order[7], order[10]]  # in both scenes: sadness and anger
    for dp in failed:
        if dp is not w.session.cur.dp:
            with qtbot.waitSignal(w.session.shown, timeout=20000):
                w.session.show_datapoint(dp)
        qtbot.keyClick(w, Qt.Key.Key_F)

    def apply(text):
        w.tree.filter.setText(text)
        with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
            w.tree.apply_filter()
        return [dp.id for dp in w.session.order]

    assert apply("review=fail") == [dp.id for dp in failed]
    assert "3 of 12" in w.tree.summary.text()
    assert apply("review=fail expression=anger") == [dp.id for dp in failed[1:]]
    assert apply("camera=camera_2 expression=anger") == [dp.id for dp in order[8:10]]
    assert apply("time_of_day=nosuchtime") == []
    w.tree.filter.setText("bad=\"unclosed")
    w.tree.apply_filter()  # refused at once: no run to wait for
    assert "filter" in w.tree.summary.text() and "border" in w.tree.filter.styleSheet()

    assert apply("review=fail") == [dp.id for dp in failed]
    # nothing was shown (none matched time_of_day): the filter shows its first datapoint
    qtbot.waitUntil(lambda: w.session.cur.dp is failed[0] and w.session.cur.announced is not None, timeout=20000)
    for expected in failed[1:]:  # → and ← walk the filtered list, not the dataset
        press_and_wait(qtbot, w, Qt.Key.Key_Right)
        assert w.session.cur.dp is expected
    press_and_wait(qtbot, w, Qt.Key.Key_Left)
    assert w.session.cur.dp is failed[1]
