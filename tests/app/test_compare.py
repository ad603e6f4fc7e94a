"""Compare views in the real main window: A --compare B (a copy with planted changes) and the modalities of one
datapoint, in linked panes."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import dgviewer
from dgviewer.core.display import color_to_u8
from tests.planted import BLOCK, BLOCK_RGB, MOVED, plant

from .conftest import press_and_wait

LAPTOP = (1366, 768)


@pytest.fixture(scope="module")
def versions(samples, tmp_path_factory) -> tuple[str, str, dict]:
    b = str(tmp_path_factory.mktemp("compare") / "B")
    return samples["datapoint"], b, plant(samples["datapoint"], b, which=("moved", "block"))


def _rel(dp) -> str:
    return dp.id.split("/", 1)[1]


def _hover(pane, col, row):
    pane.canvas.glw.scene().sigMouseMoved.emit(pane.canvas.view.mapViewToScene(QPointF(col, row)))


def _pixel(pane, col, row) -> tuple[int, int, int]:
    shot = pane.canvas.glw.grab().toImage()
    p = pane.canvas.view_to_widget(col, row)
    return shot.pixelColor(p.x(), p.y()).getRgb()[:3]


def _close(rgb, want, tol=24) -> bool:
    return all(abs(int(a) - int(b)) <= tol for a, b in zip(rgb, want))


def _same_view(p, q) -> bool:
    """Two panes show the same image point at their centres at the same magnification (their view ranges differ
    only by the pixel their widths may differ by)."""
    views = [p.canvas.view, q.canvas.view]
    rects = [v.viewRect() for v in views]
    scales = [r.width() / v.size().width() for r, v in zip(rects, views)]
    return (np.allclose([rects[0].center().x(), rects[0].center().y()], [rects[1].center().x(), rects[1].center().y()])
            and np.isclose(*scales) and np.allclose(*(np.array(v.viewRange()) for v in views), atol=2 * scales[0]))


def _b_drawn(w, folder):
    """B's counterpart of the current datapoint (under ``folder``) is decoded and drawn."""
    other = w.compare.other.cur
    return (other.dp is not None and _rel(other.dp).startswith(folder) and "visible" in other.images
            and w.session.cur.dp is not None and _rel(w.session.cur.dp) == _rel(other.dp))


