"""Playing a sequence (Humans-in-Context frames, Perception steps) on the session: headless, like the session.

The sequence is the current datapoint's camera's datapoints that pass the filter, in step order
(core/timeline.sequence_step). A timer ticks at the chosen rate; a tick moves on only once the frame
on screen has been drawn (``session.shown``; a tick that finds it not drawn yet moves on as soon as it
is), so a slow decode delays the picture instead of skipping it, and while playing the session prefetches ``rate / 2`` frames ahead (at least PREFETCH) through its
scheduler so the decodes keep up. ``achieved`` is the rate the frames were really shown at.
"""
from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ..core.model import Datapoint
from ..core.timeline import sequence_step
from .scheduling import PREFETCH

if TYPE_CHECKING:  # pragma: no cover
    from .session import Session

#: The rates ``[`` and ``]`` step through (frames per second).
RATES = (1, 2, 3, 5, 8, 10, 12, 15, 20, 24, 30, 48, 60)
DEFAULT_RATE = 10
_MEASURED = 30  # frames the achieved rate is averaged over


class Playback(QObject):
    changed = Signal()  # playing, rate, achieved rate or sequence changed

    def __init__(self, session: Session):
        super().__init__(session)
        self.session = session
        self.rate = DEFAULT_RATE
        self.playing = False
        self._due = False  # a tick came before the frame on screen was drawn
        self._shown_at: deque[float] = deque(maxlen=_MEASURED)
        self._timer = QTimer(self, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        session.shown.connect(self._shown)
        session.dataset_opened.connect(lambda _ds: self.pause())
        session.current_changed.connect(lambda _dp: self.changed.emit())  # the scrubber follows
        session.filter_changed.connect(lambda *_: self.changed.emit())  # the frames that pass it are the sequence

    # -- the sequence ----------------------------------------------------------------
    def sequence(self, dp: Datapoint | None = None) -> list[Datapoint]:
        """The frames of ``dp``'s (default: the current datapoint's) sequence that pass the filter, in order."""
        dp = dp or self.session.cur.dp
        if dp is None or sequence_step(dp) is None:
            return []
        frames = [d for d in dp.camera_node.datapoints if sequence_step(d) is not None and self.session.position(d) is not None]
        return sorted(frames, key=sequence_step) if len(frames) > 1 else []

    def in_sequence(self) -> bool:
        """Whether the current datapoint is a frame of a sequence (of one frame, :meth:`sequence` is empty)."""
        dp = self.session.cur.dp
        return dp is not None and sequence_step(dp) is not None

    def index(self) -> int | None:
        dp = self.session.cur.dp
        return next((i for i, d in enumerate(self.sequence()) if d is dp), None)

    def seek(self, i: int) -> None:
        """Show frame ``i`` of the current sequence (the scrubber)."""
        frames = self.sequence()
        if 0 <= i < len(frames) and frames[i] is not self.session.cur.dp:
            self.session.direction = 1
            self.session.navigate(frames[i])

    @property
    def achieved(self) -> float | None:
        """Frames per second shown over the last frames of this play, once there are a few."""
        t = self._shown_at
        return (len(t) - 1) / (t[-1] - t[0]) if len(t) >= 3 and t[-1] > t[0] else None

    # -- controls ---------------------------------------------------------------------
    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> bool:
        """Start playing the current sequence (from its start when at its end); False when there is none."""
        frames = self.sequence()
        if not frames:
            why = "its sequence has one frame here" if self.in_sequence() else \
                "this datapoint is not part of a sequence"
            self.session.status.emit(f"Nothing to play: {why}", 3000)
            return False
        if self.session.cur.dp is frames[-1]:
            self.seek(0)
        self.playing = True
        self._due = False
        self._shown_at.clear()
        self._apply_rate()
        self.changed.emit()
        return True

    def pause(self) -> None:
        if self.playing:
            self.playing = False
            self._timer.stop()
            self.session.prefetch = PREFETCH
            self.changed.emit()

    def faster(self) -> None:
        self._set_rate(next((r for r in RATES if r > self.rate), RATES[-1]))

    def slower(self) -> None:
        self._set_rate(next((r for r in reversed(RATES) if r < self.rate), RATES[0]))

    def _set_rate(self, rate: int) -> None:
        self.rate = rate
        self._shown_at.clear()
        if self.playing:
            self._apply_rate()
        self.session.status.emit(f"Playback at {rate} frames/s", 2000)
        self.changed.emit()

    def _apply_rate(self) -> None:
        self.session.prefetch = max(PREFETCH, self.rate // 2)
        self._timer.start(round(1000 / self.rate))

    # -- ticking ---------------------------------------------------------------------------
    def _tick(self) -> None:
        cur = self.session.cur
        self._due = cur.dp is not None and not cur.announced
        if cur.dp is None or self._due:
            return  # the frame on screen is not drawn yet: it stays until it is
        frames = self.sequence()
        i = next((k for k, d in enumerate(frames) if d is cur.dp), None)
        if i is None or i + 1 >= len(frames):
            self.pause()  # the end of the sequence (or the filter took it away)
            return
        self.seek(i + 1)

    def _shown(self, _id: str) -> None:
        if self.playing:
            self._shown_at.append(time.perf_counter())
            self.changed.emit()
            if self._due:
                self._timer.start()  # late: the next frame now, the one after a full interval later
                self._tick()
