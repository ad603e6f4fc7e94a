"""Streaming open in the real window: the first datapoint is drawn and the tree partly filled while the
listing is held part-way (the gated test reader); then it completes with the right counts; a filter
typed meanwhile applies to what arrives; opening another dataset mid-listing stops the first one."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget

import dgviewer
from dgviewer.formats import registry
from dgviewer.app import listing
from dgviewer.app.tree_groups import Groups
from dgviewer.app.tree_model import DATAPOINT_ROLE
from tests.plugins.gated import PER_SCENE, SIZE, GatedReader, write_gated

SCENES, FREE = 40, 3


@pytest.fixture
def gated(tmp_path):
    registry.register(GatedReader)
    GatedReader.gate.clear()
    yield write_gated(str(tmp_path / "g"), SCENES, FREE)
    GatedReader.gate.set()  # a listing still held must end before the window's threads are checked
    registry.unregister(GatedReader)


def _rows(model, parent=QModelIndex()) -> list[tuple[str, str]]:
    return [(model.index(r, 0, parent).data(), model.index(r, 1, parent).data()) for r in range(model.rowCount(parent))]


def test_first_datapoint_drawn_and_tree_growing_while_listing(open_window, gated, qtbot):
    w = open_window(gated, listed=False)
    s, model = w.session, w.tree.model
    assert s.cur.dp.id == "g/scene_000/cam/frame_0" and not s.dataset.complete and s.is_listing
    assert w.canvas.image.image is not None and w.canvas.image.image.shape[:2] == (SIZE, SIZE)
    qtbot.waitUntil(lambda: len(s.order) == FREE * PER_SCENE, timeout=10000)
    top = model.index(0, 0)
    assert _rows(model) == [("g", str(FREE * PER_SCENE))]
    assert _rows(model, top) == [(f"scene_{i:03d}", str(PER_SCENE)) for i in range(FREE)]
    assert w.tree.summary.text() == "Listing…"  # no count while listing: the rows and the bar count
    qtbot.waitUntil(lambda: w.review.progress.text() == f"0 / {FREE * PER_SCENE} reviewed")  # the review's count too
    bar = w.status_line.listing
    assert bar.isVisible() and (bar.value(), bar.maximum()) == (FREE, SCENES)

    w.tree.filter.setText("scene=scene_001,scene_007")  # typed while the listing is held
    with qtbot.waitSignal(s.filter_changed, timeout=10000):  # filters run off the GUI thread
        w.tree.apply_filter()
    assert [dp.id for dp in s.order] == ["g/scene_001/cam/frame_0", "g/scene_001/cam/frame_1"]
    assert w.tree.summary.text() == "Listing… (filtered as it arrives)"
    assert s.cur.dp.id == "g/scene_001/cam/frame_0"

    changed = []  # counts repainted (throttled while listing): the last ones once it is listed
    model.dataChanged.connect(lambda a, _b: changed.append((a.row(), a.column(), a.parent().isValid())))
    GatedReader.gate.set()
    qtbot.waitUntil(lambda: not s.is_listing, timeout=20000)
    assert (0, 1, False) in changed  # the dataset folder's count
    assert w.status_line.position.text().endswith(" 1 / 4")  # the counts written twice a second: the last one too
    assert s.dataset.complete and len(s.dataset) == SCENES * PER_SCENE and not bar.isVisible()
    assert _rows(model, model.index(0, 0)) == [("scene_001", "2"), ("scene_007", "2")]  # the filter took arrivals
    w.tree.filter.clear()  # back to everything: every scene listed, counted
    qtbot.waitUntil(lambda: len(s.order) == SCENES * PER_SCENE)
    assert _rows(model) == [("g", str(SCENES * PER_SCENE))] and len(_rows(model, model.index(0, 0))) == SCENES
    assert w.tree.summary.text() == f"{SCENES * PER_SCENE} datapoints"
    s.step(SCENES * PER_SCENE)  # to the last one, listed after the window opened
    last = f"g/scene_{SCENES - 1:03d}/cam/frame_1"
    qtbot.waitUntil(lambda: getattr(w.tree.view.currentIndex().data(DATAPOINT_ROLE), "id", None) == last)
    assert s.cur.dp.id == last and w.tree.view.currentIndex().parent().parent().data() == f"scene_{SCENES - 1:03d}"


def test_opening_another_dataset_mid_listing_stops_the_first(open_window, gated, samples, qtbot):
    start = GatedReader.listed
    w = open_window(gated, listed=False)
    first = w.session.dataset
    assert not first.complete
    with qtbot.waitSignal(w.session.shown, timeout=20000):  # not queued behind the held listing
        w.open_paths([samples["datapoint"]])
    other = dgviewer.load(samples["datapoint"]).wait()
    assert w.session.dataset is not first and w.session.cur.dp.id == other[0].id
    GatedReader.gate.set()
    qtbot.waitUntil(lambda: w.session.loader.list_pool.activeThreadCount() == 0, timeout=20000)
    assert GatedReader.listed - start < SCENES  # stopped part-way, not listed to the end
    qtbot.waitUntil(lambda: first.indexed == 0)  # then released: emptied, its nodes freed by reference counting
    qtbot.waitUntil(lambda: not w.session.is_listing)
    assert _rows(w.tree.model) == [("datapoint", str(len(other)))]
    assert w.tree.summary.text() == f"{len(other)} datapoints"


def test_the_window_keeps_its_layout_while_bars_and_counts_come_and_go(open_window, gated, qtbot):
    """A listing ends, the tree's bar shows and hides, decisions are counted, the position's count grows: the docks,
    the canvas and the tree stay where they were. A text or bar changing size laid the window out again: its docks
    moved (the tree dock narrowed ~20 px when a 100k listing ended) and every expanded tree row was laid out and
    painted again (30-70 ms of the GUI thread)."""
    w = open_window(gated, listed=False)
    s = w.session
    qtbot.waitUntil(lambda: len(s.order) == FREE * PER_SCENE)
    watched = [w.canvas, w.tree.view, w.review] + [d for d in w.findChildren(QDockWidget) if d.isVisible()]
    resized = []

    class Resizes(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Resize:
                resized.append((obj.objectName() or type(obj).__name__, event.oldSize(), event.size()))
            return False

    QApplication.processEvents()  # the layout of the first datapoint's docks settles
    spy = Resizes()
    for widget in watched:
        widget.installEventFilter(spy)
    minimum = w.minimumSizeHint()

    w.tree.progress.show()  # as while a filter waits for the facts index
    QApplication.processEvents()
    w.tree.progress.hide()
    GatedReader.gate.set()
    qtbot.waitUntil(lambda: not s.is_listing, timeout=20000)
    assert w.status_line.position.text().endswith(f" 1 / {SCENES * PER_SCENE}")
    for _ in range(3):  # "3 / 80 reviewed   ✓3": longer with each decision
        with qtbot.waitSignal(s.shown, timeout=10000):
            qtbot.keyClick(w, Qt.Key.Key_P)
            s.step(1)
    assert w.review.progress.text().startswith(f"3 / {SCENES * PER_SCENE} reviewed")
    QApplication.processEvents()
    assert resized == [] and w.minimumSizeHint() == minimum


def test_a_big_datasets_listing_waits_for_its_first_datapoint_drawn(open_window, gated, qtbot, monkeypatch):
    """Past GRACE_SCENES the first datapoint shows before the listing thread starts (it competed with the GUI
    thread while that datapoint was decoded and painted: 0.4-0.5 s of a 1M open); then the rest is listed."""
    monkeypatch.setattr(listing, "GRACE_SCENES", SCENES // 2)
    start = GatedReader.listed
    at_shown = []
    w = open_window(gated, wait=False)
    w.session.shown.connect(lambda _id: at_shown.append(GatedReader.listed - start))
    qtbot.waitUntil(lambda: bool(at_shown), timeout=20000)
    assert at_shown[0] == 1  # the scene the open listed to show it
    assert w.session.cur.dp.id == "g/scene_000/cam/frame_0" and w.canvas.image.image is not None
    qtbot.waitUntil(lambda: len(w.session.order) == FREE * PER_SCENE, timeout=10000)  # then the listing runs
    GatedReader.gate.set()
    qtbot.waitUntil(lambda: not w.session.is_listing, timeout=20000)
    assert len(w.session.order) == SCENES * PER_SCENE


def test_a_filters_rows_are_grouped_by_its_worker_and_opened_as_they_come_into_view(open_window, gated, qtbot,
                                                                                    monkeypatch):
    """A filter keeping many datapoints: its worker groups them into the tree's rows (150-250 ms of the GUI thread
    at 100k when the tree did), and the tree opens the scenes in view, and more as they are scrolled to (opening a
    dataset's first 500 scenes held the GUI thread 100 ms). A scene the user closed stays closed."""
    GatedReader.gate.set()
    w = open_window(gated)
    s, model, view = w.session, w.tree.model, w.tree.view
    assert len(s.order) == SCENES * PER_SCENE
    gui, grouped = threading.get_ident(), []
    extend = Groups.extend

    def spy(groups, stop):
        grouped.append((threading.get_ident() == gui, stop - groups.n))
        extend(groups, stop)

    monkeypatch.setattr(Groups, "extend", spy)
    w.resize(w.width(), 500)  # a short tree: its last scenes are two screens below
    QApplication.processEvents()
    for text, position in (("scene=scene_003", "1 / 2"), ("", f"7 / {SCENES * PER_SCENE}")):
        w.tree.filter.setText(text)  # one scene, then every one again: the same datapoint stays current
        with qtbot.waitSignal(s.filter_changed, timeout=10000):
            w.tree.apply_filter()
        qtbot.waitUntil(lambda: w.status_line.position.text().endswith(f" {position}"))
    assert (False, SCENES * PER_SCENE) in grouped  # the worker grouped them
    assert sum(n for on_gui, n in grouped if on_gui) == 0  # the GUI thread none
    assert view.currentIndex().data(DATAPOINT_ROLE) is s.cur.dp and s.cur.dp.id == "g/scene_003/cam/frame_0"
    top = model.index(0, 0)
    scenes = [model.index(r, 0, top) for r in range(model.rowCount(top))]
    assert len(scenes) == SCENES and [i.data() for i in scenes[:2]] == ["scene_000", "scene_001"]
    view.scrollToTop()
    qtbot.waitUntil(lambda: view.isExpanded(scenes[0]) and view.isExpanded(scenes[3]))
    cam = model.index(0, 0, scenes[0])
    assert cam.data() == "cam" and view.visualRect(cam).isValid()  # laid out: shown under its open scene
    assert not view.isExpanded(scenes[-1])  # far below: not opened yet
    view.collapse(scenes[1])  # the user closes one
    view.scrollToBottom()
    qtbot.waitUntil(lambda: view.isExpanded(scenes[-1]))
    view.scrollToBottom()  # the end moved down as the last scenes opened
    QApplication.processEvents()
    last = model.index(0, 0, scenes[-1])
    assert view.visualRect(last).intersects(view.viewport().rect())  # its camera row is on screen
    view.scrollToTop()
    QApplication.processEvents()
    assert not view.isExpanded(scenes[1]) and view.isExpanded(scenes[2])
