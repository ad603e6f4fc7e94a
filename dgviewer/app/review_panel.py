"""Review of the current datapoint: pass / fail / flag with a reason / clear, by key or by the review bar.

Decisions go through :class:`~dgviewer.core.review.ReviewStore`, which saves each
one before returning (beside the dataset, or in the user's data folder when that
is read-only), so reopening a dataset resumes the review. The tree shows each
datapoint's decision as an icon and each scene / camera row its tallies.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QToolButton, QWidget

from ..core.errors import DgviewerError
from ..core.review import FAIL, FLAG, PASS, UNREVIEWED, ReviewStore
from . import shortcuts

#: state → (glyph, colour) for icons, tallies and the bar.
LOOK = {PASS: ("✓", QColor(70, 170, 90)), FAIL: ("✗", QColor(215, 70, 60)), FLAG: ("⚑", QColor(230, 160, 40))}


def _icon(glyph: str, colour: QColor) -> QIcon:
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawEllipse(QPointF(16, 16), 14, 14)
    font = QFont()
    font.setPixelSize(20)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, glyph)
    p.end()
    return QIcon(pix)


def tally_text(counts: dict[str, int]) -> str:
    """"✓12 ✗3 ⚑1" for the states that occur ("" when nothing is reviewed)."""
    return " ".join(f"{LOOK[s][0]}{counts[s]}" for s in (PASS, FAIL, FLAG) if counts.get(s))


class ReviewBar(QWidget):
    """A strip above the canvas: the current decision, the buttons, and how far the review is."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = QLabel()
        self.state.setMinimumWidth(160)
        self.progress = QLabel()
        self.progress.setStyleSheet("color: gray")
        self.buttons: dict[str, QToolButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(4)
        layout.addWidget(QLabel("Review:"))
        layout.addWidget(self.state)
        for ident, key, text in shortcuts.REVIEW:
            b = QToolButton()
            b.setAutoRaise(True)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys stay with the canvas
            self.buttons[ident] = b
            layout.addWidget(b)
        layout.addStretch(1)
        layout.addWidget(self.progress)

    def show_state(self, state: str, reason: str) -> None:
        if state == UNREVIEWED:
            self.state.setText("<span style='color: gray'>unreviewed</span>")
        else:
            glyph, colour = LOOK[state]
            extra = f": {reason}" if reason else ""
            self.state.setText(f"<b style='color: {colour.name()}'>{glyph} {state}</b>{extra}")
        self.state.setToolTip(reason)


class ReviewController(QObject):
    """Owns the review store of the open dataset and keeps the bar, tree and keys in step with it."""

    changed = Signal(str)  # datapoint id whose decision changed

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.store: ReviewStore | None = None
        self._icons = {s: _icon(*LOOK[s]) for s in LOOK}
        self._tallies: dict[int, str] = {}  # group row key → tally text, until the next change or reset
        self.bar = ReviewBar()
        self.bar.setEnabled(False)
        menu = window.menuBar().addMenu("&Review")
        slots = {"review_pass": lambda: self.decide(PASS), "review_fail": lambda: self.decide(FAIL),
                 "review_flag": self.flag_dialog, "review_clear": self.clear, "next_unreviewed": self.next_unreviewed}
        for ident, key, text in shortcuts.REVIEW:
            act = window._action(ident, key, text, slots[ident], menu)
            self.bar.buttons[ident].setDefaultAction(act)
            act.setToolTip(f"{text} ({key})")
        for ident, label in (("review_pass", "✓ Pass"), ("review_fail", "✗ Fail"), ("review_flag", "⚑ Flag…"),
                             ("review_clear", "Clear"), ("next_unreviewed", "Next unreviewed ▸")):
            self.bar.buttons[ident].setText(label)
        model = window.tree.model
        model.status_provider = self._status_icon
        model.group_badge = self._tally
        model.modelReset.connect(self._tallies.clear)
        window.dataset_opened.connect(self._open)
        window.shown.connect(lambda _id: self._show_current())
        window.tree.filter_applied.connect(self._show_progress)

    # -- the store --------------------------------------------------------------
    def _open(self, dataset) -> None:
        self._tallies.clear()
        try:
            self.store = ReviewStore.for_dataset(dataset)
        except DgviewerError as e:  # a corrupt review file: say so, never overwrite it
            self.store = None
            self.window.statusBar().showMessage(f"Reviews not loaded: {e}", 10000)
        self.bar.setEnabled(self.store is not None)
        self.bar.setToolTip("Saved to " + ", ".join(self.store.paths) if self.store else "")
        self.window.tree.set_reviews(self.store)
        self.window.tree.view.resizeColumnToContents(1)
        self._show_current()
        self._show_progress()

    def _status_icon(self, dp) -> QIcon | None:
        return self._icons.get(self.store.state(dp.id)) if self.store else None

    def _tally(self, key: int, datapoints) -> str:
        if self.store is None:
            return ""
        if key not in self._tallies:
            self._tallies[key] = tally_text(self.store.counts(dp.id for dp in datapoints()))
        return self._tallies[key]

    # -- decisions ----------------------------------------------------------------
    def _current_id(self) -> str | None:
        dp = self.window.cur.dp
        return dp.id if dp is not None and self.store is not None else None

    def decide(self, state: str, reason: str = "") -> None:
        dp_id = self._current_id()
        if dp_id is not None:
            self._saved(lambda: self.store.set(dp_id, state, reason), dp_id)

    def flag_dialog(self) -> None:
        dp_id = self._current_id()
        if dp_id is None:
            return
        old = self.store.get(dp_id)
        reason, ok = QInputDialog.getText(self.window, "Flag datapoint", "Reason (short):",
                                          text=old.reason if old else "")
        if ok and reason.strip():
            self.decide(FLAG, reason)

    def clear(self) -> None:
        dp_id = self._current_id()
        if dp_id is not None:
            self._saved(lambda: self.store.clear(dp_id), dp_id)

    def _saved(self, change, dp_id: str) -> None:
        try:
            change()
        except OSError as e:  # neither beside the dataset nor the user data folder could be written
            self.window.statusBar().showMessage(f"Review NOT saved: {e}", 10000)
            return
        self._tallies.clear()
        self.window.tree.view.viewport().update()  # the row's icon and every ancestor's tally
        self.window.tree.view.resizeColumnToContents(1)
        self._show_current()
        self._show_progress()
        self.changed.emit(dp_id)

    def next_unreviewed(self) -> None:
        if self.store is None:
            return
        order = self.window.tree.model.order
        cur = self.window.cur.dp
        target = self.store.next_unreviewed([dp.id for dp in order], cur.id if cur else None)
        if target is None:
            self.window.statusBar().showMessage("Every datapoint in the list is reviewed.", 5000)
        else:
            self.window.show_datapoint(self.window.dataset.get(target))

    def _show_current(self) -> None:
        dp_id = self._current_id()
        r = self.store.get(dp_id) if dp_id is not None else None
        self.bar.show_state(r.state if r else UNREVIEWED, r.reason if r else "")

    def _show_progress(self) -> None:
        """How far the review of the listed datapoints is (not on every switch: it counts them all)."""
        if self.store is None:
            self.bar.progress.setText("")
            return
        order = self.window.tree.model.order
        counts = self.store.counts(dp.id for dp in order)
        done = len(order) - counts[UNREVIEWED]
        tally = tally_text(counts)
        self.bar.progress.setText(f"{done} / {len(order)} reviewed" + (f"   {tally}" if tally else ""))
