"""The thumbnail grid in the real window: toggled by its key, thumbnails drawn with the overlays where the
landmarks are, a click makes a datapoint current, Enter opens it on the canvas, filters, reviews, findings
and another dataset refill it, and it fits a laptop screen."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication

from dgviewer.app import shortcuts
from dgviewer.app.grid.panel import SCROLL_REST_MS
from dgviewer.app.review_look import LOOK
from dgviewer.app.tree_model import DATAPOINT_ROLE
from dgviewer.core import courtesy
from dgviewer.core.annotations import KeypointSet
from dgviewer.core.findings import ERROR, Finding
from dgviewer.core.review import PASS

from ..conftest import copy_tree
from ..test_background_work import waited_at_give_way

LAPTOP = (1366, 768)


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    """Thumbnails go to the user cache folder: a fresh one per test, never the real one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _show_grid(qtbot, w):
    qtbot.keyClick(w, Qt.Key.Key_T)
    assert w.grid.isVisible() and not w.canvas.isVisible() and w.grid_action.isChecked()
    return w.grid


def _wait_thumbnails(qtbot, grid, dps):
    qtbot.waitUntil(lambda: all(isinstance(grid.thumbs.get(dp), QImage) for dp in dps), timeout=20000)
    grid.view.viewport().repaint()


def _cell(grid, dp):
    """The thumbnail box of ``dp`` in the grid's viewport."""
    return grid.delegate.thumb_rect(grid.view.visualRect(grid.model.index_of(dp)))


def _shot(grid) -> QImage:
    grid.view.viewport().repaint()
    return grid.view.viewport().grab().toImage()


def _count_near(shot: QImage, rect, rgb, tol=30) -> int:
    return sum(1 for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1)
               if np.abs(np.array(shot.pixelColor(x, y).getRgb()[:3]) - rgb).max() <= tol)


def test_grid_journey(open_window, samples, qtbot, cache_home, tmp_path):
    # A copy: the review decided here is saved beside the dataset, which other tests open too.
    w = open_window(str(copy_tree(Path(samples["datapoint"]), tmp_path / "datapoint")))
    s = w.session
    assert "<code>T</code></td><td>Thumbnail grid" in shortcuts.help_html(s.view.layers)
    assert w.findChild(QAction, "grid") in w.menuBar().actions()[2].menu().actions()  # View ▸ Thumbnail grid
    s.toggle_layers(("gaze",))  # the landmarks alone on top, large enough to show at thumbnail size
    s.view.set_style("standard", marker_size=16)
    grid = _show_grid(qtbot, w)
    order = s.order
    _wait_thumbnails(qtbot, grid, order)
    assert grid.model.columns >= 2 and grid.model.rowCount() == -(-len(order) // grid.model.columns)
    assert len(os.listdir(cache_home / "dgviewer" / "thumbnails")) > 0  # also kept on disk

    # The landmarks, scaled to the thumbnail, are drawn in the layer's colour where they fall.
    dp = order[2]
    shot, box = _shot(grid), _cell(grid, dp)
    (points,) = [k for k in dp.annotations().of_type(KeypointSet) if k.layer == "standard"]
    h, wd = dp.read("visible").shape[:2]
    scale = grid.thumbs.get(dp).width() / wd
    xy = np.asarray(points.xy)[np.asarray(points.visible, bool)]
    xy = xy[(xy[:, 0] > 0) & (xy[:, 0] < wd) & (xy[:, 1] > 0) & (xy[:, 1] < h)]
    assert len(xy) > 20
    colour = np.array(s.view.style("standard").color)
    hits = [np.abs(np.array(shot.pixelColor(box.left() + int(x * scale), box.top() + int(y * scale)).getRgb()[:3])
                   - colour).max() <= 40 for x, y in xy]
    assert np.mean(hits) > 0.9, np.mean(hits)

    # A click makes the datapoint current: the canvas (behind) and the tree follow; the grid stays.
    target = order[3]
    with qtbot.waitSignal(s.shown, timeout=20000):
        qtbot.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton, pos=_cell(grid, target).center())
    assert s.cur.dp is target and grid.isVisible()
    assert w.tree.view.currentIndex().data(DATAPOINT_ROLE) is target

    # A decision shows as its badge on the thumbnail; a QA finding as a red count.
    badge = grid.delegate.review_badge_rect(grid.view.visualRect(grid.model.index_of(target)))
    green = np.array(LOOK[PASS][1].getRgb()[:3])
    assert _count_near(_shot(grid), badge, green) < 10
    qtbot.keyClick(grid.view, Qt.Key.Key_P)
    assert s.data.reviews.state(target.id) == PASS
    assert _count_near(_shot(grid), badge, green) > 100
    s.set_findings(s.dataset, {target.id: [Finding(ERROR, "landmark-nan", target.id, "NaN")] * 3})
    counted = grid.delegate.findings_badge_rect(grid.view.visualRect(grid.model.index_of(target)), "3")
    assert _count_near(_shot(grid), counted, (215, 70, 60)) > 100

    # Enter opens it on the canvas; T brings the grid back with it selected.
    qtbot.keyClick(grid.view, Qt.Key.Key_Return)
    assert w.canvas.isVisible() and not grid.isVisible() and not w.grid_action.isChecked()
    assert s.cur.dp is target
    _show_grid(qtbot, w)
    assert grid.model.datapoint(grid.view.currentIndex()) is target

    # A filter shrinks the grid to what passes.
    w.tree.filter.setText("review=pass")
    with qtbot.waitSignal(s.filter_changed, timeout=10000):  # filters run off the GUI thread
        w.tree.apply_filter()
    assert grid.model.rowCount() == 1 and grid.model.datapoint(grid.model.index(0, 0)) is target
    assert grid.model.datapoint(grid.model.index(0, 1)) is None and "1 of 6" in grid.summary.text()
    with qtbot.waitSignal(s.filter_changed, timeout=10000):
        w.tree.filter.setText("")
    assert grid.model.rowCount() * grid.model.columns >= len(order)

    # Another dataset: the grid stays and shows it.
    with qtbot.waitSignal(s.shown, timeout=20000):
        w.open_paths([samples["scene"]])
    qtbot.waitUntil(lambda: not s.is_listing, timeout=20000)  # the first datapoint shows while the rest is listed
    assert grid.isVisible() and not w.canvas.isVisible()
    new = s.order
    assert len(new) == 12 and grid.model.datapoint(grid.model.index(0, 0)) is new[0]
    assert all(grid.thumbs.get(dp) is None for dp in order)  # the first dataset's are gone
    first_screen = [grid.model.datapoint(grid.model.index(r, c)) for r in range(2) for c in range(grid.model.columns)]
    _wait_thumbnails(qtbot, grid, [dp for dp in first_screen if dp is not None])

    # A laptop screen: the grid keeps whole columns and its size slider stays on screen.
    w.resize(*LAPTOP)
    qtbot.waitUntil(lambda: w.width() <= LAPTOP[0] and w.height() <= LAPTOP[1], timeout=5000)
    cols = grid.view.viewport().width() // grid.delegate.cell_size().width()
    assert grid.model.columns == max(1, cols) >= 2
    slider = grid.slider.geometry().translated(grid.slider.parentWidget().mapTo(w, QPoint(0, 0)))
    assert w.rect().contains(slider)
    assert grid.view.viewport().height() > grid.delegate.cell_size().height()


