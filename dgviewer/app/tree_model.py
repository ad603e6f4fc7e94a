"""Dataset → scene → camera → datapoint as a lazy QAbstractItemModel.

Rows are handed to the view in batches (``fetchMore``) so a 100k-datapoint
folder shows at once and fills as the user scrolls; no node ever touches an
image. Datapoint rows have no node object: an index's internal pointer is its
parent node and the row picks the datapoint.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QStyle

from ..core.model import Dataset, Datapoint

BATCH = 500
#: Role returning the Datapoint of a row (None for group rows).
DATAPOINT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role for a per-datapoint review status icon; answered by ``status_provider`` when one is set.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2

#: The roles data() answers; a view asks for ~7 roles per painted cell, most of them for nothing.
_ANSWERED = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
                       Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole,
                       DATAPOINT_ROLE, STATUS_ROLE})

MODALITY_TAGS = {"visible": "RGB", "infrared": "IR", "depth": "D", "normals": "N",
                 "segmentation": "S", "hdri": "H", "instance": "Inst"}


class _Node:
    __slots__ = ("kind", "name", "parent", "row", "children", "datapoints", "fetched", "count")

    def __init__(self, kind: str, name: str, parent: _Node | None, row: int):
        self.kind, self.name, self.parent, self.row = kind, name, parent, row
        self.children: list[_Node] = []
        self.datapoints: list[Datapoint] = []  # camera nodes only
        self.fetched = 0
        self.count = 0

    def size(self) -> int:
        return len(self.datapoints) if self.kind == "camera" else len(self.children)


class DatasetTreeModel(QAbstractItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._root = _Node("root", "", None, 0)
        self.order: list[Datapoint] = []  # datapoints passing the filter, in tree order
        self._pos: dict[str, int] = {}
        self._cam_of: dict[str, tuple[_Node, int]] = {}  # datapoint id → (camera node, row)
        self.status_provider = None  # callable(Datapoint) -> QIcon | None, for review states
        #: callable(key, datapoints) -> str shown before a group row's count (review tallies); ``key``
        #: names the row until the next reset, ``datapoints()`` lists those under it.
        self.group_badge = None
        style = QApplication.style()
        self._warn = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._small = QFont()  # built once: data() runs for every visible cell on each repaint
        self._small.setPointSizeF(self._small.pointSizeF() * 0.85)
        self._grey, self._blue = QColor(150, 150, 150), QColor(120, 170, 220)

    # -- building -------------------------------------------------------------
    def set_dataset(self, dataset: Dataset | None, predicate: Callable[[Datapoint], bool] | None = None) -> None:
        self.beginResetModel()
        root = _Node("root", "", None, 0)
        order: list[Datapoint] = []
        by_dataset: dict[str, _Node] = {}
        for scene in dataset.scenes if dataset else []:
            ds = by_dataset.get(scene.dataset_name)
            if ds is None:
                ds = by_dataset[scene.dataset_name] = _Node("dataset", scene.dataset_name, root, len(root.children))
                root.children.append(ds)
            sn = _Node("scene", scene.name, ds, len(ds.children))
            for cam in scene.cameras:
                dps = [dp for dp in cam if predicate is None or predicate(dp)]
                if not dps:
                    continue
                cn = _Node("camera", cam.name, sn, len(sn.children))
                cn.datapoints, cn.count = dps, len(dps)
                sn.children.append(cn)
                order.extend(dps)
            if sn.children:
                sn.count = sum(c.count for c in sn.children)
                ds.children.append(sn)
        root.children = [d for d in root.children if d.children]
        for i, d in enumerate(root.children):
            d.row, d.count = i, sum(s.count for s in d.children)
        # The first batch of every node is there from the start: fetching a row on the way to a
        # datapoint inserts rows, and that relays out and repaints the whole view on each step.
        for ds in root.children:
            ds.fetched = min(ds.size(), BATCH)
            for sn in ds.children:
                sn.fetched = min(sn.size(), BATCH)
                for cn in sn.children:
                    cn.fetched = min(cn.size(), BATCH)
        root.fetched = len(root.children)
        self._root, self.order = root, order
        self._pos = {dp.id: i for i, dp in enumerate(order)}
        self._cam_of = {dp.id: (cn, row) for ds in root.children for sn in ds.children for cn in sn.children
                        for row, dp in enumerate(cn.datapoints)}
        self.endResetModel()

    @property
    def total(self) -> int:
        return len(self.order)

    def position(self, dp: Datapoint) -> int | None:
        return self._pos.get(dp.id)

    # -- Qt model -------------------------------------------------------------
    def _node(self, index: QModelIndex) -> _Node:
        return index.internalPointer() if index.isValid() else self._root

    def _item(self, index: QModelIndex):
        """The _Node or Datapoint an index stands for."""
        parent = self._node(index)
        if parent.kind == "camera":
            return parent.datapoints[index.row()]
        return parent.children[index.row()]

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        node = self._item(parent) if parent.isValid() else self._root
        if not isinstance(node, _Node) or not (0 <= row < node.fetched) or column not in (0, 1):
            return QModelIndex()
        return self.createIndex(row, column, node)

    def parent(self, index: QModelIndex) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        node = index.internalPointer()  # the parent of the indexed item
        if node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node.parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.column() > 0:
            return 0
        node = self._item(parent) if parent.isValid() else self._root
        return node.fetched if isinstance(node, _Node) else 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 2

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        node = self._item(parent) if parent.isValid() else self._root
        return isinstance(node, _Node) and node.size() > 0

    def canFetchMore(self, parent: QModelIndex) -> bool:
        node = self._item(parent) if parent.isValid() else self._root
        return isinstance(node, _Node) and node.fetched < node.size()

    def fetchMore(self, parent: QModelIndex) -> None:
        node = self._item(parent) if parent.isValid() else self._root
        if not isinstance(node, _Node):
            return
        new = min(node.size(), node.fetched + BATCH)
        if new > node.fetched:
            self.beginInsertRows(parent, node.fetched, new - 1)
            node.fetched = new
            self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Name", "Count / has")[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role not in _ANSWERED or not index.isValid():
            return None
        item = self._item(index)
        if isinstance(item, Datapoint):
            return self._dp_data(item, index.column(), role)
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return item.name
            badge = self.group_badge(id(item), lambda: self._datapoints_under(item)) if self.group_badge else ""
            return f"{badge}   {item.count}" if badge else str(item.count)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.kind} {item.name}: {item.count} datapoint(s)"
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return self._grey
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _dp_data(self, dp: Datapoint, column: int, role):
        if role == Qt.ItemDataRole.DisplayRole:
            return dp.name if column == 0 else " ".join(MODALITY_TAGS.get(m, m) for m in dp.modalities)
        if role == DATAPOINT_ROLE:
            return dp
        if role == STATUS_ROLE:
            return self.status_provider(dp) if self.status_provider else None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            if dp.problems:
                return self._warn
            return self.status_provider(dp) if self.status_provider else None
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [dp.id, "modalities: " + ", ".join(dp.modalities)]
            lines += [f"⚠ {p.message}" for p in dp.problems]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return self._blue
        if role == Qt.ItemDataRole.FontRole and column == 1:
            return self._small
        return None

    # -- lookups for the window ----------------------------------------------
    def _datapoints_under(self, node: _Node) -> list[Datapoint]:
        if node.kind == "camera":
            return node.datapoints
        return [dp for child in node.children for dp in self._datapoints_under(child)]

    def index_for(self, dp: Datapoint) -> QModelIndex:
        """The row of ``dp``, fetching batches up to it if the view has not yet."""
        if dp.id not in self._cam_of:
            return QModelIndex()
        cam, row = self._cam_of[dp.id]
        chain = []
        node = cam
        while node is not self._root:
            chain.append(node)
            node = node.parent
        parent = QModelIndex()
        for node in reversed(chain):
            while node.row >= node.parent.fetched:
                self.fetchMore(parent)
            parent = self.index(node.row, 0, parent)
        while row >= cam.fetched:
            self.fetchMore(parent)
        return self.index(row, 0, parent)

    def datapoint_changed(self, dp: Datapoint) -> None:
        """Repaint one row (its problems or status changed)."""
        idx = self.index_for(dp)
        if idx.isValid():
            self.dataChanged.emit(idx, idx.siblingAtColumn(1))

    def first_of_next_group(self, dp: Datapoint, kind: str, step: int) -> Datapoint | None:
        """First datapoint of the next (step=1) or previous (-1) camera or scene in filtered order."""
        if dp.id not in self._cam_of:
            return None
        cam = self._cam_of[dp.id][0]
        group = cam if kind == "camera" else cam.parent
        groups = [g for ds in self._root.children for g in
                  (ds.children if kind == "scene" else [c for s in ds.children for c in s.children])]
        i = groups.index(group) + step
        if not 0 <= i < len(groups):
            return None
        g = groups[i]
        return g.datapoints[0] if kind == "camera" else g.children[0].datapoints[0]

