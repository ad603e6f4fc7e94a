"""The one way dgviewer writes a file, and where its own files live.

Every file dgviewer writes (review decisions, reports, rendered images, the
demo dataset, caches) goes through :func:`atomic_write`: a crash leaves the
old content or the new, never a mix. Nothing is ever written inside a
dataset folder; dgviewer's own files live in the user's folders
(platformdirs: XDG on Linux, the platform's conventions elsewhere).
"""
from __future__ import annotations

import os
import socket
import sys

import platformdirs

#: Marks our temporaries: ``.<name>.dgv-tmp-<host>-<pid>`` beside the target.
_TMP_TAG = ".dgv-tmp-"
APP = "dgviewer"


def user_data_dir() -> str:
    """Reviews that cannot be written beside their dataset, settings-like data."""
    return platformdirs.user_data_dir(APP, appauthor=False)


def user_cache_dir() -> str:
    """Rebuildable files: the demo dataset, thumbnails, indexes."""
    return platformdirs.user_cache_dir(APP, appauthor=False)


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


def _temporary(path: str) -> str:
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base}{_TMP_TAG}{socket.gethostname()}-{os.getpid()}")


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
        if not name.startswith(prefix) or not name[len(prefix):].isdigit():
            continue
        pid = int(name[len(prefix):])
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
