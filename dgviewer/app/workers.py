"""Decoding and overlay preparation on a worker pool; results cross to the GUI thread by signal.

Every job is keyed (``("img", id, modality)`` / ``("ann", id)``) and its result
goes into the shared byte cache, so a prefetched neighbour is a cache hit on
the GUI thread. When the user moves on, queued jobs that are no longer wanted
are dropped before they start (a running decode finishes into the cache).
Each client of the pool (the session's view, the thumbnail grid) focuses its own
group of jobs: replacing one group's queue leaves the other's queued.
Results of jobs that began before the cache was cleared are stale and never
reach the window.
Failures are reported by signal, with a traceback for anything that is not a
plain data error; nothing is swallowed and nothing escapes into Qt.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from typing import Any, Callable, NamedTuple

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

from ..core.annotations import Annotations, SegmentationLegend
from ..core.cache import ByteCache
from ..core.display import Look, PreparedImage, prepare_image
from ..core.errors import DataError, DgviewerError
from ..core.model import Datapoint
from .overlays import PreparedLayer, prepare_layers

log = logging.getLogger(__name__)


class PreparedAnnotations(NamedTuple):
    annotations: Annotations
    layers: dict[str, PreparedLayer]
    metadata: dict
    errors: list[str]  # annotation-level problems (a keypoint file that failed, ...)

    def legend(self, modality: str) -> SegmentationLegend | None:
        return self.annotations.legend(modality)


def image_key(dp: Datapoint, modality: str) -> tuple:
    return ("img", dp.id, modality)


def annotations_key(dp: Datapoint) -> tuple:
    return ("ann", dp.id)


def load_annotations(dp: Datapoint, cache: ByteCache) -> PreparedAnnotations:
    def build() -> PreparedAnnotations:
        errors: list[str] = []
        try:
            ann = dp.annotations()
        except DataError as e:
            ann, errors = Annotations(), [str(e)]
        errors.extend(ann.errors)
        try:
            meta = dp.metadata()
        except DataError as e:
            meta, errors = {}, errors + [str(e)]
        return PreparedAnnotations(ann, prepare_layers(ann), meta, errors)

    return cache.get_or_load(annotations_key(dp), build)


def load_image(dp: Datapoint, modality: str, cache: ByteCache, look: Look = Look()) -> PreparedImage | None:
    """The prepared image, from the cache when it is there (coloured with the look of its first request)."""
    def build() -> PreparedImage | None:
        raw = dp.read(modality)
        if raw is None:
            return None
        legend = None
        if raw.ndim == 3:
            legend = load_annotations(dp, cache).legend(modality)
        return prepare_image(modality, raw, legend, look)

    return cache.get_or_load(image_key(dp, modality), build)


#: Nice value of worker threads on Linux. At equal priority, two busy workers on two cores left the
#: GUI thread a third of a core while a key was held: a 10 ms frame took 30–40 ms. Not much more
#: than this: a worker holding the GIL must still get the CPU back promptly when other programs run.
WORKER_NICE = 5
_thread = threading.local()


def _lower_priority() -> None:
    """Once per pool thread, on Linux, where Qt's thread priorities change nothing (see Loader)."""
    if getattr(_thread, "lowered", False):
        return
    _thread.lowered = True
    if sys.platform.startswith("linux"):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)  # this thread only


class _Evicted(Exception):
    pass


def _not_cached():
    raise _Evicted  # errors are not cached, so a peek never stores anything


class _Job(QRunnable):
    def __init__(self, loader: Loader, key: tuple, fn: Callable[[], Any], droppable: bool = True, group: str = ""):
        super().__init__()
        self.loader, self.key, self.fn, self.droppable, self.group = loader, key, fn, droppable, group

    def run(self) -> None:
        _lower_priority()
        generation = self.loader.begin(self)
        if generation is None:
            return
        signals = self.loader.signals
        try:
            value = self.fn()
        except DgviewerError as e:  # bad data or a folder that is not a dataset: one clear line
            signals.job_failed.emit(self.key, str(e), "", generation)
        except Exception as e:  # a reader bug: report it loudly, keep the app alive
            details = traceback.format_exc()
            log.error("worker failed on %s:\n%s", self.key, details)
            signals.job_failed.emit(self.key, f"{type(e).__name__}: {e}", details, generation)
        else:
            signals.job_done.emit(self.key, value, generation)
        finally:
            self.loader.end(self.key, generation)


