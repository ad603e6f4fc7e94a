"""The capture timeline: one lane per sensor of the current sequence, a tick per capture at its simulated time.

Sensors at different rates make an irregular pattern (every 2 and every 3 time
units: 0, 2, 3, 4, 6, 8, 9, …); the axis is seconds when every capture has a
timestamp, else steps. The current capture is highlighted; clicking a tick
shows that capture. Only datasets with steps (Perception) have a timeline.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from ..core.timeline import Tick, Timeline, capture_timeline
from .session import Session

LANE_H = 22
LABEL_W = 120
AXIS_H = 18
PAD = 14  # keeps the end ticks (and the enlarged current one) inside the widget
TICK_W = 6
#: Ticks and grid lines closer than this (px) to the last one painted are skipped: long sequences paint in
#: time proportional to the widget's width, not to their length.
MIN_GAP_PX = 2.0


class TimelineWidget(QWidget):
    applicable = Signal(bool)  # on each open: whether the dataset's captures have steps (its dock is shown only then)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.timeline = Timeline({})
        self.scene = None
        self.current = None  # Datapoint
        self.setMouseTracking(True)
        session.dataset_opened.connect(self._dataset_opened)
        session.listed.connect(lambda: self._applicable(session.dataset))  # folders listed after the first
        session.shown.connect(lambda _id: self.set_current(session.cur.dp))

    def _dataset_opened(self, dataset) -> None:
        self.set_current(None)
        self._applicable(dataset)

    def _applicable(self, dataset) -> None:
        self.applicable.emit(any(capture_timeline(dp.scene_node).lanes for dp in dataset.firsts_so_far()))

    def sizeHint(self) -> QSize:
        return QSize(600, PAD + LANE_H * max(1, len(self.timeline.lanes)) + AXIS_H + PAD)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.sizeHint().height())

    def set_current(self, dp) -> None:
        """Show ``dp``'s sequence (rebuilt only when the sequence changes) with ``dp`` highlighted."""
        scene = dp.scene_node if dp is not None else None
        if scene is not self.scene:
            self.scene = scene
            self.timeline = capture_timeline(scene) if scene is not None else Timeline({})
            self.updateGeometry()
        self.current = dp
        self.update()

    # -- geometry -----------------------------------------------------------------
    def _span(self) -> tuple[float, float]:
        lo, hi = self.timeline.span  # computed once per timeline: asked for every tick of every paint
        return lo, hi if hi > lo else lo + 1.0

    def _x(self, value: float) -> float:
        lo, hi = self._span()
        left, right = LABEL_W + PAD, self.width() - PAD
        return left + (value - lo) / (hi - lo) * (right - left)

    def tick_rect(self, lane: int, tick: Tick) -> QRectF:
        x = self._x(self.timeline.position(tick))
        return QRectF(x - TICK_W / 2, PAD + lane * LANE_H + 3, TICK_W, LANE_H - 6)

    def _tick_at(self, pos: QPointF) -> Tick | None:
        best, best_d = None, 8.0  # forgiving clicks: the nearest tick within 8 px in the lane
        for lane, ticks in enumerate(self.timeline.lanes.values()):
            for t in ticks:
                r = self.tick_rect(lane, t)
                if r.top() <= pos.y() <= r.bottom():
                    d = abs(r.center().x() - pos.x())
                    if d < best_d:
                        best, best_d = t, d
        return best

    # -- painting -----------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text, mid = pal.text().color(), pal.mid().color()
        fm = QFontMetrics(self.font())
        lanes = list(self.timeline.lanes.items())
        if not lanes:
            p.setPen(mid)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       "No timeline for this datapoint (no captures with steps in its sequence).")
            return
        bottom = PAD + len(lanes) * LANE_H
        # Grid: one faint line per step that anything captured in, labelled on the axis when there is room.
        last_label = last_line = -1e9
        for step in self.timeline.steps:
            ticks = self.timeline.at_step(step)
            x = self._x(self.timeline.position(ticks[0]))
            if x - last_line < MIN_GAP_PX:  # thousands of steps: one line per couple of pixels is all that shows
                continue
            last_line = x
            p.setPen(QPen(mid, 1, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(x, PAD), QPointF(x, bottom))
            label = _number(ticks[0].time) if self.timeline.uses_time else str(step)
            if x - last_label > fm.horizontalAdvance(label) + 8:
                p.setPen(text)
                p.drawText(QRectF(x - 30, bottom + 2, 60, AXIS_H), Qt.AlignmentFlag.AlignHCenter, label)
                last_label = x
        p.setPen(mid)
        unit = "s" if self.timeline.uses_time else "step"
        p.drawText(QRectF(PAD, bottom + 2, LABEL_W - PAD, AXIS_H), Qt.AlignmentFlag.AlignLeft, unit)
        for lane, (camera, ticks) in enumerate(lanes):
            y = PAD + lane * LANE_H
            p.setPen(text)
            name = fm.elidedText(camera, Qt.TextElideMode.ElideMiddle, LABEL_W - PAD)
            p.drawText(QRectF(PAD, y, LABEL_W - PAD, LANE_H), Qt.AlignmentFlag.AlignVCenter, name)
            p.setPen(QPen(mid, 1))
            p.drawLine(QPointF(self._x(self._span()[0]), y + LANE_H / 2), QPointF(self.width() - PAD, y + LANE_H / 2))
            last_x = -1e9
            for t in ticks:
                current = t.datapoint is self.current
                r = self.tick_rect(lane, t)
                if not current and r.center().x() - last_x < MIN_GAP_PX:
                    continue  # painted over by its neighbour anyway
                last_x = r.center().x()
                if current:
                    r = r.adjusted(-3, -2, 3, 2)
                p.setPen(QPen(QColor(255, 255, 255) if current else QColor(40, 90, 150), 1.5 if current else 1))
                p.setBrush(QColor(255, 170, 40) if current else QColor(90, 160, 230))
                p.drawRoundedRect(r, 2, 2)
        p.end()

    # -- mouse --------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:
        t = self._tick_at(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if t else Qt.CursorShape.ArrowCursor)
        if t is not None:
            when = f"t = {_number(t.time)} s, " if t.time is not None else ""
            QToolTip.showText(event.globalPosition().toPoint(), f"{t.camera}: {when}step {t.step}\n{t.datapoint.id}",
                              self)
        else:
            QToolTip.hideText()

    def mousePressEvent(self, event) -> None:
        t = self._tick_at(event.position())
        if t is not None and event.button() == Qt.MouseButton.LeftButton:
            self.session.show_datapoint(t.datapoint)


def _number(v: float) -> str:
    return f"{v:g}"
