"""Opening folders for the viewer: a folder inside a dataset opens that dataset, at the datapoints under it.

People open the folder they are looking at: a ``datapoint_*``, scene, camera, HIC frame or SOLO
``sequence.N`` folder, or a legacy ``Dataset<guid>`` folder. The library refuses those with an
:class:`InsideDatasetError` naming the dataset; the viewer opens that dataset instead and starts at
the first datapoint whose files lie under the chosen folder.
"""
from __future__ import annotations

import os
from typing import NamedTuple

from ..core import storage
from ..core.cache import ByteCache
from ..core.errors import InsideDatasetError
from ..core.model import Dataset
from ..formats.registry import load


class Opened(NamedTuple):
    dataset: Dataset
    paths: list[str]  # the folders opened: a chosen inner folder replaced by its dataset's
    moved: list[tuple[str, str]]  # (chosen folder, dataset folder opened instead)
    start: str | None  # id of the first datapoint under a chosen inner folder


def load_enclosing(paths, cache: ByteCache, relist: bool = False) -> Opened:
    paths, moved = list(paths), []
    while True:
        try:
            dataset = load(*paths, cache=cache, relist=relist)
            break
        except InsideDatasetError as e:
            if e.path not in paths or e.root in paths:  # its dataset is open too: nested roots, say so
                raise
            paths[paths.index(e.path)] = e.root
            moved.append((e.path, e.root))
    start = first_under(dataset, [inner for inner, _ in moved]) if moved else None
    return Opened(dataset, paths, moved, start)


def first_under(dataset: Dataset, folders: list[str]) -> str | None:
    """The first datapoint (tree order) with a file under one of ``folders``."""
    prefixes = tuple(os.path.join(storage.abspath(f), "") for f in folders)
    for dp in dataset:
        for m in dp.modalities:
            path = dp.file(m)
            if path and storage.abspath(path).startswith(prefixes):
                return dp.id
    return None
