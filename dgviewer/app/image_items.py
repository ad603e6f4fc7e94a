"""Configure pyqtgraph ImageItems from prepared images: shared by the canvas and the PNG export."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from ..core.annotations import SegmentationLegend
from ..core.display import PreparedImage, class_lut, colorize, colormap_lut
from .view_state import ViewState


class ScreenImageItem(pg.ImageItem):
    """A row-major ImageItem that can be handed its picture ready-made.

    Metric images come colour-mapped from a worker (:func:`display.colorize`); pyqtgraph would
    redo that (NaN mask, rescale, lookup: ~6 ms a megapixel, 15–25 ms under load) on the GUI
    thread at the first paint after every switch. ``image``, levels and LUT are still set, so
    the item reads and renders as a plain ImageItem.
    """

    def __init__(self):
        super().__init__(axisOrder="row-major")
        self._screen: QImage | None = None

    def set_screen(self, rgba: np.ndarray | None) -> None:
        """Paint ``rgba`` (premultiplied RGBA uint8 of the image's size) as is; None paints ``image``."""
        fmt = QImage.Format.Format_RGBA8888_Premultiplied
        self._screen = None if rgba is None else pg.functions.ndarray_to_qimage(rgba, fmt)
        self.update()

    def paint(self, painter, *args) -> None:
        if self._screen is None or self.image is None:
            super().paint(painter, *args)
        else:
            painter.drawImage(QRectF(0, 0, self._screen.width(), self._screen.height()), self._screen)


def apply_image(item: ScreenImageItem, img: PreparedImage, legend: SegmentationLegend | None, view: ViewState) -> None:
    """Show ``img`` the way the current view state says (colormap, range, hidden classes)."""
    screen = None
    if img.levels is not None:  # metric images: colormap over a range
        look = view.look(img.modality)
        levels = look.levels or img.levels
        # Coloured on the worker unless the look changed since.
        screen = img.screen if img.look == look else colorize(img.display, levels, look.colormap)
        item.setImage(img.display, lut=colormap_lut(look.colormap), levels=levels, autoLevels=False)
    elif img.labels is not None and legend is not None:
        # Class colours through a LUT of exact class indices: hiding a class only swaps the LUT.
        lut = class_lut(legend, img.raw.dtype, view.hidden_classes, overlay=False)
        item.setImage(img.labels, lut=lut, levels=(0, len(lut)), autoLevels=False)
    else:
        levels = (0, 255) if img.display.ndim == 2 else None
        item.setImage(img.display, lut=None, levels=levels, autoLevels=False)
    item.set_screen(screen)


def apply_class_overlay(item: pg.ImageItem, seg: PreparedImage | None, legend: SegmentationLegend | None,
                        view: ViewState, layer: str) -> None:
    """Segmentation as a translucent layer; hidden classes are transparent."""
    style = view.style(layer)
    if seg is None or seg.labels is None or legend is None or not style.visible:
        item.setVisible(False)
        return
    lut = class_lut(legend, seg.raw.dtype, view.hidden_classes, overlay=True)
    item.setImage(seg.labels, lut=lut, levels=(0, len(lut)), autoLevels=False)
    item.setOpacity(style.opacity)
    item.setVisible(True)
