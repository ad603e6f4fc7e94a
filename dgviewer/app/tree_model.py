"""Dataset → scene → camera → datapoint as a lazy QAbstractItemModel over the session's filtered order.

The order is grouped (dataset folder, scene, camera), so a group is a run of positions: the model
keeps only where each group starts (a few bytes per scene and camera, no node objects) and finds
rows and parents by bisection. An index's internal id is its parent's key, ``(number << 2) | kind``.
Rows are handed to the view in batches (``fetchMore``) so a million-datapoint folder shows at once;
as the dataset is listed, ``grow`` inserts the new rows that fall in what the view was handed and
grows the counts (repainted twice a second: ``COUNTS_S``): O(new datapoints) per call, O(log) per lookup.
"""
from __future__ import annotations

import time
from bisect import bisect_left, bisect_right

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QStyle

from ..core.model import Datapoint
from ..core.review import UNREVIEWED
from .review_look import LOOK, state_icon, tally_text, with_badge
from .session import Session
from .tree_groups import Groups

#: Rows of a node handed to the view at a time. Qt's tree fetches one more batch of each open node on every full
#: layout (a reset, a filter), and lays out every row handed: a screenful or two, not 500 (15-60 ms a layout at 100k).
BATCH = 100
#: While a dataset is listed, its growing counts are repainted at most this often: each repaint of a count
#: is a dozen Python calls the GUI thread wins the GIL for against the listing threads.
COUNTS_S = 0.5
#: Nodes whose spans are remembered (a screenful is a few dozen; scrolling a million rows must not keep them all).
MEMO_MAX = 4096
#: Role returning the Datapoint of a row (None for group rows).
DATAPOINT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role for a per-datapoint review status icon (None when undecided).
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2

#: The roles data() answers; a view asks for ~7 roles per painted cell, most of them for nothing.
_ANSWERED = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
                       Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole,
                       DATAPOINT_ROLE, STATUS_ROLE})

MODALITY_TAGS = {"visible": "RGB", "infrared": "IR", "depth": "D", "normals": "N",
                 "segmentation": "S", "hdri": "H", "instance": "Inst"}


ROOT, DATASET, SCENE, CAMERA = range(4)


