"""Metrics panel and capture timeline on a generated Unity Perception (SOLO) sample; both absent for Datagen."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from dgviewer.samples.perception import write_perception_sample


@pytest.fixture(scope="module")
def solo(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("perception") / "solo"
    write_perception_sample(str(path), format="solo", size=128, seed=0)
    return str(path)


def test_metrics_panel_shows_custom_metric_by_scope(open_window, solo, qtbot):
    w = open_window(solo)
    assert w.metrics_dock.toggleViewAction().isVisible()
    w.metrics_dock.raise_()
    qtbot.waitUntil(lambda: w.metrics.tree.topLevelItemCount() > 0, timeout=5000)
    scopes = [w.metrics.tree.topLevelItem(i).text(0) for i in range(w.metrics.tree.topLevelItemCount())]
    assert scopes == ["capture", "step"]
    values = w.metrics.values()
    assert values["lightMetric1"] == "[2.025, 4, 1]"  # the sample's custom per-step metric, readable
    assert "ObjectCount" in values


def test_timeline_ticks_at_capture_times_and_click_shows_capture(open_window, solo, qtbot):
    w = open_window(solo)
    assert w.timeline_dock.isVisible()
    tl = w.timeline.timeline
    assert tl.uses_time
    times = {cam: [t.time for t in ticks] for cam, ticks in tl.lanes.items()}
    assert times == {"front": [0, 2, 4, 6, 8], "top": [0, 3, 6, 9]}  # sensors every 2 and every 3 units
    assert sorted({t for ts in times.values() for t in ts}) == [0, 2, 3, 4, 6, 8, 9]
    assert w.timeline.current is w.session.cur.dp

    lane, tick = 1, tl.lanes["top"][2]  # top at t = 6
    rect = w.timeline.tick_rect(lane, tick)
    assert rect.center().x() == pytest.approx(w.timeline.tick_rect(0, tl.lanes["front"][3]).center().x())
    with qtbot.waitSignal(w.session.shown, timeout=20000):
        qtbot.mouseClick(w.timeline, Qt.MouseButton.LeftButton, pos=rect.center().toPoint() + QPoint(2, 0))
    assert w.session.cur.dp is tick.datapoint and w.timeline.current is tick.datapoint


def test_perception_panels_hidden_for_datagen(open_window, samples):
    w = open_window(samples["datapoint"])
    assert not w.timeline_dock.isVisible() and not w.metrics_dock.isVisible()
    assert not w.timeline_dock.toggleViewAction().isVisible()
