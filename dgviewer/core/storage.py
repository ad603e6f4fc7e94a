"""Where dataset files live: local folders or fsspec URLs (``s3://``, ``gs://``, listable ``https://``).

Readers list folders and test paths through this module, never through ``os`` directly, so a dataset
in a bucket indexes like one on disk. Paths stay strings: a remote file is named by its URL
(``s3://bucket/ds/scene_1/camera_1/depth.exr``), and ``os.path.join``/``dirname``/``basename`` work on
those as they are; the functions here that differ from ``os.path`` (``normpath``, ``abspath``,
``relpath``, ``isabs``) are the ones that would damage a URL.

A remote root is listed once, by :func:`mount` (one ``find`` over its prefix), into an in-memory tree
that every listing call below consults: indexing a remote dataset makes no request per file. Paths
under no mounted root are answered without the network (nothing there). ``file://`` URLs are local
paths. Reads go through :mod:`.fsio`, which hands URLs to :mod:`.remote`.
"""
from __future__ import annotations

import os
import posixpath
import re
from typing import Callable, Iterator

from . import early_listing, reads
from .errors import NotADatasetError

_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]+)://(.*)$", re.S)


def is_url(path) -> bool:
    """True for ``scheme://...`` (a remote location; ``file://`` included until :func:`resolve` makes it a path)."""
    return isinstance(path, str) and _URL.match(path) is not None


def resolve(path) -> str:
    """The one spelling of a dataset location given by a user: an absolute local path (``file://`` URLs
    included), or a canonical URL (no trailing slash, no ``.``/``..``). Every command goes through it."""
    path = os.fspath(path)
    m = _URL.match(path)
    if m is None:
        return os.path.abspath(path)
    scheme, rest = m.group(1).lower(), m.group(2)
    if scheme == "file":
        from urllib.parse import unquote

        return os.path.abspath(unquote(rest))
    return abspath(f"{scheme}://{rest}")


# -- path functions that keep URLs intact ------------------------------------------------------------

def normpath(path: str) -> str:
    m = _URL.match(path)
    if m is None:
        return os.path.normpath(path)
    rest = posixpath.normpath(m.group(2)).lstrip("/") if m.group(2) else ""
    return f"{m.group(1)}://{'' if rest == '.' else rest}"


def abspath(path: str) -> str:
    return normpath(path) if is_url(path) else os.path.abspath(path)


def isabs(path: str) -> bool:
    return is_url(path) or os.path.isabs(path)


def relpath(path: str, start: str) -> str:
    if not is_url(path) and not is_url(start):
        return os.path.relpath(path, start)
    path, start = normpath(path), normpath(start)
    if path == start:
        return "."
    if path.startswith(start + "/"):
        return path[len(start) + 1:]
    raise ValueError(f"{path} is not under {start}")


def contains(folder: str, path: str) -> bool:
    """``path`` is ``folder`` or lies under it (lexically; both resolved)."""
    sep = "/" if is_url(folder) else os.sep
    return path == folder or path.startswith(folder.rstrip(sep) + sep)


# -- listing -------------------------------------------------------------------------------------------

def mount(url: str, progress: Callable[[str], None] | None = None):
    """List the remote root ``url`` (canonical, see :func:`resolve`) in one batch and keep its tree; the
    :class:`~.remote.Mount`. Raises NotADatasetError with one readable line when it cannot be listed."""
    from . import remote

    return remote.mount(url, progress)


def mounted(path: str):
    """The listed remote root holding ``path`` (a :class:`~.remote.Mount`), or None."""
    from . import remote

    return remote.mount_of(path)


class _Entry:
    """The part of ``os.DirEntry`` the readers use."""

    __slots__ = ("name", "path", "_dir")

    def __init__(self, folder: str, name: str, is_dir: bool):
        self.name, self.path, self._dir = name, f"{folder}/{name}", is_dir

    def is_dir(self) -> bool:
        return self._dir

    def is_file(self) -> bool:
        return not self._dir


class _Listing:
    def __init__(self, entries: list[_Entry]):
        self._entries = entries

    def __enter__(self) -> Iterator[_Entry]:
        return iter(self._entries)

    def __exit__(self, *exc) -> None:
        return None


def _children(path: str) -> dict[str, bool]:
    """A remote folder's names → is-a-folder; FileNotFoundError/NotADirectoryError as os.listdir raises."""
    path = normpath(path)
    mount_ = mounted(path)
    names = mount_.dirs.get(path) if mount_ else None
    if names is None:
        if mount_ is not None and path in mount_.files:
            raise NotADirectoryError(20, "Not a directory", path)
        raise FileNotFoundError(2, "No such file or directory", path)
    return names


def scandir(path: str):
    """``os.scandir`` (a context manager of entries with ``name``, ``path``, ``is_dir()``)."""
    if not is_url(path):
        reads.note(path)
        return os.scandir(path)
    folder = normpath(path)
    return _Listing([_Entry(folder, n, d) for n, d in _children(folder).items()])


def subfolders(path: str) -> list[str]:
    """Names of the sub-folders of ``path`` (each entry's own type: no ``stat`` per entry), in no order; from
    the listing a child made while the process started (:mod:`.early_listing`) when it made one of ``path``."""
    if not is_url(path):
        names = early_listing.take(path)
        if names is not None:
            reads.note(path)  # its times are those from before the child's listing (take checked)
            return names
    with scandir(path) as it:
        try:  # the entry's own is_dir, no Python call of ours per entry: a million are a hot loop
            return [e.name for e in it if e.is_dir()]
        except OSError:  # a link loop: listed again, entry by entry
            pass
    with scandir(path) as it:
        return [e.name for e in it if entry_is_dir(e)]


def entry_is_dir(entry) -> bool:
    """A directory entry's ``is_dir()``, False where it cannot tell (a link loop)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def listdir(path: str) -> list[str]:
    if not is_url(path):
        reads.note(path)
        return os.listdir(path)
    return list(_children(path))


def walk(top: str):
    """``os.walk`` (top-down; pruning ``dirs`` in place prunes the walk)."""
    if not is_url(top):
        yield from os.walk(top)
        return
    try:
        children = _children(top)
    except OSError:
        return
    folder = normpath(top)
    dirs = [n for n, d in children.items() if d]
    yield folder, dirs, [n for n, d in children.items() if not d]
    for d in dirs:
        yield from walk(f"{folder}/{d}")


def isdir(path: str) -> bool:
    if not is_url(path):
        reads.note(path)
        return os.path.isdir(path)
    m = mounted(normpath(path))
    return m is not None and normpath(path) in m.dirs


def isfile(path: str) -> bool:
    if not is_url(path):
        return os.path.isfile(path)
    m = mounted(normpath(path))
    return m is not None and normpath(path) in m.files


def exists(path: str) -> bool:
    return isdir(path) or isfile(path) if is_url(path) else os.path.exists(path)


def lexists(path: str) -> bool:
    return exists(path) if is_url(path) else os.path.lexists(path)


def require_folder(root: str) -> None:
    """NotADatasetError unless ``root`` (resolved) is a folder: a remote one is listed (mounted) here."""
    if is_url(root):
        mount(root)
        return
    if not os.path.isdir(root):
        raise NotADatasetError(root, "no such folder" if not os.path.exists(root) else "not a folder")
