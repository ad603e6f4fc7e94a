"""The headless session, driven alone: no window, no widget; its events and state are the contract panels bind to."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import dgviewer
from dgviewer.app.session import Session
from dgviewer.core.filters import FilterError
from dgviewer.core.review import sidecar_path


@pytest.fixture
def copies(samples, tmp_path) -> dict:
    """Private copies (reviews are written beside each folder)."""
    out = {}
    for variant in ("datapoint", "scene"):
        out[variant] = str(tmp_path / variant)
        shutil.copytree(samples[variant], out[variant])
    return out


@pytest.fixture
def session(qapp):
    s = Session(256 << 20)
    yield s
    s.shutdown()


class Recorder:
    """Every signal the session emitted, in order, as (name, args)."""

    NAMES = ("opening", "dataset_opened", "open_failed", "current_changed", "updated", "shown", "settled",
             "filter_changed", "reviews_changed", "findings_changed", "status")

    def __init__(self, session: Session):
        self.events: list[tuple[str, tuple]] = []
        for name in self.NAMES:
            getattr(session, name).connect(lambda *args, name=name: self.events.append((name, args)))

    def names(self) -> list[str]:
        return [n for n, _ in self.events]

    def besides_redraws(self) -> list[tuple[str, tuple]]:
        """The events other than ``updated``: a redraw a style toggle asked for may land at any later point."""
        return [e for e in self.events if e[0] != "updated"]

    def clear(self) -> None:
        self.events.clear()


def _open(qtbot, session, path):
    with qtbot.waitSignal(session.shown, timeout=20000):
        session.open([path])
    qtbot.waitUntil(lambda: not session.is_listing, timeout=60000)  # and the rest listed


def _saved(folder: str) -> dict:
    with open(sidecar_path(folder), encoding="utf-8") as f:
        return {d["id"]: d["state"] for d in map(json.loads, f.read().splitlines()[1:])}


def test_open_step_modality_review_filter_and_second_dataset(qtbot, session, copies):
    rec = Recorder(session)
    a = dgviewer.load(copies["datapoint"])
    _open(qtbot, session, copies["datapoint"])
    names = rec.names()
    assert names[0] == "opening" and "dataset_opened" in names
    assert names.index("dataset_opened") < names.index("current_changed") < names.index("shown")
    assert [dp.id for dp in session.order] == [dp.id for dp in a]
    assert session.cur.dp is session.order[0] and session.position(session.cur.dp) == 0
    assert session.cur.ann is not None and session.modality in session.cur.images
    assert set(session.view.layers) == set(session.dataset.layers)

    # step: current_changed, then shown for the next datapoint
    rec.clear()
    with qtbot.waitSignal(session.shown, timeout=20000, check_params_cb=lambda i: i == a[1].id):
        session.step(1)
    assert rec.names()[0] == "current_changed" and rec.events[0][1][0] is session.cur.dp
    assert session.cur.dp.id == a[1].id

    # modality: an evented view state; the session re-shows the datapoint in it
    other = next(m for m in session.cur.dp.modalities if m != session.modality)
    modality_events = []
    session.view.events.modality.connect(lambda new, old: modality_events.append((new, old)))
    with qtbot.waitSignal(session.shown, timeout=20000):
        assert session.set_modality(other)
    assert modality_events == [(other, "visible")] and session.modality == other and other in session.cur.images
    missing = next(m for m in dgviewer.core.model.MODALITIES if m not in session.cur.dp.modalities)
    rec.clear()
    assert not session.set_modality(missing)
    assert session.view.modality == other and [n for n, _ in rec.besides_redraws()] == ["status"]

    # layer styles are evented too; a toggle key switches a declared group
    style_events = []
    session.view.events.styles.connect(lambda new, old: style_events.append(new))
    was = session.view.style("standard").visible
    session.toggle_layers(("standard",))
    assert session.view.style("standard").visible is not was and len(style_events) == 1

    # review: saved beside the folder at once, announced with the datapoint id
    rec.clear()
    session.decide("pass")
    assert rec.besides_redraws() == [("reviews_changed", (a[1].id,))]
    assert session.current_review().state == "pass"
    assert _saved(copies["datapoint"]) == {a[1].id.split("/", 1)[1]: "pass"}

    # filter: the order follows, bad text changes nothing
    with qtbot.waitSignal(session.filter_changed, timeout=20000):
        session.set_filter("review=pass")
    assert [dp.id for dp in session.order] == [a[1].id] and rec.besides_redraws()[-1][0] == "filter_changed"
    with pytest.raises(FilterError):
        session.set_filter('bad="unclosed')
    assert [dp.id for dp in session.order] == [a[1].id]
    session.view.hidden_classes = frozenset({"hair"})
    session.view.depth_levels = (1.0, 2.0)

    # a second dataset: every per-dataset state is its own
    first = session.dataset
    session.set_findings(first, {a[1].id: ["x"]})
    assert session.data.findings == {a[1].id: ["x"]} and rec.besides_redraws()[-1][0] == "findings_changed"
    rec.clear()
    b = dgviewer.load(copies["scene"])
    _open(qtbot, session, copies["scene"])
    assert session.dataset.roots == [os.path.abspath(copies["scene"])]
    assert session.data.filter_text == "" and [dp.id for dp in session.order] == [dp.id for dp in b]
    assert session.data.findings is None
    session.set_findings(first, {})  # a QA run of the previous dataset that ends late is dropped
    assert session.data.findings is None
    assert session.data.reviews.paths == [sidecar_path(copies["scene"])]
    assert session.view.hidden_classes == frozenset() and session.view.depth_levels is None
    assert session.view.styles == {} and session.view.modality == other  # the user's modality choice stays
    assert session.cur.dp.id == b[0].id and session.current_review() is None
    with qtbot.waitSignal(session.shown, timeout=20000, check_params_cb=lambda i: i == b[1].id):
        session.step(1)
    session.decide("fail")
    assert _saved(copies["scene"]) == {b[1].id.split("/", 1)[1]: "fail"}
    assert _saved(copies["datapoint"]) == {a[1].id.split("/", 1)[1]: "pass"}  # A's file untouched
    assert not [args for name, args in rec.events if name in ("open_failed", "status")]


def test_group_steps_and_next_unreviewed(qtbot, session, copies):
    ds = dgviewer.load(copies["scene"])
    _open(qtbot, session, copies["scene"])
    cams = ds.cameras
    session.group_step("camera", 1)
    assert session.cur.dp.id == cams[1][0].id
    session.step(1)
    session.group_step("camera", -1)  # from inside camera 2: to the first of camera 1
    assert session.cur.dp.id == cams[0][0].id
    session.group_step("scene", 1)
    assert session.cur.dp.id == ds.scenes[1].cameras[0][0].id
    session.group_step("scene", -1)
    assert session.cur.dp.id == ds[0].id
    session.decide("pass")
    session.next_unreviewed()
    assert session.cur.dp.id == ds[1].id


def test_jump_to_finding_shows_layer_modality_and_spot(qtbot, session, copies):
    from dgviewer.core.findings import Finding

    _open(qtbot, session, copies["datapoint"])
    target = session.order[2]
    session.view.set_style("standard", visible=False)
    f = Finding(check="landmark-nan", severity="error", message="m", datapoint=target.id, layer="standard",
                modality="depth", xy=(10.0, 20.0))
    spots = []
    session.spot_changed.connect(spots.append)
    with qtbot.waitSignal(session.shown, timeout=20000, check_params_cb=lambda i: i == target.id):
        session.jump_to(f)
    assert session.view.style("standard").visible and session.modality == "depth"
    assert spots == [(10.0, 20.0)] and session.spot == (10.0, 20.0)
    with qtbot.waitSignal(session.shown, timeout=20000):
        session.step(1)
    assert session.spot is None and spots[-1] is None


def test_open_failure_keeps_the_open_dataset(qtbot, session, copies, tmp_path):
    _open(qtbot, session, copies["datapoint"])
    (tmp_path / "empty").mkdir()
    with qtbot.waitSignal(session.open_failed, timeout=20000) as failed:
        session.open([str(tmp_path / "empty")])
    assert "not a dataset folder" in failed.args[0] and "Could not open" in session.notice
    assert session.dataset.roots == [os.path.abspath(copies["datapoint"])] and session.cur.dp is not None


SCRIPT = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
app = QCoreApplication([])  # no QApplication: creating any widget would abort
from dgviewer.app.session import Session
s = Session(64 << 20)
seen = []
def shown(i):
    seen.append(i)
    if len(seen) == 1:
        s.step(1)
    else:
        app.quit()
s.shown.connect(shown)
s.open([sys.argv[1]])
QTimer.singleShot(30000, app.quit)
app.exec()
s.shutdown()
print(len(seen), seen[-1] == s.order[1].id)
"""


