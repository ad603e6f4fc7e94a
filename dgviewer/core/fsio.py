"""The one way dgviewer reads and writes a file, and where its own files live.

Every dataset file is read through :func:`read_bytes`: only regular files (a
FIFO, a device behind a symlink or a folder would hang or never end), and only
up to a size limit, so damaged datasets give a clear error instead.

A dataset file may be an fsspec URL (``s3://...``): these functions hand it to :mod:`.remote`, which
answers from the listing it made, its memory and its disk cache, and fetches the rest.

Every file dgviewer writes (review decisions, reports, rendered images, the
demo dataset, caches) goes through :func:`atomic_write`: a crash leaves the
old content or the new, never a mix. Nothing is ever written inside a
dataset folder; dgviewer's own files live in the user's folders
(platformdirs: XDG on Linux, the platform's conventions elsewhere).
"""
from __future__ import annotations

import errno
import itertools
import mmap
import os
import socket
import stat
import sys
from contextlib import contextmanager
from typing import Iterator

import platformdirs

from . import courtesy, reads
from .errors import DataError

#: Marks our temporaries: ``.<name>.dgv-tmp-<host>-<pid>`` beside the target.
_TMP_TAG = ".dgv-tmp-"
APP = "dgviewer"


def user_data_dir() -> str:
    """Reviews that cannot be written beside their dataset, settings-like data."""
    return platformdirs.user_data_dir(APP, appauthor=False)


def user_cache_dir() -> str:
    """Rebuildable files: the demo dataset, thumbnails, indexes."""
    return platformdirs.user_cache_dir(APP, appauthor=False)


#: The largest dataset file read whole (metadata JSON, a PNG or EXR): 4× a 16k² 16-bit RGBA image.
MAX_FILE_BYTES = 8 << 30


def _remote(path: str):
    """The remote-file module when ``path`` is a URL, else None (imported on first use: it loads fsspec)."""
    if "://" not in path:
        return None
    from . import remote

    return remote


def regular_file(path: str) -> int:
    """The size of ``path`` when it is a regular file (links followed); DataError naming what it is otherwise."""
    if (remote := _remote(path)) is not None:
        return remote.stat(path)[1]
    try:
        st = os.stat(path)
    except OSError as e:
        raise DataError(path, _unreadable(e)) from None
    if not stat.S_ISREG(st.st_mode):
        raise DataError(path, _not_regular(st))
    return st.st_size


