"""Left panel: filter box, indexing progress and the dataset tree."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QProgressBar, QTreeView, QVBoxLayout, QWidget

from ..core.model import Dataset, Datapoint
from . import tree_filter
from .tree_filter import FilterError, parse_filter
from .tree_model import DATAPOINT_ROLE, DatasetTreeModel


FILTER_HELP = tree_filter.__doc__.split("\n\n", 1)[1].strip()


class TreePanel(QWidget):
    datapoint_selected = Signal(object)  # Datapoint
    filter_applied = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self._selecting = False
        self.filter = QLineEdit(placeholderText="Filter: name or key=value (expression=happiness camera=camera_2)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip(FILTER_HELP)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the index is built in one call
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.summary = QLabel()
        self.summary.setStyleSheet("color: gray")
        self.model = DatasetTreeModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 90)  # badges: the name column gets the rest
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter)
        layout.addWidget(self.progress)
        layout.addWidget(self.view)
        layout.addWidget(self.summary)
        self.filter.returnPressed.connect(self.apply_filter)
        self.filter.textChanged.connect(lambda t: t or self.apply_filter())
        self.view.selectionModel().currentChanged.connect(self._current_changed)

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.progress.setVisible(busy)
        if text:
            self.summary.setText(text)

    def set_dataset(self, dataset: Dataset | None) -> None:
        self.dataset = dataset
        self.apply_filter()

    def apply_filter(self) -> None:
        try:
            predicate = parse_filter(self.filter.text())
            self.filter.setStyleSheet("")
        except FilterError as e:
            self.filter.setStyleSheet("QLineEdit { border: 1px solid #d33; }")
            self.summary.setText(f"filter: {e}")
            return
        self.model.set_dataset(self.dataset, predicate)
        total = len(self.dataset) if self.dataset else 0
        shown = self.model.total
        self.summary.setText(f"{shown} datapoints" if shown == total else f"{shown} of {total} datapoints")
        self.view.expandToDepth(1)
        self.filter_applied.emit()

    def select(self, dp: Datapoint) -> None:
        """Make ``dp`` the current row without re-announcing it."""
        index = self.model.index_for(dp)
        if not index.isValid():
            return
        self._selecting = True
        try:
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._selecting = False
        self.view.scrollTo(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        dp = current.data(DATAPOINT_ROLE)
        if dp is not None and not self._selecting:
            self.datapoint_selected.emit(dp)
