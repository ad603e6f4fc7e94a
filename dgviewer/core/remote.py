"""Datasets in object storage through fsspec: one listing per root, JSON read ahead in bulk, images on demand.

Credentials and endpoints come only from the standard places: the environment (``AWS_ACCESS_KEY_ID``,
``AWS_PROFILE``, ``AWS_ENDPOINT_URL`` for MinIO or another S3 API, ...), ``~/.aws``, and fsspec's own
configuration (``~/.config/fsspec/*.json`` or ``FSSPEC_S3_ENDPOINT_URL``-style variables). Nothing here
prints them, and nothing is ever written to a bucket.

Requests are bounded: connect and read timeouts, and botocore's retries (standard mode), so a dead server
costs seconds, not minutes. Every failure becomes a :class:`DataError` (a file) or a
:class:`NotADatasetError` (a root) with one readable line.

Small JSON files are kept in memory and fetched ahead: a miss on ``.../environment.json`` also fetches the
next files of the same name in tree order, concurrently (``fs.cat`` of a list), so an index that reads one
such file per camera makes one batch of requests per few hundred cameras. Everything else is fetched when
read, into the bounded on-disk cache of :mod:`.remote_cache`.
"""
from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from typing import Callable

from . import remote_cache
from .errors import DataError, NotADatasetError

#: Seconds: connecting, then waiting for a response, per attempt; and the attempts botocore makes.
CONNECT_TIMEOUT, READ_TIMEOUT, ATTEMPTS = 5, 20, 3
#: s3fs retries a timed-out or cut request on top of botocore (default 5): bounded so a hung server fails in
#: about CONNECT/READ_TIMEOUT × ATTEMPTS × FS_RETRIES at worst.
FS_RETRIES = 2
#: JSON files up to this size are kept in memory and read ahead; larger ones go to the disk cache.
SMALL_BYTES = 1 << 20
#: Memory for small files across every mounted root.
SMALL_BUDGET = 128 << 20
#: Read-ahead of same-named JSON files: the first miss fetches this many, each further miss doubles it.
AHEAD_FIRST, AHEAD_MAX = 16, 512


def _options(protocol: str) -> dict:
    """Our timeout/retry defaults under whatever fsspec's configuration says for ``protocol``."""
    import fsspec.config

    if protocol not in ("s3", "s3a"):
        return {}
    user = dict(fsspec.config.conf.get(protocol, {}).get("config_kwargs", {}))
    config = {"connect_timeout": CONNECT_TIMEOUT, "read_timeout": READ_TIMEOUT,
              "retries": {"max_attempts": ATTEMPTS, "mode": "standard"}, **user}
    return {"config_kwargs": config}


def _filesystem(url: str):
    import fsspec

    protocol = url.split("://", 1)[0]
    try:
        fs, path = fsspec.core.url_to_fs(url, **_options(protocol))
    except (ImportError, ValueError) as e:
        raise NotADatasetError(url, f"cannot open {protocol}:// locations: {_first_line(e)}") from None
    if hasattr(fs, "retries"):
        fs.retries = min(fs.retries, FS_RETRIES)
    return fs, path


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:300]


def explain(e: BaseException) -> str:
    """One line for a person: what went wrong talking to the storage."""
    if isinstance(e, FileNotFoundError):
        return f"not found ({_first_line(e)})"
    if isinstance(e, PermissionError):
        return f"access denied ({_first_line(e)})"
    name = type(e).__name__
    if isinstance(e, (TimeoutError, ConnectionError)) or "Timeout" in name or "Connect" in name:
        return f"cannot reach the storage ({name}: {_first_line(e)})"
    return f"storage error ({name}: {_first_line(e)})"


