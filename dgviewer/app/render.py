"""Native-resolution rendering of a datapoint with its overlays: "Save view as PNG" and ``dgviewer render``.

It builds the same items the canvas shows (ImageItems configured by
:mod:`image_items`, :class:`OverlayItem` painting through :func:`paint_layer`)
in a bare QGraphicsScene and renders it 1:1 into a QImage, so what is saved is
what is on screen, one image pixel per output pixel. It needs a
QGuiApplication (or QApplication) — the offscreen platform is fine — but no
window.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from ..core.annotations import Annotations, SegmentationLegend
from ..core.display import BACKGROUND, UNREGISTERED, PreparedImage, class_rgb8, prepare_image
from ..core.model import Datapoint
from .image_items import ScreenImageItem, apply_class_overlay, apply_image
from .overlays.item import OverlayItem
from .overlays.prepare import PreparedLayer, prepare_layers
from .overlays.style import LayerStyle
from .view_state import ViewState

#: Legend text size in exported images, in pixels, and the fewest lines before a column wraps.
LEGEND_FONT_PX, MIN_LEGEND_ROWS = 13, 24


def render_annotated(source: Datapoint | tuple[Mapping[str, np.ndarray], Annotations],
                     modality: str = "visible",
                     layers: Mapping[str, LayerStyle] | None = None,
                     legend: bool = True,
                     view: ViewState | None = None) -> QImage:
    """Render one image with overlays at its native size.

    source: a :class:`Datapoint`, or ``(images, annotations)`` with ``images`` a
        dict modality → array as :meth:`Datapoint.read` returns it.
    modality: the image to draw under the overlays ("visible", "depth", ...).
    layers: layer name → :class:`LayerStyle` (visible, opacity, marker_size,
        labels, color); layers not given use the viewer's defaults. Translucent
        segmentation layers ("segmentation", "instances") are listed here too.
    legend: burn in the segmentation legend (classes present and shown) when a
        segmentation image or layer is drawn.
    view: the full viewer state (depth range, colormap, hidden classes); its
        styles are overridden by ``layers``.

    Returns a QImage of the image's width × height, the image's pixels at (0, 0); a burned-in
    legend widens it with a margin on the right (it never covers the picture). Raises
    :class:`~dgviewer.DataError` when a needed file cannot be read and
    ValueError when the datapoint has no such modality.
    """
    view = ViewState(modality=modality) if view is None else view
    view.set_styles(dict(layers or {}))
    if isinstance(source, Datapoint):
        ann = source.annotations()

        def read(m: str) -> np.ndarray | None:
            return source.read(m)
    else:
        images, ann = source

        def read(m: str) -> np.ndarray | None:
            return images.get(m)
    raw = read(modality)
    if raw is None:
        raise ValueError(f"no {modality!r} image to render")
    legends = {lg.modality: lg for lg in ann.of_type(SegmentationLegend)}
    img = prepare_image(modality, raw, legends.get(modality), view.look(modality))
    class_layers = {}
    for lg in legends.values():
        if view.style(lg.layer).visible and lg.modality != modality:
            seg_raw = read(lg.modality)
            if seg_raw is not None:
                class_layers[lg.layer] = (prepare_image(lg.modality, seg_raw, lg), lg)
    return render_prepared(img, legends.get(modality), prepare_layers(ann), class_layers, view, legend)


def render_prepared(img: PreparedImage, legend: SegmentationLegend | None, layers: Mapping[str, PreparedLayer],
                    class_layers: Mapping[str, tuple[PreparedImage, SegmentationLegend]], view: ViewState,
                    burn_legend: bool = True, highlight=None) -> QImage:
    """Render already-prepared parts (what the session holds) at native size; see :func:`render_annotated`."""
    h, w = img.height, img.width
    scene = QGraphicsScene()
    base = ScreenImageItem()
    apply_image(base, img, legend, view)
    scene.addItem(base)
    registered = img.modality not in UNREGISTERED
    shown_legends = [(img, legend)] if legend is not None and img.labels is not None else []
    if registered:
        for name, (seg, lg) in class_layers.items():
            item = pg.ImageItem(axisOrder="row-major")
            apply_class_overlay(item, seg, lg, view, name)
            item.setZValue(5)
            scene.addItem(item)
            if item.isVisible():
                shown_legends.append((seg, lg))
        for z, (name, layer) in enumerate(layers.items()):
            item = OverlayItem(layer, view.style(name))
            item.highlight = highlight
            item.setZValue(10 + z)
            scene.addItem(item)
    entries = legend_entries(shown_legends, view.hidden_classes) if burn_legend else []
    margin = LegendMargin(entries, h) if entries else None
    out = QImage(w + (margin.width if margin else 0), max(h, margin.height) if margin else h,
                 QImage.Format.Format_ARGB32)
    out.fill(QColor(*BACKGROUND))
    painter = QPainter(out)
    scene.render(painter, QRectF(0, 0, w, h), QRectF(0, 0, w, h), Qt.AspectRatioMode.IgnoreAspectRatio)
    if margin:
        margin.paint(painter, w)
    painter.end()
    scene.clear()
    return out


def legend_entries(shown: list[tuple[PreparedImage, SegmentationLegend]], hidden: set[str]) -> list[tuple[str, tuple]]:
    """(class name, 8-bit RGB) for classes present in the image and not hidden."""
    out, seen = [], set()
    for seg, lg in shown:
        for i, c in enumerate(lg.classes):
            if c.name in hidden or c.name in seen:
                continue
            if seg.class_counts is not None and seg.class_counts[i] == 0:
                continue
            seen.add(c.name)
            out.append((c.name, class_rgb8(c.color, seg.raw.dtype)))
    return out


class LegendMargin:
    """Swatch + name columns beside the image, in a readable size whatever the image's size.

    The margin is as tall as the image, or as tall as :data:`MIN_LEGEND_ROWS` lines for a small
    one, and as wide as the columns that needs; a 128 px face gets a legend it can be read by.
    """

    def __init__(self, entries: list[tuple[str, tuple]], h: int):
        self.entries = entries
        self.font = QFont()
        self.font.setPixelSize(LEGEND_FONT_PX)
        fm = QFontMetrics(self.font)
        self.line, self.pad = fm.height() + 1, max(2, fm.height() // 4)
        self.swatch = fm.ascent()
        self.col_w = self.swatch + self.pad + max(fm.horizontalAdvance(n) for n, _ in entries) + 2 * self.pad
        self.rows = max(min(len(entries), MIN_LEGEND_ROWS), (h - 2 * self.pad) // self.line, 1)
        cols = -(-len(entries) // self.rows)
        self.width = cols * self.col_w + self.pad
        self.height = min(self.rows, len(entries)) * self.line + 2 * self.pad

    def paint(self, painter: QPainter, x0: int) -> None:
        painter.save()
        painter.setFont(self.font)
        line, pad, swatch, col_w, rows = self.line, self.pad, self.swatch, self.col_w, self.rows
        for k, (name, rgb) in enumerate(self.entries):
            x = x0 + pad + (k // rows) * col_w
            y = pad + (k % rows) * line
            painter.setPen(QColor(255, 255, 255, 200))
            painter.setBrush(QColor(*rgb))
            painter.drawRect(QRectF(x, y + (line - swatch) / 2, swatch, swatch))
            painter.setPen(QColor(240, 240, 240))
            painter.drawText(QRectF(x + swatch + pad, y, col_w, line),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), name)
        painter.restore()
