"""The image canvas: one ViewBox (y down, square pixels) with bare ImageItems and overlay items.

Pixel j of the image covers [j, j+1) in view coordinates, so a stored point at
column 10.5 is drawn at the centre of pixel 10 with no offset.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ..core.annotations import SegmentationLegend
from ..core.display import BACKGROUND, PreparedImage
from .colorbar import DepthColorbar
from .image_items import ScreenImageItem, apply_class_overlay, apply_image
from .overlays.item import OverlayItem
from .overlays.prepare import PreparedLayer, box_at, nearest_point
from .view_state import ViewState

_Z_IMAGE, _Z_CLASSES, _Z_OVERLAY = 0, 5, 10


class Canvas(QWidget):
    #: Image coordinates under the mouse (column, row as floats), or NaN when it leaves the image.
    hovered = Signal(float, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground(BACKGROUND)
        self.glw.ci.setContentsMargins(0, 0, 0, 0)
        self.view = self.glw.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.view.setDefaultPadding(0.01)
        self.image = ScreenImageItem()
        self.image.setZValue(_Z_IMAGE)
        self.view.addItem(self.image)
        self.class_items: dict[str, pg.ImageItem] = {}  # translucent segmentation layers by layer name
        self.overlay_items: dict[str, OverlayItem] = {}
        self._shape: tuple[int, int] | None = None
        self._message = QLabel(self.glw)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setStyleSheet("QLabel { color: #f0f0f0; background: rgba(120, 20, 20, 210);"
                                    " border-radius: 6px; padding: 10px 14px; font-size: 13px; }")
        self._message.hide()
        self.card = QLabel(self.glw)
        self.card.setStyleSheet("QLabel { color: #111; background: rgba(255, 250, 225, 240);"
                                " border: 1px solid #888; border-radius: 4px; padding: 4px 6px;"
                                " font-family: monospace; font-size: 11px; }")
        self.card.hide()
        self.colorbar = DepthColorbar()  # beside the picture, never over it
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.glw, 1)
        layout.addWidget(self.colorbar)
        self.glw.scene().sigMouseMoved.connect(self._mouse_moved)
        self.glw.installEventFilter(self)  # the scene reports moves only: leaving the canvas ends a hover too

    def eventFilter(self, obj, event) -> bool:
        if obj is self.glw and event.type() == QEvent.Type.Leave:
            self.hovered.emit(float("nan"), float("nan"))
        return super().eventFilter(obj, event)

    # -- image ----------------------------------------------------------------
    def show_image(self, img: PreparedImage | None, legend: SegmentationLegend | None, view: ViewState) -> None:
        if img is None:
            self.image.clear()
            return
        apply_image(self.image, img, legend, view)
        shape = (img.height, img.width)
        if shape != self._shape:  # same-size images keep the zoom, so neighbours compare in place
            self._shape = shape
            self.fit()

    def set_class_overlay(self, layer: str, seg: PreparedImage | None, legend: SegmentationLegend | None,
                          view: ViewState) -> None:
        item = self.class_items.get(layer)
        if item is None:
            item = self.class_items[layer] = pg.ImageItem(axisOrder="row-major")
            item.setZValue(_Z_CLASSES)
            self.view.addItem(item)
        apply_class_overlay(item, seg, legend, view, layer)

    def clear_class_overlays(self) -> None:
        for item in self.class_items.values():
            item.setVisible(False)

    @property
    def image_shape(self) -> tuple[int, int] | None:
        return self._shape

    # -- overlays -------------------------------------------------------------
    def set_overlays(self, layers: dict[str, PreparedLayer], view: ViewState) -> None:
        """Swap the layers drawn; items are kept per layer name (adding items to a ViewBox costs ~2 ms each)."""
        for name, item in self.overlay_items.items():
            if name not in layers:
                item.set_layer(None, view.style(name))
        for name, layer in layers.items():
            item = self.overlay_items.get(name)
            if item is None:
                item = self.overlay_items[name] = OverlayItem(layer, view.style(name))
                item.setZValue(_Z_OVERLAY + len(self.overlay_items))
                self.view.addItem(item)
            else:
                item.set_layer(layer, view.style(name))

    def shown_overlays(self) -> dict[str, OverlayItem]:
        """Items holding a layer of the current datapoint (visible or not)."""
        return {n: it for n, it in self.overlay_items.items() if it.layer is not None}

    def restyle(self, view: ViewState) -> None:
        for name, item in self.overlay_items.items():
            item.set_style(view.style(name))

    def set_highlight(self, hit) -> None:
        for item in self.overlay_items.values():
            item.set_highlight(hit)

    def point_at(self, col: float, row: float):
        """The drawn keypoint nearest the cursor, within its marker plus a few screen pixels."""
        px = self.view.viewPixelSize()[0] or 1.0
        shown = [i for i in self.overlay_items.values() if i.isVisible() and i.layer is not None]
        best = None
        for item in shown:
            radius = (item.style.marker_size / 2 + 4) * px
            hit = nearest_point([item.layer], col, row, radius)
            if hit is not None:
                d = (hit[0].xy[hit[1], 0] - col) ** 2 + (hit[0].xy[hit[1], 1] - row) ** 2
                if best is None or d < best[0]:
                    best = (d, hit)
        return best[1] if best else None

    def box_at(self, col: float, row: float):
        """The innermost drawn 2D box under the cursor (its edges a few screen pixels wider)."""
        px = self.view.viewPixelSize()[0] or 1.0
        shown = [i.layer for i in self.overlay_items.values() if i.isVisible() and i.layer is not None]
        return box_at(shown, col, row, 4 * px)

    # -- view -----------------------------------------------------------------
    def fit(self) -> None:
        if self._shape:
            h, w = self._shape
            self.view.setRange(xRange=(0, w), yRange=(0, h), padding=0.01)

    def one_to_one(self) -> None:
        """One image pixel per screen pixel, centred where the view is now."""
        if not self._shape:
            return
        rect = self.view.viewRect()
        size = self.view.size()
        cx, cy = rect.center().x(), rect.center().y()
        w, h = size.width() / 2, size.height() / 2
        self.view.setRange(xRange=(cx - w, cx + w), yRange=(cy - h, cy + h), padding=0)

    def center_on(self, col: float, row: float, min_zoom_px: float = 4.0) -> None:
        """Centre the view on an image point, zooming in to at least ``min_zoom_px`` screen px per pixel."""
        rect = self.view.viewRect()
        size = self.view.size()
        half_w = min(rect.width(), size.width() / min_zoom_px) / 2
        half_h = half_w * size.height() / max(size.width(), 1)
        self.view.setRange(xRange=(col - half_w, col + half_w), yRange=(row - half_h, row + half_h), padding=0)

    def view_to_widget(self, col: float, row: float) -> QPoint:
        """Widget pixel of an image point (for tests and the hover card)."""
        scene_pt = self.view.mapViewToScene(QPointF(col, row))
        return self.glw.mapFromScene(scene_pt)

    # -- messages and hover ---------------------------------------------------
    def set_message(self, text: str | None) -> None:
        if not text:
            self._message.hide()
            return
        self._message.setText(text)
        self._message.setMaximumWidth(max(200, self.glw.width() - 80))
        self._message.adjustSize()
        self._message.move((self.glw.width() - self._message.width()) // 2, 24)
        self._message.show()
        self._message.raise_()

    @property
    def message(self) -> str:
        return self._message.text() if self._message.isVisible() else ""

    def show_card(self, text: str | None, near: QPoint | None = None) -> None:
        if not text:
            self.card.hide()
            return
        self.card.setText(text)
        self.card.adjustSize()
        x, y = near.x() + 16, near.y() + 16
        if x + self.card.width() > self.glw.width():
            x = near.x() - self.card.width() - 16
        if y + self.card.height() > self.glw.height():
            y = near.y() - self.card.height() - 16
        self.card.move(max(0, x), max(0, y))
        self.card.show()
        self.card.raise_()

    def _mouse_moved(self, scene_pos) -> None:
        p = self.view.mapSceneToView(scene_pos)
        col, row = p.x(), p.y()
        if self._shape and 0 <= col < self._shape[1] and 0 <= row < self._shape[0] \
                and self.view.sceneBoundingRect().contains(scene_pos):
            self.hovered.emit(col, row)
        else:
            self.hovered.emit(float("nan"), float("nan"))
