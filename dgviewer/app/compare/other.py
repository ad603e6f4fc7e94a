"""The other version of the open dataset (``dgviewer A --compare B``): indexed and decoded on its own
workers and cache, following the session's current datapoint by its id relative to the dataset folder."""
from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal

from ...core.cache import ByteCache
from ...core.compare import relative_id
from ...core.model import Dataset, Datapoint
from ..current import Current
from ..opening import load_enclosing
from ..scheduling import drawing_jobs
from ..session import Session
from ..workers import Loader

#: Share of the session's cache budget the other version gets (it shows one datapoint at a time).
CACHE_SHARE = 4


class OtherVersion(QObject):
    opened = Signal(object)  # Dataset
    failed = Signal(str)
    updated = Signal()  # results for ``cur`` arrived (or the current datapoint has no counterpart)

    def __init__(self, session: Session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        # Its own cache: two copies of one dataset can share a folder name, hence datapoint ids and cache keys.
        self.cache = ByteCache(session.cache.max_bytes // CACHE_SHARE)
        self.loader = Loader(self.cache, threads=2, parent=self)
        self.dataset: Dataset | None = None
        self.path: str | None = None
        self.cur = Current(None)
        self._by_rel: dict[str, Datapoint] = {}
        self._opening: str | None = None
        self.loader.signals.done.connect(self._done)
        self.loader.signals.failed.connect(self._failed)

    @property
    def name(self) -> str:
        return os.path.basename(self.path) if self.path else ""

    def open(self, path: str) -> None:
        self._opening = os.path.abspath(path)
        self.loader.run_once(("open", self._opening), lambda p=self._opening: _opened([p], self.cache))

    def counterpart(self, dp: Datapoint | None) -> Datapoint | None:
        return self._by_rel.get(relative_id(dp)) if dp is not None else None

    def follow(self, dp: Datapoint | None) -> None:
        """Load what drawing the counterpart of the session's ``dp`` needs (the modality on screen, annotations)."""
        other = self.counterpart(dp)
        if other is not self.cur.dp:
            self.cur = Current(other)
        if other is None:
            self.loader.focus([])
            self.updated.emit()
            return
        jobs = drawing_jobs(other, (10, 9, 8), self.session.view, self.cache)
        self.loader.focus(jobs)
        for key, _, _ in jobs:
            hit, value = self.loader.cached(key)
            if hit:
                self.cur.accept(key, value)
        self.updated.emit()

    def _done(self, key, value) -> None:
        if key[0] == "open":
            if key[1] == self._opening:
                self._opening = None
                self.cache.clear()
                opened, self._by_rel = value
                self.dataset, self.path = opened.dataset, opened.paths[0]
                self.opened.emit(opened.dataset)
                self.follow(self.session.cur.dp)
        elif self.cur.dp is not None and key[1] == self.cur.dp.id:
            self.cur.accept(key, value)
            self.updated.emit()

    def _failed(self, key, message: str, details: str) -> None:
        if key[0] == "open":
            if key[1] == self._opening:
                self._opening = None
                self.failed.emit(message)
        elif self.cur.dp is not None and key[1] == self.cur.dp.id:
            self.cur.fail(key, message)
            self.updated.emit()

    def shutdown(self) -> None:
        self.loader.shutdown()


def _opened(paths: list[str], cache):
    """On the worker: the other version listed whole, and its datapoints by id relative to its folder (the
    panes look counterparts up by that)."""
    opened = load_enclosing(paths, cache)
    return opened, {relative_id(dp): dp for dp in opened.dataset}
