"""The playback controls under the Timeline: play/pause, slower/faster with the rate, and a scrubber over
the current sequence's frames (Space, ``[`` and ``]`` do the same from anywhere in the window)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from .session import Session


class PlaybackBar(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.playback = session.playback
        self.play = QToolButton(toolTip="Play / pause the sequence (Space)")
        self.slower = QToolButton(text="«", toolTip="Slower ([)")
        self.faster = QToolButton(text="»", toolTip="Faster (])")
        self.rate = QLabel()
        self.scrubber = QSlider(Qt.Orientation.Horizontal, toolTip="Frame of the sequence: drag to scrub")
        self.scrubber.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrows keep navigating, Space keeps playing
        self.frame = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 4)
        for w in (self.play, self.slower, self.rate, self.faster):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(w)
        layout.addWidget(self.scrubber, 1)
        layout.addWidget(self.frame)
        self.play.clicked.connect(self.playback.toggle)
        self.slower.clicked.connect(self.playback.slower)
        self.faster.clicked.connect(self.playback.faster)
        self.scrubber.valueChanged.connect(self._scrubbed)
        self.playback.changed.connect(self._refresh)
        self._refresh()

    def _scrubbed(self, i: int) -> None:
        if not self._refreshing:
            self.playback.seek(i)

    def _refresh(self) -> None:
        pb = self.playback
        frames, i = pb.sequence(), pb.index()
        self.play.setText("❚❚" if pb.playing else "▶")
        achieved = pb.achieved
        self.rate.setText(f"{pb.rate} fps" + (f" (showing {achieved:.1f})" if pb.playing and achieved else ""))
        self._refreshing = True  # moving the handle to the frame shown is no request to show it
        self.scrubber.setRange(0, max(0, len(frames) - 1))
        self.scrubber.setValue(i or 0)
        self._refreshing = False
        self.setEnabled(bool(frames))
        if frames and i is not None:
            self.frame.setText(f"frame {i + 1} / {len(frames)}")
        else:  # a SOLO sequence of one step is a sequence still
            self.frame.setText("1 frame" if not frames and pb.in_sequence() else "no sequence")

    _refreshing = False
