"""Pausing Python's cyclic garbage collector while a thread builds many small acyclic objects.

Each full collection walks every object alive, holding the GIL: over an index or a facts table that
grows by millions of objects that is a stall of seconds for every thread (the viewer's event loop
included), and the objects are freed by reference counting anyway. Pauses nest and overlap across
threads: the collector runs again when the last one ends (if it ran before the first).
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

#: Objects made during a pause past which they go straight to the oldest generation.
MANY = 100_000

_lock = threading.Lock()
_paused = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                if gc.get_count()[0] > MANY and not gc.get_freeze_count():
                    # Straight into the oldest generation, still collectable (a library's dataset may be
                    # dropped without release()): else the next collections walked them all as young objects,
                    # then again as middle-aged (a second each at a million datapoints, holding the GIL).
                    # Not where objects are frozen already (the viewer freezes its index): unfreezing would
                    # hand them back to the collector.
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
