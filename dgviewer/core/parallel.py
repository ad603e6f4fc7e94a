"""Mapping a function over many small items in threads, results in the items' order.

Readers list a million scene folders with it: a listing is mostly system calls, which release the GIL,
and on a cold page cache mostly waiting for the disk, so a few threads keep the disk queue and both
cores busy while the caller consumes results in order.
"""
from __future__ import annotations

import heapq
import itertools
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def in_order(fn: Callable[[list[T]], R], items: Iterable[T], threads: int, chunk: int = 64) -> Iterator[R]:
    """``fn(batch)`` for consecutive batches of ``chunk`` items, in order, computed up to ``2 × threads``
    batches ahead of the consumer in ``threads`` threads: in the calling thread when ``threads`` < 2 or
    the items fit in two batches. No thread outlives the generator: closing it drops the batches not
    started and waits for those running."""
    it = iter(items)
    batches = iter(lambda: list(islice(it, chunk)), [])
    head = list(islice(batches, 2))
    if threads <= 1 or len(head) < 2 or len(head[1]) < chunk:
        yield from map(fn, itertools.chain(head, batches))
        return
    pool = ThreadPoolExecutor(threads, thread_name_prefix="dgviewer-list")
    try:
        pending = deque(pool.submit(fn, b) for b in itertools.chain(head, islice(batches, 2 * threads - 2)))
        while pending:
            result = pending.popleft().result()
            for b in islice(batches, 1):
                pending.append(pool.submit(fn, b))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)



def sorted_in_steps(items: list[T], step: int = 1 << 15) -> Iterator[T]:
    """``sorted(items)``, lazily, never holding the GIL longer than sorting ``step`` items: ``list.sort``
    of a million names holds it 0.7 s, the event loop of a viewer listing in a thread stalled as long."""
    if len(items) <= step:
        return iter(sorted(items))
    return heapq.merge(*(sorted(items[i:i + step]) for i in range(0, len(items), step)))
