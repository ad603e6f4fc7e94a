"""A third format registered from outside dgviewer, in the real window: its layer drawn in its declared
colour, toggled by its declared key, listed in the Layers panel and the Overlays menu, filterable."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from dgviewer.formats import registry

from ..plugins.coco import LAYER, POINTS, CocoReader, write_coco_sample


@pytest.fixture
def coco(tmp_path):
    registry.register(CocoReader)
    yield write_coco_sample(str(tmp_path / "coco"))
    registry.unregister(CocoReader)


def _pixels_at_points(w, name: str) -> list[tuple[int, int, int]]:
    w.canvas.glw.viewport().repaint()
    shot = w.canvas.glw.grab().toImage()
    out = []
    for x, y, v in POINTS[name]:
        c = shot.pixelColor(w.canvas.view_to_widget(x + 0.0, y + 0.0))
        out.append((c.red(), c.green(), c.blue()))
    return out


def test_third_format_in_the_window(coco, open_window, qtbot):
    w = open_window(coco)
    assert w.session.cur.dp.name == "a.png"
    assert "coco" in w.layers.rows and w.layers.rows["coco"].check.isChecked()  # its declaration: on
    assert [(a.shortcut().toString(), a.text()) for a in w.overlays_menu.actions()] == [("J", LAYER.group)]
    for rgb in _pixels_at_points(w, "a.png"):  # drawn where the file says, in the declared colour
        assert rgb == pytest.approx(LAYER.color, abs=40)
    qtbot.keyClick(w, Qt.Key.Key_J)  # its toggle key
    assert not w.session.view.style("coco").visible and not w.layers.rows["coco"].check.isChecked()
    for rgb in _pixels_at_points(w, "a.png"):
        assert rgb == pytest.approx((64, 64, 64), abs=12)  # the grey image underneath
    w.tree.filter.setText("labelled=3")  # its declared fact
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.apply_filter()
    assert [dp.name for dp in w.session.order] == ["a.png", "b.png"]
    assert "labelled" in w.tree.filter.toolTip()
