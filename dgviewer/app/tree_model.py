"""Dataset → scene → camera → datapoint as a lazy QAbstractItemModel.

Rows are handed to the view in batches (``fetchMore``) so a 100k-datapoint
folder shows at once and fills as the user scrolls; no node ever touches an
image. Datapoint rows have no node object: an index's internal pointer is its
parent node and the row picks the datapoint.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QStyle

from ..core.model import Datapoint
from .review_look import LOOK, state_icon, tally_text, with_badge
from .session import Session

BATCH = 500
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


class _Node:
    __slots__ = ("kind", "name", "parent", "row", "children", "datapoints", "fetched", "count", "source")

    def __init__(self, kind: str, name: str, parent: _Node | None, row: int, source=None):
        self.kind, self.name, self.parent, self.row = kind, name, parent, row
        self.source = source  # the Scene or Camera
        self.children: list[_Node] = []
        self.datapoints: list[Datapoint] = []  # camera nodes only
        self.fetched = 0
        self.count = 0

    def size(self) -> int:
        return len(self.datapoints) if self.kind == "camera" else len(self.children)


class DatasetTreeModel(QAbstractItemModel):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self._root = _Node("root", "", None, 0)
        self._cam_of: dict[str, tuple[_Node, int]] = {}  # datapoint id → (camera node, row)
        self._tallies: dict[int, str] = {}  # group row → review tally text, until reviews change or a reset
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
        root = _Node("root", "", None, 0)
        ds = sn = cn = None
        for dp in self.session.order:
            scene, cam = dp.scene_node, dp.camera_node
            if ds is None or ds.name != scene.dataset_name:
                ds = _Node("dataset", scene.dataset_name, root, len(root.children))
                root.children.append(ds)
                sn = None
            if sn is None or sn.source is not scene:
                sn = _Node("scene", scene.name, ds, len(ds.children), scene)
                ds.children.append(sn)
                cn = None
            if cn is None or cn.source is not cam:
                cn = _Node("camera", cam.name, sn, len(sn.children), cam)
                sn.children.append(cn)
            cn.datapoints.append(dp)
            cn.count += 1
            sn.count += 1
            ds.count += 1
        # The first batch of every node is there from the start: fetching a row on the way to a
        # datapoint inserts rows, and that relays out and repaints the whole view on each step.
        for ds in root.children:
            ds.fetched = min(ds.size(), BATCH)
            for sn in ds.children:
                sn.fetched = min(sn.size(), BATCH)
                for cn in sn.children:
                    cn.fetched = min(cn.size(), BATCH)
        root.fetched = len(root.children)
        self._root = root
        self._cam_of = {dp.id: (cn, row) for ds in root.children for sn in ds.children for cn in sn.children
                        for row, dp in enumerate(cn.datapoints)}
        self._tallies.clear()
        self.endResetModel()

    def reviews_changed(self) -> None:
        self._tallies.clear()

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
            badge = self._tally(item)
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

    def _status_icon(self, dp: Datapoint):
        data = self.session.data
        return self._icons.get(data.review_state(dp)) if data is not None else None

    def _tally(self, node: _Node) -> str:
        key = id(node)
        if key not in self._tallies:
            data = self.session.data
            self._tallies[key] = tally_text(data.review_counts(self._datapoints_under(node))) if data else ""
        return self._tallies[key]

    # -- lookups ----------------------------------------------------------------
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
