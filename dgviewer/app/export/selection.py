"""Which datapoints a render run draws: the dataset opened with a small cache, narrowed by ids and a filter."""
from __future__ import annotations

from ...core.errors import DgviewerError

#: Decoded-image cache for a run: each image is read once, so the library's 1 GiB default would only hold
#: memory; this covers files shared between datapoints.
CACHE_BYTES = 64 << 20


def open_dataset(paths: list[str]):
    from ...core.cache import ByteCache
    from ...formats.registry import load

    return load(*paths, cache=ByteCache(CACHE_BYTES))


def select(ds, goto: list[str] | None, filter_text: str | None) -> list:
    """``goto`` ids in the order given (else every datapoint in tree order), narrowed by ``filter_text``."""
    from ...core.review import ReviewStore
    from ...facts import selection

    if goto:
        goto = list(dict.fromkeys(goto))
        missing = [i for i in goto if ds.get(i) is None]
        if missing:
            raise DgviewerError(f"no datapoint with id {', '.join(missing)}")
        dps = [ds.get(i) for i in goto]
    else:
        dps = list(ds)
    keep = selection(ds, filter_text, reviews=ReviewStore.for_dataset(ds)) if filter_text else None
    dps = [dp for dp in dps if dp.id in keep] if keep is not None else dps
    if not dps:
        raise DgviewerError("no datapoint matches the selection")
    return dps
