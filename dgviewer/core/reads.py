"""Which local paths a thread reads while a reader lists one scene (for core/listing_cache.py).

:func:`storage.scandir`, :func:`storage.listdir`, :func:`storage.isdir` and :func:`fsio.read_bytes` (so
:func:`jsonio.parse_file`) call :func:`note` before they look at a path; while a :class:`Recorder` is active
on the thread (``with recording(rec)``) it keeps the path with its modification time and size, taken before
the read: a change after that stat shows as a different time on the next check, never as a missed one.
Elsewhere :func:`note` costs one attribute lookup.
"""
from __future__ import annotations

import os
import threading
import time

#: A path changed this recently when read may change again within the same clock tick, unseen.
RACY_S = 2.0
#: (modification time in ns, size) of a path that was not there.
MISSING = (-1, -1)

_local = threading.local()


def signature(path: str) -> tuple[int, int]:
    """(modification time in ns, size) of ``path``, links followed; MISSING when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return MISSING
    return st.st_mtime_ns, st.st_size


class Recorder:
    """The paths read under ``root`` since the last :meth:`take`, as (path relative to root, time, size)."""

    def __init__(self, root: str):
        self.root, self.prefix = root, os.path.join(root, "")
        self.paths: list[tuple[str, int, int]] = []
        #: False once a path read had changed within RACY_S (what was read may not be what is there now),
        #: or lay outside the root (no reader reads there): what was read is then not to be kept.
        self.keepable = True
        self._recent_ns = time.time_ns() - int(RACY_S * 1e9)

    def add(self, path: str, st: os.stat_result | None = None) -> None:
        if st is None:
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                st = None
        mtime, size = (st.st_mtime_ns, st.st_size) if st is not None else MISSING
        if path.startswith(self.prefix):
            rel = path[len(self.prefix):]
        else:
            rel = ""
            self.keepable = self.keepable and path == self.root
        if mtime > self._recent_ns:
            self.keepable = False
        self.paths.append((rel, mtime, size))

    def take(self) -> tuple[tuple[str, int, int], ...]:
        out, self.paths = tuple(self.paths), []
        return out


def unchanged(root: str, paths: tuple[tuple[str, int, int], ...]) -> bool:
    """Whether every recorded path still has the time and size it had (three per datapoint of a million:
    the loop is kept lean)."""
    prefix, stat = root if root.endswith(os.sep) else root + os.sep, os.stat
    for rel, mtime, size in paths:
        try:
            st = stat(prefix + rel)
        except (OSError, ValueError):
            if (mtime, size) != MISSING:
                return False
            continue
        if st.st_mtime_ns != mtime or st.st_size != size:
            return False
    return True


class recording:
    """``with recording(recorder):`` records the reads of this thread into ``recorder`` within the block (a
    class, not a generator: it is entered once per scene of a million)."""

    __slots__ = ("recorder", "before")

    def __init__(self, recorder: Recorder):
        self.recorder = recorder

    def __enter__(self) -> Recorder:
        self.before = getattr(_local, "recorder", None)
        _local.recorder = self.recorder
        return self.recorder

    def __exit__(self, *exc) -> None:
        _local.recorder = self.before


def note(path: str, st: os.stat_result | None = None) -> None:
    """``path`` (local) is about to be read: recorded when this thread is recording, with ``st`` when the caller
    has just stat'ed it (a million-datapoint listing saves a stat per file), else stat'ed here."""
    recorder = getattr(_local, "recorder", None)
    if recorder is not None:
        recorder.add(path, st)
