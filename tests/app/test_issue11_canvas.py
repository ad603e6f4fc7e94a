"""Issue #11, what the canvas and its panels show: readable legend and QA rows, swatch colours, label
clusters, the depth colorbar, the gaze ray key, box labels and cards, and the card leaving with the mouse."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QHeaderView

from dgviewer.app.colorbar import metres
from dgviewer.app.overlays.labels import LABEL_CELL_PX, label_spots
from dgviewer.app.overlays.paint import RAY_LOOK
from dgviewer.core.display import class_rgb8, colormap_lut
from dgviewer.qa import ERROR, Finding

from .conftest import press_and_wait


def _hover(w, col, row):
    w.canvas.glw.scene().sigMouseMoved.emit(w.canvas.view.mapViewToScene(QPointF(col, row)))


def _close(rgb, want, tol=40) -> bool:
    return all(abs(int(a) - int(b)) <= tol for a, b in zip(rgb, want))


def test_legend_names_get_the_room_elided_in_the_middle(open_window, samples, qtbot):
    w = open_window(samples["perception"])
    w.legend_dock.raise_()
    qtbot.waitUntil(lambda: w.legend.tree.topLevelItemCount() > 0 and w.legend.isVisible(), timeout=10000)
    tree = w.legend.tree
    header = tree.header()
    assert tree.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    assert header.sectionResizeMode(1) == QHeaderView.ResizeMode.ResizeToContents  # the counts, as wide as they are
    qtbot.waitUntil(lambda: header.sectionSize(0) >= tree.viewport().width() - header.sectionSize(1) - 1,
                    timeout=5000)
    assert header.sectionSize(0) > tree.viewport().width() // 2
    for i, c in enumerate(w.legend.legend.classes):
        item = tree.topLevelItem(i)
        assert item.toolTip(0) == f"{c.name}\nstored colour {tuple(c.color)}"


def test_qa_rows_show_what_tells_ids_apart(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    w.qa_dock.show()
    w.qa.table.resize(1000, 300)
    ids = [dp.id for dp in w.session.order]
    w.qa._fill([Finding(ERROR, "reprojection", i, "a point is off") for i in ids])
    table = w.qa.table
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
    fm = QFontMetrics(table.font())
    widest = max(fm.horizontalAdvance(i) for i in ids)
    assert table.columnWidth(2) >= widest  # room enough: the whole id shows
    for r in range(table.topLevelItemCount()):
        item = table.topLevelItem(r)
        assert item.toolTip(2) == item.text(2) and item.text(2) in ids
    w.qa.resize(300, 300)  # narrow: the id column leaves the message room, and elides in the middle
    assert table.columnWidth(2) < widest
    shown = fm.elidedText(ids[0], Qt.TextElideMode.ElideMiddle, table.columnWidth(2))
    assert shown.endswith(ids[0][-3:]) and "…" in shown


def test_legend_swatches_have_their_colours_at_the_first_paint(open_window, samples, qtbot):
    """RGBA 8-bit Perception legends: the swatches are right before the segmentation image arrives."""
    w = open_window(samples["perception"])
    lg = w.legend.legend
    assert lg is not None
    seg = w.session.cur.images.get(lg.modality)
    w.legend.set_legend(None, None)
    w.legend.set_legend(lg, None)  # listed as on real data, where the segmentation image comes later

    def swatches():
        return [w.legend.tree.topLevelItem(i).icon(0).pixmap(14, 14).toImage().pixelColor(7, 7).getRgb()[:3]
                for i in range(len(lg.classes))]

    assert swatches() == [class_rgb8(c.color, "uint8") for c in lg.classes]
    if seg is not None:  # and once it is in, read as the image's type
        w.legend.set_legend(lg, seg)
        assert swatches() == [class_rgb8(c.color, seg.raw.dtype) for c in lg.classes]
    assert any(sum(class_rgb8(c.color, "uint8")) > 0 for c in lg.classes)  # not all black by chance


def test_labels_of_points_at_one_spot_share_one_label():
    xy = np.array([[100.0, 100.0], [101.0, 100.5], [102.0, 99.0], [100.5, 101.0], [200.0, 50.0], [np.nan, 1.0]])
    labels = ["a", "b", "c", "d", "e", "f"]
    width = lambda text: 6.0 * len(text)  # noqa: E731
    assert sorted(label_spots(xy, labels, width)) == [(0, "a +3"), (4, "e")]
    # Zoomed in (device positions spread out), every point has its own label again.
    assert sorted(label_spots(xy * 40, labels, width)) == [(i, labels[i]) for i in range(5)]
    # A long label is not drawn over by the next point's, 20 px to its right (that one is left out).
    long = ["left_eye.apex_of_cornea", "left_eye.center_of_rotation"]
    assert label_spots(np.array([[100.0, 100.0], [120.0, 104.0]]), long, width) == [(0, long[0])]
    assert len(label_spots(np.array([[100.0, 100.0], [300.0, 104.0]]), long, width)) == 2


def test_eye_labels_on_the_real_window_do_not_pile_up(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    w.session.view.set_style("eyes", visible=True)
    qtbot.keyClick(w, Qt.Key.Key_I)
    assert w.session.view.style("eyes").labels
    item = w.canvas.overlay_items["eyes"]
    font = QFont()
    font.setPixelSize(10)
    fm = QFontMetrics(font)
    for g in item.layer.points:
        dev = np.array([[p.x(), p.y()] for p in (w.canvas.view_to_widget(*xy) for xy in np.nan_to_num(g.xy))],
                       float)
        spots = label_spots(dev, g.source.labels, fm.horizontalAdvance)
        assert 0 < len(spots) < len(dev)  # several eye points at one spot: fewer labels than points
        rects = [(dev[i, 0], dev[i, 1] - LABEL_CELL_PX, dev[i, 0] + fm.horizontalAdvance(g.source.labels[i]), dev[i, 1])
                 for i, _ in spots]
        for a in range(len(rects)):  # no drawn label covers another
            for b in range(a + 1, len(rects)):
                ra, rb = rects[a], rects[b]
                assert not (ra[0] < rb[2] and rb[0] < ra[2] and ra[1] < rb[3] and rb[1] < ra[3])


def test_depth_colorbar_follows_range_and_colormap(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    bar = w.canvas.colorbar
    assert not bar.isVisible()
    press_and_wait(qtbot, w, Qt.Key.Key_3)
    img = w.session.cur.images["depth"]
    assert bar.isVisible() and bar.geometry().left() >= w.canvas.glw.geometry().right()  # beside, not over
    assert bar.labels()[0] == metres(img.levels[0]) and bar.labels()[-1] == metres(img.levels[1])
    w.session.view.depth_levels = (0.5, 2.0)
    assert bar.labels()[0] == "0.5 m" and bar.labels()[-1] == "2 m"
    for cmap in ("gray", "turbo"):
        w.session.view.depth_colormap = cmap
        shot = bar.grab().toImage()
        r = bar.bar_rect()
        top = shot.pixelColor(int(r.center().x()), int(r.top()) + 1).getRgb()[:3]
        bottom = shot.pixelColor(int(r.center().x()), int(r.bottom()) - 1).getRgb()[:3]
        lut = colormap_lut(cmap)
        assert _close(top, lut[255][:3]) and _close(bottom, lut[0][:3]), (cmap, top, bottom)
    press_and_wait(qtbot, w, Qt.Key.Key_1)
    assert not bar.isVisible()


def test_gaze_rays_are_told_apart_and_explained(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    w.session.view.set_style("gaze", visible=True)
    kinds = {r.kind for r in w.session.cur.ann.layers["gaze"].rays}
    assert kinds == {"visual", "optical"}
    key = w.layers.ray_key
    assert key.isVisible() and "visual axis" in key.text() and "optical axis" in key.text()
    assert "optical axis" in w.layers.rows["gaze"].check.toolTip()
    img = w.picture.export_image()
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)[..., 2::-1]
    optical = np.array(RAY_LOOK["optical"][0])
    visual = np.array(w.session.view.style("gaze").color)
    assert (np.abs(arr.astype(int) - optical).max(axis=2) < 30).sum() > 5  # each kind in its own colour
    assert (np.abs(arr.astype(int) - visual).max(axis=2) < 30).sum() > 5


def test_box_labels_follow_the_labels_key_and_boxes_have_a_card(open_window, samples, qtbot):
    w = open_window(samples["perception"])
    view = w.session.view
    assert view.style("boxes").labels  # Perception boxes name their class by default
    on = w.picture.export_image()
    qtbot.keyClick(w, Qt.Key.Key_I)
    assert not view.style("boxes").labels
    off = w.picture.export_image()
    assert on != off  # the class names went
    qtbot.keyClick(w, Qt.Key.Key_I)
    assert view.style("boxes").labels
    boxes = w.session.cur.ann.layers["boxes"].boxes
    box = min(boxes, key=lambda b: (b.x1 - b.x0) * (b.y1 - b.y0))
    spot = next(((c, r) for c in np.arange(box.x0 + 1, box.x1, 2.0) for r in np.arange(box.y0 + 1, box.y1, 2.0)
                 if w.canvas.point_at(c, r) is None), None)
    assert spot is not None
    _hover(w, *spot)
    assert w.canvas.card.isVisible()
    text = w.canvas.card.text()
    assert box.label in text and f"instance {box.instance_id}" in text
    assert f"x0 {box.x0:.1f}, y0 {box.y0:.1f}" in text and f"x1 {box.x1:.1f}, y1 {box.y1:.1f}" in text


def test_card_goes_when_the_mouse_leaves_the_canvas(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    item = w.canvas.overlay_items["standard"]
    g = item.layer.points[0]
    i = int(np.flatnonzero(np.isfinite(g.xy).all(axis=1) & g.visible)[0])
    _hover(w, *g.xy[i])
    assert w.canvas.card.isVisible()
    QApplication.sendEvent(w.canvas.glw, QEvent(QEvent.Type.Leave))
    assert not w.canvas.card.isVisible()
