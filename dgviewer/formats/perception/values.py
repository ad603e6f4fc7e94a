"""Tolerant readers for the value shapes Unity Perception writes.

The same quantity comes in several shapes across versions (spec §8.6):
vectors as ``[x, y, z]`` or ``{"x":.., "y":.., "z":..}``, quaternions as
``[x, y, z, w]`` or ``{x, y, z, w}`` (never w-first, whatever the docs say),
colours as ``[r, g, b, a]`` ints, ``{r, g, b, a}`` ints or ``{r, g, b, a}``
floats in 0–1. Each reader raises ValueError with a short reason, which the
datapoint turns into a problem.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ...core.rotation import quat_matrix, quat_unit

_AXES = "xyzw"


def floats(value, n: int = 3) -> list[float]:
    """``n`` floats from a list or an ``{x, y, z[, w]}`` object (plain Python: cheap enough per capture at index time)."""
    if isinstance(value, dict):
        try:
            value = [value[k] for k in _AXES[:n]]
        except KeyError as e:
            raise ValueError(f"vector object without key {e.args[0]!r}") from None
    if not isinstance(value, (list, tuple)) or len(value) < n:
        raise ValueError(f"expected {n} numbers, got {value!r}")
    try:
        return [float(v) for v in value[:n]]
    except (TypeError, ValueError):
        raise ValueError(f"expected {n} numbers, got {value!r}") from None


def vec(value, n: int = 3) -> np.ndarray:
    return np.array(floats(value, n), dtype=np.float64)


def quat(value) -> np.ndarray:
    """A quaternion as (x, y, z, w)."""
    return vec(value, 4)


def rotation_matrix(value) -> np.ndarray:
    """3×3 rotation (local → parent frame) of a quaternion value; ValueError if it has no direction."""
    return quat_matrix(quat_unit(quat(value)))


def rgba(value) -> tuple[int, int, int, int]:
    """An RGBA colour as four 0–255 ints.

    Floats that are all ≤ 1 are Unity ``Color`` values (legacy definitions and
    templates) and are scaled; ints are ``Color32`` values. Missing alpha is opaque.
    """
    if isinstance(value, dict):
        value = [value.get(k, 1.0 if k == "a" else None) for k in "rgba"]
    if not isinstance(value, (list, tuple)) or len(value) < 3 or any(
        not isinstance(v, (int, float)) or isinstance(v, bool) for v in value[:4]
    ):
        raise ValueError(f"expected an RGBA colour, got {value!r}")
    comps = list(value[:4]) + [None] * (4 - len(value[:4]))
    unit = any(isinstance(v, float) for v in comps if v is not None) and all(v <= 1.0 for v in comps if v is not None)
    out = []
    for i, v in enumerate(comps):
        if v is None:  # alpha left out
            out.append(255)
        else:
            out.append(int(round(v * 255)) if unit else int(round(v)))
    return tuple(max(0, min(255, c)) for c in out)  # type: ignore[return-value]


def ident(value):
    """An instance or label id: an int where the JSON holds an integral number, else the value as text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return str(value)


def short_type(type_name) -> str:
    """``type.unity.com/unity.solo.BoundingBox2DAnnotation`` → ``BoundingBox2DAnnotation``."""
    return _short_type(str(type_name))


@lru_cache(maxsize=1024)  # a handful of distinct names, asked for per annotation while indexing
def _short_type(name: str) -> str:
    return re.split(r"[./]", name)[-1] or name
