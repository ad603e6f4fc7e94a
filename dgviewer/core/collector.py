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
                gc.enable()