class DatasetTreeModel(QAbstractItemModel):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self._order: list[Datapoint] = []  # the session's order this model shows (its positions < _g.n)
        self._counts_at = 0.0  # monotonic time of the last repaint of the growing counts
        self._grown: set[int] = set()  # keys of the groups whose counts grew since
        # Spans and child ranges by node key, until the groups change (_starts, _forget): a repaint of the
        # visible rows asked for them ~2000 times, a third of its time.
        self._spans: dict[int, tuple[int, int]] = {}
        self._kids: dict[int, tuple[int, int]] = {}
        self._g = Groups(self._order)  # where each dataset folder, scene and camera starts
        self._want: dict[int, int] = {}  # node key → rows the view asked for, beyond the first BATCH
        self._tallies: dict[int, str] = {}  # node key → review tally text, until reviews change or rows grow
        self._decided: dict[str, list[int]] | None = None  # state → sorted positions, for the tallies
        self._icons = {state: state_icon(*look) for state, look in LOOK.items()}
        style = QApplication.style()
        self._warn = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        # A reviewed datapoint with problems shows both: its decision, with a small ⚠ in the corner.
        self._warned_icons = {state: with_badge(icon, self._warn) for state, icon in self._icons.items()}
        self._small = QFont()  # built once: data() runs for every visible cell on each repaint
        self._small.setPointSizeF(self._small.pointSizeF() * 0.85)
        self._grey, self._blue = QColor(150, 150, 150), QColor(120, 170, 220)

    # -- building -------------------------------------------------------------
    def rebuild(self) -> None:
        """Rows for the session's filtered datapoints (already grouped by folder, scene and camera)."""
        self.beginResetModel()
        self._order = order = self.session.order
        data = self.session.data
        # A filter's worker grouped the order it kept; what was listed since is grouped here.
        self._g = (data.take_groups(order) if data is not None else None) or Groups(order)
        self._want.clear()
        self._grown.clear()
        self._starts(len(order))
        self._forget()
        self.endResetModel()

    def grow(self, stop: int) -> None:
        """Take in positions up to ``stop`` of the session's order (appended since the last call)."""
        order, i = self.session.order, self._g.n
        if order is not self._order:
            return self.rebuild()
        if i >= stop:
            return
        self._grown.update(self._last(kind) for kind in (DATASET, SCENE, CAMERA))  # they grow (if any yet)
        if i > 0:  # more of the last camera, scene, dataset: rows inserted under each, as far as the view was handed
            last = order[i - 1]
            for kind, same in ((CAMERA, lambda dp: dp.camera_node is last.camera_node),
                               (SCENE, lambda dp: dp.scene_node is last.scene_node),
                               (DATASET, lambda dp: dp.scene_node.dataset_name == last.scene_node.dataset_name)):
                j = i
                while j < stop and same(order[j]):
                    j += 1
                if j > i:
                    key = self._last(kind)
                    before = self._size(key)
                    self._insert(key, before, before + self._new_children(kind, i, j), lambda: self._starts(j))
                    i = j
        if i < stop:
            before = len(self._g.ds_starts)
            self._insert(ROOT, before, before + self._new_children(ROOT, i, stop), lambda: self._starts(stop))
        self._forget()
        if time.monotonic() - self._counts_at >= COUNTS_S:
            self.counts_grew()

    def counts_grew(self) -> None:
        """Repaint the counts of the groups rows went into since the last call (the only ones that grew)."""
        self._counts_at = time.monotonic()
        self._grown.update(self._last(kind) for kind in (DATASET, SCENE, CAMERA))
        for key in sorted(self._grown):
            idx = self._node_index(key, 1)
            if idx.isValid():
                self.dataChanged.emit(idx, idx)
        self._grown.clear()

    def _starts(self, stop: int) -> None:
        """Take in positions up to ``stop``: record the groups that start there."""
        self._spans.clear()
        self._kids.clear()
        self._g.extend(stop)

    def _new_children(self, kind: int, a: int, b: int) -> int:
        """How many child rows a node of ``kind`` gains from positions [a, b) that continue it."""
        if kind == CAMERA:
            return b - a
        group = {ROOT: lambda dp: dp.scene_node.dataset_name, DATASET: lambda dp: dp.scene_node,
                 SCENE: lambda dp: dp.camera_node}[kind]
        order, n = self._order, 0
        prev = group(order[a - 1]) if a > 0 else None
        for x in range(a, b):
            g = group(order[x])
            if g != prev:
                n, prev = n + 1, g
        return n

    def _insert(self, key: int, before: int, after: int, commit) -> None:
        """Commit a growth of node ``key`` from ``before`` to ``after`` children, telling the view of the rows
        it was handed."""
        want = self._want.get(key, BATCH)
        old, new = min(before, want), min(after, want)
        parent = self._node_index(key) if key != ROOT else QModelIndex()
        if new > old and (key == ROOT or parent.isValid()):
            self.beginInsertRows(parent, old, new - 1)
            commit()
            self.endInsertRows()
        else:
            commit()

    def _forget(self) -> None:
        self._tallies.clear()
        self._decided = None
        self._spans.clear()
        self._kids.clear()

    def reviews_changed(self) -> None:
        self._forget()

    # -- groups as runs of positions -------------------------------------------------
    def _last(self, kind: int) -> int:
        starts = {DATASET: self._g.ds_starts, SCENE: self._g.sc_starts, CAMERA: self._g.cam_starts}[kind]
        return ((len(starts) - 1) << 2) | kind

    def _span(self, key: int, n: int | None = None) -> tuple[int, int]:
        """[first, end) positions of node ``key`` (``n``: positions known so far)."""
        if n is None:
            return self._spans.get(key) or self._remember(self._spans, key, self._span)
        kind, i = key & 3, key >> 2
        if kind == ROOT:
            return 0, n
        starts = {DATASET: self._g.ds_starts, SCENE: self._g.sc_starts, CAMERA: self._g.cam_starts}[kind]
        return starts[i], starts[i + 1] if i + 1 < len(starts) else n

    def _remember(self, memo: dict, key: int, compute) -> tuple[int, int]:
        if len(memo) > MEMO_MAX:
            memo.clear()
        value = memo[key] = compute(key, self._g.n)
        return value

    def _children(self, key: int, n: int | None = None) -> tuple[int, int]:
        """[first, end) numbers of the child groups of node ``key`` (its positions for a camera)."""
        if n is None:
            return self._kids.get(key) or self._remember(self._kids, key, self._children)
        kind = key & 3
        if kind == ROOT:
            return 0, len(self._g.ds_starts)
        a, b = self._span(key, n)
        if kind == CAMERA:
            return a, b
        starts = self._g.sc_starts if kind == DATASET else self._g.cam_starts
        return bisect_left(starts, a), bisect_left(starts, b)

    def _size(self, key: int, n: int | None = None) -> int:
        a, b = self._children(key, n)
        return b - a

    def _rows(self, key: int) -> int:
        return min(self._size(key), self._want.get(key, BATCH))

    def _parent_of(self, key: int) -> tuple[int, int]:
        """(parent key, row) of node ``key``."""
        kind, i = key & 3, key >> 2
        if kind == DATASET:
            return ROOT, i
        up, starts = (DATASET, self._g.ds_starts) if kind == SCENE else (SCENE, self._g.sc_starts)
        own = self._g.sc_starts if kind == SCENE else self._g.cam_starts
        parent = ((bisect_right(starts, own[i]) - 1) << 2) | up
        return parent, i - self._children(parent)[0]

    def _node_index(self, key: int, column: int = 0) -> QModelIndex:
        """The index of node ``key`` when the view was handed it (and its ancestors), else invalid."""
        if key < 0 or key == ROOT or (key >> 2) >= len({DATASET: self._g.ds_starts, SCENE: self._g.sc_starts,
                                                          CAMERA: self._g.cam_starts}[key & 3]):
            return QModelIndex()
        chain, k = [], key
        while k != ROOT:
            parent, row = self._parent_of(k)
            if row >= self._rows(parent):
                return QModelIndex()
            chain.append((parent, row))
            k = parent
        parent, row = chain[0]
        return self.createIndex(row, column, parent)

    # -- Qt model -------------------------------------------------------------
    def _item(self, index: QModelIndex):
        """The node key or Datapoint an index stands for."""
        parent = index.internalId()
        if parent & 3 == CAMERA:
            return self._order[self._span(parent)[0] + index.row()]
        first = self._children(parent)[0]
        return ((first + index.row()) << 2) | (parent & 3) + 1

    def _key(self, index: QModelIndex):
        return self._item(index) if index.isValid() else ROOT

    def group_key(self, index: QModelIndex) -> int | None:
        """The node key of a dataset folder or scene row (the rows the tree opens as they come into view), else None.
        Keys hold while the dataset grows, until ``rebuild``."""
        if not index.isValid() or index.internalId() & 3 not in (ROOT, DATASET) or index.column() != 0:
            return None
        return self._item(index)

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        key = self._key(parent)
        if not isinstance(key, int) or not (0 <= row < self._rows(key)) or column not in (0, 1):
            return QModelIndex()
        return self.createIndex(row, column, key)

    def parent(self, index: QModelIndex) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        key = index.internalId()  # the parent of the indexed item
        if key == ROOT:
            return QModelIndex()
        grand, row = self._parent_of(key)
        return self.createIndex(row, 0, grand)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.column() > 0:
            return 0
        key = self._key(parent)
        return self._rows(key) if isinstance(key, int) else 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 2

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        key = self._key(parent)
        return isinstance(key, int) and self._size(key) > 0

    def canFetchMore(self, parent: QModelIndex) -> bool:
        key = self._key(parent)
        return isinstance(key, int) and self._rows(key) < self._size(key)

    def fetchMore(self, parent: QModelIndex) -> None:
        key = self._key(parent)
        if not isinstance(key, int):
            return
        old = self._rows(key)
        new = min(self._size(key), old + BATCH)
        if new > old:
            self.beginInsertRows(parent, old, new - 1)
            self._want[key] = new
            self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Name", "Count / has")[section]
        return None

    def _dp_data(self, dp: Datapoint, column: int, role):
        if role == Qt.ItemDataRole.DisplayRole:
            return dp.label if column == 0 else " ".join(MODALITY_TAGS.get(m, m) for m in dp.modalities)
        if role == DATAPOINT_ROLE:
            return dp
        if role == STATUS_ROLE:
            return self._status_icon(dp)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            if not dp.problems:
                return self._status_icon(dp)
            data = self.session.data
            return self._warned_icons.get(data.review_state(dp), self._warn) if data is not None else self._warn
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [dp.id, "modalities: " + ", ".join(dp.modalities)]
            lines += [f"⚠ {p.message}" for p in dp.problems]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return self._blue
        if role == Qt.ItemDataRole.FontRole and column == 1:
            return self._small
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role not in _ANSWERED or not index.isValid():
            return None
        item = self._item(index)
        if isinstance(item, Datapoint):
            return self._dp_data(item, index.column(), role)
        a, b = self._span(item)
        count, kind = b - a, item & 3
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return self._name(item)
            badge = self._tally(item)
            return f"{badge}   {count}" if badge else str(count)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{('dataset', 'scene', 'camera')[kind - 1]} {self._name(item)}: {count} datapoint(s)"
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return self._grey
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _name(self, key: int) -> str:
        kind = key & 3
        if kind == DATASET:
            return self._g.ds_names[key >> 2]
        dp = self._order[self._span(key)[0]]
        return dp.scene_node.name if kind == SCENE else dp.camera_node.name

    def _status_icon(self, dp: Datapoint):
        data = self.session.data
        return self._icons.get(data.review_state(dp)) if data is not None else None

    def _tally(self, key: int) -> str:
        if key not in self._tallies:
            data = self.session.data
            self._tallies[key] = tally_text(self._counts(*self._span(key))) if data and data.reviews else ""
        return self._tallies[key]

    def _counts(self, a: int, b: int) -> dict[str, int]:
        """Decisions per state among positions [a, b): from the decisions, never from every datapoint."""
        if self._decided is None:  # positions past the rows made so far are past every span too
            self._decided = self.session.data.decided_positions()
        out = {state: bisect_left(p, b) - bisect_left(p, a) for state, p in self._decided.items()}
        out[UNREVIEWED] = (b - a) - sum(out.values())
        return out

    # -- lookups ----------------------------------------------------------------
    def index_for(self, dp: Datapoint) -> QModelIndex:
        """The row of ``dp``, fetching batches up to it if the view has not yet."""
        pos = self.session.position(dp)
        if pos is None or pos >= self._g.n:
            return QModelIndex()
        keys = [(bisect_right(starts, pos) - 1) << 2 | kind for kind, starts in
                ((DATASET, self._g.ds_starts), (SCENE, self._g.sc_starts), (CAMERA, self._g.cam_starts))]
        parent, parent_key = QModelIndex(), ROOT
        for key in keys:
            row = (key >> 2) - self._children(parent_key)[0]
            self._reveal(parent, parent_key, row)
            parent, parent_key = self.index(row, 0, parent), key
        row = pos - self._span(parent_key)[0]
        self._reveal(parent, parent_key, row)
        return self.index(row, 0, parent)

    def _reveal(self, parent: QModelIndex, key: int, row: int) -> None:
        while row >= self._rows(key):
            self.fetchMore(parent)

    def datapoint_changed(self, dp: Datapoint) -> None:
        """Repaint one row (its problems or status changed)."""
        idx = self.index_for(dp)
        if idx.isValid():
            self.dataChanged.emit(idx, idx.siblingAtColumn(1))
