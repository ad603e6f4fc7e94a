"""Run a function over batches of a dataset's datapoints: in this process, in local worker processes, or on
any ``concurrent.futures.Executor`` (a Dask cluster's: :func:`executor_for`).

Used by the QA checks and the facts index. A task is a module-level function ``task(job, ids, *args)``; it
runs where the executor puts it, reopens the scenes of ``ids`` from ``job`` (``job.open(ids)``: listings and
small JSON) and returns something picklable about those ids. Only results travel back. Local
workers are spawned, never forked, so a GUI's threads are not copied into them.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Callable, ContextManager, Iterator, Sequence

#: Below this many datapoints, starting worker processes costs more than it saves.
SERIAL_BELOW = 64
#: Niceness added to local worker processes (see _yield_the_cpu).
WORKER_NICE = 10
#: Batches submitted ahead per worker: enough that none idles while its next batch is sent.
IN_FLIGHT_PER_WORKER = 4
#: How often a local worker checks that the process which started it is still there.
PARENT_CHECK_S = 0.5
#: Decoded-image cache of a worker's own index: enough for one datapoint's images read twice.
WORKER_CACHE_BYTES = 256 << 20


@dataclass(frozen=True)
class Job:
    """How a worker reopens the dataset: its roots and the ``dgviewer.load`` options it was opened with.

    ``run`` tells two jobs over the same folders apart: a Dask worker outlives a run, and must not check the
    next run against the index it built for the last one."""

    roots: tuple[str, ...]
    options: tuple[tuple[str, Any], ...] = ()
    run: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def of(cls, roots: Sequence[str], options: dict | None = None) -> Job:
        return cls(tuple(roots), tuple(sorted((options or {}).items())))

    def load(self, only: Sequence[str] | None = None):
        """A fresh index of the dataset (``only``: of just the scenes these ids name), with a decoded-image
        cache of its own."""
        from .core.cache import ByteCache
        from .formats.registry import load

        return load(*self.roots, cache=ByteCache(WORKER_CACHE_BYTES), only=only, **dict(self.options))

    def open(self, ids: Sequence[str]):
        """The dataset holding ``ids``, kept per process for the last job seen (a worker runs one job at a
        time; a multi-threaded Dask worker's threads share it): only the scenes the ids name are listed,
        again when a later batch names others."""
        global _OPENED
        with _OPENING:
            if _OPENED is None or _OPENED[0] != self or any(_OPENED[1].get(i) is None for i in ids):
                _OPENED = None  # release the previous index before building the next
                _OPENED = (self, self.load(only=ids))
            return _OPENED[1]


_OPENED: tuple[Job, Any] | None = None
_OPENING = threading.Lock()


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def executor_for(scheduler: str, roots: Sequence[str] = (),
                 connect_timeout: float | None = None) -> ContextManager[Executor]:
    """``with executor_for("tcp://host:8786" | "local:N", ds.roots) as ex: run(..., executor=ex)``: batches
    on a Dask cluster whose workers were checked (same dgviewer, ``roots`` visible); closed on exit.
    Raises :class:`dgviewer.cluster.ClusterError` (one line) when the cluster cannot be used."""
    from .cluster import CONNECT_SECONDS, dask_executor

    return dask_executor(scheduler, roots, connect_timeout or CONNECT_SECONDS)


def split(ids: Sequence[str], workers: int, most: int = 200) -> list[list[str]]:
    """``ids`` in batches: about eight per worker (so a slow batch does not hold up the end), at most ``most``."""
    size = max(1, min(most, math.ceil(len(ids) / (max(1, workers) * 8))))
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


def run(task: Callable, job: Job, ids: Sequence[str], args: tuple = (), workers: int | None = None,
        executor: Executor | None = None, cancel: Callable[[], bool] | None = None,
        opened=None) -> Iterator[tuple[list[str], Any]]:
    """Yield ``(batch, task(job, batch, *args))`` as batches finish, in any order.

    ``executor`` runs the batches (its own retries apply: Dask re-runs a batch whose worker died; its
    ``workers`` attribute, when it has one, sizes the batches); without one, small jobs or ``workers=1`` run
    here, others in ``workers`` spawned local processes (default: one per core); ``opened`` is the caller's own ``job.load()``, which those run here use rather than reopen.
    ``cancel()`` returning True stops early: pending batches are dropped, none is yielded twice.
    """
    workers = workers or getattr(executor, "workers", None) or cores()
    if executor is None and (workers <= 1 or len(ids) < SERIAL_BELOW):
        yield from _here(task, job, ids, args, cancel, opened)
        return
    batches = iter(split(ids, workers))
    own = executor is None
    if own:
        nice = _worker_nice()
        executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_start_worker, initargs=(os.getpid(), nice))
        before = set(multiprocessing.active_children())
    pending: dict[Future, list[str]] = {}

    def top_up() -> None:
        # A few batches per worker in flight, not all: submitting 5000 at once (1M ids) held the GIL in
        # bursts that stalled a viewer's event loop, and a cancel had thousands to drop.
        for b in islice(batches, IN_FLIGHT_PER_WORKER * workers - len(pending)):
            pending[executor.submit(task, job, b, *args)] = b

    try:
        top_up()  # starts the workers
        if own:
            _yield_the_cpu([p.pid for p in set(multiprocessing.active_children()) - before], nice)
        while pending:
            done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                yield pending.pop(fut), fut.result()
            if cancel and cancel():
                for fut in pending:
                    fut.cancel()
                return
            top_up()
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int, nice: int | None) -> None:
    _yield_the_cpu([0], nice)  # in case the parent's came too late (it did not see the process start)
    threading.Thread(target=_exit_with, args=(parent,), name="exit-with-parent", daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker once ``parent`` (the process that started it) is gone: a viewer killed while its
    facts index was being built left both workers running, niced, for as long as the machine was up."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _worker_nice() -> int | None:
    """The niceness of local workers: this process's plus WORKER_NICE (None where there are none)."""
    try:
        return min(19, os.getpriority(os.PRIO_PROCESS, 0) + WORKER_NICE)
    except (AttributeError, OSError):  # Windows
        return None


def _yield_the_cpu(pids: list[int], nice: int | None) -> None:
    """Local workers run niced: with one per core busy, a viewer's GUI thread waited tens of milliseconds
    for a core (a grid fling at 100k stalled 50-70 ms while the facts index was built); on an idle machine it
    makes no difference. The parent renices them as they start: a worker's own start (importing dgviewer,
    numpy) took both cores for a second, and the viewer's event loop stalled 70-110 ms. 0: this process."""
    for pid in pids if nice is not None else ():
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError:  # gone already; or a limit
            pass


def _here(task, job, ids, args, cancel, opened) -> Iterator[tuple[list[str], Any]]:
    """Small jobs: in this process, a batch at a time; the opened dataset is forgotten afterwards (it is the
    caller's to keep or drop)."""
    global _OPENED
    _OPENED = (job, opened) if opened is not None else None
    try:
        for batch in split(ids, 1, most=16):
            if cancel and cancel():
                return
            yield batch, task(job, batch, *args)
    finally:
        _OPENED = None
