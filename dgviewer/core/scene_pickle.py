"""Listed scenes as pickled records ``(scene, problems, paths read)``: the form a kept listing stores them in
(core/listing_cache.py) and listing helpers send them in (core/listing_helpers.py).

Datapoints hold the session's decode cache: it is written as a reference and given back as the reading
process's own. A chunk is pickled with one pickler (equal values, such as the file-name sets a million
camera folders share, are written once per chunk) and read with one unpickler.
"""
from __future__ import annotations

import copyreg
import functools
import io
import pickle
from typing import Any


def _open_cache():
    """Stands in for the decode cache in a pickled record (see Unpickler.find_class)."""
    raise pickle.UnpicklingError("a pickled scene's cache reference outside its unpickler")


class Pickler(pickle.Pickler):
    """(Through the dispatch table, which pickle consults for objects of other types than its own, not
    ``persistent_id``, which it calls for every object: 80 calls per datapoint.)"""

    def __init__(self, file, cache):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = {**copyreg.dispatch_table, type(cache): lambda _: (_open_cache, ())}


def _identity(value):
    return value


class Unpickler(pickle.Unpickler):
    def __init__(self, file, cache):
        super().__init__(file)
        self.cache = cache

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, _open_cache.__name__):
            # Not a closure over self: the memo would hold the unpickler, a cycle that keeps a chunk's
            # every object alive until a collection (paused while listing; 3x the RSS at 100k).
            return functools.partial(_identity, self.cache)
        return super().find_class(module, name)


def records(chunk: bytes, cache) -> list[tuple]:
    """The records of one chunk, in order."""
    buffer = io.BytesIO(chunk)
    unpickler = Unpickler(buffer, cache)
    out = []
    while buffer.tell() < len(chunk):
        out.append(unpickler.load())
    return out
