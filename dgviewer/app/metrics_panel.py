"""The metrics panel: a capture's metrics (Unity Perception) grouped by scope, values readable at a glance.

Shown for datasets any part of which offers ``metrics()`` (Datagen has none; a merged one may).
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..core.annotations import Metric
from .session import Session

#: Narrowest scope first: what this capture measured, then its step, sequence and the whole run.
SCOPES = ("capture", "annotation", "step", "sequence", "simulation")
_INLINE = 6  # lists of up to this many scalars stay on one line


def _number(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _is_scalar(v) -> bool:
    return not isinstance(v, (dict, list, tuple))


def _inline(value) -> str | None:
    """One-line text for a scalar, a short list of scalars or a small flat dict; None when it needs rows."""
    if _is_scalar(value):
        return _number(value)
    if isinstance(value, (list, tuple)) and len(value) <= _INLINE and all(map(_is_scalar, value)):
        return "[" + ", ".join(map(_number, value)) + "]"
    if isinstance(value, dict) and len(value) <= _INLINE and all(map(_is_scalar, value.values())):
        return "  ".join(f"{k}: {_number(v)}" for k, v in value.items())
    return None


def _item(key: str, value) -> QTreeWidgetItem:
    text = _inline(value)
    if text is not None:
        item = QTreeWidgetItem([key, text])
        item.setToolTip(1, text)
        return item
    if isinstance(value, (list, tuple)) and len(value) == 1:  # Perception wraps many values in a 1-list
        return _item(key, value[0])
    children = value.items() if isinstance(value, dict) else enumerate(value)
    item = QTreeWidgetItem([key, f"{len(value)} {'entries' if isinstance(value, dict) else 'items'}"])
    item.addChildren([_item(str(k), v) for k, v in children])
    return item


class MetricsPanel(QWidget):
    """The current datapoint's metrics, filled while the panel is on screen."""

    applicable = Signal(bool)  # on each open: whether the dataset has metrics (its dock is shown only then)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._dp_id: str | None = None
        self._on = False
        self.title = QLabel()
        self.title.setStyleSheet("color: gray")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Metric", "Value"])
        self.tree.setColumnWidth(0, 170)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)
        self._bold = QFont()
        self._bold.setBold(True)
        session.dataset_opened.connect(self._dataset_opened)
        session.listed.connect(self._listed)  # folders listed after the first may have metrics
        session.shown.connect(lambda _id: self._follow())

    def set_metrics(self, dp_id: str | None, metrics: list[Metric]) -> None:
        self.tree.clear()
        by_scope: dict[str, list[Metric]] = {}
        for m in metrics:
            by_scope.setdefault(m.scope, []).append(m)
        self.title.setText(f"{len(metrics)} metric(s) for {dp_id}" if metrics else "No metrics for this datapoint.")
        for scope in sorted(by_scope, key=lambda s: SCOPES.index(s) if s in SCOPES else len(SCOPES)):
            group = QTreeWidgetItem([scope, str(len(by_scope[scope]))])
            group.setFont(0, self._bold)
            for m in by_scope[scope]:
                item = _item(m.name, m.values)
                if m.description:
                    item.setToolTip(0, m.description)
                group.addChild(item)
            self.tree.addTopLevelItem(group)
            group.setExpanded(True)
            for i in range(group.childCount()):  # one level open: values show without a click
                group.child(i).setExpanded(group.child(i).childCount() <= _INLINE)

    def _dataset_opened(self, dataset) -> None:
        self._on = has_metrics(dataset)
        self._dp_id = None
        self.set_metrics(None, [])
        self.applicable.emit(self._on)

    def _listed(self) -> None:
        if self.session.dataset is not None and not self._on and has_metrics(self.session.dataset):
            self._on = True
            self.applicable.emit(True)
            self._follow()

    def _follow(self) -> None:
        dp = self.session.cur.dp
        if self._on and self.isVisible() and dp is not None and dp.id != self._dp_id:
            self._dp_id = dp.id
            self.set_metrics(dp.id, dp.metrics() if _offers_metrics(dp) else [])

    def showEvent(self, event) -> None:  # brought to front: show the current datapoint's
        super().showEvent(event)
        self._follow()

    def values(self) -> dict[str, str]:
        """Metric name → its row's value text (for tests and copy-out)."""
        out = {}
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for i in range(group.childCount()):
                out[group.child(i).text(0)] = group.child(i).text(1)
        return out


def _offers_metrics(dp) -> bool:
    return callable(getattr(dp, "metrics", None))


def has_metrics(dataset) -> bool:
    """Whether any part of the dataset offers metrics (a merged Datagen + Perception one does)."""
    return any(map(_offers_metrics, dataset.firsts_so_far()))
