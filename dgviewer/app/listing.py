"""Listing the open dataset: a worker lists it while the GUI thread takes in what is listed.

A part of :class:`~dgviewer.app.session.Session` kept in its own module. The worker lists a step at
a time (checking for a cancel between steps); every ``GROW_MS`` the GUI thread takes in the new
datapoints through the filter, for at most ``GROW_BUDGET_S`` of filter work, so no turn of the
event loop costs more with a bigger dataset.
"""
from __future__ import annotations

import gc
import threading
import time

from ..core.model import Dataset

#: How long a filter may judge arrivals per turn of the event loop.
GROW_BUDGET_S = 0.02
#: A listing step between checks for a cancel.
LIST_STEP_S = 0.05
#: A dataset listed within this long opens whole (the first datapoint shows with the tree complete);
#: a bigger one shows its first datapoint then, while the rest is listed.
START_GRACE_S = 0.25
#: Readers expecting more scenes than this cannot be listed within the grace: no wait for it.
GRACE_SCENES = 2000
#: Such a dataset's listing thread starts once its first datapoint is drawn, or after this long: it competed
#: with the GUI thread for the GIL while that datapoint was decoded and painted (0.4-0.5 s of a 1M open).
FIRST_DRAWN_WAIT_MS = 1000
#: And this long after it is drawn: the panels fill in and the window paints meanwhile (its first step, sorting
#: a million names, stalled that 200-260 ms).
AFTER_DRAWN_MS = 200


class Listing:
    @property
    def is_listing(self) -> bool:
        """The open dataset is still being listed (or its last arrivals taken in)."""
        return self._grow_timer.isActive()

    def _show_start(self) -> None:
        """Show the datapoint asked for (once it is listed) or the first one."""
        goto = self._goto
        start = self.dataset.lookup(goto) if goto else None
        if goto and start is None:
            if self.is_listing:
                return  # not listed yet: each arrival is looked at (_grow)
            self._set_notice(f"No datapoint with id {goto!r}; showing the first one.")
        self._goto = None
        start = start or (self.order[0] if self.order else None)
        if start is not None:
            self.show_datapoint(start, keep_notice=True)
        elif not self.is_listing:
            self._set_notice("This dataset has no datapoints.")

    # -- listing ----------------------------------------------------------------------
    def _find_modalities(self) -> None:
        """Add the modalities of datapoints listed since the last call (readers share equal tuples)."""
        ds = self.data.dataset
        if ds is not self._modalities_of:
            self._modalities_of, self._modalities_seen, self.modalities = ds, 0, set()
        listed = ds.indexed
        found = set().union(*{dp.modalities for dp in ds.so_far(self._modalities_seen, listed)})
        self._modalities_seen = listed
        if not found <= self.modalities or not self.modalities:
            self.modalities |= found
            self.modalities_found.emit(set(self.modalities))

    def _start_listing(self, dataset: Dataset) -> None:
        self._grow_timer.stop()
        if dataset.complete:
            if not self.data.caught_up:  # listed whole since the session took it (len() or a lookup waited)
                self._grow_timer.start()
            return
        stop = self._stop_listing = threading.Event()

        def run() -> None:
            while not stop.is_set() and not dataset.index_more(LIST_STEP_S):
                # What is listed stays as long as the dataset: out of the collector's reach (see _set_dataset).
                gc.freeze()

        self._listing_since = time.monotonic()
        self._grow_timer.start()
        self._held_listing = (dataset, ("list", id(dataset)), run)
        if self._goto is None and (dataset.progress()[1] or 0) > GRACE_SCENES:
            self._held_timer.start()  # or the first datapoint drawn (shown) starts it
        else:
            self._start_held_listing()

    def _first_drawn(self, _id: str) -> None:
        if self._held_listing is not None:
            self._held_timer.start(AFTER_DRAWN_MS)

    def _start_held_listing(self, *_) -> None:
        held, self._held_listing = self._held_listing, None
        self._held_timer.stop()
        if held is not None and self.data is not None and held[0] is self.data.dataset:
            self.loader.run_listing(*held[1:])

    def _grow(self) -> None:
        """Take in what the worker listed since the last turn (bounded work), and report progress."""
        data = self.data
        if data is None:
            return self._grow_timer.stop()
        start, stop = data.grow(GROW_BUDGET_S)
        self._find_modalities()
        if stop > start:
            self.grew.emit(start, stop)
        done, expected = data.dataset.progress()
        self.listing.emit(done, expected or 0)
        finished = data.dataset.complete and data.caught_up
        if finished:
            self._grow_timer.stop()
            gc.freeze()
        if (self.cur.dp is None or self._goto) and (finished or (expected or 0) > GRACE_SCENES
                                                    or time.monotonic() - self._listing_since >= START_GRACE_S):
            self._show_start()
        if finished:
            self.listed.emit()
