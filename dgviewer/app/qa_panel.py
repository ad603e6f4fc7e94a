"""The QA panel: runs ``dgviewer validate``'s checks in the background and lists what they found.

Double-clicking a finding shows its datapoint with the overlay that shows the
problem switched on (and its image, and a ring around the spot, when the
finding names them). After a run, ``finding=`` and ``severity=`` work in the
tree's filter box.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ..qa import CHECKS, ERROR, Finding, QAResult, run_checks
from .progress_bar import ProgressBar
from .session import Session

_ALL = "All checks"


class _Signals(QObject):
    progress = Signal(int, int)
    done = Signal(object)  # QAResult
    failed = Signal(str)


class _Run(QRunnable):
    """One run of the checks on a pool thread; holds its signal object so it outlives a closed panel."""

    def __init__(self, dataset, images: bool):
        super().__init__()
        self.dataset, self.images = dataset, images
        self.signals = _Signals()
        self.cancelled = threading.Event()

    def run(self) -> None:
        try:
            result = run_checks(self.dataset, images=self.images, progress=self.signals.progress.emit,
                                cancel=self.cancelled.is_set)
        except Exception as e:  # reported in the panel; the checks themselves catch per-datapoint errors
            self.signals.failed.emit(f"{type(e).__name__}: {e}")
        else:
            self.signals.done.emit(result)


class QAPanel(QWidget):
    finished = Signal(object)  # QAResult, once listed

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.result: QAResult | None = None
        self._run: _Run | None = None
        self.run_button = QPushButton("Run checks")
        self.images = QCheckBox("image checks")
        self.images.setToolTip("Also decode every image: segmentation colours, empty masks, depth values (slower)")
        self.progress = ProgressBar()
        self.progress.setMaximumHeight(14)
        self.progress.hide()
        self.check_filter = QComboBox()
        self.check_filter.addItem(_ALL)
        self.summary = QLabel("Not run yet.")
        self.summary.setStyleSheet("color: gray")
        self.summary.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setHeaderLabels(["", "Check", "Datapoint", "Message"])
        # Datapoint ids share long prefixes (``2023-01_faces_1/datapoint_0000…``): elided in the middle,
        # so what tells them apart shows; full text on hover; columns as wide as their content.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for col in (0, 1):
            self.table.header().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSortingEnabled(True)
        self._id_width = 220
        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.images)
        top.addWidget(self.check_filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.run_button.clicked.connect(self._run_or_cancel)
        self.check_filter.currentIndexChanged.connect(self._apply_check_filter)
        self.table.itemActivated.connect(lambda item, _col: self._jump(item.data(0, Qt.ItemDataRole.UserRole)))
        session.dataset_opened.connect(self._dataset_opened)

    # -- running ------------------------------------------------------------------
    def _dataset_opened(self, _dataset) -> None:
        self.cancel()
        self._ended()  # a run still going is for the previous dataset: its results are dropped
        self.result = None
        self._fill([])
        self.summary.setText("Not run yet.")

    def _run_or_cancel(self) -> None:
        if self._run is not None:
            self.cancel()
        else:
            self.start()

    def start(self) -> None:
        if self.session.dataset is None or self._run is not None:
            return
        run = self._run = _Run(self.session.dataset, self.images.isChecked())
        run.signals.progress.connect(self._progress)
        run.signals.done.connect(self._finished)
        run.signals.failed.connect(self._failed)
        self.run_button.setText("Cancel")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.summary.setText("Checking…")
        QThreadPool.globalInstance().start(run)

    def cancel(self) -> None:
        if self._run is not None:
            self._run.cancelled.set()

    def _current(self) -> bool:
        """Whether the signal being handled comes from the run this panel waits for."""
        return self._run is not None and self.sender() is self._run.signals

    def _progress(self, done: int, total: int) -> None:
        if not self._current():
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _ended(self) -> None:
        self._run = None
        self.run_button.setText("Run checks")
        self.progress.hide()

    def _failed(self, message: str) -> None:
        if not self._current():
            return
        self._ended()
        self.summary.setText(f"The checks stopped: {message}")

    def _finished(self, result: QAResult) -> None:
        if not self._current():
            return
        dataset = self._run.dataset
        self._ended()
        self.result = result
        self.summary.setText(result.summary())
        self._fill(result.findings)
        self.session.set_findings(dataset, result.by_datapoint())
        self.finished.emit(result)

    # -- the list -----------------------------------------------------------------
    def _fill(self, findings: list[Finding]) -> None:
        self.table.setSortingEnabled(False)
        self.table.clear()
        for f in findings:
            item = QTreeWidgetItem(["●", f.check, f.datapoint or "(dataset)", f.message])
            item.setData(0, Qt.ItemDataRole.UserRole, f)
            item.setForeground(0, QColor(215, 70, 60) if f.severity == ERROR else QColor(90, 140, 210))
            item.setToolTip(0, f.severity)
            item.setToolTip(1, CHECKS[f.check].description if f.check in CHECKS else f.check)
            item.setToolTip(2, item.text(2))
            item.setToolTip(3, f.message + (f"\n{f.file}" if f.file else ""))
            self.table.addTopLevelItem(item)
        self.table.setSortingEnabled(True)
        self._size_id_column(fit=True)
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.check] = counts.get(f.check, 0) + 1
        self.check_filter.blockSignals(True)
        self.check_filter.clear()
        self.check_filter.addItem(_ALL)
        for check, n in counts.items():
            self.check_filter.addItem(f"{check} ({n})", check)
        self.check_filter.blockSignals(False)

    def _size_id_column(self, fit: bool = False) -> None:
        """The datapoint column fits its ids (measured when listed), but leaves the message a third of the room."""
        if fit:
            self.table.resizeColumnToContents(2)
            self._id_width = self.table.columnWidth(2)
        room = self.table.viewport().width() - sum(self.table.columnWidth(c) for c in (0, 1))
        self.table.setColumnWidth(2, max(120, min(self._id_width, room * 2 // 3)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._size_id_column()

    def _apply_check_filter(self) -> None:
        check = self.check_filter.currentData()
        for i in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(i)
            item.setHidden(check is not None and item.text(1) != check)

    def _jump(self, f: Finding | None) -> None:
        if f is not None:
            self.session.jump_to(f)
