"""Opening a dataset again without listing it again: the scenes a reader listed, kept in the user's cache folder
with the folders and files each was listed from, and served again while none of those changed.

A million-datapoint Datagen folder takes minutes to list (two folder listings and a JSON parse per datapoint);
checking that those three paths still have their modification time and size takes seconds. While a reader
lists a scene, the paths it reads are recorded (core/reads.py) and the scene is pickled at once, with those
paths and the problems the reader reported on the way (later a viewer hangs decoded things on its datapoints).
On the next open of the same folder, under the same name, options and reader code, each kept scene is served
once its paths check out; at the first that does not (or a damaged file), the reader lists the folder from the
start, skipping the scenes already served, and what it lists replaces the file.

Adding or removing a scene folder changes the root's time, which the first scene recorded; a file added to or
removed from a folder changes that folder's time; a JSON file read is checked itself. A reader opts in
(``Reader.listing_cache``) only when its index reads through the recorded functions. A folder being written
(a path read had changed within ``reads.RACY_S``) is listed as usual and not kept. The files are pickles in the
user's own cache folder, as trusted as the code that wrote them; past ``MAX_BYTES`` the least recently used go.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import struct
import sys
from typing import Callable, Iterable, Iterator

from . import courtesy, listing_helpers, reads, scene_pickle
from .fsio import own_temporary, remove_least_recent, remove_stale_temporaries, user_cache_dir
from .model import Scene

FORMAT = 1
#: All kept listings together; the least recently used are removed past it.
MAX_BYTES = 4 << 30
#: Datapoints per pickled chunk: equal values (file-name sets, environment entries) are shared within one.
CHUNK_DATAPOINTS = 2000
_MAGIC = b"dgvlist\0"
_COUNT = struct.Struct("<Q")

log = logging.getLogger(__name__)
_digests: dict[tuple[str, ...], str] = {}


def code_digest(*modules: str) -> str:
    """A digest of the source of the packages holding ``modules``: any change to a reader's code (or to the
    model it builds) lists its folders anew."""
    found = _digests.get(modules)
    if found is None:
        # The program as installed too: a frozen app keeps no source beside its code.
        h = hashlib.blake2b(repr((modules, reads.signature(sys.executable))).encode(), digest_size=16)
        try:
            for folder in sorted({os.path.dirname(sys.modules[m].__file__ or "") for m in modules}):
                for name in sorted(os.listdir(folder)):
                    if name.endswith(".py"):
                        with open(os.path.join(folder, name), "rb") as f:
                            h.update(name.encode() + b"\0" + f.read())
        except OSError:
            pass
        found = _digests[modules] = h.hexdigest()
    return found


def folder() -> str:
    return os.path.join(user_cache_dir(), "listings")


def path_of(key: dict) -> str:
    return os.path.join(folder(), hashlib.blake2b(repr(sorted(key.items())).encode(), digest_size=16).hexdigest())


def scenes(ctx, reader: str, code: str, index: Callable[[], Iterable[Scene]], serve: bool = True,
           parallel: bool = False) -> Iterator[Scene]:
    """The scenes of ``ctx.root`` (an IndexContext of a local folder): those kept from an earlier listing while
    they check out (unless not ``serve``), then what ``index()`` lists (the reader's own index of the whole
    folder; with helper processes for a big one when ``parallel``), kept in turn."""
    key = {"format": FORMAT, "root": os.path.realpath(ctx.root), "name": ctx.dataset_name, "reader": reader,
           "code": code, "options": repr(sorted(ctx.options.items()))}
    path = path_of(key)
    served: set[str] = set()
    if serve and (yield from _served(path, key, ctx, served)):
        return
    yield from _listed(path, key, ctx, index, served, parallel)


def _served(path: str, key: dict, ctx, served: set[str]) -> Iterator[Scene]:
    """Yield the kept scenes while they check out; True when all were (the listing is then complete)."""
    try:
        f = open(path, "rb")
    except OSError:
        return False
    with f:
        try:
            if f.read(len(_MAGIC)) != _MAGIC:
                return False
            (count,) = _COUNT.unpack(f.read(_COUNT.size))
            if _chunk(f) != pickle.dumps(key):
                return False
            ctx.expected = count
            while (chunk := _chunk(f)):
                buffer = io.BytesIO(chunk)
                records = scene_pickle.Unpickler(buffer, ctx.cache)
                while buffer.tell() < len(chunk):
                    scene, problems, paths = records.load()
                    if not reads.unchanged(ctx.root, paths):
                        return False
                    ctx.problems.extend(problems)
                    served.add(scene.name)
                    yield scene
        except Exception as e:  # a damaged or foreign file: listed again, and replaced
            log.info("listing cache %s not used: %s", path, e)
            return False
    try:
        os.utime(path)  # recently used (see _evict)
    except OSError:
        pass
    return len(served) == count


def _chunk(f) -> bytes:
    head = f.read(_COUNT.size)
    if len(head) != _COUNT.size:
        raise EOFError("truncated")
    (n,) = _COUNT.unpack(head)
    data = f.read(n)
    if len(data) != n:
        raise EOFError("truncated")
    return data


def _listed(path: str, key: dict, ctx, index: Callable[[], Iterable[Scene]], served: set[str],
            parallel: bool) -> Iterator[Scene]:
    """The reader's scenes, less those ``served``, kept as they come (the file replaces the old one once all
    are listed, unless one was being written). ``parallel``: see core/listing_helpers.py."""
    listing = listing_helpers.Listing(ctx, index, parallel)
    writer = _Writer.create(path, key, ctx.cache)
    complete = False
    blocks = iter(listing)
    try:
        for records, chunk in blocks:
            if writer is not None:
                writer = writer.add(records, chunk)
            for scene, problems, _ in records:
                if scene.name not in served:  # else served from the kept listing before it stopped checking out
                    ctx.problems.extend(problems)
                    yield scene
        complete = True
    finally:
        blocks.close()  # stops any helpers now, not when collected
        if writer is not None:
            writer.close(keep=complete and listing.keepable)


class _Writer:
    """A listing being kept: a temporary file beside the final one, chunk by chunk."""

    def __init__(self, path: str, tmp: str, f, cache):
        self.path, self.tmp, self.f, self.cache = path, tmp, f, cache
        self.count = 0
        self._buffer = io.BytesIO()
        self._pickler = scene_pickle.Pickler(self._buffer, cache)
        self._datapoints = 0

    @classmethod
    def create(cls, path: str, key: dict, cache) -> _Writer | None:
        # Its own temporary file: the same folder may be listed twice at once (a window opening it again while
        # its listing runs, two processes), each replacing the kept one when done.
        tmp = own_temporary(path)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            remove_stale_temporaries(path)
            f = open(tmp, "xb")
            f.write(_MAGIC + _COUNT.pack(0))
            _write_chunk(f, pickle.dumps(key))
        except OSError as e:  # an unwritable cache folder: listed, not kept
            log.info("listing not kept in %s: %s", path, e)
            return None
        return cls(path, tmp, f, cache)

    def add(self, records: list, chunk: bytes | None) -> _Writer | None:
        """Keep ``records`` (scene, problems, paths): pickled now, before anything is hung on their scenes, or
        as ``chunk``, their pickled form; None once they cannot be kept."""
        try:
            if chunk is not None:
                self._flush()
                _write_chunk(self.f, chunk)
                self.count += len(records)
                return self
            for record in records:
                self._pickler.dump(record)
                self.count += 1
                self._datapoints += sum(len(cam) for cam in record[0].cameras)
            if self._datapoints >= CHUNK_DATAPOINTS:
                self._flush()
        except Exception as e:  # something a reader hung on a scene cannot be pickled, or the disk is full
            log.info("listing not kept in %s: %s", self.path, e)
            self.close(keep=False)
            return None
        return self

    def _flush(self) -> None:
        if self._buffer.tell():
            _write_chunk(self.f, self._buffer.getvalue())
        self._buffer = io.BytesIO()
        self._pickler = scene_pickle.Pickler(self._buffer, self.cache)  # a fresh memo: it would hold every object kept
        self._datapoints = 0
        courtesy.give_way()

    def close(self, keep: bool) -> None:
        try:
            if keep:
                self._flush()
                _write_chunk(self.f, b"")
                self.f.seek(len(_MAGIC))
                self.f.write(_COUNT.pack(self.count))
            self.f.close()
            if keep:
                os.replace(self.tmp, self.path)
                _evict(MAX_BYTES)
                return
        except OSError as e:
            log.info("listing not kept in %s: %s", self.path, e)
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def _write_chunk(f, data: bytes) -> None:
    f.write(_COUNT.pack(len(data)))
    f.write(data)


def _evict(limit: int) -> None:
    """Remove the least recently used kept listings until they hold ``limit`` bytes at most (temporary files,
    named with a dot, are their writers')."""
    files = []
    with os.scandir(folder()) as it:
        for e in it:
            try:
                if not e.name.startswith("."):
                    st = e.stat()
                    files.append((st.st_mtime, st.st_size, e.path))
            except OSError:
                continue
    remove_least_recent(files, limit)
