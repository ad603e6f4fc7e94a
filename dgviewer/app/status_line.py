"""The status bar's permanent parts: which datapoint is shown (and where in the list), the cache use,
a progress bar while a dataset is being listed (busy while a bucket is listed), and the session's messages."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QStatusBar

from .progress_bar import ProgressBar
from .session import Session

#: Most of the status bar the datapoint id may take.
ID_WIDTH_PX = 320
#: The widest position text after the id.
POSITION_ROOM = "   00000000 / 00000000"
#: Seconds between updates of the listing progress bar.
LISTING_REFRESH_S = 0.25


class _FixedLabel(QLabel):
    """A status-bar label of fixed size, widened only when a text does not fit.

    A label that may change size asks the window for a layout pass on every setText,
    and that repainted every dock on each datapoint switch.
    """

    def setText(self, text: str) -> None:
        super().setText(text)
        hint = self.sizeHint()
        if self.minimumSize() != self.maximumSize() or hint.width() > self.width():
            self.setFixedSize(hint.expandedTo(self.minimumSize()))


class StatusLine(QObject):
    def __init__(self, session: Session, bar: QStatusBar):
        super().__init__(bar)
        self.session = session
        self.position = _FixedLabel()
        # As wide from the start as an elided id and a position among tens of millions need: a label widening as the
        # count grew widened the bar's minimum when a listing ended, and the window's docks moved to make room.
        self.position.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.position.setFixedSize(ID_WIDTH_PX + self.position.fontMetrics().horizontalAdvance(POSITION_ROOM),
                                   self.position.sizeHint().height())
        self.cache = _FixedLabel()
        self.cache.setStyleSheet("color: gray")
        self.listing = ProgressBar()  # scenes listed of those expected (busy when the reader cannot tell)
        self._listing_shown = 0.0
        self._grown_at = 0.0
        self.listing.setFixedWidth(160)
        self.listing.setMaximumHeight(14)
        self.listing.setFormat("listing %v / %m")
        self.listing.hide()
        bar.addPermanentWidget(self.listing)
        bar.addPermanentWidget(self.position)
        bar.addPermanentWidget(self.cache)
        session.opening.connect(self._opening)  # a bucket is listed in one go before the first scene
        session.open_failed.connect(lambda _: self.listing.hide())
        session.listing.connect(self._listing)
        session.listed.connect(self.listing.hide)
        session.grew.connect(self._grew)
        session.current_changed.connect(self._position)
        # The same datapoint, a new count: the listing ended, or a filter kept it.
        session.listed.connect(self._recount)
        session.filter_changed.connect(self._recount)
        session.updated.connect(self._cache)
        session.status.connect(bar.showMessage)

    def _grew(self, *_) -> None:
        # The count after the position grows as the dataset is listed: twice a second is enough to see it.
        dp, now = self.session.cur.dp, time.monotonic()
        if dp is not None and now - self._grown_at >= LISTING_REFRESH_S * 2:
            self._grown_at = now
            self._position(dp)

    def _recount(self) -> None:
        self._position(self.session.cur.dp)

    def _opening(self, paths) -> None:
        self.listing.setRange(0, 0)
        self.listing.setTextVisible(False)
        self.listing.setToolTip("Listing " + " + ".join(paths))
        self.listing.show()

    def _position(self, dp) -> None:
        pos = self.session.position(dp)
        if dp is None:  # the filter left no datapoint
            self.position.setToolTip("")
            return self.position.setText(f"– / {len(self.session.order)}")
        # The id is elided in the middle (its ends tell datapoints apart), so the probe and the
        # session's messages keep most of the bar; the Inspector's title and the tooltip hold it whole.
        shown = self.position.fontMetrics().elidedText(dp.id, Qt.TextElideMode.ElideMiddle, ID_WIDTH_PX)
        self.position.setText(f"{shown}   {'' if pos is None else pos + 1} / {len(self.session.order)}")
        self.position.setToolTip(dp.id)

    def _listing(self, done: int, expected: int) -> None:
        # QProgressBar.setValue repaints at once whenever the bar moves a pixel: on every turn of a
        # listing, a third of the GUI thread's time went into it. A few updates a second show progress.
        now = time.monotonic()
        if now - self._listing_shown < LISTING_REFRESH_S and self.listing.isVisible() and done < expected:
            return
        self._listing_shown = now
        self.listing.setRange(0, max(expected, done) if expected else 0)
        self.listing.setValue(done)
        self.listing.setTextVisible(bool(expected))
        self.listing.show()

    def _cache(self) -> None:
        cache = self.session.cache
        self.cache.setText(f"cache {cache.size_bytes >> 20} / {cache.max_bytes >> 20} MB")
