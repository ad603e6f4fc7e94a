"""Datagen keypoint files (v1, v2 identities, HIC) parsed into one tree.

Leaves are :class:`Points`: coordinates exactly as stored, so ``rc`` is
Datagen's row-first 2D (x = row, y = column, spec §4.3). Conversion to the
canonical column,row happens in ``canonical.py``; the SDK-compatible view
returns the stored order unchanged, like the SDK.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

from ...core import courtesy
from ...core.errors import DataError
from ...core.jsonio import read_json


@dataclass
class Points:
    labels: list[str]
    rc: np.ndarray  # (N, 2) row, column as stored (float)
    xyz: np.ndarray  # (N, 3) world
    visible: np.ndarray | None  # (N,) bool, None when the file has no visibility
    single: bool = False  # a named single point (HIC body.nose), not a numbered group


def _visible(v) -> bool:
    # The SDK only accepts the string "true"; real v1 files use JSON true (spec §8).
    return v is True or v == "true"


def _is_point(d) -> bool:
    return isinstance(d, dict) and "pixel_2d" in d


def _vec(d, keys, path, key):
    try:
        return [float(d[k]) for k in keys]
    except (KeyError, TypeError, ValueError, OverflowError):
        raise DataError(path, f"expected numbers {'/'.join(keys)}", key=key) from None


_NO_3D = (np.nan, np.nan, np.nan)


def _group(items: list[tuple[str, dict]], path: str, where: str) -> Points:
    labels = [label for label, _ in items]
    try:  # fast path: a face file has ~700 points and QA reads 10k of them; flat lists convert 2x faster than tuples
        rc: list = []
        xyz: list = []
        for _, p in items:
            q = p["pixel_2d"]
            rc.append(q["x"])
            rc.append(q["y"])
            g = p.get("global_3d")
            xyz.extend(_NO_3D if g is None else (g["x"], g["y"], g["z"]))
        if None in rc or None in xyz:  # numpy would read null as NaN
            raise TypeError
        rc, xyz = np.array(rc, dtype=np.float64), np.array(xyz, dtype=np.float64)
    except (KeyError, TypeError, ValueError, OverflowError):
        for label, p in items:  # slow path, to name the first bad point
            _vec(p.get("pixel_2d"), "xy", path, f"{where}.{label}.pixel_2d")
            if p.get("global_3d") is not None:
                _vec(p["global_3d"], "xyz", path, f"{where}.{label}.global_3d")
        raise DataError(path, "expected numbers", key=where or None) from None
    has_vis = all("is_visible" in p for _, p in items)
    vis = np.array([_visible(p["is_visible"]) for _, p in items], dtype=bool) if has_vis else None
    return Points(labels, rc.reshape(-1, 2), xyz.reshape(-1, 3), vis)


def parse_tree(d, path: str, where: str = ""):
    """A keypoint JSON object → nested dict whose leaves are :class:`Points`."""
    if _is_point(d):
        pts = _group([(where.rsplit(".", 1)[-1], d)], path, where.rsplit(".", 1)[0])
        pts.single = True
        return pts
    if not isinstance(d, dict):
        raise DataError(path, "expected an object", key=where or None)
    courtesy.give_way()  # a dense keypoint file takes a background thread tens of milliseconds
    keys = list(d)
    if keys and all(map(str.isdigit, keys)) and all(isinstance(v, dict) and "pixel_2d" in v for v in d.values()):
        numbers = sorted(map(int, keys))
        # Labels are the numbers without zero padding: iBUG "01" → "1".
        by_number = {int(k): v for k, v in d.items()}
        return _group([(str(n), by_number[n]) for n in numbers], path, where)
    return {k: parse_tree(v, path, f"{where}.{k}" if where else k) for k, v in d.items() if k != "version"}


def parse_keypoint_file(raw, path: str) -> dict:
    """``key_points/all_key_points.json``: v2 / HIC, or the merged v1 copy the official SDK writes.

    The SDK (1.4.14+) writes ``{"dense": <dense_keypoints.json>, "standard": <standard_keypoints.json>}``
    into every v1 camera folder it opens; many users' v1 datasets carry it.
    """
    if isinstance(raw, dict) and any(_is_v1(raw.get(k)) for k in ("standard", "dense")):
        return parse_v1(raw.get("standard"), raw.get("dense"), (path, path))
    return parse_tree(raw, path)


def _is_v1(d) -> bool:
    return isinstance(d, dict) and "keypoints_2d_coordinates" in d


def parse_v1(standard: dict | None, dense: dict | None, paths: tuple[str, str]) -> dict:
    """Merge the early-2022 standard_/dense_keypoints.json pair in memory (the SDK writes a file)."""
    face = {}
    for name, raw, path in (("standard", standard, paths[0]), ("dense", dense, paths[1])):
        if raw is None:
            continue
        try:
            c2 = raw["keypoints_2d_coordinates"]
            c3 = raw.get("keypoints_3d_coordinates", {})
            vis = raw.get("is_visible")
        except (KeyError, TypeError):
            raise DataError(path, "missing key", key="keypoints_2d_coordinates") from None
        for key, value in (("keypoints_2d_coordinates", c2), ("keypoints_3d_coordinates", c3)):
            if not isinstance(value, dict) or not all(k.isascii() and k.isdigit() for k in value):
                raise DataError(path, "expected an object of numbered points", key=key)
        keys = sorted(c2, key=int)
        rc = _numbers([c2[k] for k in keys], 2, path, "keypoints_2d_coordinates")
        xyz = _numbers([c3.get(k, _NO_3D) for k in keys], 3, path, "keypoints_3d_coordinates")
        visible = np.asarray([_visible(vis.get(k)) for k in keys], dtype=bool) if isinstance(vis, dict) else None
        face[name] = Points([str(int(k)) for k in keys], rc, xyz, visible)
    return {"face": face}


def _numbers(points: list, n: int, path: str, key: str) -> np.ndarray:
    """Points of ``n`` numbers each as an (N, n) array; null is NaN (a point the checks report)."""
    try:
        out = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise DataError(path, f"expected {n} numbers per point", key=key) from None
    if out.shape != (len(points), n):
        raise DataError(path, f"expected {n} numbers per point", key=key)
    return out


def flatten(tree, prefix: str = "") -> Points | None:
    """Every point of a named subtree as one set, labels dotted ("shoulder.left", "finger.thumb.tip")."""
    parts: list[Points] = []
    labels: list[str] = []

    def walk(node, name):
        if isinstance(node, Points):
            parts.append(node)
            if node.single:
                labels.append(name)
            else:
                labels.extend(f"{name}.{lab}" if name else lab for lab in node.labels)
            return
        for k, v in node.items():
            walk(v, f"{name}.{k}" if name else k)

    walk(tree, prefix)
    if not parts:
        return None
    vis = None if any(p.visible is None for p in parts) else np.concatenate([p.visible for p in parts])
    return Points(labels, np.concatenate([p.rc for p in parts]), np.concatenate([p.xyz for p in parts]), vis)


@functools.lru_cache(maxsize=64)
def read_keypoints(files: tuple[str, ...], stamps: tuple) -> dict:
    """The tree of a datapoint's keypoint files (all_key_points.json, or the v1 standard and dense pair with ""
    for an absent one), memoised for the last datapoints: rebuilding a face's costs 1-4 ms, and a loop
    reading ``dp.keypoints`` fields asked for it per access. ``stamps`` (:func:`stamps`) re-reads a changed file."""
    if len(files) == 1:
        return parse_keypoint_file(read_json(files[0]), files[0])
    std, dense = (read_json(p) if p else None for p in files)
    return parse_v1(std, dense, files)


def stamps(files: tuple[str, ...]) -> tuple:
    """(size, mtime) of each file, None for an absent or unreadable one (read_json says what is wrong)."""
    out = []
    for p in files:
        try:
            st = os.stat(p) if p else None
        except OSError:
            st = None
        out.append(None if st is None else (st.st_size, st.st_mtime_ns))
    return tuple(out)