class _Signals(QObject):
    done = Signal(object, object)  # key, value
    failed = Signal(object, str, str)  # key, message, traceback ('' for a plain data error)
    # From the workers, with the cache generation the job began in; the loader passes on fresh ones.
    job_done = Signal(object, object, int)
    job_failed = Signal(object, str, str, int)


class Loader(QObject):
    """Owns the pool and the cache; ``focus`` queues work, ``cached`` answers without a thread hop."""

    def __init__(self, cache: ByteCache, threads: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.cache = cache
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads or max(2, min(4, QThread.idealThreadCount())))
        self.pool.setThreadPriority(QThread.Priority.LowPriority)  # below the GUI thread; Linux: _lower_priority
        self.once_pool = QThreadPool(self)  # one-off jobs that navigation's clear() must not drop
        self.once_pool.setMaxThreadCount(1)
        # Listing a dataset, apart from the one-off jobs so an open never waits behind it; two threads:
        # a cancelled listing ends its step while the next dataset's starts.
        self.list_pool = QThreadPool(self)
        self.list_pool.setMaxThreadCount(2)
        self.signals = _Signals()  # lives as long as the loader, so late emits have a live source
        self.signals.job_done.connect(self._pass_done)
        self.signals.job_failed.connect(self._pass_failed)
        self._queued: dict[str, dict[tuple, tuple[Callable[[], Any], int]]] = {}  # group → focused, not yet begun
        self._running: dict[tuple, int] = {}  # key → cache generation of a job past its start
        self._lock = threading.Lock()

    def _pass_done(self, key: tuple, value, generation: int) -> None:
        if generation == self.cache.generation:
            self.signals.done.emit(key, value)

    def _pass_failed(self, key: tuple, message: str, details: str, generation: int) -> None:
        if generation == self.cache.generation:
            self.signals.failed.emit(key, message, details)

    def begin(self, job: _Job) -> int | None:
        """A job starts: the cache generation it runs in, or None when it is no longer wanted."""
        with self._lock:
            if job.droppable and self._queued.get(job.group, {}).pop(job.key, None) is None:
                return None
            self._running[job.key] = self.cache.generation
            return self.cache.generation

    def end(self, key: tuple, generation: int) -> None:
        with self._lock:
            if self._running.get(key) == generation:
                del self._running[key]

    def cached(self, key: tuple) -> tuple[bool, Any]:
        """(True, result) when ``key`` is finished and cached, else (False, None); never decodes."""
        if key not in self.cache:
            return False, None
        try:
            return True, self.cache.get_or_load(key, _not_cached)
        except _Evicted:  # dropped between the check and the read
            return False, None

    def focus(self, jobs: list[tuple[tuple, Callable[[], Any], int]], group: str = "view") -> None:
        """Replace ``group``'s queue with ``jobs`` = [(key, fn, priority)]: its earlier-queued keys not in it are
        dropped; other groups' queued jobs stay queued."""
        fresh = [(key, fn, priority) for key, fn, priority in jobs if key not in self.cache]
        self.pool.clear()
        with self._lock:
            running = {key for key, generation in self._running.items() if generation == self.cache.generation}
            # A key being decoded arrives by signal; a second job would only block a thread waiting for it.
            self._queued[group] = {key: (fn, priority) for key, fn, priority in fresh if key not in running}
            queued = [(g, key, fn, priority) for g, q in self._queued.items() for key, (fn, priority) in q.items()]
        for g, key, fn, priority in queued:  # pool.clear() dropped every group's: queue them again
            self.pool.start(_Job(self, key, fn, group=g), priority)

    def run_once(self, key: tuple, fn: Callable[[], Any]) -> None:
        """Run one job that navigation never drops (e.g. opening a dataset)."""
        self.once_pool.start(_Job(self, key, fn, droppable=False))

    def run_listing(self, key: tuple, fn: Callable[[], Any]) -> None:
        """Run a dataset's listing loop (``fn`` returns when the listing ends or is cancelled)."""
        self.list_pool.start(_Job(self, key, fn, droppable=False))

    def shutdown(self) -> None:
        with self._lock:
            self._queued.clear()
        self.pool.clear()
        self.pool.waitForDone()
        self.once_pool.waitForDone()
        self.list_pool.waitForDone()