def test_compare_two_versions(open_window, versions, qtbot):
    a_path, b_path, expected = versions
    w = open_window(a_path)
    w.resize(*LAPTOP)
    w.compare.compare_with(b_path)
    qtbot.waitUntil(lambda: _b_drawn(w, MOVED[0]), timeout=20000)
    cv = w.compare
    first, second = cv.panes[:2]
    assert cv.active and cv.isVisible() and not w.canvas.isVisible()
    assert first.isVisible() and second.isVisible() and not cv.panes[2].isVisible()
    assert w.minimumSizeHint().width() <= LAPTOP[0] and w.minimumSizeHint().height() <= LAPTOP[1]
    qtbot.waitUntil(lambda: w.width() <= LAPTOP[0] and w.height() <= LAPTOP[1], timeout=5000)

    # The same datapoint in both panes: each shows its own version's pixels.
    dp_a = w.session.cur.dp
    dp_b = dgviewer.load(b_path).get(os.path.basename(b_path) + "/" + _rel(dp_a))
    assert _rel(cv.other.cur.dp) == _rel(dp_a) and dp_b is not None
    qtbot.waitUntil(lambda: second.canvas.image.image is not None, timeout=10000)
    assert np.array_equal(first.canvas.image.image, color_to_u8(dp_a.read("visible")))
    assert np.array_equal(second.canvas.image.image, color_to_u8(dp_b.read("visible")))

    # Zooming one pane zooms the other; so does panning the other one back.
    before = np.array(first.canvas.view.viewRange())
    first.canvas.view.scaleBy((0.5, 0.5), center=(64, 80))
    qtbot.waitUntil(lambda: _same_view(first, second), timeout=5000)
    zoomed = np.array(first.canvas.view.viewRange())
    assert zoomed[0, 1] - zoomed[0, 0] == pytest.approx((before[0, 1] - before[0, 0]) / 2, rel=0.02)
    second.canvas.view.translateBy(x=10, y=0)
    qtbot.waitUntil(lambda: _same_view(first, second), timeout=5000)
    assert first.canvas.view.viewRange()[0][0] == pytest.approx(zoomed[0, 0] + 10)

    # The difference mode sums up the planted move and draws it as one arrow from A's point to B's.
    cv.set_mode("difference")
    assert not second.isVisible()
    assert "keypoints face.standard: 1/68 moved, mean 5.000 px, max 5.000 px" in first.summary.text()
    assert "image" not in first.summary.text()  # no pixel of this datapoint changed
    arrows = first.arrows.layer
    assert first.arrows.isVisible() and len(arrows.rays) == 1
    ray = arrows.rays[0]
    assert np.hypot(*(ray.end - ray.start)) == pytest.approx(expected["moved"])
    std_a = dp_a.annotations().keypoint_set("face.standard")
    assert np.allclose(ray.start, std_a.xy[std_a.labels.index(str(int(MOVED[1])))])

    # Next datapoint: both versions follow; it has the changed pixel block and no move.
    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: _b_drawn(w, BLOCK[0]), timeout=20000)
    qtbot.waitUntil(lambda: "pixels changed" in first.summary.text(), timeout=10000)
    rows, cols = BLOCK[1]
    n = (rows.stop - rows.start) * (cols.stop - cols.start)
    assert f"image visible: {expected['block']['fraction']:.4%} of pixels changed" in first.summary.text()
    assert "keypoints" not in first.summary.text() and first.arrows.layer is None
    assert expected["block"]["fraction"] == pytest.approx(n / 256 ** 2)
    # A pixel's centre: its edge (15.0) maps back through the scene as 14.99... or 15.0 by the view's range.
    col, row = (cols.start + cols.stop) // 2 + 0.5, (rows.start + rows.stop) // 2 + 0.5
    diff = first.canvas.image.image
    assert diff[int(row), int(col)] > 0 and diff[rows.stop + 2, cols.stop + 2] == 0

    # The hover readout names both versions' values at the pixel, and the crosshair is in every pane.
    cv.set_mode("side")
    qtbot.waitUntil(lambda: np.array_equal(second.canvas.image.image, color_to_u8(cv.other.cur.dp.read("visible"))),
                    timeout=10000)
    va = w.session.cur.dp.read("visible")[int(row), int(col)]
    vb = cv.other.cur.dp.read("visible")[int(row), int(col)]
    assert not np.array_equal(va, vb)
    first.canvas.fit()  # the block is in sight again, in both panes
    qtbot.waitUntil(lambda: _same_view(first, second), timeout=5000)
    _hover(first, col, row)
    text = cv.readout.text()
    assert f"col {int(col)}, row {int(row)}" in text
    assert "A visible: (" + ", ".join(str(int(x)) for x in va) + ")" in text
    assert "B visible: (" + ", ".join(str(int(x)) for x in vb) + ")" in text
    assert second.cross[0].isVisible() and second.cross[0].value() == pytest.approx(col)
    _hover(first, -5.0, -5.0)
    assert cv.readout.text() == "" and not second.cross[0].isVisible()

    # Swipe: B right of the divider, A left of it, at the same point of the picture.
    cv.set_mode("swipe")
    a_rgb = tuple(int(v) for v in color_to_u8(va)[:3])
    first.divider.setValue(cols.start - 20)
    assert _close(_pixel(first, col, row), BLOCK_RGB) and not _close(_pixel(first, col, row), a_rgb, 4)
    first.divider.setValue(cols.stop + 20)
    assert _close(_pixel(first, col, row), a_rgb)

    # Onion skin: B over A at the slider's opacity.
    cv.set_mode("onion")
    cv.opacity.setValue(100)
    assert _close(_pixel(first, col, row), BLOCK_RGB)
    cv.opacity.setValue(0)
    assert _close(_pixel(first, col, row), a_rgb)

    cv.close_compare()
    assert w.canvas.isVisible() and not cv.isVisible()


