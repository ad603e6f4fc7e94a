"""Sequence playback on the real main window: Space plays and pauses, [ and ] change the rate, the
Timeline's scrubber shows the frame it is dragged to (issue #15)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from dgviewer.app.playback import DEFAULT_RATE, RATES
from dgviewer.core.timeline import sequence_step


@pytest.fixture(scope="module")
def hic(tmp_path_factory) -> str:
    from dgviewer.samples import write_sample

    return write_sample(str(tmp_path_factory.mktemp("hic") / "hic"), variant="hic", size=128, seed=0)


def _key(qtbot, w, key) -> None:
    qtbot.keyClick(w.canvas.glw, key)


def test_space_plays_the_camera_frames_in_order_then_stops_at_the_end(open_window, hic, qtbot):
    w = open_window(hic)
    s, pb = w.session, w.session.playback
    assert w.timeline_dock.isVisible()  # HIC frames are a sequence: the Timeline and its scrubber show
    first = s.cur.dp
    frames = pb.sequence()
    assert frames[0] is first and len(frames) >= 3
    assert all(d.camera_node is first.camera_node for d in frames)
    assert [sequence_step(d) for d in frames] == sorted(sequence_step(d) for d in frames)
    for _ in range(3):
        _key(qtbot, w, "]")
    assert pb.rate > DEFAULT_RATE and f"{pb.rate} fps" in w.playback_bar.rate.text()

    seen = []
    s.shown.connect(seen.append)
    with qtbot.waitSignal(pb.changed, timeout=5000, check_params_cb=lambda *_: not pb.playing):
        _key(qtbot, w, Qt.Key.Key_Space)
        assert pb.playing and w.playback_bar.play.text() == "❚❚"
    assert seen == [d.id for d in frames[1:]]  # every frame once, in order, none skipped
    assert s.cur.dp is frames[-1] and not pb.playing and w.playback_bar.play.text() == "▶"
    assert w.playback_bar.frame.text() == f"frame {len(frames)} / {len(frames)}"
    assert w.timeline.current is frames[-1]

    with qtbot.waitSignal(s.shown, timeout=5000) as blocker:  # at the end, Space starts over
        _key(qtbot, w, Qt.Key.Key_Space)
    assert blocker.args == [frames[0].id]


def test_pause_stops_and_rate_changes_on_keys(open_window, hic, qtbot):
    w = open_window(hic)
    s, pb = w.session, w.session.playback
    for _ in range(len(RATES)):
        _key(qtbot, w, "[")
    assert pb.rate == RATES[0] and w.playback_bar.rate.text().startswith(f"{RATES[0]} fps")
    _key(qtbot, w, "]")
    assert pb.rate == RATES[1]
    frames = pb.sequence()
    with qtbot.waitSignal(s.shown, timeout=5000) as blocker:
        _key(qtbot, w, Qt.Key.Key_Space)
    assert blocker.args == [frames[1].id]
    _key(qtbot, w, Qt.Key.Key_Space)
    assert not pb.playing
    with qtbot.assertNotEmitted(s.current_changed, wait=2 * 1000 // RATES[1]):
        pass  # two ticks' time: paused, nothing moves
    assert s.cur.dp is frames[1]


def test_scrubber_shows_the_frame_and_follows_navigation(open_window, hic, qtbot):
    w = open_window(hic)
    s, bar = w.session, w.playback_bar
    frames = s.playback.sequence()
    assert bar.scrubber.maximum() == len(frames) - 1 and bar.scrubber.value() == 0
    with qtbot.waitSignal(s.shown, timeout=5000) as blocker:
        bar.scrubber.setValue(len(frames) - 1)
    assert blocker.args == [frames[-1].id] and s.cur.dp is frames[-1]
    assert bar.frame.text() == f"frame {len(frames)} / {len(frames)}"
    with qtbot.waitSignal(s.shown, timeout=5000):
        _key(qtbot, w, Qt.Key.Key_Left)  # navigating moves the handle, without a seek of its own
    assert bar.scrubber.value() == len(frames) - 2 and s.cur.dp is frames[-2]


def test_nothing_to_play_on_single_images(open_window, samples, qtbot):
    w = open_window(samples["datapoint"])
    with qtbot.waitSignal(w.session.status, timeout=2000) as blocker:
        _key(qtbot, w, Qt.Key.Key_Space)
    assert "not part of a sequence" in blocker.args[0] and not w.session.playback.playing
    assert not w.playback_bar.isEnabled()


def test_a_sequence_with_one_frame_shown_says_so(open_window, samples, qtbot):
    w = open_window(samples["perception"])
    assert w.playback_bar.frame.text().startswith("frame 1 / ")
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):  # the first step of each sequence
        w.tree.filter.setText("step0")
        w.tree.apply_filter()
    assert w.session.cur.dp.id.endswith("/step0")
    assert w.playback_bar.frame.text() == "1 frame" and not w.playback_bar.isEnabled()
    with qtbot.waitSignal(w.session.status, timeout=2000) as blocker:
        _key(qtbot, w, Qt.Key.Key_Space)
    assert blocker.args[0] == "Nothing to play: its sequence has one frame here"
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):  # cleared: its frames again
        w.tree.filter.setText("")
        w.tree.apply_filter()
    assert w.playback_bar.frame.text().startswith("frame 1 / ") and w.playback_bar.isEnabled()


def test_perception_steps_play_along_the_sensors_timeline_lane(open_window, samples, qtbot):
    w = open_window(samples["perception"])
    s, pb = w.session, w.session.playback
    lane = [t.datapoint for t in w.timeline.timeline.lanes[s.cur.dp.camera_node.name]]
    assert pb.sequence() == lane and lane[0] is s.cur.dp
    pb.rate = RATES[-1]
    seen = []
    s.shown.connect(seen.append)
    with qtbot.waitSignal(pb.changed, timeout=10000, check_params_cb=lambda *_: not pb.playing):
        assert pb.play()
    assert seen == [d.id for d in lane[1:]] and w.timeline.current is lane[-1]
