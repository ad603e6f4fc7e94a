"""Two versions of one datapoint compared: pixels, keypoints and metadata values.

Shared by ``dgviewer diff`` (through :mod:`dgviewer.core.dataset_diff`) and the viewer's
difference mode, so both report the same numbers. Identical image files are recognised by
their bytes and never decoded. Images compare as stored (16 bits stay 16 bits, depth in
metres); two NaNs at a pixel (background depth or normals) are equal, a NaN against a
number is a changed pixel.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .annotations import KeypointSet
from .display import Look, PreparedImage, colorize
from .errors import DataError
from .fsio import read_bytes, regular_file
from .model import Datapoint

#: A point that moved less than this (px) has not moved (float noise of a rewritten JSON).
MOVED_PX = 1e-6
#: Metadata changes listed per datapoint; the rest are counted.
MAX_METADATA_CHANGES = 20


@dataclass
class ImageChange:
    modality: str
    status: str  # "changed", "shape" (shape or dtype differ), "only in A", "only in B", "unreadable"
    max_abs: float | None = None  # largest |A - B| over pixels and channels (finite values)
    fraction: float | None = None  # of pixels where any channel differs
    shape: tuple[list, list] | None = None
    dtype: tuple[str, str] | None = None
    message: str = ""


@dataclass
class KeypointChange:
    set: str
    status: str  # "moved", "count" (the number of points differs), "only in A", "only in B"
    moved: int = 0
    total: int = 0
    mean_px: float = 0.0  # over the points that moved
    max_px: float = 0.0


@dataclass
class MetadataChange:
    path: str
    old: Any  # None where it was absent (``status`` says which)
    new: Any
    status: str = "changed"  # or "added" (only in B), "removed" (only in A)


@dataclass
class DatapointDiff:
    id: str  # relative to its dataset folder
    images: list[ImageChange] = field(default_factory=list)
    keypoints: list[KeypointChange] = field(default_factory=list)
    metadata: list[MetadataChange] = field(default_factory=list)
    metadata_total: int = 0  # changes, including those past MAX_METADATA_CHANGES
    errors: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.images or self.keypoints or self.metadata_total or self.errors)

    def as_dict(self) -> dict:
        return asdict(self)


def relative_id(dp: Datapoint) -> str:
    """``dp``'s id without its dataset folder name: what matches it with its other version."""
    return dp.id.split("/", 1)[1] if "/" in dp.id else dp.id


def compare_datapoints(a: Datapoint, b: Datapoint, roots: tuple[list[str], list[str]] = ([], [])) -> DatapointDiff:
    """Every difference between ``a`` and ``b``; ``roots``: each one's dataset folders, left out of metadata values."""
    out = DatapointDiff(relative_id(a))
    for m in dict.fromkeys(a.modalities + b.modalities):
        change = _compare_modality(a, b, m)
        if change is not None:
            out.images.append(change)
    try:
        out.keypoints = keypoint_changes(_keypoints(a), _keypoints(b))
    except DataError as e:
        out.errors.append(f"keypoints: {e}")
    try:
        meta_a, meta_b = ({k: v for k, v in dp.metadata().items() if k != "id"} for dp in (a, b))  # ids name folders
        # Equal trees (the common case) need no walk; else paths under each dataset's own folders are left out.
        changes = [] if meta_a == meta_b else metadata_changes(_strip_roots(meta_a, roots[0]),
                                                                _strip_roots(meta_b, roots[1]))
    except DataError as e:
        out.errors.append(f"metadata: {e}")
    else:
        out.metadata_total = len(changes)
        out.metadata = changes[:MAX_METADATA_CHANGES]
    return out


# -- images ------------------------------------------------------------------------
def same_file(path_a: str | None, path_b: str | None) -> bool:
    """Both files exist with the same bytes (sizes first, so most changed files are never read)."""
    if not path_a or not path_b:
        return False
    try:
        return regular_file(path_a) == regular_file(path_b) and read_bytes(path_a) == read_bytes(path_b)
    except DataError:
        return False


def _compare_modality(a: Datapoint, b: Datapoint, m: str) -> ImageChange | None:
    if m not in b.modalities:
        return ImageChange(m, "only in A")
    if m not in a.modalities:
        return ImageChange(m, "only in B")
    if same_file(a.file(m), b.file(m)):
        return None
    try:
        ra, rb = a.read(m), b.read(m)
    except DataError as e:
        return ImageChange(m, "unreadable", message=str(e))
    if ra is None or rb is None:
        return None if ra is None and rb is None else ImageChange(m, "only in B" if ra is None else "only in A")
    return image_change(m, ra, rb)


def image_change(modality: str, ra: np.ndarray, rb: np.ndarray) -> ImageChange | None:
    """How two stored images of one modality differ, or None when every value is equal."""
    if ra.shape != rb.shape or ra.dtype != rb.dtype:
        return ImageChange(modality, "shape", shape=(list(ra.shape), list(rb.shape)),
                           dtype=(str(ra.dtype), str(rb.dtype)))
    diff, changed = pixel_difference(ra, rb)
    n = int(changed.sum())
    if not n:
        return None
    finite = diff[np.isfinite(diff)]
    return ImageChange(modality, "changed", max_abs=float(finite.max()) if finite.size else 0.0,
                       fraction=n / changed.size)