def test_compare_modalities(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    cur = w.session.cur
    qtbot.waitUntil(lambda: len(cur.images) == len(cur.dp.modalities), timeout=20000)
    w.resize(*LAPTOP)
    w.compare.show_modalities()
    cv = w.compare
    shown = [p for p in cv.panes if p.isVisible()]
    assert [p.title.text() for p in shown] == ["visible", "depth", "normals", "segmentation"]
    assert np.array_equal(shown[0].canvas.image.image, cur.images["visible"].display)
    assert np.array_equal(shown[1].canvas.image.image, cur.images["depth"].display, equal_nan=True)
    assert np.array_equal(shown[2].canvas.image.image, cur.images["normals"].display)
    assert np.array_equal(shown[3].canvas.image.image, cur.images["segmentation"].labels)  # class colours through a LUT
    assert w.minimumSizeHint().width() <= LAPTOP[0] and w.minimumSizeHint().height() <= LAPTOP[1]
    shown[3].canvas.view.scaleBy((0.25, 0.25))
    for pane in shown[:3]:
        qtbot.waitUntil(lambda p=pane: _same_view(p, shown[3]), timeout=5000)
    _hover(shown[1], 100.5, 120.5)
    depth = cur.dp.read("depth")[120, 100]
    assert "depth: " + (f"{depth:.4f} m" if np.isfinite(depth) else "background") in cv.readout.text()
    assert all(p.cross[1].value() == pytest.approx(120.5) for p in shown)

    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    nxt = w.session.cur
    assert nxt.dp is not cur.dp
    qtbot.waitUntil(lambda: "segmentation" in nxt.images and "visible" in nxt.images
                    and np.array_equal(shown[3].canvas.image.image, nxt.images["segmentation"].labels), timeout=20000)
    assert np.array_equal(shown[0].canvas.image.image, nxt.images["visible"].display)
    assert not np.array_equal(nxt.images["visible"].display, cur.images["visible"].display)


def test_compare_with_from_the_file_menu(open_window, samples, qtbot, tmp_path, monkeypatch):
    """File ▸ Compare with…: a folder that is no dataset is said and changes nothing; a copy missing a
    datapoint shows it as missing there, and Home fits both panes."""
    from PySide6.QtWidgets import QFileDialog

    w = open_window(samples["datapoint"])
    file_menu = w.menuBar().actions()[0].menu().actions()
    action = next(a for a in file_menu if a.text() == "Compare with…")
    assert file_menu[-2].isSeparator() and file_menu[-1].text() == "Quit"  # Quit last, set apart
    empty = tmp_path / "empty"
    empty.mkdir()
    chosen = [str(empty)]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: chosen[0])
    messages: list[str] = []
    w.statusBar().messageChanged.connect(messages.append)
    action.trigger()
    qtbot.waitUntil(lambda: any("Could not open the dataset to compare with" in m for m in messages), timeout=20000)
    assert w.compare.mode == "modalities" and not w.compare.buttons["side"].isEnabled()

    b = str(tmp_path / "B")
    plant(samples["datapoint"], b, which=("deleted",))
    chosen[0] = b
    action.trigger()
    qtbot.waitUntil(lambda: w.compare.other.dataset is not None and w.compare.buttons["side"].isEnabled(),
                    timeout=20000)
    assert w.compare.mode == "side"
    first, second = w.compare.panes[:2]
    deleted = next(dp for dp in w.session.order if _rel(dp).startswith("datapoint_00003"))
    with qtbot.waitSignal(w.session.shown, timeout=20000):  # a click in the main tree
        w.tree.view.setCurrentIndex(w.tree.model.index_for(deleted))
    qtbot.waitUntil(lambda: second.canvas.message == f"Not in B: {_rel(deleted)}", timeout=10000)
    assert first.canvas.message == ""
    first.canvas.view.scaleBy((0.3, 0.3))
    qtbot.keyClick(w, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: first.canvas.view.viewRect().width() >= 256, timeout=5000)
