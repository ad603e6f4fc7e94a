"""The filter box's work off the GUI thread: the open dataset's facts index (reused from the user cache folder or
built over the cores in the background) and each filter evaluated against it.

A filter naming only generic keys, review decisions or QA findings runs at once, per datapoint, on a worker; one
that names a reader's fact or a cheap-fact path waits for the index (``waiting`` with its progress) and then
runs column-wise. Typing again supersedes the previous run: it stops between terms and its result is dropped.
Results are delivered on the GUI thread as the filtered tree order, ready to show.
"""
from __future__ import annotations

import logging
import threading
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..core import facts_query
from ..core.errors import DgviewerError
from ..core.filters import FilterError, compile_filter, parse
from ..facts import index_of, probe

log = logging.getLogger(__name__)


class _Signals(QObject):
    built = Signal(object, object, str)  # dataset, FactsIndex (None: cancelled or failed), why it failed
    progress = Signal(object, int, int)  # dataset, done, total
    result = Signal(int, object)  # run number, (text, order) — order None when superseded
    failed = Signal(int, str)  # run number, message


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], None]):
        super().__init__()
        self.fn = fn

    def run(self) -> None:
        self.fn()


class Filtering(QObject):
    """One per session; :meth:`follow` a dataset when it opens, :meth:`request` a filter for it."""

    waiting = Signal(int, int)  # a filter waits for the facts index: datapoints indexed, of how many
    filtered = Signal(str, object)  # text, the tree order it keeps (list of datapoints)
    failed = Signal(str)  # a filter or the index build failed: why

    def __init__(self, order: Callable, parent: QObject | None = None):
        super().__init__(parent)
        self._order = order  # (dataset, keep predicate or None) → datapoints in tree order
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)  # the index build, and a filter beside it
        self.signals = _Signals()
        self.signals.built.connect(self._built)
        self.signals.progress.connect(self._progress)
        self.signals.result.connect(self._result)
        self.signals.failed.connect(self._failed)
        self.dataset = None
        self.index = None
        self.known = None  # what tells a filter's keys apart: the index, or a probe of it until it is built
        self._stop_build = threading.Event()
        self._run = 0  # number of the latest request; a result of an earlier one is dropped
        self._pending: tuple | None = None  # (run, text, reviews, findings) waiting for the index
        self._indexed = (0, 0)
        self._build_failed = False

    def follow(self, dataset) -> None:
        """A dataset opened: stop the previous one's build and queries, start this one's index."""
        self._stop_build.set()
        self._stop_build = stop = threading.Event()
        self._run += 1
        self._pending = None
        self.dataset, self.index, self.known = dataset, None, probe(dataset)
        self._indexed, self._build_failed = (0, dataset.indexed), False  # len() would wait for the listing

        def build() -> None:
            while not dataset.complete:  # the session's listing worker lists it: the index needs every id
                if stop.wait(0.1):
                    return
            try:
                index = index_of(dataset, cancel=stop.is_set,
                                 progress=lambda done, total: self.signals.progress.emit(dataset, done, total))
            except Exception as e:  # noqa: BLE001 — a reader bug: say so; filters then run per datapoint
                log.error("facts index of %s failed:\n%s", dataset.roots, traceback.format_exc())
                self.signals.built.emit(dataset, None, f"Facts index not built: {type(e).__name__}: {e}")
                return
            self.signals.built.emit(dataset, index, "")

        self.pool.start(_Task(build))

    def check(self, text: str, reviews, findings) -> None:
        """Raise FilterError at once for bad syntax or an unknown key (listing the known ones)."""
        facts_query.check(text, self.known.knows, lambda: self.known.keys, reviews, findings)

    def request(self, text: str, reviews, findings) -> None:
        """Filter the dataset followed by ``text`` (already checked); the latest request wins."""
        self._run += 1
        run, self._pending = self._run, None
        needs_index = any("facts" in t.needs for t in parse(text, reviews, findings))
        if needs_index and self.index is None and not self._build_failed:
            self._pending = (run, text, reviews, findings)
            self.waiting.emit(*self._indexed)
            return
        self._start(run, text, reviews, findings)

    def _start(self, run: int, text: str, reviews, findings) -> None:
        dataset, index = self.dataset, self.index
        current = lambda: run == self._run  # noqa: E731 — read from the worker: an int compare is atomic

        def work() -> None:
            try:
                keep = None
                if index is not None:
                    mask = facts_query.select(index, text, reviews, findings, cancel=lambda: not current())
                    if mask is not None:
                        row = index.row_of()
                        keep = lambda dp: mask[row[dp.id]]  # noqa: E731
                else:
                    keep = compile_filter(text, reviews=reviews, findings=findings)
                order = self._order(dataset, keep) if current() else None
                self.signals.result.emit(run, (text, order))
            except DgviewerError as e:
                self.signals.failed.emit(run, str(e))
            except Exception as e:  # noqa: BLE001 — a bug: report it, the app keeps running
                log.error("filter %r failed:\n%s", text, traceback.format_exc())
                self.signals.failed.emit(run, f"Filter failed: {type(e).__name__}: {e}")

        self.pool.start(_Task(work))

    # -- on the GUI thread --------------------------------------------------------------------------
    def _built(self, dataset, index, error: str) -> None:
        if dataset is not self.dataset or (index is None and not error):
            return
        if error:  # filters go on per datapoint (reading what they need), off this thread still
            self.failed.emit(error)
            self._build_failed = True
        else:
            self.index = self.known = index
        if self._pending is not None:
            run, text, reviews, findings = self._pending
            self._pending = None
            try:
                self.check(text, reviews, findings)  # a cheap-fact path the probe knew but not every datapoint has
            except FilterError as e:
                self.failed.emit(str(e))
                return
            self._start(run, text, reviews, findings)

    def _progress(self, dataset, done: int, total: int) -> None:
        if dataset is self.dataset:
            self._indexed = (done, total)
            if self._pending is not None:
                self.waiting.emit(done, total)

    def _result(self, run: int, value) -> None:
        text, order = value
        if run == self._run and order is not None:
            self.filtered.emit(text, order)

    def _failed(self, run: int, message: str) -> None:
        if run == self._run:
            self.failed.emit(message)

    def shutdown(self) -> None:
        self._stop_build.set()
        self._run += 1
        self.pool.clear()
        self.pool.waitForDone()