class Mount:
    """One listed remote root: its tree (folder URL → name → is-a-folder) and its files (URL → size, version)."""

    def __init__(self, url: str, fs, fs_path: str, found: dict[str, dict]):
        self.url, self.fs, self.fs_path = url, fs, fs_path.rstrip("/")
        self.files: dict[str, tuple[int, str]] = {}
        self.dirs: dict[str, dict[str, bool]] = {url: {}}
        base = len(self.fs_path) + 1
        for key, info in found.items():
            rel = key.rstrip("/")[base:]
            if not rel or key.rstrip("/") == self.fs_path:
                continue
            parts = rel.split("/")
            folder = url
            for part in parts[:-1]:
                self.dirs[folder][part] = True
                folder = f"{folder}/{part}"
                self.dirs.setdefault(folder, {})
            full = f"{folder}/{parts[-1]}"
            if info.get("type") == "directory":
                self.dirs[folder][parts[-1]] = True
                self.dirs.setdefault(full, {})
            elif parts[-1] not in self.dirs.get(folder, {}) or not self.dirs[folder][parts[-1]]:
                self.dirs[folder][parts[-1]] = False
                version = info.get("ETag") or info.get("etag") or info.get("LastModified") or info.get("mtime") or ""
                self.files[full] = (int(info.get("size") or 0), str(version))
        # Small JSON of each file name in tree order, for read-ahead.
        by_name: dict[str, list[str]] = {}
        for path in sorted(self.files):
            if path.endswith(".json") and self.files[path][0] <= SMALL_BYTES:
                by_name.setdefault(path.rsplit("/", 1)[1], []).append(path)
        self._by_name = by_name
        self._ahead: dict[str, int] = {}
        self._lock = threading.Lock()

    def fs_key(self, url: str) -> str:
        return self.fs_path + url[len(self.url):]

    def batch(self, url: str) -> list[str]:
        """``url`` and the next same-named small JSON files not yet in memory (more after every miss)."""
        name = url.rsplit("/", 1)[1]
        paths = self._by_name.get(name)
        if not paths:
            return [url]
        with self._lock:
            n = self._ahead.get(name, AHEAD_FIRST // 2) * 2
            self._ahead[name] = min(n, AHEAD_MAX)
        start = bisect.bisect_left(paths, url)
        return [url] + [p for p in paths[start + 1:start + 1 + n] if not _small.has(p)]


class _SmallFiles:
    """Bytes of small files, least recently used dropped past a byte budget."""

    def __init__(self, budget: int):
        self.budget, self.size = budget, 0
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def has(self, url: str) -> bool:
        return url in self._data

    def get(self, url: str) -> bytes | None:
        with self._lock:
            data = self._data.get(url)
            if data is not None:
                self._data.move_to_end(url)
            return data

    def put(self, url: str, data: bytes) -> None:
        with self._lock:
            old = self._data.pop(url, None)
            self.size += len(data) - (len(old) if old is not None else 0)
            self._data[url] = data
            while self.size > self.budget and len(self._data) > 1:
                _, dropped = self._data.popitem(last=False)
                self.size -= len(dropped)

    def drop_under(self, root: str | None) -> None:
        """Forget the files under ``root`` (every file for None)."""
        with self._lock:
            for url in [u for u in self._data if root is None or u.startswith(root + "/")]:
                self.size -= len(self._data.pop(url))


_small = _SmallFiles(SMALL_BUDGET)
_mounts: dict[str, Mount] = {}
_mounts_lock = threading.Lock()


def mount(url: str, progress: Callable[[str], None] | None = None) -> Mount:
    """List ``url`` with one ``find`` (paginated by the storage, not one request per folder) and keep it."""
    fs, fs_path = _filesystem(url)
    if progress:
        progress(f"Listing {url} ...")
    try:
        found = fs.find(fs_path, detail=True, withdirs=True)
    except Exception as e:  # botocore, aiohttp, gcsfs raise their own types: all are one readable line
        raise NotADatasetError(url, f"cannot list it: {explain(e)}") from None
    if not found:
        raise NotADatasetError(url, "no such folder (nothing is stored under this prefix)")
    if found.get(fs_path.rstrip("/"), {}).get("type") == "file":
        raise NotADatasetError(url, "not a folder")
    m = Mount(url, fs, fs_path, found)
    with _mounts_lock:
        _mounts[url] = m
    _small.drop_under(url)  # a re-open sees the storage as it is now
    if progress:
        progress(f"Listed {len(m.files)} files in {len(m.dirs)} folders")
    return m


def mount_of(path: str) -> Mount | None:
    """The mounted root holding ``path`` (canonical URL), the innermost when roots nest."""
    best = None
    for root, m in list(_mounts.items()):
        if (path == root or path.startswith(root + "/")) and (best is None or len(root) > len(best.url)):
            best = m
    return best


def stat(url: str) -> tuple[Mount, int, str]:
    """(mount, size, version) of a listed remote file; DataError as for a local path otherwise."""
    m = mount_of(url)
    if m is None:
        raise DataError(url, "file not found (its location is not an opened dataset)")
    if url in m.dirs:
        raise DataError(url, "is a folder, not a regular file")
    try:
        size, version = m.files[url]
    except KeyError:
        raise DataError(url, "file not found") from None
    return m, size, version


def read_bytes(url: str, limit: int) -> bytes:
    m, size, version = stat(url)
    if size > limit:
        raise DataError(url, f"{size} bytes, more than the {limit}-byte limit for this kind of file")
    if size <= SMALL_BYTES and url.endswith(".json"):
        data = _small.get(url)
        return data if data is not None else _fetch_small(m, url)
    return remote_cache.read(url, version, lambda: _cat(m, url))


def read_head(url: str, n: int) -> bytes:
    """The first ``n`` bytes: from the cache when the whole file is there, else one ranged request."""
    m, size, version = stat(url)
    cached = remote_cache.cached(url, version)
    if cached is not None:
        with open(cached, "rb") as f:
            return f.read(n)
    if size <= n:
        return read_bytes(url, n)
    return _cat(m, url, 0, n)


def local_file(url: str, limit: int) -> str:
    """A local file holding ``url``'s bytes (fetched into the disk cache when needed): for memory maps."""
    m, size, version = stat(url)
    if size > limit:
        raise DataError(url, f"{size} bytes, more than the {limit}-byte limit for this kind of file")
    return remote_cache.path(url, version, lambda: _cat(m, url))


def _cat(m: Mount, url: str, start: int | None = None, end: int | None = None) -> bytes:
    try:
        return m.fs.cat_file(m.fs_key(url), start=start, end=end)
    except Exception as e:
        raise DataError(url, explain(e)) from None


def _fetch_small(m: Mount, url: str) -> bytes:
    batch = m.batch(url)
    if len(batch) == 1:
        data = _cat(m, url)
        _small.put(url, data)
        return data
    try:
        got = m.fs.cat([m.fs_key(u) for u in batch], on_error="return")
    except Exception as e:
        raise DataError(url, explain(e)) from None
    mine = None
    for u in batch:
        value = got.get(m.fs_key(u))
        if isinstance(value, bytes):
            _small.put(u, value)
            if u == url:
                mine = value
        elif u == url:
            raise DataError(url, explain(value) if isinstance(value, BaseException) else "not fetched")
    return mine if mine is not None else _cat(m, url)


def cache_folder() -> str:
    return remote_cache.folder()


def clear_memory() -> None:
    """Forget listed roots and small files (tests; a new open lists again anyway)."""
    with _mounts_lock:
        _mounts.clear()
    _small.drop_under(None)
