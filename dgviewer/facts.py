"""Build, or reuse, the facts index of an open dataset (``core/facts_index.py``): its readers' facts extracted
once, over batches of datapoints in parallel (``batches.run``: local processes, or any Executor such as Dask's),
saved in the user cache folder and reused while :func:`~dgviewer.core.facts_index.fingerprint` says its files
did not change. Used by the viewer's filter box, ``dgviewer find`` and ``dgviewer render --filter``.
"""
from __future__ import annotations

import gc
from concurrent.futures import Executor
from typing import Callable, Sequence

from . import batches
from .core import collector, courtesy, jsonio
from .core.facts_index import Columns, FactsIndex, datapoint_row, fingerprint, index_path
from .core.review import dataset_roots


def extract(job: batches.Job, ids: list[str], fact_keys: tuple[str, ...]) -> list[dict]:
    """The task run per batch: each datapoint's index row (see ``datapoint_row``), in the order of ``ids``."""
    ds = job.open(ids)
    return [datapoint_row(ds.get(i), fact_keys) for i in ids]


def cached(roots: Sequence[str], ids: Sequence[str] | None = None) -> FactsIndex | None:
    """The saved index of the dataset opened from ``roots``, when its files did not change since (and it lists
    exactly ``ids``, when given); else None."""
    index = FactsIndex.load(index_path(roots))
    if index is None or index.fingerprint != fingerprint(index.sources):
        return None
    if ids is not None and not _same(index.ids, ids):
        return None
    return index


def _same(a: Sequence[str], b: Sequence[str], step: int = 1 << 14) -> bool:
    """``list(a) == list(b)``, a step at a time: comparing 100k ids at once held the GIL for 5-60 ms."""
    if len(a) != len(b):
        return False
    for i in range(0, len(a), step):
        courtesy.give_way()
        if a[i:i + step] != b[i:i + step]:
            return False
    return True


def build(ds, workers: int | None = None, executor: Executor | None = None,
          cancel: Callable[[], bool] | None = None,
          progress: Callable[[int, int], None] | None = None, ids: list[str] | None = None) -> FactsIndex | None:
    """Extract and save the index of ``ds`` (``ids``: its ids in order, when the caller has them); None when
    ``cancel()`` turned True first."""
    if ids is None:
        ids = [dp.id for dp in ds.iter(readahead=0)]
    stamp = fingerprint(ds.roots)  # before reading: a file changed during the build leaves the index stale
    jsonio.clear()  # parsed before the files last changed, perhaps (what made the saved index stale)
    columns = Columns(len(ids))
    done = 0
    job = batches.Job.of(ds.roots)
    keys = tuple(sorted(ds.fact_keys))
    # Each batch's rows become column codes at once (batches.run: consecutive ids, in any order); the
    # collector is paused meanwhile: it walked every row dict alive at each full collection (a viewer
    # building at 100k stalled its event loop 0.4-1.6 s).
    with collector.paused():
        for batch, rows in batches.run(extract, job, ids, args=(keys,), workers=workers, executor=executor,
                                       cancel=cancel, opened=ds):
            start = ds.position(batch[0])
            if start is None:  # the dataset was released (the viewer opened another)
                return None
            columns.add(start, rows)
            done += len(batch)
            if progress is not None:
                progress(done, len(ids))
        if done < len(ids) or (cancel is not None and cancel()):
            return None
        # What piled up meanwhile (the columns, and in a viewer its own objects) is frozen before the
        # collector resumes: its first full collection over it stalled a viewer at 100k for 675 ms.
        gc.freeze()
    index = FactsIndex.from_columns(ids, columns, dict(ds.fact_keys), dataset_roots(ds), list(ds.roots), stamp)
    index.save(index_path(ds.roots))
    return index


def index_of(ds, workers: int | None = None, executor: Executor | None = None,
             cancel: Callable[[], bool] | None = None,
             progress: Callable[[int, int], None] | None = None) -> FactsIndex | None:
    """The saved index of ``ds`` when still valid, else a new one (None when cancelled)."""
    ids = [dp.id for dp in ds.iter(readahead=0)]  # once: a million take a background thread 0.3 s
    index = cached(ds.roots, ids)
    if index is None:
        return build(ds, workers, executor, cancel, progress, ids)
    # Frozen as a built one is: its id list, young, made the next collections walk 100k ids (a 42 ms pass
    # holding the GIL in a viewer at 100k).
    gc.freeze()
    return index


def probe(ds) -> FactsIndex:
    """An index of the first datapoint of each dataset folder listed so far: the keys a filter may name, known at
    once (before the full index: a cheap-fact path only later datapoints have is known once the full index is)."""
    dps = ds.firsts_so_far()  # a dataset still being listed is not waited for
    rows = [datapoint_row(dp, tuple(ds.fact_keys)) for dp in dps]
    return FactsIndex.from_rows([dp.id for dp in dps], rows, dict(ds.fact_keys), {}, list(ds.roots), "")


def selection(ds, text: str, reviews=None, findings=None, **build) -> set[str] | None:
    """The ids of ``ds`` that ``text`` keeps (None: no filter), from its facts index (built if needed, with
    ``build`` options). Syntax and unknown keys are a FilterError before any index work."""
    from .core import facts_query

    known = probe(ds)
    if not facts_query.check(text, known.knows, lambda: known.keys, reviews, findings):
        return None
    index = index_of(ds, **build)
    if index is None:
        return None
    return set(facts_query.selected_ids(index, text, reviews, findings))