def test_grid_size_scroll_and_keys(open_window, samples, qtbot):
    w = open_window(samples["scene"])
    s = w.session
    grid = _show_grid(qtbot, w)
    order = s.order
    # Ctrl+wheel makes the thumbnails smaller: more columns, thumbnails redrawn at the new size.
    before = grid.model.columns
    size = grid.delegate.size
    pos = QPointF(grid.view.viewport().rect().center())
    event = QWheelEvent(pos, grid.view.viewport().mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(grid.view.viewport(), event)
    assert grid.delegate.size < size and grid.model.columns > before
    _wait_thumbnails(qtbot, grid, order[:grid.model.columns])
    assert max(grid.thumbs.get(order[0]).width(), grid.thumbs.get(order[0]).height()) == grid.delegate.size

    # Right (the window's next key) moves the selection too; Down moves a line and makes it current.
    with qtbot.waitSignal(s.shown, timeout=20000):
        qtbot.keyClick(w, Qt.Key.Key_Right)
    assert grid.model.datapoint(grid.view.currentIndex()) is order[1] is s.cur.dp
    grid.view.setFocus()
    with qtbot.waitSignal(s.shown, timeout=20000):
        qtbot.keyClick(grid.view, Qt.Key.Key_Down)
    assert s.cur.dp is order[1 + grid.model.columns]

    # Ctrl+End goes to the last thumbnail, not past it into the empty end of the last line; a click there
    # keeps the current thumbnail (at a width that leaves the last line part-filled).
    for width in range(grid.width(), grid.width() + 400, 40):
        grid.resize(width, grid.height())
        if len(order) % grid.model.columns:
            break
    assert len(order) % grid.model.columns, "no width leaves the last line part-filled"
    with qtbot.waitSignal(s.shown, timeout=20000):
        qtbot.keyClick(grid.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert s.cur.dp is order[-1] and grid.model.datapoint(grid.view.currentIndex()) is order[-1]
    empty = grid.model.index(grid.model.rowCount() - 1, grid.model.columns - 1)
    grid.view.scrollTo(empty)
    qtbot.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton, pos=grid.view.visualRect(empty).center())
    assert s.cur.dp is order[-1] and grid.model.datapoint(grid.view.currentIndex()) is order[-1]
    assert [grid.model.datapoint(i) for i in grid.view.selectionModel().selectedIndexes()] == [order[-1]]

    # A wheel step holds background work (thumbnails being drawn, an index being built) until the grid
    # rests: a background loop giving way waits out the pause after the step.
    grid.slider.setValue(grid.slider.maximum())  # large thumbnails (new ones): more lines than the screen shows
    grid.view.scrollToTop()
    s.cache.clear()
    wheel = QWheelEvent(pos, grid.view.viewport().mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(grid.view.viewport(), wheel)
    assert grid.view.verticalScrollBar().value() > 0
    courtesy.busy(False)  # the event loop idles between two frames of a scroll: the hold alone keeps them
    assert waited_at_give_way() > SCROLL_REST_MS / 2000
    # Once it rests, the lines on screen get their thumbnails; what they decoded is not kept in the image
    # cache (used once, it would evict what the canvas decoded around the current datapoint), and the
    # canvas still decodes through it.
    first, last = grid.visible_lines()
    on_screen = grid.model.datapoints(first, last)
    _wait_thumbnails(qtbot, grid, on_screen)
    assert on_screen and not any((dp.file("visible"), "raw") in s.cache for dp in on_screen)

    with qtbot.waitSignal(s.shown, timeout=20000):
        s.navigate(on_screen[0])
    assert (on_screen[0].file("visible"), "raw") in s.cache

    # Turning an overlay off redraws the thumbnails without it.
    old = grid.thumbs.get(order[0])
    s.toggle_layers(("standard",))
    assert grid.thumbs.get(order[0]) is None
    _wait_thumbnails(qtbot, grid, order[:1])
    assert grid.thumbs.get(order[0]) != old
