"""Finding readers (built-ins plus the ``dgviewer.formats`` entry-point group) and ``load()``."""
from __future__ import annotations

import functools
import importlib
import os
from typing import Iterable, Iterator

from ..core import listing_cache, listing_helpers, storage
from ..core.cache import ByteCache, shared_cache
from ..core.errors import DgviewerError, InsideDatasetError, NotADatasetError
from ..core.findings import CORE_CHECKS, Check
from ..core.layers import LayerCatalog
from ..core.model import Dataset, Scene, unique_name
from .base import IndexContext, Reader

#: "module:Class" of the built-in readers, tried in this order.
BUILTIN = [
    "dgviewer.formats.datagen:DatagenReader",
    "dgviewer.formats.perception:SoloReader", "dgviewer.formats.perception:LegacyReader",
]


def _load(spec: str):
    module, _, cls = spec.partition(":")
    return getattr(importlib.import_module(module), cls)


#: Readers registered at run time (tests, scripts), after the built-ins and entry points.
_REGISTERED: list[type[Reader]] = []


def register(reader: type[Reader]) -> type[Reader]:
    """Add a reader class (usable as a decorator); a format needs nothing else to be opened."""
    if reader not in _REGISTERED:
        _REGISTERED.append(reader)
    return reader


def unregister(reader: type[Reader]) -> None:
    if reader in _REGISTERED:
        _REGISTERED.remove(reader)


def readers() -> list[type[Reader]]:
    """Reader classes: built-ins first, then entry-point plug-ins, then registered ones."""
    found = [_load(s) for s in BUILTIN] + list(_plugins())
    return found + [r for r in _REGISTERED if r not in found]


@functools.cache
def _plugins() -> tuple[type[Reader], ...]:
    """Entry-point readers, looked up once per process (scanning the installed packages costs ~2 ms)."""
    found = []
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="dgviewer.formats"):
            if ep.value not in BUILTIN:
                found.append(ep.load())
    except Exception:  # a broken plug-in must not stop built-in formats from opening
        pass
    return tuple(found)


def reader_named(name: str) -> type[Reader] | None:
    """The reader whose ``name`` is a datapoint's ``format``."""
    return next((r for r in readers() if r.name == name), None)


def layer_catalog() -> LayerCatalog:
    """The layers every known reader declares (for lists shown before a dataset is open)."""
    return LayerCatalog(spec for r in readers() for spec in r.layers)


def check_catalog() -> dict[str, Check]:
    """Every QA check by name: the canonical ones, then those every known reader declares (a name already
    taken keeps its first declaration)."""
    out: dict[str, Check] = {}
    for c in (*CORE_CHECKS, *(c for r in readers() for c in r.checks)):
        out.setdefault(c.name, c)
    return out


