"""A canvas item that paints one overlay layer through :func:`paint_layer`."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF

from .paint import layer_bounds, paint_layer
from .prepare import PreparedLayer
from .style import LayerStyle

# Markers, labels and arrow heads are sized in device pixels, so the item claims this much
# room (device pixels) around its geometry, converted to image pixels at the current zoom.
_DEVICE_MARGIN = 80.0


class OverlayItem(pg.GraphicsObject):
    """Paints ``layer`` with ``style``; with no layer (absent on this datapoint) it stays hidden."""

    def __init__(self, layer: PreparedLayer | None, style: LayerStyle):
        super().__init__()
        self.highlight = None
        self._margin = _DEVICE_MARGIN  # image pixels; 1:1 until a view says otherwise
        self.layer, self.style, self._bounds = None, style, QRectF()
        self.set_layer(layer, style)

    def set_layer(self, layer: PreparedLayer | None, style: LayerStyle) -> None:
        self.prepareGeometryChange()
        self.layer = layer
        self._bounds = layer_bounds(layer) if layer is not None else QRectF()
        self.highlight = None
        self.set_style(style)

    def set_style(self, style: LayerStyle) -> None:
        self.style = style
        self.setVisible(style.visible and self.layer is not None)
        self.update()

    def set_highlight(self, highlight) -> None:
        self.highlight = highlight
        self.update()

    def viewTransformChanged(self) -> None:
        px = self.pixelLength(pg.Point(1, 0))  # image pixels per device pixel
        if px:
            self.prepareGeometryChange()
            self._margin = _DEVICE_MARGIN * px
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        m = self._margin
        return self._bounds.adjusted(-m, -m, m, m)

    def paint(self, painter, option, widget=None) -> None:
        paint_layer(painter, self.layer, self.style, self.highlight)
