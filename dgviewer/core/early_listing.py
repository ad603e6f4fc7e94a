"""A folder's sub-folders listed by a forked child while the viewer starts.

The first datapoint of a folder of a million scene folders waits for that folder's whole listing (the first
in name order is known only then): 0.7-1.3 s, after the 1.3 s the viewer takes to start. :func:`start`,
called as the process starts, forks a child that lists it meanwhile on another core (a thread could not: a
directory read gives the GIL away and takes it back for each entry, against a thread importing Qt);
:func:`take` hands the names over once, if the folder did not change since. Where there is no ``os.fork``
nothing starts and the folder is listed as usual.
"""
from __future__ import annotations

import os
import threading
import time

#: A folder changed this recently when its listing started may change again within its time's resolution.
RACY_NS = 2_000_000_000
#: A listing nobody took by then is dropped (its folder held no dataset of a reader that asks for it).
KEEP_S = 60.0

_started: dict[str, _Child] = {}


def start(path: str) -> None:
    """List the sub-folders of the local folder ``path`` in a child process (once per folder)."""
    key = os.path.realpath(path)
    if not hasattr(os, "fork") or key in _started or not os.path.isdir(key):
        return
    _started[key] = _Child(key)


def take(path: str) -> list[str] | None:
    """The sub-folder names of ``path`` listed by :func:`start` (waiting for the child), or None: none was
    started, it failed, or the folder changed since it was listed."""
    child = _started.pop(os.path.realpath(path), None) if _started else None
    if child is None:
        return None
    child.ready.wait()
    child.taken.set()
    try:
        now = _stamp(os.stat(child.path))
    except OSError:
        return None
    if child.data is None or now != child.before or time.time_ns() - child.before[0] < RACY_NS:
        return None
    return child.data.decode("utf-8", "surrogateescape").split("\0") if child.data else []


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_mtime_ns, st.st_size, st.st_ino


class _Child:
    def __init__(self, path: str):
        self.path = path
        self.data: bytes | None = None  # the names, NUL-separated
        self.ready, self.taken = threading.Event(), threading.Event()
        self.before = _stamp(os.stat(path))  # before the listing: a change during it shows as a new time
        r, w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            _list_into(path, r, w)
        os.close(w)
        self.thread = threading.Thread(target=self._collect, args=(r,), name="dgviewer-early-listing", daemon=True)
        self.thread.start()

    def _collect(self, r: int) -> None:
        chunks = []
        try:
            while chunk := os.read(r, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(r)
            _, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            self.data = b"".join(chunks)  # made names by take(): a million strings held the GIL 0.1 s
        self.ready.set()
        if not self.taken.wait(KEEP_S):
            if _started.get(self.path) is self:
                del _started[self.path]
            self.data = None


def _list_into(path: str, r: int, w: int) -> None:
    """The child: write the names, NUL-separated, and leave without running any of the parent's clean-up."""
    code = 1
    try:
        os.close(r)
        with os.scandir(path) as it:
            names = [e.name for e in it if _is_dir(e)]
        view = memoryview("\0".join(names).encode("utf-8", "surrogateescape"))
        while view:
            view = view[os.write(w, view):]
        code = 0
    finally:
        os._exit(code)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