def pixel_difference(ra: np.ndarray, rb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H×W float32 largest |A − B| over the channels, NaN where one side is NaN; H×W bool changed)."""
    work = np.float64 if ra.dtype.itemsize > 2 and ra.dtype.kind in "iu" else np.float32
    d = np.abs(ra.astype(work) - rb.astype(work))
    if ra.dtype.kind == "f":
        nan_a, nan_b = np.isnan(ra), np.isnan(rb)
        d[nan_a & nan_b] = 0.0
        one_nan = nan_a ^ nan_b
    else:
        one_nan = np.zeros(ra.shape, bool)
    if d.ndim == 3:
        changed = ((d > 0) | one_nan).any(axis=2)
        d = np.where(one_nan, 0.0, d).max(axis=2)
        one_nan = one_nan.any(axis=2)
    else:
        changed = (d > 0) | one_nan
    d = d.astype(np.float32)
    d[one_nan] = np.nan
    return d, changed


def difference_image(ra: np.ndarray, rb: np.ndarray, look: Look) -> PreparedImage | None:
    """|A − B| as a prepared metric image, coloured by ``look``'s colour map over 0..max (the display pipeline's
    :func:`colorize`); None when the shapes differ. NaN (one side has no value) is transparent."""
    if ra.shape != rb.shape:
        return None
    diff, _ = pixel_difference(ra, rb)
    finite = diff[np.isfinite(diff)]
    top = float(finite.max()) if finite.size else 0.0
    levels = (0.0, top or 1.0)
    return PreparedImage("difference", diff, diff, levels, None, None, colorize(diff, levels, look.colormap), look)


# -- keypoints ---------------------------------------------------------------------
def _keypoints(dp: Datapoint) -> dict[str, KeypointSet]:
    return {k.name: k for k in dp.annotations().of_type(KeypointSet)}


def displacements(a: KeypointSet, b: KeypointSet) -> np.ndarray:
    """(N,) px each point moved from ``a`` to ``b`` (NaN where either lacks it); sets of equal length."""
    xa, xb = np.asarray(a.xy, np.float64), np.asarray(b.xy, np.float64)
    d = np.hypot(*(xb - xa).T)
    gone = np.isnan(xa).any(axis=1) ^ np.isnan(xb).any(axis=1)
    d[gone] = np.inf  # a point that appeared or vanished moved, by no finite distance
    return d


def keypoint_changes(sets_a: dict[str, KeypointSet], sets_b: dict[str, KeypointSet]) -> list[KeypointChange]:
    out = []
    for name in dict.fromkeys([*sets_a, *sets_b]):
        a, b = sets_a.get(name), sets_b.get(name)
        if a is None or b is None:
            out.append(KeypointChange(name, "only in A" if b is None else "only in B"))
        elif len(a) != len(b):
            out.append(KeypointChange(name, "count", total=len(b)))
        else:
            change = set_change(name, displacements(a, b))
            if change.moved:
                out.append(change)
    return out


def set_change(name: str, d: np.ndarray) -> KeypointChange:
    """Moved points of one set from its displacements; mean and max over the finite moves."""
    with np.errstate(invalid="ignore"):
        moved = d > MOVED_PX
    finite = d[moved & np.isfinite(d)]
    return KeypointChange(name, "moved", int(moved.sum()), len(d), float(finite.mean()) if finite.size else 0.0,
                          float(finite.max()) if finite.size else 0.0)


# -- metadata ----------------------------------------------------------------------
def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """{"camera.location.x": 0.1, "files[2]": "...", ...}: every leaf of a JSON-like tree by its path."""
    out: dict[str, Any] = {}
    stack = [(prefix, tree)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, dict) and v:
            stack.extend((f"{path}.{k}" if path else str(k), x) for k, x in v.items())
        elif isinstance(v, (list, tuple)) and v:
            stack.extend((f"{path}[{i}]", x) for i, x in enumerate(v))
        else:
            out[path] = list(v) if isinstance(v, tuple) else v
    return out


def metadata_changes(old: dict, new: dict) -> list[MetadataChange]:
    fa, fb = flatten(old), flatten(new)
    return [MetadataChange(p, fa.get(p), fb.get(p), "added" if p not in fa else "removed" if p not in fb else "changed")
            for p in sorted(fa.keys() | fb.keys()) if p not in fa or p not in fb or not _equal(fa[p], fb[p])]


def _equal(x, y) -> bool:
    if isinstance(x, float) and isinstance(y, float) and x != x and y != y:
        return True
    return type(x) is type(y) and x == y


def _strip_roots(meta: dict, roots: list[str]) -> dict:
    """``meta`` with every string path under one of the dataset's folders made relative to it."""
    prefixes = tuple(os.path.abspath(r) + os.sep for r in roots)

    def strip(v):
        if isinstance(v, str):
            return next((v[len(p):] for p in prefixes if v.startswith(p)), v)
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items()}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    return strip(meta) if prefixes else meta
