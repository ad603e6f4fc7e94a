"""The thumbnail grid: the session's filtered datapoints as thumbnails, in tree order.

It follows the session: the current datapoint is selected and scrolled into view, a filter or another
dataset refills it, decisions and QA findings show as badges, and the view's overlays, modality and
colours are what each thumbnail shows. A click makes a datapoint current (the tree and the review keys
follow); Enter or a double-click asks to open it on the canvas (``open_requested``).
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QSlider, QTableView, QVBoxLayout,
                               QWidget)

from ...core import courtesy
from ...core.display import BACKGROUND
from ...core.model import Datapoint
from ..session import Session
from .delegate import GridDelegate
from .disk import ThumbDisk
from .model import GridModel
from .thumbnail import ThumbSpec
from .thumbs import Thumbnails

#: Thumbnail sizes offered (the longer side, logical pixels): the slider's range and step, and the first size.
MIN_SIZE, MAX_SIZE, SIZE_STEP, DEFAULT_SIZE = 64, 320, 32, 160
SCROLL_REST_MS = 60


class GridView(QTableView):
    """A table without headers or lines, one thumbnail per cell; Ctrl+wheel asks for another size."""

    zoomed = Signal(int)  # +1 larger, -1 smaller
    resized = Signal()

    # The empty end of the last line is never current nor selected (the model enables every cell: see
    # GridModel.index): keys stop at the last thumbnail, clicks there do nothing.
    def moveCursor(self, action, modifiers) -> QModelIndex:
        index = super().moveCursor(action, modifiers)
        model = self.model()
        return model.last() if index.isValid() and model.position(index) is None else index

    def mousePressEvent(self, event) -> None:
        if not self._past_the_end(event):  # else dropped (accepted: it goes no further)
            super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if not self._past_the_end(event):
            super().mouseDoubleClickEvent(event)

    def _past_the_end(self, event) -> bool:
        index = self.indexAt(event.position().toPoint())
        return index.isValid() and self.model().position(index) is None

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.angleDelta().y():
                self.zoomed.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class GridPanel(QWidget):
    open_requested = Signal(object)  # Datapoint

    def __init__(self, session: Session, disk: ThumbDisk | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._selecting = False
        self.thumbs = Thumbnails(session, disk, parent=self)
        self.model = GridModel(session, self)
        self.delegate = GridDelegate(self.model, self.thumbs, self)
        self.view = GridView()
        self._configure_view()
        self.summary = QLabel()
        self.summary.setStyleSheet("color: gray")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(MIN_SIZE, MAX_SIZE)
        self.slider.setSingleStep(SIZE_STEP)
        self.slider.setPageStep(SIZE_STEP)
        self.slider.setValue(DEFAULT_SIZE)
        self.slider.setMaximumWidth(160)
        self.slider.setToolTip("Thumbnail size (Ctrl+wheel over the grid)")
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self.summary, 1)
        bar.addWidget(QLabel("Size"))
        bar.addWidget(self.slider)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._request_timer = QTimer(self, singleShot=True, interval=0)  # one request per event-loop turn
        self._request_timer.timeout.connect(self.request_visible)
        # While the grid scrolls, thumbnails are asked for once it rests (the rows flown past are never
        # queued) and background work waits (see _scrolled).
        self._scrolled_timer = QTimer(self, singleShot=True, interval=SCROLL_REST_MS)
        self._scrolled_timer.timeout.connect(self.request_visible)
        self.slider.valueChanged.connect(self._set_size)
        self.view.zoomed.connect(lambda step: self.slider.setValue(self.slider.value() + step * SIZE_STEP))
        self.view.resized.connect(self._relayout)
        self.view.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.view.selectionModel().currentChanged.connect(self._clicked)
        self.view.activated.connect(self._activated)
        self.thumbs.arrived.connect(self._update_cell)
        session.dataset_opened.connect(self._dataset_opened)
        session.filter_changed.connect(self._refill)
        session.grew.connect(lambda *_: self.grow())  # rows listed since, while the dataset streams in
        session.current_changed.connect(self.select)
        session.reviews_changed.connect(lambda _id: self.view.viewport().update())  # the cells on screen
        session.findings_changed.connect(self.view.viewport().update)
        events = session.view.events
        for signal in (events.layers, events.styles, events.modality, events.hidden_classes, events.depth_levels,
                       events.depth_colormap):
            signal.connect(self._look_changed)
        self._set_size(DEFAULT_SIZE)

    def _configure_view(self) -> None:
        v = self.view
        v.setModel(self.model)
        v.setItemDelegate(self.delegate)
        v.horizontalHeader().hide()
        v.verticalHeader().hide()
        v.setShowGrid(False)
        v.setWordWrap(False)
        v.setCornerButtonEnabled(False)
        v.setTabKeyNavigation(False)
        v.setAutoScroll(False)
        v.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        v.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        v.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always shown: the columns depend on the width, which would depend on the bar, and so on.
        v.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        v.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # the spare width, shared
        v.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for header in (v.horizontalHeader(), v.verticalHeader()):
            header.setMinimumSectionSize(1)
        v.setStyleSheet("QTableView { background: rgb(%d, %d, %d); border: none; }" % BACKGROUND)

    # -- size and layout -------------------------------------------------------------------
    def _set_size(self, size: int) -> None:
        self.delegate.size = size
        cell = self.delegate.cell_size()
        self.view.verticalHeader().setDefaultSectionSize(cell.height())
        self.view.verticalScrollBar().setSingleStep(max(1, cell.height() // 4))
        self._relayout()
        self._look_changed()

    def _look_changed(self, *_) -> None:
        px = round(self.delegate.size * self.devicePixelRatioF())  # drawn at the screen's pixel density
        if self.thumbs.set_spec(ThumbSpec.of(self.session.view, px)):
            self.view.viewport().update()
            self._request_timer.start()

    def _relayout(self) -> None:
        """As many columns as whole cells fit across; the first line on screen stays on screen."""
        columns = max(1, self.view.viewport().width() // self.delegate.cell_size().width())
        if columns == self.model.columns:
            return self._request_timer.start()
        top = self.view.rowAt(0)
        anchor = top * self.model.columns if top >= 0 else None
        self._refill(columns)
        if anchor is not None:
            self.view.scrollTo(self.model.index_at(anchor), QAbstractItemView.ScrollHint.PositionAtTop)

    def _refill(self, columns: int | None = None) -> None:
        """The whole filtered order again (a filter, another dataset, another width)."""
        self.model.reset(columns)
        self._summarise()
        self.select(self.session.cur.dp)
        self._request_timer.start()

    def grow(self) -> None:
        """Datapoints were appended to the order (the index is still streaming in)."""
        self.model.grow()
        self._summarise()
        self._request_timer.start()

    def _summarise(self) -> None:
        shown = len(self.session.order)
        total = self.session.data.judged if self.session.data is not None else 0  # taken in so far: never waits
        self.summary.setText(f"{shown} datapoints" if shown == total else f"{shown} of {total} datapoints")

    # -- following the session ------------------------------------------------------------
    def _dataset_opened(self, _dataset) -> None:
        self.thumbs.clear()
        self._refill()

    def select(self, dp: Datapoint | None) -> None:
        """Make ``dp``'s cell the current one, without announcing it back, and scroll it into view."""
        index = self.model.index_of(dp)
        self._selecting = True
        try:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            self.view.selectionModel().setCurrentIndex(index, flags)
        finally:
            self._selecting = False
        if index.isValid():
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _update_cell(self, dp: Datapoint) -> None:
        index = self.model.index_of(dp)
        if index.isValid():
            self.view.update(index)

    def _clicked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        dp = None if self._selecting else self.model.datapoint(current)
        if dp is not None:
            self.session.navigate(dp)

    def _activated(self, index: QModelIndex) -> None:
        dp = self.model.datapoint(index)
        if dp is not None:
            self.open_requested.emit(dp)

    # -- thumbnails ---------------------------------------------------------------------------
    def visible_lines(self) -> tuple[int, int] | None:
        """(first, last) line at least partly on screen, or None when none is."""
        first = self.view.rowAt(0)
        if first < 0:
            return None
        last = self.view.rowAt(self.view.viewport().height() - 1)
        return first, last if last >= 0 else self.model.rowCount() - 1

    def _scrolled(self, _value: int) -> None:
        # Thumbnails being drawn, a facts index being built: their Python work would hold the GIL into the
        # frames of a fling (stalls of 60-140 ms at 1M). They pause until the grid rests.
        courtesy.hold(SCROLL_REST_MS / 1000)
        self._scrolled_timer.start()

    def request_visible(self) -> None:
        self._request_timer.stop()
        self._scrolled_timer.stop()
        lines = self.visible_lines() if self.isVisible() else None
        self.thumbs.request(self.model.datapoints(*lines) if lines else [])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.select(self.session.cur.dp)
        self._request_timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.thumbs.request([])  # nothing is on screen: the queue goes to the canvas
