"""The inspector: the datapoint's problems, then its metadata as a searchable tree."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QTreeWidget, QTreeWidgetItem, \
    QVBoxLayout, QWidget

from .session import Session

_MAX_CHILDREN = 500  # long arrays (e.g. 468 points) are cut, with a row saying how many are left
#: A row's key to the value its children are made from when it is first opened (or searched): a datapoint's
#: metadata made 750 rows, 20-35 ms of the GUI thread on each step, most of them never opened.
_LATER = Qt.ItemDataRole.UserRole + 1


class Inspector(QWidget):
    """Follows the current datapoint: at once when it is shown, debounced while a key is held."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(110)
        self.problems.setWordWrap(True)
        self.search = QLineEdit(placeholderText="Search keys and values")
        self.search.setClearButtonEnabled(True)
        self.no_match = QLabel()  # a search that hides every row says so, not an empty tree
        self.no_match.setStyleSheet("color: gray")
        self.no_match.hide()
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Key", "Value"])
        self.tree.setColumnWidth(0, 200)
        self.tree.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.problems)
        layout.addWidget(self.search)
        layout.addWidget(self.no_match)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self._apply_search)
        self.tree.itemExpanded.connect(self._fill)
        self._meta_id = None
        self._later: dict[int, object] = {}  # values of the rows not opened yet, by their _LATER key
        self._later_key = 0
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self._follow)
        session.dataset_opened.connect(self._clear)
        session.updated.connect(self._timer.start)
        session.shown.connect(self._shown)

    def _clear(self, _dataset=None) -> None:
        self._meta_id = None
        self.title.setText("")
        self.problems.clear()
        self.tree.clear()

    def _shown(self, _dp_id: str) -> None:
        if not self.session.burst:  # whoever waits on `shown` (a screenshot, a test) sees this datapoint's
            self._timer.stop()  # metadata; a held key keeps the inspector debounced
            self._follow()

    def _follow(self) -> None:
        cur = self.session.cur
        if cur.dp is not None:
            self.set_datapoint(cur.dp.id, cur.ann.metadata if cur.ann else None, cur.problems())

    def set_datapoint(self, dp_id: str | None, metadata: dict | None, problems: list[str]) -> None:
        self.title.setText(f"<b>{dp_id}</b>" if dp_id else "")
        self.set_problems(problems)
        if metadata is None or self._meta_id == dp_id:
            return
        self._meta_id = dp_id
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        self._later.clear()
        self.tree.addTopLevelItems([self._item(k, v) for k, v in metadata.items()])
        if self.search.text():
            self._apply_search()
        else:
            self._open_first()
        self.tree.setUpdatesEnabled(True)

    def _open_first(self) -> None:
        """Rows as a datapoint first shows them: the top level, open when there are three rows or fewer."""
        self.tree.collapseAll()
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setExpanded(self.tree.topLevelItemCount() <= 3)

    def set_problems(self, problems: list[str]) -> None:
        self.problems.clear()
        for text in problems:
            item = QListWidgetItem("⚠ " + text.splitlines()[0])
            item.setToolTip(text)
            item.setForeground(QColor(220, 60, 60))
            self.problems.addItem(item)
        if not problems:
            item = QListWidgetItem("No problems found on this datapoint.")
            item.setForeground(QColor(120, 160, 120))
            self.problems.addItem(item)

    def problem_texts(self) -> list[str]:
        return [self.problems.item(i).toolTip() for i in range(self.problems.count())
                if self.problems.item(i).toolTip()]

    def _item(self, key, value) -> QTreeWidgetItem:
        """A row for ``key``; a dict's or a long list's children are made when it is first opened (``_fill``)."""
        if isinstance(value, dict):
            item = QTreeWidgetItem([str(key), f"{{{len(value)}}}"])
        elif isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value) \
                or isinstance(value, (list, tuple)) and len(value) > 8:
            item = QTreeWidgetItem([str(key), f"[{len(value)}]"])
        else:
            text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
            item = QTreeWidgetItem([str(key), text])
            item.setToolTip(1, text)
            return item
        if value:  # kept here: a dict set as item data would be converted to a QVariantMap and back
            n = self._later_key = self._later_key + 1
            self._later[n] = value
            item.setData(0, _LATER, n)
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item

    def _fill(self, item: QTreeWidgetItem) -> None:
        """Make ``item``'s children from the value it kept (once)."""
        value = self._later.pop(item.data(0, _LATER), None)
        if value is None:
            return
        pairs = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        item.addChildren([self._item(k, v) for k, v in pairs[:_MAX_CHILDREN]])
        if len(pairs) > _MAX_CHILDREN:
            item.addChild(QTreeWidgetItem(["…", f"{len(pairs) - _MAX_CHILDREN} more"]))
        item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless)

    def _apply_search(self) -> None:
        text = self.search.text().lower()

        def visit(item: QTreeWidgetItem, under_hit: bool = False) -> bool:
            if text:
                self._fill(item)  # a search looks at every row
            hit = bool(text) and (text in item.text(0).lower() or text in item.text(1).lower())
            child_hit = False
            for i in range(item.childCount()):
                child_hit |= visit(item.child(i), under_hit or hit)
            item.setHidden(bool(text) and not (hit or child_hit or under_hit))
            if text and child_hit:
                item.setExpanded(True)
            return hit or child_hit

        found = False
        for i in range(self.tree.topLevelItemCount()):
            found |= visit(self.tree.topLevelItem(i))
        self.no_match.setText(f"No key or value contains “{self.search.text()}”.")
        self.no_match.setVisible(bool(text) and not found)
        if not text:  # a cleared search closes the rows it opened
            self._open_first()