def _unreadable(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "file not found"
    return "a symbolic link loop" if e.errno == errno.ELOOP else f"cannot read: {e.strerror or e}"


def _not_regular(st: os.stat_result) -> str:
    kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a socket")
    return f"is {kind}, not a regular file"


def read_bytes(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes; DataError otherwise. Recorded while a listing
    records the paths it reads (core/reads.py), with the descriptor's stat that checks it."""
    courtesy.give_way()  # a file is the unit of a background thread's work: not while the GUI thread works
    if (remote := _remote(path)) is not None:
        return remote.read_bytes(path, limit)
    fd, st = _open_regular(path, noted=True)
    try:
        if st.st_size > limit:
            raise DataError(path, f"{st.st_size} bytes, more than the {limit}-byte limit for this kind of file")
        data = _read(path, fd, limit + 1, st.st_size)  # the file may have grown since the stat
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DataError(path, f"more than the {limit}-byte limit for this kind of file")
    return data


def read_head(path: str, n: int) -> bytes:
    """The first ``n`` bytes of a regular file (all of it when shorter): for headers of large images."""
    if (remote := _remote(path)) is not None:
        return remote.read_head(path, n)
    fd, st = _open_regular(path)
    try:
        return _read(path, fd, n, min(n, st.st_size))
    finally:
        os.close(fd)


def _open_regular(path: str, noted: bool = False) -> tuple[int, os.stat_result]:
    """(descriptor, its stat) of ``path`` opened for reading, a regular file. Opened first and stat'ed through
    the descriptor: a stat of the path before would be one system call more per file, and would not
    be what is read (the file may be swapped between the two)."""
    # O_NONBLOCK (no effect on regular files): opening a FIFO must not block; it is refused below.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        if noted:
            reads.note(path)
        try:  # a socket cannot be opened: named as what it is
            st = os.stat(path)
        except OSError:
            st = None
        why = _not_regular(st) if st is not None and not stat.S_ISREG(st.st_mode) else _unreadable(e)
        raise DataError(path, why) from None
    st = os.fstat(fd)
    if noted:
        reads.note(path, st)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise DataError(path, _not_regular(st))
    return fd, st


def _read(path: str, fd: int, n: int, expected: int) -> bytes:
    """At most ``n`` bytes of ``fd``, in reads sized by the ``expected`` length (a read allocates all it asks
    for). A short read that brings the ``expected`` bytes ends it (one system call less per file: a million
    datapoints read a small JSON file each); a file that grew since its stat is read on."""
    try:
        parts, total = [], 0
        while total < n:
            want = min(n - total, max(expected + 1 - total, 1 << 20))
            chunk = os.read(fd, want)
            parts.append(chunk)
            total += len(chunk)
            if not chunk or (len(chunk) < want and total >= expected):
                break
        return b"".join(parts)
    except OSError as e:
        raise DataError(path, f"cannot read: {e.strerror or e}") from None


@contextmanager
def mapped(path: str, limit: int = MAX_FILE_BYTES) -> Iterator[bytes | mmap.mmap]:
    """A regular file's bytes, memory-mapped: a walk over its chunk headers reads no more than it touches."""
    if (remote := _remote(path)) is not None:
        path = remote.local_file(path, limit)  # the whole file, in the disk cache
    fd, st = _open_regular(path)
    try:
        if st.st_size > limit:
            raise DataError(path, f"{st.st_size} bytes, more than the {limit}-byte limit for this kind of file")
        if st.st_size == 0:  # mmap refuses empty files
            yield b""
            return
        try:
            view = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as e:
            raise DataError(path, f"cannot read: {e}") from None
        try:
            yield view
        finally:
            view.close()
    finally:
        os.close(fd)


def atomic_write(path: str, data: str | bytes, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` durably: temp file, fsync, rename, fsync of the folder."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = _temporary(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode(encoding) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


@contextmanager
def file_lock(path: str) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of ``path`` across processes.

    An advisory ``flock`` on the folder holding ``path``: the file itself is replaced on every
    write, so it cannot carry the lock, and a lock file would be left beside the dataset. The
    kernel drops the lock when a holder dies. Where folders cannot be locked (Windows, some
    network filesystems) writers are not serialised.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _temporary(path: str) -> str:
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base}{_TMP_TAG}{socket.gethostname()}-{os.getpid()}")


_writers = itertools.count()


def own_temporary(path: str) -> str:
    """A temporary file's name beside ``path`` that no other writer, in this process or another, is given (two
    may write one file at once); :func:`remove_stale_temporaries` clears it once its process is gone."""
    return f"{_temporary(path)}.{next(_writers)}"


def remove_least_recent(files: list[tuple[float, int, str]], limit: int) -> int:
    """Delete the least recently modified of ``files`` (modification time, size, path) until they hold ``limit``
    bytes at most; the bytes left."""
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= limit:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size
    return total


def _fsync_dir(folder: str) -> None:
    # Makes the rename itself durable; Windows cannot open a folder for fsync.
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temporaries(path: str) -> None:
    """Delete temporary files that killed processes of this host left beside ``path``."""
    folder, base = os.path.split(path)
    prefix = f".{base}{_TMP_TAG}{socket.gethostname()}-"
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return
    for name in names:
        owner = name[len(prefix):].split(".", 1)[0]  # the pid, then the writer's number (own_temporary)
        if not name.startswith(prefix) or not owner.isdigit():
            continue
        pid = int(owner)
        if pid != os.getpid() and not _alive(pid):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill would terminate it there; leave the file
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
