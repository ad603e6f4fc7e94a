"""Finding readers (built-ins plus the ``dgviewer.formats`` entry-point group) and ``load()``."""
from __future__ import annotations

import functools
import gc
import importlib
import os
from contextlib import contextmanager

from ..core.cache import ByteCache, shared_cache
from ..core.errors import InsideDatasetError, NotADatasetError
from ..core.findings import CORE_CHECKS, Check
from ..core.layers import LayerCatalog
from ..core.model import Dataset, unique_name
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


def load(*paths: str, format: str | None = None, cache: ByteCache | None = None, readahead: int | None = None,
         **options) -> Dataset:
    """Open and merge dataset folders (Datagen, Unity Perception, ...), reading only their index.

    ``format`` forces a reader by name (e.g. "datagen"); ``options`` go to the
    readers (Datagen: ``environment="hic"|"identities"`` like the SDK's
    DatasetConfig). Without ``cache``, decodes go to a small process-wide one (a
    script that walks the data once reuses none). ``readahead``: datapoints a loop
    over the dataset decodes ahead in threads (None: two per core; 0: off; see
    core/traversal.py). Raises :class:`NotADatasetError` for a folder no reader
    recognises.
    """
    if not paths:
        raise TypeError("load() needs at least one dataset folder")
    if len(paths) == 1 and isinstance(paths[0], (list, tuple)):
        paths = tuple(paths[0])
    cache = cache or shared_cache
    scenes, roots, formats, problems, layers, facts = [], [], [], [], [], {}
    used_names: set[str] = set()
    candidates = readers()
    for path in paths:
        root = os.path.abspath(os.fspath(path))
        if not os.path.isdir(root):
            raise NotADatasetError(root, "no such folder" if not os.path.exists(root) else "not a folder")
        for other in roots:
            if root != other and os.path.commonpath([root, other]) in (root, other):
                # Review files sit beside each root: the inner one's would be written into the outer dataset.
                raise NotADatasetError(root, f"it is nested with {other}, opened too; open only one of them")
        if format:
            chosen = [r for r in candidates if r.name == format]
            if not chosen:
                raise NotADatasetError(root, f"no reader named {format!r}")
        else:
            chosen = _detect(root, candidates)
        reader = chosen[0]
        name = unique_name(os.path.basename(root.rstrip(os.sep)) or "dataset", used_names)
        ctx = IndexContext(root=root, dataset_name=name, cache=cache, options=options)
        with _gc_paused():
            scenes.extend(reader().index(ctx))
        roots.append(root)
        formats.append(reader.name)
        layers.extend(reader.layers)
        facts.update((k, v) for k, v in reader.facts.items() if k not in facts)
        problems.extend(ctx.problems)
    dataset = Dataset(scenes, roots, formats, problems, LayerCatalog(layers), facts)
    dataset.readahead = readahead
    return dataset


@contextmanager
def _gc_paused():
    """Indexing parses many small acyclic objects that the cyclic GC would rescan as they pile up:
    measured on 20k Unity legacy captures 4.7 s with it running, 1.3 s paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _detect(root: str, candidates: list[type[Reader]]) -> list[type[Reader]]:
    """Readers that recognise ``root``; InsideDatasetError when it is a folder inside a dataset."""
    chosen = [r for r in candidates if r.detect(root)]
    for r in chosen or candidates:
        outer = r.enclosing(root)
        if outer:
            raise InsideDatasetError(root, outer, r.name)
    if not chosen:
        raise NotADatasetError(root, _why_not(root, candidates))
    return chosen


def _why_not(root: str, candidates: list[type[Reader]]) -> str:
    try:
        entries = sorted(os.listdir(root))
    except OSError as e:
        return f"cannot list it: {e.strerror}"
    if not entries:
        return "it is empty"
    shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
    expected = ", ".join(r.hint for r in candidates if r.hint)
    return f"expected {expected}; found: {shown}"
