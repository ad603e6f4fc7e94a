"""The review bar: the current datapoint's decision (pass / fail / flag with a reason), buttons, and progress.

Decisions go through the session into the open dataset's
:class:`~dgviewer.core.review.ReviewStore`, which saves each one before returning
(beside the dataset, or in the user's data folder when that is read-only), so
reopening a dataset resumes the review. The tree shows each datapoint's decision
as an icon and each scene / camera row its tallies.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QSizePolicy, QToolButton, QWidget

from ..core.review import FLAG, UNREVIEWED
from . import shortcuts
from .review_look import LOOK, tally_text
from .session import Session

_LABELS = {"review_pass": "✓ Pass", "review_fail": "✗ Fail", "review_flag": "⚑ Flag…", "review_clear": "Clear",
           "next_unreviewed": "Next unreviewed ▸"}


#: The review count's room, whatever its text.
PROGRESS_ROOM = "0 / 000000 reviewed"
#: While a dataset is listed, its count is written again this long after the datapoints listed (each text repaints).
LISTED_COUNT_MS = 500


class ReviewBar(QWidget):
    """A strip above the canvas: the current decision, the buttons, and how far the review is."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.state = QLabel()
        self.state.setMinimumWidth(90)
        self.progress = QLabel()
        self.progress.setStyleSheet("color: gray")
        # It takes the room left, at least a usual count's (longer ones are cut; the tooltip has it whole): a text
        # that widened the bar's minimum on each decision, or when a listing ended, made the window lay itself
        # out again and move its docks.
        self.progress.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress.setMinimumWidth(self.progress.fontMetrics().horizontalAdvance(PROGRESS_ROOM))
        self.progress.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.buttons: dict[str, QToolButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(4)
        layout.addWidget(QLabel("Review:"))
        layout.addWidget(self.state)
        for ident, _key, _text in shortcuts.REVIEW:
            b = QToolButton()
            b.setAutoRaise(True)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys stay with the canvas
            self.buttons[ident] = b
            layout.addWidget(b)
        layout.addWidget(self.progress, 1)
        self.setEnabled(False)
        session.dataset_opened.connect(self._dataset_opened)
        session.shown.connect(lambda _id: self._show_current())
        session.reviews_changed.connect(self._changed)
        session.filter_changed.connect(self._show_progress)
        session.listed.connect(self._show_progress)
        # The count follows a listing: it read "0 / 1 reviewed" until a 100k listing ended.
        self._listed_count = QTimer(self, singleShot=True, interval=LISTED_COUNT_MS)
        self._listed_count.timeout.connect(self._show_progress)
        session.grew.connect(lambda *_: self._listed_count.isActive() or self._listed_count.start())

    def set_actions(self, actions: dict[str, QAction]) -> None:
        """The review actions (ids of ``shortcuts.REVIEW``) behind the buttons."""
        for ident, key, text in shortcuts.REVIEW:
            self.buttons[ident].setDefaultAction(actions[ident])
            actions[ident].setToolTip(f"{text} ({key})")
            self.buttons[ident].setText(_LABELS[ident])

    def flag_dialog(self) -> None:
        if self.session.cur.dp is None or not self.isEnabled():
            return
        review = self.session.current_review()
        reason, ok = QInputDialog.getText(self.window(), "Flag datapoint", "Reason (short):",
                                          text=review.reason if review else "")
        if ok and reason.strip():
            self.session.decide(FLAG, reason)

    def _dataset_opened(self, _dataset) -> None:
        reviews = self.session.data.reviews
        self.setEnabled(reviews is not None)
        self.setToolTip("Saved to " + ", ".join(reviews.paths) if reviews else "")
        self._show_current()
        self._show_progress()

    def _changed(self, _dp_id: str) -> None:
        self._show_current()
        self._show_progress()

    def _show_current(self) -> None:
        r = self.session.current_review()
        if r is None:
            self.state.setText("<span style='color: gray'>unreviewed</span>")
        else:
            glyph, colour = LOOK[r.state]
            extra = f": {r.reason}" if r.reason else ""
            self.state.setText(f"<b style='color: {colour.name()}'>{glyph} {r.state}</b>{extra}")
        self.state.setToolTip(r.reason if r else "")

    def _show_progress(self) -> None:
        """How far the review of the listed datapoints that pass the filter is (counted from the decisions)."""
        data = self.session.data
        if data is None or data.reviews is None:
            self.progress.setText("")
            return
        counts = data.review_counts()
        n = len(data.order)
        tally = tally_text(counts)
        self.progress.setText(f"{n - counts[UNREVIEWED]} / {n} reviewed" + (f"   {tally}" if tally else ""))
        self.progress.setToolTip(self.progress.text())
