"""The real main window on generated samples: tree, keys, canvas pixels, legend, hover, probe, export."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, QPointF, Qt
from PySide6.QtWidgets import QCheckBox

import dgviewer
from dgviewer.app.tree_model import DATAPOINT_ROLE

from .conftest import press_and_wait


def _children(model, parent=QModelIndex()):
    while model.canFetchMore(parent):
        model.fetchMore(parent)
    return [model.index(r, 0, parent) for r in range(model.rowCount(parent))]


def test_tree_contents_and_counts(open_window, samples):
    ds = dgviewer.load(samples["scene"])
    w = open_window(samples["scene"])
    model = w.tree.model
    (root,) = _children(model)
    assert root.data() == ds.scenes[0].dataset_name
    assert root.siblingAtColumn(1).data() == str(len(ds))
    scenes = _children(model, root)
    assert [s.data() for s in scenes] == [s.name for s in ds.scenes]
    for s_idx, scene in zip(scenes, ds.scenes):
        assert s_idx.siblingAtColumn(1).data() == str(len(scene))
        cams = _children(model, s_idx)
        assert [c.data() for c in cams] == [c.name for c in scene.cameras]
        for c_idx, cam in zip(cams, scene.cameras):
            assert c_idx.siblingAtColumn(1).data() == str(len(cam))
            dps = _children(model, c_idx)
            assert [d.data(DATAPOINT_ROLE).id for d in dps] == [dp.id for dp in cam]
            assert [d.data() for d in dps] == [dp.name for dp in cam]
            badges = dps[0].siblingAtColumn(1).data()
            assert badges and len(badges.split()) == len(cam[0].modalities)
    assert "datapoints" in w.tree.summary.text()


def test_filter_by_metadata(open_window, samples, qtbot):
    ds = dgviewer.load(samples["scene"])
    w = open_window(samples["scene"])
    cam_name = ds.scenes[0].cameras[-1].name
    w.tree.filter.setText(f"camera={cam_name}")
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.apply_filter()
    assert w.session.order and all(dp.camera_node.name == cam_name for dp in w.session.order)
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.filter.setText("")
    assert len(w.session.order) == len(ds)


def test_keys_switch_datapoint_modality_and_camera(open_window, samples, qtbot):
    ds = dgviewer.load(samples["scene"])
    w = open_window(samples["scene"])
    assert w.session.cur.dp.id == ds[0].id
    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    assert w.session.cur.dp.id == ds[1].id
    assert w.tree.view.currentIndex().data(DATAPOINT_ROLE) is w.session.cur.dp
    press_and_wait(qtbot, w, Qt.Key.Key_Left)
    assert w.session.cur.dp.id == ds[0].id
    if "depth" in ds[0].modalities:
        press_and_wait(qtbot, w, Qt.Key.Key_3)
        assert w.session.cur.modality(w.session.view.modality) == "depth"
        assert w.canvas.image.image.dtype == np.float32
        assert w.bar.depth_box.isVisible()
        press_and_wait(qtbot, w, Qt.Key.Key_1)
    cams = ds.cameras
    if len(cams) > 1:
        press_and_wait(qtbot, w, Qt.Key.Key_PageDown)
        assert w.session.cur.dp.id == cams[1][0].id


def _visible_standard(w):
    item = w.canvas.overlay_items["standard"]
    (g,) = item.layer.points
    h, wd = w.canvas.image_shape
    inside = (g.xy[:, 0] >= 0) & (g.xy[:, 0] < wd) & (g.xy[:, 1] >= 0) & (g.xy[:, 1] < h)
    return g, np.flatnonzero(g.visible & inside)


def test_landmark_pixels_on_canvas(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    assert w.session.view.style("standard").visible and w.session.view.style("gaze").visible  # the review defaults
    w.session.toggle_layers(("gaze",))  # alone on top, so every marker centre must show the layer colour
    g, idx = _visible_standard(w)
    assert len(idx) > 20
    w.canvas.glw.viewport().repaint()
    shot = w.canvas.glw.grab().toImage()
    color = w.session.view.style("standard").color
    for i in idx:
        p = w.canvas.view_to_widget(*g.xy[i])
        c = shot.pixelColor(p)
        assert (c.red(), c.green(), c.blue()) == pytest.approx(color, abs=40), (i, g.xy[i])


def test_legend_equals_metadata_classes(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    press_and_wait(qtbot, w, Qt.Key.Key_5)  # segmentation
    legend = w.session.cur.dp.annotations().legend("segmentation")
    assert legend is not None
    assert w.legend.entries() == [c.name for c in legend.classes]
    meta = w.session.cur.dp.metadata()["segmentation_classes"]

    def leaves(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict) and set(v) >= {"R", "G", "B"}:
                yield prefix + k, (v["R"], v["G"], v["B"])
            elif isinstance(v, dict):
                yield from leaves(v, prefix + k + ".")

    assert dict(leaves(meta)) == {c.name: tuple(c.color) for c in legend.classes}
    # Hiding a class blacks it out on the segmentation view.
    seg = w.session.cur.images["segmentation"]
    k = int(np.argmax(seg.class_counts[:-1]))
    name = legend.classes[k].name
    w.legend.tree.topLevelItem(k).setCheckState(0, Qt.CheckState.Unchecked)
    assert name in w.session.view.hidden_classes
    w.canvas.image.render()
    r, c = np.argwhere(seg.labels == k)[0]
    assert w.canvas.image.qimage.pixelColor(int(c), int(r)).getRgb()[:3] == (0, 0, 0)


def _hover(w, col, row):
    """The mouse over image point (col, row), as the scene reports it (QTest moves are rate-limited)."""
    w.canvas.glw.scene().sigMouseMoved.emit(w.canvas.view.mapViewToScene(QPointF(col, row)))


def test_hover_card_and_probe(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    qtbot.waitUntil(lambda: len(w.session.cur.images) == len(w.session.cur.dp.modalities), timeout=20000)
    g, idx = _visible_standard(w)
    i = int(idx[len(idx) // 2])
    _hover(w, *g.xy[i])
    assert w.canvas.card.isVisible()
    text = w.canvas.card.text()
    assert g.source.name in text and f"#{i}" in text and f"label {g.source.labels[i]}" in text
    assert f"col {g.xy[i, 0]:.2f}, row {g.xy[i, 1]:.2f}" in text
    assert "3D" in text
    # The probe names the true stored values of the pixel under the cursor.
    probe = w.probe.text()
    col, row = (int(v.split()[1]) for v in probe.split("   ")[0].split(", "))
    assert abs(col - g.xy[i, 0]) < 2 and abs(row - g.xy[i, 1]) < 2
    for m in w.session.cur.dp.modalities:
        if m == "hdri":  # an environment map, not registered to the camera image
            continue
        raw = w.session.cur.dp.read(m)
        v = raw[row, col]
        if m == "depth":
            assert (f"{v:.4f} m" if np.isfinite(v) else "background") in probe
        elif m in ("visible", "infrared", "segmentation"):
            assert "(" + ", ".join(str(int(x)) for x in v) + ")" in probe
    legend = w.session.cur.dp.annotations().legend("segmentation")
    if legend is not None:
        cls = legend.lookup(w.session.cur.dp.read("segmentation")[row, col])
        assert cls is not None and cls.name in probe
    _hover(w, -5.0, -5.0)
    assert not w.canvas.card.isVisible() and w.probe.text() == ""


def test_goto_landmark_highlights(open_window, samples):
    w = open_window(samples["datapoint"])
    assert w.picture.goto_landmark("31")
    hits = [it.highlight for it in w.canvas.overlay_items.values() if it.highlight]
    g, i = hits[0]
    assert g.source.labels[i] == "31"
    assert not w.picture.goto_landmark("no-such-set 9999")


def test_export_is_native_size_with_overlays(open_window, samples, tmp_path):
    w = open_window(samples["datapoint"])
    w.session.toggle_layers(("gaze",))
    img = w.picture.export_image()
    h, wd = w.canvas.image_shape
    assert (img.width(), img.height()) == (wd, h)
    g, idx = _visible_standard(w)
    color = w.session.view.style("standard").color
    for i in idx:
        c = img.pixelColor(int(g.xy[i, 0]), int(g.xy[i, 1]))
        assert (c.red(), c.green(), c.blue()) == pytest.approx(color, abs=40)
    assert img.save(str(tmp_path / "view.png"))


def test_render_annotated_without_window(qapp, samples):
    from dgviewer.app.overlays.style import default_style
    from dgviewer.app.render import render_annotated

    ds = dgviewer.load(samples["datapoint"])
    dp = ds[0]
    m = "visible" if "visible" in dp.modalities else dp.modalities[0]
    seg = {"segmentation": default_style(ds.layers["segmentation"]).with_(visible=True)}
    raw = dp.read(m)
    img = render_annotated(dp, m, seg, legend=False)
    assert (img.height(), img.width()) == raw.shape[:2]
    with_legend = render_annotated(dp, m, seg)  # the legend widens it; the picture keeps its size and place
    assert with_legend.height() >= raw.shape[0] and with_legend.width() > raw.shape[1]
    assert with_legend.copy(0, 0, raw.shape[1], raw.shape[0]) == img


def test_layers_and_inspector_follow_at_shown(open_window, samples, tmp_path, qtbot):
    """Faces → HIC changes the set of layers: rows re-layout at once, no stale row paints over a new one,
    and the inspector names the shown datapoint when `shown` is emitted (what --screenshot captures)."""
    from dgviewer.samples import write_sample

    hic = str(tmp_path / "hic")
    write_sample(hic, variant="hic", size=128, seed=0)
    w = open_window(samples["datapoint"], hic)
    target = next(dp for dp in w.session.dataset if dp.id.startswith("hic/"))
    faces_rows = set(w.layers.rows)
    seen = {}

    def at_shown(dp_id):
        checks = [c for c in w.layers.findChildren(QCheckBox) if c.isVisible() and c.text() != "#"]
        seen["rows"] = {c.text(): c.geometry() for c in checks}
        seen["title"] = w.inspector.title.text()

    w.session.shown.connect(at_shown)
    if w.session._settle_timer.isActive():  # a switch within a burst (a held key) leaves the inspector debounced
        qtbot.waitSignal(w.session._settle_timer.timeout, timeout=5000).wait()
    with qtbot.waitSignal(w.session.shown, timeout=20000):
        w.session.show_datapoint(target)
    assert set(w.layers.rows) != faces_rows and set(seen["rows"]) == set(w.layers.rows)
    rects = sorted(seen["rows"].values(), key=lambda r: r.top())
    assert all(a.bottom() < b.top() for a, b in zip(rects, rects[1:]))  # one row per line, none overlapping
    assert target.id in seen["title"]


def test_depth_range_edits_and_auto_go_through_the_view_state(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    if "depth" not in w.session.cur.dp.modalities:
        pytest.skip("no depth in this sample")
    press_and_wait(qtbot, w, Qt.Key.Key_3)
    img = w.session.cur.images["depth"]
    lo, hi = img.levels
    assert (w.bar.depth_lo.value(), w.bar.depth_hi.value()) == pytest.approx((lo, hi), abs=2e-3)
    w.bar.depth_hi.setValue(hi + 1.0)  # the user's range goes to the view state and recolours the image
    assert w.session.view.depth_levels == pytest.approx((lo, hi + 1.0), abs=2e-3)
    assert w.canvas.image.levels == pytest.approx((lo, hi + 1.0), abs=2e-3)
    qtbot.keyClick(w, Qt.Key.Key_A)  # auto: the image's own range, shown in the boxes again
    assert w.session.view.depth_levels is None
    assert (w.bar.depth_lo.value(), w.bar.depth_hi.value()) == pytest.approx((lo, hi), abs=2e-3)


def test_probe_follows_the_datapoint_without_a_mouse_move(open_window, samples, qtbot):
    from dgviewer.app.probe import probe_text, probe_values

    w = open_window(samples["datapoint"])
    s = w.session
    _hover(w, 100.5, 120.5)
    assert w.probe.text().startswith("col 100, row 120")
    press_and_wait(qtbot, w, Qt.Key.Key_Right)

    def current() -> str:
        return probe_text(100.5, 120.5, probe_values(s.cur.images, s.cur.legends(), 100.5, 120.5))

    qtbot.waitUntil(lambda: len(s.cur.images) == len(s.cur.dp.modalities), timeout=20000)
    qtbot.waitUntil(lambda: w.probe.text() == current(), timeout=5000)


def test_inspector_opens_rows_on_demand_and_its_search_finds_nested_keys(open_window, samples, qtbot):
    """The inspector makes a row's children when it is opened (a datapoint's metadata is hundreds of rows, built on
    every step before); a search still looks at every row, opening the path to each hit."""
    w = open_window(samples["datapoint"])
    tree, meta = w.inspector.tree, w.session.cur.ann.metadata
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == len(meta))
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    actor = rows["actor"]
    assert actor.text(1) == f"{{{len(meta['actor'])}}}" and actor.childCount() == 0 and not actor.isExpanded()
    actor.setExpanded(True)  # as a click on its arrow
    kids = {actor.child(i).text(0): actor.child(i) for i in range(actor.childCount())}
    assert list(kids) == list(meta["actor"])
    gaze = kids["eye_gaze"]
    assert gaze.childCount() == 0 and gaze.text(1) == f"{{{len(meta['actor']['eye_gaze'])}}}"
    actor.setExpanded(False)
    actor.setExpanded(True)
    assert actor.childCount() == len(meta["actor"])  # made once

    w.inspector.search.setText("optical_axis")  # four levels under "actor", in rows never opened
    eyes = gaze
    for key in ("axis_directions", "right_eye", "axis_directions"):
        assert eyes.isExpanded() and not eyes.isHidden()
        eyes = next(eyes.child(i) for i in range(eyes.childCount()) if eyes.child(i).text(0) == key)
    hit = next(eyes.child(i) for i in range(eyes.childCount()) if eyes.child(i).text(0) == "optical_axis_direction")
    right = meta["actor"]["eye_gaze"]["axis_directions"]["right_eye"]["axis_directions"]
    x = hit.child(0)
    assert not hit.isHidden() and (x.text(0), x.text(1)) == ("x", str(right["optical_axis_direction"]["x"]))
    assert rows["request"].isHidden() and rows["camera"].isHidden()  # no hit under them
    assert w.inspector.no_match.isHidden()
    w.inspector.search.setText("no-such-key")  # every row hidden: the panel says why
    assert all(tree.topLevelItem(i).isHidden() for i in range(tree.topLevelItemCount()))
    assert not w.inspector.no_match.isHidden() and "no-such-key" in w.inspector.no_match.text()
    w.inspector.search.clear()  # back as the datapoint first showed: every row, none of the search's paths open
    assert w.inspector.no_match.isHidden()
    assert not rows["request"].isHidden() and not rows["actor"].isExpanded() and not gaze.isExpanded()
