"""The on-disk cache of remote dataset files: ``<user cache folder>/remote``, bounded in bytes.

Files are named by a hash of their URL and the version the listing gave (ETag or modification time), so
an object replaced in the bucket is fetched again, and kept whole, so a cached image is memory-mapped
and decoded like a local one. The bound is ``DGVIEWER_REMOTE_CACHE_BYTES`` (default 4 GiB); past it the
least recently used files go (a hit refreshes a file's time). Processes share the folder: files appear
by rename, and a file evicted under a reader is fetched again.

Why not fsspec's ``filecache``/``simplecache``: they have no byte bound (only an expiry time), and
``filecache`` keeps a metadata file that concurrent processes (the QA workers) rewrite under each other.
"""
from __future__ import annotations

import hashlib
import os
import threading
from typing import Callable

from .fsio import remove_least_recent, user_cache_dir

DEFAULT_BYTES = 4 << 30
_lock = threading.Lock()
_fetching: dict[str, threading.Lock] = {}
_total: list[int] = []  # bytes in the folder, counted once per process then kept up to date


def folder() -> str:
    return os.path.join(user_cache_dir(), "remote")


def limit() -> int:
    try:
        return max(0, int(os.environ.get("DGVIEWER_REMOTE_CACHE_BYTES", DEFAULT_BYTES)))
    except ValueError:
        return DEFAULT_BYTES


def _name(url: str, version: str) -> str:
    digest = hashlib.sha256(f"{url}\0{version}".encode("utf-8", "surrogateescape")).hexdigest()
    ext = os.path.splitext(url.rsplit("/", 1)[-1])[1][:8]
    return os.path.join(folder(), digest[:2], digest[2:34] + ext)


def cached(url: str, version: str) -> str | None:
    """The cached copy's path (its time refreshed), or None."""
    path = _name(url, version)
    try:
        os.utime(path)
    except OSError:
        return None
    return path


def read(url: str, version: str, fetch: Callable[[], bytes]) -> bytes:
    """The file's bytes, from the cache or fetched (and then cached)."""
    path = cached(url, version)
    if path is not None:
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:  # evicted by another process meanwhile
            pass
    data = fetch()
    _store(path or _name(url, version), data)
    return data


def path(url: str, version: str, fetch: Callable[[], bytes]) -> str:
    """A local path holding the file, fetched once even when several threads ask at the same time."""
    target = _name(url, version)
    with _lock:
        key_lock = _fetching.setdefault(target, threading.Lock())
    with key_lock:
        if cached(url, version) is None:
            _store(target, fetch())
    with _lock:
        _fetching.pop(target, None)
    return target


def _store(path: str, data: bytes) -> None:
    cap = limit()
    if len(data) > cap:
        return  # larger than the whole cache: used once, not kept
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}-{threading.get_ident()}.part"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:  # a full or read-only cache folder costs speed, not the read
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return
    with _lock:
        if not _total:
            _total.append(_scan_total())
        else:
            _total[0] += len(data)
        over = _total[0] > cap
    if over:
        _evict(cap * 8 // 10)


def _files() -> list[tuple[float, int, str]]:
    out = []
    root = folder()
    try:
        subs = os.listdir(root)
    except OSError:
        return out
    for sub in subs:
        try:
            with os.scandir(os.path.join(root, sub)) as it:
                for e in it:
                    if e.name.endswith(".part"):
                        continue
                    try:
                        st = e.stat()
                    except OSError:
                        continue
                    out.append((st.st_mtime, st.st_size, e.path))
        except OSError:
            continue
    return out


def _scan_total() -> int:
    return sum(size for _, size, _ in _files())


def _evict(target: int) -> None:
    """Delete least recently used files until the folder holds at most ``target`` bytes."""
    total = remove_least_recent(_files(), target)
    with _lock:
        _total[:] = [total]
