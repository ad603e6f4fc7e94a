"""One pane of the compare view: the app's canvas with a title, a summary, a crosshair, and for swipe and
onion-skin a second image over the first (clipped at a draggable divider, or translucent)."""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QLabel, QVBoxLayout, QWidget

from ...core.annotations import SegmentationLegend
from ...core.display import PreparedImage
from ..canvas import Canvas
from ..image_items import ScreenImageItem, apply_image
from ..overlays import LayerStyle, PreparedLayer
from ..overlays.item import OverlayItem
from ..view_state import ViewState

_Z_OTHER, _Z_ARROWS, _Z_DIVIDER, _Z_CROSSHAIR = 1, 60, 70, 80
#: How displacement arrows are drawn (the overlay painter's rays: arrow heads at screen size).
ARROW_STYLE = LayerStyle(visible=True, opacity=1.0, marker_size=5.0, color=(255, 70, 70))


class Pane(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-family: monospace; font-size: 11px;")
        self.summary.hide()
        self.canvas = Canvas()
        self.canvas.colorbar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.summary)
        view = self.canvas.view
        # The other image, under a clipping rectangle: the swipe divider moves the rectangle's left edge.
        self.clip = QGraphicsRectItem()
        self.clip.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
        self.clip.setPen(pg.mkPen(None))
        self.clip.setZValue(_Z_OTHER)
        self.other = ScreenImageItem()
        self.other.setParentItem(self.clip)
        view.addItem(self.clip)
        self.clip.hide()
        self.divider = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen((255, 255, 255), width=2),
                                       hoverPen=pg.mkPen((255, 220, 0), width=3))
        self.divider.setZValue(_Z_DIVIDER)
        self.divider.sigPositionChanged.connect(lambda *_: self._clip_to_divider())
        view.addItem(self.divider)
        self.divider.hide()
        self.arrows = OverlayItem(None, ARROW_STYLE)
        self.arrows.setZValue(_Z_ARROWS)
        view.addItem(self.arrows)
        pen = pg.mkPen((255, 230, 0, 200), width=1, style=Qt.PenStyle.DashLine)
        self.cross = [pg.InfiniteLine(angle=a, movable=False, pen=pen) for a in (90, 0)]
        for line in self.cross:
            line.setZValue(_Z_CROSSHAIR)
            view.addItem(line, ignoreBounds=True)
            line.hide()
        self._swipe = False

    # -- the pictures -------------------------------------------------------------------
    def show(self, img: PreparedImage | None, legend: SegmentationLegend | None, view: ViewState,
             message: str = "") -> None:
        self.canvas.show_image(img, legend, view)
        self.canvas.image.setVisible(img is not None)
        self.canvas.set_message(message or None)

    def set_other(self, img: PreparedImage | None, legend: SegmentationLegend | None, view: ViewState,
                  mode: str | None, opacity: float = 0.5) -> None:
        """A second image over the first: ``mode`` "swipe" (right of the divider), "onion" (translucent) or None."""
        shape = self.canvas.image_shape
        if mode is None or img is None or shape is None or (img.height, img.width) != shape:
            self.clip.hide()
            self.divider.hide()
            self._swipe = False
            return
        apply_image(self.other, img, legend, view)
        was_swipe, self._swipe = self._swipe, mode == "swipe"
        self.clip.setOpacity(opacity if mode == "onion" else 1.0)
        self.divider.setVisible(self._swipe)
        self.divider.setBounds((0, shape[1]))
        if self._swipe and not was_swipe:
            self.divider.setValue(shape[1] / 2)
        self._clip_to_divider()
        self.clip.show()

    def _clip_to_divider(self) -> None:
        shape = self.canvas.image_shape
        if shape is None:
            return
        h, w = shape
        x = min(max(self.divider.value(), 0.0), w) if self._swipe else 0.0
        self.clip.setRect(QRectF(x, 0, w - x, h))

    def set_arrows(self, layer: PreparedLayer | None) -> None:
        self.arrows.set_layer(layer, ARROW_STYLE)

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    # -- hover ----------------------------------------------------------------------------
    def set_crosshair(self, col: float, row: float) -> None:
        on = not math.isnan(col)
        for line, v in zip(self.cross, (col, row)):
            if on:
                line.setValue(v)
            line.setVisible(on)