def load(*paths: str, format: str | None = None, cache: ByteCache | None = None, only: Iterable[str] | None = None,
         readahead: int | None = None, keep_listing: bool = True, relist: bool = False, **options) -> Dataset:
    """Open and merge dataset folders (Datagen, Unity Perception, ...), reading only their index.

    A folder may be an fsspec URL (``s3://bucket/prefix``, ``gs://...``, ``file://...``): it is listed
    once and its files are fetched as they are read (see :mod:`dgviewer.core.storage`).

    Returns once each folder is recognised and its first scene listed; the rest is listed on
    demand (see :class:`~dgviewer.core.dataset.Dataset`). ``format`` forces a reader by name (e.g.
    "datagen"); ``options`` go to the readers (Datagen: ``environment="hic"|"identities"`` like the
    SDK's DatasetConfig). ``only``: datapoint ids (``<dataset folder>/<path to the camera
    folder>/<image>``); the dataset then holds the scenes that name them (and their other
    datapoints) and nothing else, so a worker given a batch of ids reaches them without listing
    the whole dataset (a reader that cannot list part of a folder lists it all). Without ``cache``,
    decodes go to a small process-wide one (a script that walks the data once reuses none).
    ``readahead``: datapoints a loop over the dataset decodes ahead in threads (None: two per core;
    0: off; see core/traversal.py). ``keep_listing``: a local folder's listing is kept in the user's cache
    folder and served again on the next open while its files are unchanged (core/listing_cache.py; for
    readers that allow it); False lists it anew and keeps nothing. ``relist``: list anew even where the kept
    listing checks out, and keep the new one (a file replaced by another of the same size and modification
    time, as ``rsync -t`` does, goes unseen otherwise). Raises :class:`NotADatasetError` for a
    folder no reader recognises.
    """
    if not paths:
        raise TypeError("load() needs at least one dataset folder")
    if len(paths) == 1 and isinstance(paths[0], (list, tuple)):
        paths = tuple(paths[0])
    cache = cache or shared_cache
    wanted: dict[str, set[str]] | None = None
    if only is not None:
        wanted = {}
        for i in only:
            name, _, rel = i.partition("/")
            wanted.setdefault(name, set()).add(rel)
    roots, names, formats, problems, layers, facts, streams = [], [], [], [], [], {}, []
    used_names: set[str] = set()
    candidates = readers()
    for path in paths:
        root = storage.resolve(path)
        storage.require_folder(root)  # a remote root is listed here, once
        for other in roots:
            if root != other and (storage.contains(other, root) or storage.contains(root, other)):
                # Review files sit beside each root: the inner one's would be written into the outer dataset.
                raise NotADatasetError(root, f"it is nested with {other}, opened too; open only one of them")
        if format:
            chosen = [r for r in candidates if r.name == format]
            if not chosen:
                raise NotADatasetError(root, f"no reader named {format!r}")
            reader = chosen[0]
        else:
            reader = _detect(root, candidates)
        name = unique_name(os.path.basename(root.rstrip(os.sep)) or "dataset", used_names)
        roots.append(root)
        names.append(name)
        formats.append(reader.name)
        layers.extend(reader.layers)
        facts.update((k, v) for k, v in reader.facts.items() if k not in facts)
        if wanted is not None and name not in wanted:
            continue  # no id of this folder was asked for
        ctx = IndexContext(root=root, dataset_name=name, cache=cache, options=options, problems=problems,
                           only=frozenset(wanted[name]) if wanted is not None else None)
        scenes = iter(_scenes(reader, ctx, keep_listing, relist))
        # Listing starts here, so a folder that turns out not to be a dataset is said by load(), at once.
        streams.append((ctx, next(scenes, None), scenes))
    contexts = [ctx for ctx, _, _ in streams]
    ds = Dataset(_chain(streams), roots, formats, problems, LayerCatalog(layers), facts,
                 expected=lambda: _expected(contexts), names=names)
    ds.readahead = readahead
    ds.index_more(0)  # the first scene, already listed: ds[0] is there without waiting
    return ds


def _scenes(reader: type[Reader], ctx: IndexContext, keep: bool, relist: bool) -> Iterable[Scene]:
    """The reader's scenes of ``ctx.root``: served from its kept listing where the reader allows it."""
    if not (reader.listing_cache and ctx.only is None and not storage.is_url(ctx.root)):
        return reader().index(ctx)
    if not keep:
        return listing_helpers.scenes(ctx, lambda: reader().index(ctx), reader.parallel_listing)
    code = listing_cache.code_digest(reader.__module__, Scene.__module__)
    return listing_cache.scenes(ctx, reader.name, code, lambda: reader().index(ctx), serve=not relist,
                                parallel=reader.parallel_listing)


def _chain(streams) -> Iterator[Scene]:
    """The scenes of every folder in turn; a folder that fails part-way keeps what was listed (a problem says so)."""
    for ctx, first, rest in streams:
        if first is None:
            continue
        yield first
        try:
            yield from rest
        except DgviewerError as e:
            ctx.problem(ctx.root, f"listing stopped part-way: {e}")


def _expected(contexts: list[IndexContext]) -> int | None:
    counts = [ctx.expected for ctx in contexts]
    return None if None in counts else sum(counts)


def _detect(root: str, candidates: list[type[Reader]]) -> type[Reader]:
    """The first reader that recognises ``root``; InsideDatasetError when it is a folder inside a dataset."""
    for r in candidates:
        if r.detect(root):
            return r
    for r in candidates:
        outer = r.enclosing(root)
        if outer:
            raise InsideDatasetError(root, outer, r.name)
    raise NotADatasetError(root, _why_not(root, candidates))


def _why_not(root: str, candidates: list[type[Reader]]) -> str:
    try:
        entries = sorted(storage.listdir(root))
    except OSError as e:
        return f"cannot list it: {e.strerror}"
    if not entries:
        return "it is empty"
    shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
    expected = ", ".join(r.hint for r in candidates if r.hint)
    return f"expected {expected}; found: {shown}"