def test_session_runs_without_a_widget_application(samples):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", SCRIPT, samples["datapoint"]], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["2", "True"]


def test_a_replaced_dataset_is_freed_without_the_cyclic_collector(qtbot, session, samples):
    """Opening another dataset unlinks the previous one's nodes (they reference each other both ways) so that
    reference counting frees them: no full collection, which holds the GIL for seconds at 1M datapoints."""
    import gc
    import weakref

    _open(qtbot, session, samples["datapoint"])
    # The last datapoint: never shown nor prefetched, held by the index alone. (The shown one was seen held past
    # 30 s in CI once, with its dataset freed: not understood; see the note.)
    last, dataset = weakref.ref(session.order[-1]), weakref.ref(session.dataset)
    assert len(session.order) > 3
    camera = session.order[-1].camera_node
    assert camera._datapoints  # linked both ways while open
    del camera
    enabled = gc.isenabled()
    gc.disable()  # whatever frees them, it is not the collector
    try:
        _open(qtbot, session, samples["scene"])
        # Background work on the first dataset (its facts index build, which starts worker processes) holds it
        # until it sees the dataset replaced: on a loaded CI machine that took over 10 s once.
        try:
            qtbot.waitUntil(lambda: last() is None and dataset() is None, timeout=30000)
        except qtbot.TimeoutError:
            held = [type(r).__name__ for x in (last(), dataset()) if x is not None for r in gc.get_referrers(x)]
            raise AssertionError(f"the first dataset is still held (by {held})") from None
    finally:
        if enabled:
            gc.enable()
    assert session.order and session.order[0].id.startswith(os.path.basename(samples["scene"]))
