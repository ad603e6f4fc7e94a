"""Review decisions on the session's current datapoint: decide, clear, undo, next unreviewed.

A part of :class:`~dgviewer.app.session.Session` kept in its own module; it reads the session's
open dataset (``data``), current datapoint and signals.
"""
from __future__ import annotations

from ..core.review import Review


class Reviewing:
    def current_review(self) -> Review | None:
        dp = self.cur.dp
        return self.data.reviews.get(dp.id) if self._reviewable() else None

    def _reviewable(self) -> bool:
        return self.data is not None and self.data.reviews is not None and self.cur.dp is not None

    def decide(self, state: str, reason: str = "") -> None:
        if self._reviewable():
            dp_id = self.cur.dp.id
            if self._change_review(lambda: self.data.reviews.set(dp_id, state, reason), dp_id) and self.advance:
                self.step(1)

    def clear_review(self) -> None:
        if self._reviewable():
            dp_id = self.cur.dp.id
            self._change_review(lambda: self.data.reviews.clear(dp_id), dp_id)

    def undo_review(self) -> None:
        """Put back the previous decision of the last datapoint decided, and show that datapoint."""
        if self.data is None or not self.data.undo:
            return self.status.emit("Nothing to undo.", 3000)
        try:
            dp_id = self.data.restore()
        except OSError as e:
            return self.status.emit(f"Undo NOT saved: {e}", 10000)
        self.reviews_changed.emit(dp_id)
        self.goto_id(dp_id)

    def _change_review(self, change, dp_id: str) -> bool:
        before = self.data.reviews.get(dp_id)
        try:
            change()
        except OSError as e:  # neither beside the dataset nor the user data folder could be written
            self.status.emit(f"Review NOT saved: {e}", 10000)
            return False
        self.data.undo.append((dp_id, before))
        self.reviews_changed.emit(dp_id)
        return True

    def next_unreviewed(self) -> None:
        if self.data is None or self.data.reviews is None:
            return
        target = self.data.next_unreviewed(self.cur.dp)
        if target is None:
            self.status.emit("Every datapoint in the list is reviewed.", 5000)
        else:
            self.show_datapoint(target)
