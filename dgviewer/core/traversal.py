"""Walking a dataset with the next datapoints decoding in threads: what ``for dp in ds`` runs.

    for dp in ds:                                   # reads ahead what the loop read of the first datapoint
        dp.visible_spectrum, dp.depth
    for dp in ds.iter(readahead=8, modalities=["visible", "depth"]):   # named: from the first datapoint on
        ...
    for dp in ds.iter(readahead=0):                 # off: plain iteration, nothing decoded behind the loop
        ...
    ds = dgviewer.load(path, readahead=0)           # the default of every loop over ``ds``

While the loop body works on one datapoint, a thread pool (one thread per core: OpenCV and
OpenEXR release the GIL) decodes the images of the next ``readahead`` datapoints, at most that many
in flight. What they decode is pinned in the dataset's cache (core/cache.py) until the loop has
moved past its datapoint, so a small cache cannot evict it first and a one-pass script keeps no
more than the window. Unless modalities are named, the first datapoint goes through undecoded
ahead: the cache keys the loop body asks for while it holds it say which modalities it reads (a key
names the file it decodes), and only those are read ahead for the rest; a loop that reads no image
starts no thread. A decode that fails ahead is left for the loop to meet when it reads it itself.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Collection, Iterable, Iterator

from .cache import pinning
from .model import Datapoint


def default_readahead() -> int:
    """Datapoints decoded ahead by default: two per core, enough to keep every core busy between
    datapoints whose images differ in cost."""
    return 2 * (os.cpu_count() or 1)


def traverse(datapoints: Iterable[Datapoint], readahead: int | None = None,
             modalities: Collection[str] | None = None, threads: int | None = None) -> Iterator[Datapoint]:
    """``datapoints`` in order, with up to ``readahead`` (None: :func:`default_readahead`; 0: off) of the
    next ones decoding ``modalities`` (None: those the loop reads of the first) in ``threads`` threads."""
    readahead = default_readahead() if readahead is None else max(0, int(readahead))
    if readahead == 0:
        yield from datapoints
        return
    rest = iter(datapoints)
    if modalities is None:
        first = next(rest, None)
        if first is None:
            return
        seen: list = []
        with pinning(seen, pin=False):  # across the yield: the keys the loop body asks for
            yield first
        modalities = [m for m in first.modalities if _names(seen, first.file(m))]
    wanted = tuple(modalities)
    if not wanted:
        yield from rest
        return
    yield from _ahead(rest, wanted, readahead, threads or os.cpu_count() or 1)


def _names(seen: list, path: str | None) -> bool:
    return path is not None and any(isinstance(key, tuple) and path in key for _, key in seen)


def _ahead(rest: Iterator[Datapoint], wanted: tuple[str, ...], readahead: int, threads: int) -> Iterator[Datapoint]:
    pool = ThreadPoolExecutor(min(threads, readahead), thread_name_prefix="dgviewer-readahead")
    window: deque[tuple[Datapoint, Future]] = deque((dp, pool.submit(_fetch, dp, wanted))
                                                    for dp in islice(rest, readahead))
    try:
        while window:
            dp, job = window.popleft()
            for nxt in islice(rest, 1):
                window.append((nxt, pool.submit(_fetch, nxt, wanted)))
            pins = job.result()
            try:
                yield dp
            finally:
                _unpin(pins)
    finally:  # the loop ended or broke off: drop what is queued, unpin what is (or will be) decoded
        for _, job in window:
            job.cancel()
            job.add_done_callback(lambda f: None if f.cancelled() else _unpin(f.result()))
        pool.shutdown(wait=False, cancel_futures=True)


def _fetch(dp: Datapoint, wanted: tuple[str, ...]) -> list:
    pins: list = []
    with pinning(pins):
        for m in wanted:
            if m in dp.modalities:
                try:
                    dp.prefetch(m)
                except Exception:  # noqa: BLE001 - the loop meets (and records) it when it reads it itself
                    pass
    return pins


def _unpin(pins: list) -> None:
    for cache, key in pins:
        cache.unpin(key)
