"""A byte-bounded LRU cache of decoded arrays, shared by the GUI and scripts.

Thread-safe; concurrent requests for the same key decode once (the later
callers wait for the first). Errors are not cached, so a fixed file is seen
on the next request, and neither is a load that began before a clear().

Pins hold decoded values outside the byte bound for a while: a traversal reading ahead
(core/traversal.py) pins what its workers decode for the datapoints in flight, so a small cache
cannot evict them before the loop gets there, and unpins them once the loop has moved past.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator

import numpy as np

DEFAULT_BYTES = 1 << 30  # 1 GiB: the viewer's default (app/settings.py)
#: What ``dgviewer.load`` keeps when given no cache: a script that walks a dataset once never reuses a
#: decode, and filling a GiB with them made a 10k-image pass 1.1 GB and 9.9 s against 7.4 s (issue #13).
SCRIPT_BYTES = 64 << 20

_pinning = threading.local()  # .into, .pin: where this thread records the keys it is handed, and whether it pins them
_passing = threading.local()  # .on: this thread's loads are not kept
RECORD_LIMIT = 4096  # keys recorded without pinning (a loop's first datapoint: a few)


@contextmanager
def pinning(into: list, pin: bool = True) -> Iterator[list]:
    """Pin every value any ByteCache returns on this thread inside the block; ``into`` gets (cache, key)
    per pin, for :meth:`ByteCache.unpin`. ``pin=False`` only records the keys (up to RECORD_LIMIT)."""
    outer = getattr(_pinning, "into", None), getattr(_pinning, "pin", True)
    _pinning.into, _pinning.pin = into, pin
    try:
        yield into
    finally:
        _pinning.into, _pinning.pin = outer


@contextmanager
def passing() -> Iterator[None]:
    """Inside the block, values any ByteCache loads on this thread are returned and not kept (what is kept
    already is still served): a thumbnail's decodes, used once, must not evict the canvas's neighbours."""
    outer = getattr(_passing, "on", False)
    _passing.on = True
    try:
        yield
    finally:
        _passing.on = outer


def nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        base = value.base if isinstance(value.base, np.ndarray) else value
        return max(value.nbytes, base.nbytes)  # a view keeps its whole base alive
    if isinstance(value, (tuple, list)):
        return sum(nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    return 64


class ByteCache:
    def __init__(self, max_bytes: int = DEFAULT_BYTES):
        self.max_bytes = int(max_bytes)
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Event] = {}
        self._pins: dict[Hashable, list] = {}  # key → [value, count]
        self.generation = 0  # bumped by clear(); loads begun before it are not stored
        self.hits = 0
        self.misses = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get_or_load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    self.hits += 1
                    return self._pin(key, self._items[key][0])
                if key in self._pins:
                    self.hits += 1
                    return self._pin(key, self._pins[key][0])
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    generation = self.generation
                    self.misses += 1
                    break
            event.wait()  # another thread is decoding it; then look again
        try:
            value = load()
        except BaseException:
            with self._lock:
                self._pending.pop(key).set()
            raise
        size = nbytes(value)
        with self._lock:
            self._pin(key, value)  # before waiters wake: they find it even when it is too big to keep
            self._pending.pop(key).set()
            if size <= self.max_bytes and generation == self.generation and not getattr(_passing, "on", False):
                self._items[key] = (value, size)
                self._bytes += size
                self._evict()
        return value

    def _pin(self, key: Hashable, value: Any) -> Any:
        into = getattr(_pinning, "into", None)
        if into is not None:
            if _pinning.pin:
                self._pins.setdefault(key, [value, 0])[1] += 1
            elif len(into) >= RECORD_LIMIT:
                return value
            into.append((self, key))
        return value

    def unpin(self, key: Hashable) -> None:
        with self._lock:
            pin = self._pins.get(key)
            if pin is not None:
                pin[1] -= 1
                if pin[1] <= 0:
                    del self._pins[key]

    def resize(self, max_bytes: int) -> None:
        with self._lock:
            self.max_bytes = int(max_bytes)
            self._evict()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.generation += 1

    def _evict(self) -> None:
        while self._bytes > self.max_bytes and self._items:
            _, (_, size) = self._items.popitem(last=False)
            self._bytes -= size


#: The process-wide cache ``dgviewer.load`` uses unless given another (the viewer passes its own).
shared_cache = ByteCache(SCRIPT_BYTES)
