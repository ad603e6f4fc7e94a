"""Left panel: filter box, indexing progress and the dataset tree."""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTreeView, QVBoxLayout,
                               QWidget)

from ..core import filters
from ..core.filters import FilterError
from ..core.model import Datapoint
from .progress_bar import ProgressBar
from .session import Session
from .tree_model import DATAPOINT_ROLE, DatasetTreeModel


FILTER_HELP = filters.help_text()  # the generic keys; a dataset adds those its readers declare
#: During a burst (a held key) the tree scrolls to the current row at most this often (each scroll repaints it all).
REVEAL_S = 0.5


class _Header(QHeaderView):
    """The tree's header, its height worked out once (again on a font or style change). Qt worked it out anew on
    every expanded row while a listing inserted rows: a fifth of the GUI thread's time in a 100k listing."""

    def __init__(self, parent: QWidget):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsMovable(True)  # as QTreeView's own header
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._hint: QSize | None = None

    def sizeHint(self) -> QSize:
        if self._hint is None:
            hint = super().sizeHint()
            if not self.count():  # no model's sections yet
                return hint
            self._hint = hint
        return self._hint

    def changeEvent(self, event: QEvent) -> None:
        self._hint = None
        super().changeEvent(event)


class TreePanel(QWidget):
    """Shows the session's filtered datapoints; a click makes one current, the current one is selected."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._selecting = False
        self._revealed_at = 0.0  # when the view last scrolled to the current row
        #: The current datapoint while the tree has not taken it in yet (an open at a datapoint, a reload):
        #: selected once a growth brings it in.
        self._unplaced: Datapoint | None = None
        self._opened: set[int] = set()  # group rows opened since the tree was rebuilt (model.group_key)
        self._view_full = False  # rows reach past the view's end: a growth (appended below) adds nothing in view
        self._open_timer = QTimer(self, singleShot=True, interval=0)
        self._open_timer.timeout.connect(self._open_in_view)
        self.filter = QLineEdit(placeholderText="Filter: expression=happiness camera=camera_2 review=fail finding=any")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip(FILTER_HELP)
        self.progress = ProgressBar()
        self.progress.setRange(0, 0)  # busy: until the first scene is listed (then the status line shows progress)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        # The tree keeps its size while a bar or a text comes and goes: each new size of it laid out every
        # expanded row again and repainted them (30-70 ms of the GUI thread at 100k).
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        self.progress.hide()
        self.summary = QLabel()
        self.summary.setStyleSheet("color: gray")
        # Long texts ("Indexing <every path> …", filter errors) wrap instead of widening the dock and the window;
        # two lines are kept for the texts of every open and filter.
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(1)
        self.summary.setMinimumHeight(2 * self.summary.fontMetrics().lineSpacing())
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.model = DatasetTreeModel(session, self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        # Rows coming into view are opened (_open_in_view): on a scroll, a resize, a row opened or closed.
        self.view.verticalScrollBar().valueChanged.connect(self._open_soon)
        self.view.expanded.connect(self._open_soon)
        self.view.collapsed.connect(self._open_soon)
        self.view.viewport().installEventFilter(self)
        self.model.modelReset.connect(self._reset)
        self.view.setUniformRowHeights(True)
        # Qt scrolls to every new current row (expanding its parents), which repaints every visible
        # row on each step; select() reveals rows itself, less often.
        self.view.setAutoScroll(False)
        header = _Header(self.view)
        self.view.setHeader(header)
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
        session.opening.connect(lambda paths: self._set_busy(True, "Indexing " + ", ".join(paths) + " …"))
        session.open_failed.connect(self._open_failed)
        session.dataset_opened.connect(self._dataset_opened)
        session.filter_changed.connect(self._filtered)
        session.filter_waiting.connect(self._filter_waiting)
        session.filter_failed.connect(self._filter_failed)
        session.grew.connect(self._grew)
        session.listed.connect(self._listed)
        session.current_changed.connect(
            lambda dp: self.select(dp, reveal=not session.burst or time.monotonic() - self._revealed_at > REVEAL_S))
        session.settled.connect(lambda: self.select(session.cur.dp))
        session.reviews_changed.connect(self._reviews_changed)
        session.problem.connect(self.model.datapoint_changed)

    def _set_busy(self, busy: bool, text: str) -> None:
        self.progress.setVisible(busy)
        self.summary.setText(text)

    def _open_failed(self, _message: str) -> None:
        self._set_busy(False, "Nothing open")
        if self.session.dataset is not None:  # the dataset open before stays open
            self._rebuild()

    def _dataset_opened(self, dataset) -> None:
        self.filter.setToolTip(filters.help_text(dataset.fact_keys))
        self.progress.hide()
        self.filter.blockSignals(True)  # a new dataset opens unfiltered
        self.filter.clear()
        self.filter.setStyleSheet("")
        self.filter.blockSignals(False)
        self._rebuild()
        self.view.resizeColumnToContents(1)

    def apply_filter(self) -> None:
        """Run the box's filter off the GUI thread (the tree follows when it is done); a bad one is red at once."""
        self.summary.setText("Filtering …")  # or, when it waits for the facts index, how far that is
        try:
            self.session.set_filter(self.filter.text())
            self.filter.setStyleSheet("")
        except FilterError as e:
            self._filter_failed(str(e))

    def _filter_failed(self, message: str) -> None:
        self.progress.hide()
        self.filter.setStyleSheet("QLineEdit { border: 1px solid #d33; }")
        self.summary.setText(message)

    def _filter_waiting(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self._set_busy(True, f"Filtering: indexing the datapoints' facts, {done} of {total} …")

    def _filtered(self) -> None:
        """A filter's run ended. Another panel (Statistics) may have set it: the box shows the one in force."""
        self.progress.hide()
        self.progress.setRange(0, 0)
        text = self.session.data.filter_text if self.session.data else ""
        if text != self.filter.text():
            self.filter.blockSignals(True)
            self.filter.setText(text)
            self.filter.setStyleSheet("")
            self.filter.blockSignals(False)
        self._rebuild()

    def _rebuild(self) -> None:
        self.model.rebuild()
        self._summarise()
        self._open_in_view()
        if self.session.position(self.session.cur.dp) is not None:
            self.select(self.session.cur.dp)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self._open_soon()
        return False

    def _reset(self) -> None:
        self._opened.clear()  # a reset closed every row
        self._open_soon()

    def _open_soon(self, *_) -> None:
        self._open_timer.start()  # once per turn, whatever asked

    def _open_in_view(self) -> None:
        """Open the dataset folders and scenes in view, and a screen below, that were not opened since the tree was
        rebuilt (a row the user closed stays closed). What the user sees is as if every one were open: opening them
        all (a dataset's first 500 scenes) cost 100 ms of the GUI thread at 100k, and re-laying and repainting the
        tree on each turn of a listing."""
        view, model = self.view, self.model
        area = view.viewport().rect()
        index = view.indexAt(area.topLeft())
        if not index.isValid():
            index = model.index(0, 0)
        bottom = area.bottom() + area.height()
        while index.isValid() and view.visualRect(index).top() <= bottom:
            key = model.group_key(index)
            if key is not None and key not in self._opened:
                self._opened.add(key)
                view.expand(index)
            index = view.indexBelow(index)
        self._view_full = index.isValid()
        self._open_timer.stop()  # the rows opened here asked for another pass

    def _grew(self, _start: int, stop: int) -> None:
        """Rows listed since: inserted where the view shows them, and opened while they fill the view (rows past
        the view's end are opened as it is scrolled to them)."""
        self.model.grow(stop)
        if not self._view_full:
            self._open_soon()
        if self._unplaced is not None and self._unplaced is self.session.cur.dp:
            self.select(self._unplaced)

    def _listed(self) -> None:
        self.model.counts_grew()  # their last growth: repainted now, not at the next throttled turn
        self._summarise()

    def _summarise(self) -> None:
        # While listing, no count: the tree's rows and the status line's bar count. The summary is a
        # wrapping label, and each new text of it relaid the window's docks out and repainted them
        # (28 window repaints in a 100k listing at two texts a second).
        ds, data = self.session.dataset, self.session.data
        if ds is not None and not ds.complete:
            filtered = data is not None and data.filter_text
            return self.summary.setText("Listing… (filtered as it arrives)" if filtered else "Listing…")
        shown, total = len(self.session.order), (ds.indexed if ds is not None else 0)
        self.summary.setText(f"{shown} datapoints" if shown == total else f"{shown} of {total} datapoints")

    def _reviews_changed(self, _dp_id: str) -> None:
        self.model.reviews_changed()
        self.view.viewport().update()  # the row's icon and every ancestor's tally
        self.view.resizeColumnToContents(1)

    def select(self, dp: Datapoint, reveal: bool = True) -> None:
        """Make ``dp`` the current row without re-announcing it; ``reveal`` expands and scrolls to it."""
        index = self.model.index_for(dp) if dp is not None else QModelIndex()
        self._unplaced = dp if dp is not None and not index.isValid() else None
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
        if reveal:
            self._revealed_at = time.monotonic()
            if not self.view.viewport().rect().contains(self.view.visualRect(index)):
                self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting:
            return
        dp = current.data(DATAPOINT_ROLE)
        if dp is not None:
            self.session.navigate(dp)  # selected back when it becomes current, revealed when settled
        else:
            self.view.scrollTo(current)
