"""The tree's filter box: ``happy camera=camera_2 time_of_day=night`` → a datapoint predicate.

Terms are ANDed. ``key=value`` (or ``key!=value``) matches the scene, camera
and datapoint names (``scene``, ``camera``, ``dataset``, ``name``), the
modalities present (``has=depth``), and any cheap metadata fact the reader put
in ``meta`` on the datapoint, its camera or its scene; nested facts match by
their last key or dotted path (``expression`` finds ``expression.name``).
Values compare case-insensitively, with ``*`` wildcards. A bare word is a
substring of the datapoint id.
"""
from __future__ import annotations

import fnmatch
import shlex
from typing import Any, Callable, Iterator

from ..core.model import Datapoint

Predicate = Callable[[Datapoint], bool]


class FilterError(ValueError):
    pass


def parse_filter(text: str) -> Predicate | None:
    """None for an empty filter; raises FilterError for unbalanced quotes."""
    try:
        terms = shlex.split(text)
    except ValueError as e:
        raise FilterError(str(e)) from None
    tests = [_term(t) for t in terms if t.strip()]
    if not tests:
        return None
    return lambda dp: all(t(dp) for t in tests)


def _term(term: str) -> Predicate:
    for op in ("!=", "="):
        if op in term:
            key, value = term.split(op, 1)
            key, value = key.strip().lower(), value.strip().lower()
            if not key:
                break
            negate = op == "!="
            return lambda dp: _matches_key(dp, key, value) != negate
    word = term.lower()
    return lambda dp: word in dp.id.lower()


def _value_ok(actual: Any, pattern: str) -> bool:
    text = str(actual).lower()
    return fnmatch.fnmatchcase(text, pattern) if "*" in pattern or "?" in pattern else text == pattern


def _matches_key(dp: Datapoint, key: str, pattern: str) -> bool:
    cam = dp.camera_node
    names = {"name": dp.name, "camera": cam.name, "scene": cam.scene.name, "dataset": cam.scene.dataset_name}
    if key in names:
        return _value_ok(names[key], pattern)
    if key in ("has", "modality"):
        return any(_value_ok(m, pattern) for m in dp.modalities)
    for meta in (dp.meta, cam.meta, cam.scene.meta):
        for path, value in _flatten(meta):
            p = path.lower()
            if (p == key or p.endswith("." + key) or p.startswith(key + ".")) and _value_ok(value, pattern):
                return True
    return False


def _flatten(meta: dict, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in meta.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten(v, path + ".")
        elif isinstance(v, (list, tuple)):
            for item in v:
                yield path, item
        else:
            yield path, v
