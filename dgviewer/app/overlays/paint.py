"""The one overlay painter: the canvas calls it from a QGraphicsItem, export from a QImage painter.

Coordinates are image pixels; ``scale`` is device pixels per image pixel, read
from the painter, so markers and lines keep their screen size at any zoom and
come out ``marker_size`` image pixels wide in a native-resolution export.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF

from .labels import label_spots
from .prepare import PointGroup, PreparedLayer
from .style import LayerStyle

_OUTLINE = QColor(0, 0, 0, 200)
_LINE_WIDTH = 1.5
_FONT_PX = 10


#: How each kind of gaze ray is drawn and what it is: (colour, or None for the layer's; pen style; meaning).
RAY_LOOK = {
    "visual": (None, Qt.PenStyle.SolidLine, "visual axis: the line of sight, from the fovea through the nodal point"),
    "optical": ((255, 215, 60), Qt.PenStyle.DashLine,
                "optical axis: the eye's geometric axis, through the pupil centre"),
}


def ray_pen(kind: str, layer_color: QColor) -> QPen:
    rgb, style, _ = RAY_LOOK.get(kind, (None, Qt.PenStyle.SolidLine, ""))
    return _pen(QColor(*rgb) if rgb else layer_color, 2.0, style)


def device_scale(painter: QPainter) -> float:
    t = painter.worldTransform()
    return math.hypot(t.m11(), t.m12()) or 1.0


def paint_layer(painter: QPainter, layer: PreparedLayer, style: LayerStyle,
                highlight: tuple[PointGroup, int] | None = None) -> None:
    if not style.visible:
        return
    s = device_scale(painter)
    color = QColor(*style.color)
    painter.save()
    painter.setOpacity(style.opacity)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    if not layer.lines.isEmpty():
        painter.strokePath(layer.lines, _pen(color, _LINE_WIDTH))
    if not layer.outlines.isEmpty():
        painter.strokePath(layer.outlines, _pen(color, _LINE_WIDTH))
    for ray in layer.rays:
        _paint_ray(painter, ray, color, s)
    for group in layer.points:
        _paint_points(painter, group, color, style.marker_size, s)
    if style.labels:  # index labels and box labels: the layer's one labels switch (`I`)
        for group in layer.points:
            _paint_labels(painter, group, color, style.marker_size)
        for x, y, text in layer.texts:
            _paint_text(painter, QPointF(x, y), text, color, QPointF(2, -3))
    if highlight is not None and any(highlight[0] is g for g in layer.points):
        g, i = highlight
        _ring(painter, g.xy[i], max(style.marker_size, 6) + 8, s, QColor(255, 255, 255), 2.5)
        _ring(painter, g.xy[i], max(style.marker_size, 6) + 12, s, QColor(0, 0, 0), 1.5)
    painter.restore()


def _pen(color: QColor, width: float, style=Qt.PenStyle.SolidLine, cap=Qt.PenCapStyle.RoundCap) -> QPen:
    pen = QPen(color, width, style, cap, Qt.PenJoinStyle.RoundJoin)
    pen.setCosmetic(True)  # width in device pixels
    return pen


def _polygon(xy: np.ndarray) -> QPolygonF:
    poly = pg.functions.create_qpolygonf(len(xy))
    pg.functions.ndarray_from_qpolygonf(poly)[:] = xy
    return poly


def _paint_points(painter: QPainter, g: PointGroup, color: QColor, size: float, s: float) -> None:
    finite = np.isfinite(g.xy).all(axis=1)
    shown = finite & g.visible
    hidden = finite & ~g.visible
    if shown.any():
        # Round-capped zero-length strokes: one call draws every marker, with a dark rim for contrast.
        poly = _polygon(g.xy[shown])
        painter.setPen(_pen(_OUTLINE, size + 2))
        painter.drawPoints(poly)
        if g.colors is None:
            painter.setPen(_pen(color, size))
            painter.drawPoints(poly)
        else:
            cols = g.colors[shown]
            for c in np.unique(cols, axis=0):
                same = (cols == c).all(axis=1)
                painter.setPen(_pen(QColor(*(int(v) for v in c)), size))
                painter.drawPoints(_polygon(g.xy[shown][same]))
    # Invisible (occluded / out of frame) points: hollow rings, so they read as "there, but hidden".
    # One pen for all (hundreds of a dense set are hidden: a pen each was most of a thumbnail's painting).
    if hidden.any():
        r = size / 2.0 / s
        painter.setPen(_pen(color, 1.2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for x, y in g.xy[hidden].tolist():
            painter.drawEllipse(QPointF(x, y), r, r)


def _ring(painter: QPainter, xy, diameter: float, s: float, color: QColor, width: float) -> None:
    r = diameter / 2.0 / s
    painter.setPen(_pen(color, width))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QPointF(float(xy[0]), float(xy[1])), r, r)


def _paint_ray(painter: QPainter, ray, color: QColor, s: float) -> None:
    pen = ray_pen(ray.kind, color)
    a, b = QPointF(*ray.start), QPointF(*ray.end)
    painter.setPen(pen)
    painter.drawLine(a, b)
    d = ray.end - ray.start
    length = float(np.hypot(*d))
    if length * s < 4:
        return
    u = d / length
    head = 9.0 / s  # arrow head length in device pixels
    left = ray.end - head * u + 0.45 * head * np.array([-u[1], u[0]])
    right = ray.end - head * u - 0.45 * head * np.array([-u[1], u[0]])
    path = QPainterPath(b)
    path.lineTo(QPointF(*left))
    path.moveTo(b)
    path.lineTo(QPointF(*right))
    painter.setPen(_pen(pen.color(), 2.0))
    painter.drawPath(path)


def _paint_labels(painter: QPainter, g: PointGroup, color: QColor, size: float) -> None:
    offset = QPointF(size / 2 + 2, -size / 2 - 1)
    t = painter.worldTransform()
    xy = g.xy[:, 0] * t.m11() + g.xy[:, 1] * t.m21() + t.dx(), g.xy[:, 0] * t.m12() + g.xy[:, 1] * t.m22() + t.dy()
    font = QFont(painter.font())
    font.setPixelSize(_FONT_PX)
    fm = QFontMetrics(font)
    for i, text in label_spots(np.column_stack(xy), g.source.labels, fm.horizontalAdvance, (offset.x(), offset.y())):
        _paint_text(painter, QPointF(*g.xy[i]), text, color, offset)


def _paint_text(painter: QPainter, at: QPointF, text: str, color: QColor, offset: QPointF) -> None:
    """Text at a fixed device size next to an image point (labels must not grow with zoom)."""
    p = painter.worldTransform().map(at) + offset
    painter.save()
    painter.resetTransform()
    font = QFont(painter.font())
    font.setPixelSize(_FONT_PX)
    painter.setFont(font)
    painter.setPen(_OUTLINE)
    for dx, dy in ((1, 1), (-1, -1), (1, -1), (-1, 1)):
        painter.drawText(p + QPointF(dx, dy), text)
    painter.setPen(color)
    painter.drawText(p, text)
    painter.restore()


def layer_bounds(layer: PreparedLayer) -> QRectF:
    """Image-space extent of a layer's geometry (markers and labels add a few device pixels on top)."""
    chunks = [g.xy for g in layer.points] + [np.array([r.start, r.end]) for r in layer.rays]
    chunks += [np.array([[x, y]]) for x, y, _ in layer.texts]
    for path in (layer.lines, layer.outlines):
        if not path.isEmpty():
            b = path.boundingRect()
            chunks.append(np.array([[b.left(), b.top()], [b.right(), b.bottom()]]))
    xy = np.vstack(chunks) if chunks else np.zeros((0, 2))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return QRectF()
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    return QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
