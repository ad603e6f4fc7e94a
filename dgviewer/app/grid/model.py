"""The session's filtered order as a table of lines of thumbnails: cell (line, column) is position
``line * columns + column``.

Why a table of lines and not a QListView over a list model: a QListView lays out every row on each
reset, append and resize, asking the model's rowCount() twice per row — in Python, 2.2 s (list mode)
to 6.3 s (icon mode) at a million rows, and 1–2 s again for every batch the streaming index appends.
A table only lays out its header sections (C++, no model calls), so opening, filtering, appending and
resizing cost the same at 1M rows as at 10, and painting asks only for the cells on screen. The model
holds no object per row: the session's order is the only list.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from ...core.model import Datapoint
from ..review_look import LOOK
from ..session import Session


class GridModel(QAbstractTableModel):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.columns = 1
        self._n = 0  # positions of the order the view knows about

    # -- shape ---------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else -(-self._n // self.columns)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.columns

    def reset(self, columns: int | None = None) -> None:
        """Follow the whole order again (another dataset, another filter) or another number of columns."""
        self.beginResetModel()
        self.columns = max(1, columns or self.columns)
        self._n = len(self.session.order)
        self.endResetModel()

    def grow(self) -> None:
        """Datapoints were appended to the order (a streaming index): add their cells, keep the rest."""
        n, cols = len(self.session.order), self.columns
        if n < self._n:
            return self.reset()
        if n == self._n:
            return
        before, lines_before, lines_after = self._n, self.rowCount(), -(-n // cols)
        if lines_after > lines_before:
            self.beginInsertRows(QModelIndex(), lines_before, lines_after - 1)
            self._n = n
            self.endInsertRows()
        self._n = n
        if before % cols:  # the last line had room: its new cells changed in place
            line = before // cols
            self.dataChanged.emit(self.index(line, 0), self.index(line, cols - 1))

    # -- positions ---------------------------------------------------------------------
    def position(self, index: QModelIndex) -> int | None:
        if not index.isValid():
            return None
        pos = index.row() * self.columns + index.column()
        return pos if pos < self._n else None

    def datapoint(self, index: QModelIndex) -> Datapoint | None:
        pos = self.position(index)
        return self.session.order[pos] if pos is not None else None

    def index_at(self, pos: int | None) -> QModelIndex:
        if pos is None or not 0 <= pos < self._n:
            return QModelIndex()
        return self.index(pos // self.columns, pos % self.columns)

    def index_of(self, dp: Datapoint | None) -> QModelIndex:
        return self.index_at(self.session.position(dp))

    def datapoints(self, first_line: int, last_line: int) -> list[Datapoint]:
        """The datapoints on lines ``first_line`` to ``last_line`` (included), in order."""
        order = self.session.order
        return order[first_line * self.columns: min(self._n, (last_line + 1) * self.columns)]

    def last(self) -> QModelIndex:
        """The cell of the last datapoint (the view keeps its cursor off the empty end of the last line)."""
        return self.index_at(self._n - 1)

    # -- cells -----------------------------------------------------------------------------
    # Each call from the view into Python waits for the GIL, up to the switch interval while a background
    # thread runs (a fling: a thumbnail worker, the facts index): the view's calls per painted cell are
    # kept to two, paint() and index(). No flags() (the base class's, every cell enabled: two calls per
    # cell), and index() answers at once where the base class asks rowCount() and columnCount().
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= column < self.columns and 0 <= row * self.columns < self._n):
            return QModelIndex()
        return self.createIndex(row, column)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        # The delegate paints from the datapoint itself; the model answers what a view asks on hover.
        if role not in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        dp = self.datapoint(index)
        if dp is None:
            return None
        lines = [dp.id]
        data = self.session.data
        state = data.review_state(dp) if data is not None else None
        if state in LOOK:
            review = data.reviews.get(dp.id)
            lines.append(f"{LOOK[state][0]} {state}" + (f": {review.reason}" if review and review.reason else ""))
        findings = (data.findings or {}).get(dp.id, []) if data is not None else []
        lines += [f"● {f.severity} {f.check}: {f.message}" for f in findings[:8]]
        if len(findings) > 8:
            lines.append(f"… {len(findings) - 8} more findings")
        return "\n".join(lines)
