"""Annotation items → ready-to-paint geometry, built on a worker thread.

Everything stays in image pixel coordinates (column, row; pixel j covers
[j, j+1)); sizes that should look the same at every zoom (markers, line
widths, arrow heads) are applied at paint time. QPainterPaths are plain value
objects, so building them here keeps the GUI thread to one ``drawPath`` per
primitive kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath

from ...core import courtesy
from ...core.annotations import Box2D, Box3D, KeypointSet, Polyline, Ray


@dataclass(eq=False)
class PointGroup:
    """One keypoint set: points with identity, for drawing and hover."""

    source: KeypointSet
    xy: np.ndarray  # (N, 2) float64, NaN rows are not drawn
    visible: np.ndarray  # (N,) bool; True where the format gives no visibility
    colors: np.ndarray | None  # (N, 4) uint8 per-point RGBA, or None for the layer colour


@dataclass(eq=False)
class RayGeom:
    start: np.ndarray  # (2,)
    end: np.ndarray  # (2,)
    kind: str  # "visual", "optical" or ""


@dataclass(eq=False)
class PreparedLayer:
    name: str
    points: list[PointGroup] = field(default_factory=list)
    lines: QPainterPath = field(default_factory=QPainterPath)  # skeleton edges, 3D box edges
    outlines: QPainterPath = field(default_factory=QPainterPath)  # polylines, 2D boxes
    rays: list[RayGeom] = field(default_factory=list)
    texts: list[tuple[float, float, str]] = field(default_factory=list)  # box labels at top-left
    boxes: list[Box2D] = field(default_factory=list)  # 2D boxes, for the hover card

    def is_empty(self) -> bool:
        return not (self.points or self.rays or self.texts) and self.lines.isEmpty() and self.outlines.isEmpty()


def prepare_layers(items) -> dict[str, PreparedLayer]:
    """Group drawable items by layer, in the order they come (segmentation legends are image layers, not here)."""
    layers: dict[str, PreparedLayer] = {}
    for item in items:
        layer = getattr(item, "layer", None)
        if layer is None:
            continue
        courtesy.give_way()  # on a thumbnail worker: each item is a unit (at once on the GUI thread)
        if isinstance(item, KeypointSet):
            _add_keypoints(layers.setdefault(layer, PreparedLayer(layer)), item)
        elif isinstance(item, Polyline):
            xy = np.asarray(item.xy, dtype=np.float64).reshape(-1, 2)
            if item.closed and len(xy) > 2:
                xy = np.vstack([xy, xy[:1]])
            _append_path(layers.setdefault(layer, PreparedLayer(layer)).outlines, xy, "all")
        elif isinstance(item, Ray):
            start = np.asarray(item.start_xy, dtype=np.float64)
            end = np.asarray(item.end_xy, dtype=np.float64)
            if np.isfinite(start).all() and np.isfinite(end).all():
                layers.setdefault(layer, PreparedLayer(layer)).rays.append(RayGeom(start, end, item.kind))
        elif isinstance(item, Box2D):
            pl = layers.setdefault(layer, PreparedLayer(layer))
            pl.outlines.addRect(item.x0, item.y0, item.x1 - item.x0, item.y1 - item.y0)
            pl.boxes.append(item)
            if item.label:
                pl.texts.append((item.x0, item.y0, item.label))
        elif isinstance(item, Box3D):
            c = np.asarray(item.corners_xy, dtype=np.float64)
            segs = np.array([[c[a], c[b]] for a, b in Box3D.EDGES])
            _append_pairs(layers.setdefault(layer, PreparedLayer(layer)).lines, segs)
    return {k: v for k, v in layers.items() if not v.is_empty()}


def _add_keypoints(pl: PreparedLayer, kp: KeypointSet) -> None:
    xy = np.asarray(kp.xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    visible = np.ones(n, bool) if kp.visible is None else np.asarray(kp.visible, bool).reshape(n)
    colors = None if kp.colors is None else np.asarray(kp.colors, dtype=np.uint8).reshape(n, -1)
    if colors is not None and colors.shape[1] == 3:
        colors = np.hstack([colors, np.full((n, 1), 255, np.uint8)])
    pl.points.append(PointGroup(kp, xy, visible, colors))
    if kp.edges:
        e = np.asarray(kp.edges, dtype=np.intp).reshape(-1, 2)
        e = e[(e >= 0).all(axis=1) & (e < n).all(axis=1)]
        _append_pairs(pl.lines, xy[e])


def _append_pairs(path: QPainterPath, segs: np.ndarray) -> None:
    """Add (M, 2, 2) segments; any segment with a NaN end is skipped."""
    segs = segs[np.isfinite(segs).all(axis=(1, 2))]
    if len(segs):
        _append_path(path, segs.reshape(-1, 2), "pairs")


def _append_path(path: QPainterPath, xy: np.ndarray, connect) -> None:
    if connect == "all":
        finite = np.isfinite(xy).all(axis=1)
        if not finite.all():  # break the line at missing points
            connect = finite & np.roll(finite, -1)
            xy = np.where(finite[:, None], xy, 0.0)
    if len(xy) < 2:
        return
    path.addPath(pg.arrayToQPath(xy[:, 0], xy[:, 1], connect=connect))


def box_at(layers: list[PreparedLayer], col: float, row: float, margin: float) -> Box2D | None:
    """The smallest 2D box holding (col, row), edges widened by ``margin`` image pixels (nested boxes:
    the innermost is the one pointed at)."""
    best, best_area = None, float("inf")
    for pl in layers:
        for b in pl.boxes:
            if b.x0 - margin <= col <= b.x1 + margin and b.y0 - margin <= row <= b.y1 + margin:
                area = (b.x1 - b.x0) * (b.y1 - b.y0)
                if area < best_area:
                    best, best_area = b, area
    return best


def nearest_point(layers: list[PreparedLayer], col: float, row: float, radius: float):
    """(PointGroup, index) of the closest drawn point within ``radius`` image pixels, or None."""
    best, best_d = None, radius * radius
    for pl in layers:
        for g in pl.points:
            d = (g.xy[:, 0] - col) ** 2 + (g.xy[:, 1] - row) ** 2
            if not len(d):
                continue
            i = int(np.nanargmin(d)) if np.isfinite(d).any() else -1
            if i >= 0 and d[i] <= best_d:
                best, best_d = (g, i), d[i]
    return best
