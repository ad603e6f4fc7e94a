"""Left panel: filter box, indexing progress and the dataset tree."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QProgressBar, QTreeView, QVBoxLayout,
                               QWidget)

from ..core import filters
from ..core.filters import Facts, FilterError, compile_filter
from ..core.model import Dataset, Datapoint
from .tree_model import DATAPOINT_ROLE, DatasetTreeModel


FILTER_HELP = filters.help_text()  # the generic keys; set_dataset adds those its readers declare


class TreePanel(QWidget):
    datapoint_selected = Signal(object)  # Datapoint
    filter_applied = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dataset: Dataset | None = None
        # What filter terms beyond the index read: review= needs decisions, finding= a QA run.
        self.reviews = None
        self.findings: dict | None = None
        self._facts = Facts()  # actor facts read once per datapoint, kept while the dataset is open
        self._selecting = False
        self.filter = QLineEdit(placeholderText="Filter: expression=happiness camera=camera_2 review=fail finding=any")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip(FILTER_HELP)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the index is built in one call
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.summary = QLabel()
        self.summary.setStyleSheet("color: gray")
        # Long texts ("Indexing <every path> …", filter errors) wrap instead of widening the dock and the window.
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(1)
        self.model = DatasetTreeModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        # Qt scrolls to every new current row (expanding its parents), which repaints every visible
        # row on each step; select() reveals rows itself, less often.
        self.view.setAutoScroll(False)
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
        self.filter.setToolTip(filters.help_text(dataset.fact_keys) if dataset is not None else FILTER_HELP)
        self.findings = None
        self._facts = Facts()
        self.apply_filter()

    def set_reviews(self, reviews) -> None:
        self.reviews = reviews

    def set_findings(self, findings: dict | None) -> None:
        """QA findings by datapoint id, for ``finding=`` / ``severity=`` terms."""
        self.findings = findings

    def apply_filter(self) -> None:
        try:
            predicate = compile_filter(self.filter.text(), reviews=self.reviews, findings=self.findings,
                                       facts=self._facts)
            self.filter.setStyleSheet("")
        except FilterError as e:
            self.filter.setStyleSheet("QLineEdit { border: 1px solid #d33; }")
            self.summary.setText(str(e))
            return
        self.model.set_dataset(self.dataset, predicate)
        total = len(self.dataset) if self.dataset else 0
        shown = self.model.total
        self.summary.setText(f"{shown} datapoints" if shown == total else f"{shown} of {total} datapoints")
        self.view.expandToDepth(1)
        self.filter_applied.emit()

    def select(self, dp: Datapoint, reveal: bool = True) -> None:
        """Make ``dp`` the current row without re-announcing it; ``reveal`` expands and scrolls to it."""
        index = self.model.index_for(dp)
        if not index.isValid():
            return
        self._selecting = True
        try:
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._selecting = False
        # Scroll only when the row is out of view, and then centre it: expanding or scrolling the
        # view repaints every visible row, each cell several Python calls into the model.
        if reveal and not self.view.viewport().rect().contains(self.view.visualRect(index)):
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting:
            return
        dp = current.data(DATAPOINT_ROLE)
        if dp is not None:
            self.datapoint_selected.emit(dp)  # the window selects it back, revealing it
        else:
            self.view.scrollTo(current)
