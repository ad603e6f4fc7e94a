"""Issue #11, the session and the window's menus: layers a dataset opens with, the filter, review advance
and undo, tree icons, merged datasets' panels, Overlays check marks and the modalities offered."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QColor

import dgviewer
from dgviewer.app.review_look import LOOK
from dgviewer.app.session import Session
from dgviewer.app.settings import Settings
from dgviewer.core.layers import LayerCatalog
from dgviewer.core.review import PASS, sidecar_path

from .conftest import goto_and_wait, press_and_wait


@pytest.fixture
def session(qapp):
    s = Session(256 << 20)
    yield s
    s.shutdown()


@pytest.fixture
def faces(samples, tmp_path) -> str:
    """A private copy (reviews are written beside the folder)."""
    path = str(tmp_path / "faces")
    shutil.copytree(samples["datapoint"], path)
    return path


def _saved(folder: str) -> dict:
    if not os.path.exists(sidecar_path(folder)):
        return {}
    with open(sidecar_path(folder), encoding="utf-8") as f:
        return {d["id"]: d["state"] for d in map(json.loads, f.read().splitlines()[1:])}


def test_a_dataset_whose_layers_all_start_off_opens_with_its_points_and_boxes_on(session, samples, qtbot):
    def all_off(dataset):  # a reader that declares every layer off
        session.view.layers = LayerCatalog(spec.with_(visible=False) for spec in dataset.layers.values())

    session.dataset_opened.connect(all_off)
    with qtbot.waitSignal(session.shown, timeout=20000):
        session.open([samples["datapoint"]])
    # The next datapoint listed before stepping to it (a step past the last one listed stays put: CI ran ahead).
    qtbot.waitUntil(lambda: not session.is_listing, timeout=60000)
    present = session.cur.ann.annotations.layers
    view = session.view
    assert {n for n in present if view.style(n).visible} == {n for n in present if not view.layers.spec(n).image}
    assert not view.style("segmentation").visible  # translucent class layers stay off
    # Only for a bare start: the user's own choice on the next datapoints is kept.
    view.set_styles({n: view.style(n).with_(visible=False) for n in present})
    with qtbot.waitSignal(session.shown, timeout=20000):
        session.step(1)
    assert not any(view.style(n).visible for n in present)


def test_a_dataset_with_a_layer_on_keeps_its_declared_look(session, samples, qtbot):
    with qtbot.waitSignal(session.shown, timeout=20000):
        session.open([samples["datapoint"]])
    assert session.view.style("standard").visible and not session.view.style("dense").visible


def test_the_filter_moves_off_an_excluded_datapoint_or_says_none_matches(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    s = w.session
    first = s.cur.dp
    other = s.order[2]
    with qtbot.waitSignal(s.shown, timeout=20000):
        s.set_filter(other.id.split("/")[1])
    assert s.cur.dp is other and w.canvas.image.image is not None and not w.canvas.message
    assert w.status_line.position.toolTip() == other.id
    with qtbot.waitSignal(s.filter_changed, timeout=20000):
        s.set_filter("no_such_datapoint_zz")
    assert s.cur.dp is None and s.order == []
    assert "No datapoint matches" in w.canvas.message
    assert w.canvas.image.image is None  # an empty canvas, not the excluded datapoint
    assert not any(it.isVisible() for it in w.canvas.overlay_items.values())
    with qtbot.waitSignal(s.shown, timeout=20000):
        s.set_filter("")
    assert s.cur.dp is first and not w.canvas.message


def test_advance_after_a_decision_is_a_setting_on_by_default(tmp_path):
    fresh = Settings(QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat))
    assert fresh.advance_after_review
    fresh.advance_after_review = False
    assert not Settings(QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)).advance_after_review


def test_pass_fail_advance_and_undo_restores_the_previous_decision(open_window, faces, settings, qtbot):
    w = open_window(faces)
    s = w.session
    act = w.advance_action
    assert act.isCheckable() and not act.isChecked()  # as the settings say (the fixture turns it off)
    act.trigger()
    assert settings.advance_after_review and s.advance
    a, b, c = s.order[:3]
    rel = lambda dp: dp.id.split("/", 1)[1]  # noqa: E731
    press_and_wait(qtbot, w, Qt.Key.Key_P)
    assert s.cur.dp is b and _saved(faces) == {rel(a): "pass"}
    press_and_wait(qtbot, w, Qt.Key.Key_F)
    assert s.cur.dp is c and _saved(faces) == {rel(a): "pass", rel(b): "fail"}
    press_and_wait(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: back to b, undecided
    assert s.cur.dp is b and s.current_review() is None and _saved(faces)[rel(b)] == "cleared"
    act.trigger()  # advance off: a second decision on one datapoint, then undo restores the first
    goto_and_wait(qtbot, w, a)
    qtbot.keyClick(w, Qt.Key.Key_F)
    assert s.cur.dp is a and s.current_review().state == "fail"
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert s.current_review().state == PASS and _saved(faces)[rel(a)] == "pass"
    assert dgviewer.load(faces) is not None


def test_tree_shows_the_review_icon_and_the_warning_together(open_window, faces, qtbot):
    w = open_window(faces)
    dp = w.session.cur.dp
    w.session.decide(PASS)
    dp.add_problem(None, "something is off")
    w.tree.model.datapoint_changed(dp)
    icon = w.tree.model.index_for(dp).data(Qt.ItemDataRole.DecorationRole)
    img = icon.pixmap(32, 32).toImage()
    green = LOOK[PASS][1]
    assert QColor(img.pixelColor(6, 16)).getRgb()[:3] == green.getRgb()[:3]  # the decision, left
    corner = [img.pixelColor(x, y) for x in range(16, 32) for y in range(16, 32)]
    assert any(c.alpha() > 200 and c.getRgb()[:3] != green.getRgb()[:3] for c in corner)  # the ⚠ badge
    plain = w.tree.model._icons[PASS].pixmap(32, 32).toImage()
    assert plain != img


def test_merged_perception_and_datagen_show_metrics_and_timeline(open_window, samples, qtbot):
    w = open_window(samples["datapoint"], samples["perception"])
    assert w.metrics_dock.isVisible() and w.timeline_dock.isVisible()
    assert w.metrics_dock.toggleViewAction().isVisible() and w.timeline_dock.toggleViewAction().isVisible()
    w.metrics_dock.raise_()
    datagen = next(dp for dp in w.session.order
                   if not callable(getattr(dp, "metrics", None)) and dp is not w.session.cur.dp)
    perception = next(dp for dp in w.session.order
                      if callable(getattr(dp, "metrics", None)) and dp is not w.session.cur.dp)
    goto_and_wait(qtbot, w, datagen)
    assert w.metrics.title.text() == "No metrics for this datapoint." and not w.metrics.values()
    assert not w.timeline.timeline.lanes
    goto_and_wait(qtbot, w, perception)
    assert w.metrics.values() and perception.id in w.metrics.title.text()
    assert w.timeline.timeline.lanes and w.timeline.current is perception


def test_overlay_actions_are_checked_while_their_layers_show(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    acts = {a.objectName(): a for a in w.overlays_menu.actions()}
    assert all(a.isCheckable() for a in acts.values())
    assert acts["toggle_standard"].isChecked() and not acts["toggle_dense"].isChecked()
    qtbot.keyClick(w, Qt.Key.Key_L)
    assert not acts["toggle_standard"].isChecked()
    qtbot.keyClick(w, Qt.Key.Key_M)
    assert acts["toggle_dense"].isChecked()
    w.layers.rows["standard"].check.setChecked(True)  # from the Layers panel too
    assert acts["toggle_standard"].isChecked()


def test_view_menu_offers_only_the_modalities_the_dataset_has(open_window, samples, qtbot):
    w = open_window(samples["perception"])
    present = {m for dp in w.session.order for m in dp.modalities}
    assert "infrared" not in present and "depth" in present
    for m, act in w.modality_actions.items():
        assert act.isVisible() is (m in present), m
    qtbot.keyClick(w, Qt.Key.Key_2)  # infrared: its key is gone with its action
    assert w.session.view.modality == "visible"
    press_and_wait(qtbot, w, Qt.Key.Key_3)
    assert w.session.modality == "depth" and w.modality_actions["depth"].isChecked()
    assert w.findChild(QAction, "modality_infrared") is w.modality_actions["infrared"]
