"""The definition tables of a Perception dataset, read once while indexing: the annotations, metrics and sensors
(and legacy egos) that records may name.

SOLO keeps them in ``*_definitions.json`` at the root or in ``metadata/``
(spec §4), legacy in its JSON folder with ``sensors.json`` and ``egos.json``
(§3). Every table is optional; an unreadable one is an index problem, not a
failure. The readers look definitions up here and the QA checks judge
references against the same tables.
"""
from __future__ import annotations

import os

from ...core.errors import DataError
from ...core.jsonio import read_list
from ..base import IndexContext
from .files import DatasetFiles

#: kind → (file name, key of its list).
SOLO_TABLES = {"annotation": ("annotation_definitions.json", "annotationDefinitions"),
               "metric": ("metric_definitions.json", "metricDefinitions"),
               "sensor": ("sensor_definitions.json", "sensorDefinitions")}
LEGACY_TABLES = {"annotation": ("annotation_definitions.json", "annotation_definitions"),
                 "metric": ("metric_definitions.json", "metric_definitions"),
                 "sensor": ("sensors.json", "sensors"),
                 "ego": ("egos.json", "egos")}


class Definitions:
    """The tables of one folder by kind, each a dict id (str: mock-ups use ints) → definition."""

    def __init__(self, ctx: IndexContext, files: DatasetFiles, folder: str, tables: dict[str, tuple[str, str]]):
        self.files = {kind: name for kind, (name, _) in tables.items()}
        self._tables = {kind: _read_table(ctx, files, os.path.join(folder, name), key)
                        for kind, (name, key) in tables.items()}

    def table(self, kind: str) -> dict[str, dict]:
        """Definitions of ``kind`` by id; empty when the table is absent or unreadable."""
        return self._tables.get(kind) or {}

    def ids(self, kind: str) -> frozenset[str] | None:
        """Ids of ``kind`` defined, or None when its table is absent or unreadable (so nothing can be judged)."""
        table = self._tables.get(kind)
        return None if table is None else frozenset(table)


def _read_table(ctx: IndexContext, files: DatasetFiles, path: str, key: str) -> dict[str, dict] | None:
    if os.path.basename(path) not in files.listing(os.path.dirname(path)):
        return None
    try:
        table = read_list(path, key)
    except DataError as e:
        ctx.problem(e.file, e.message)
        return None
    return {str(r.get("id")): r for r in table if isinstance(r, dict)}
