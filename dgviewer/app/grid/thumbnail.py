"""One datapoint's thumbnail at the grid's size, with the viewer's overlays; runs on a worker thread.

The picture goes through the one display pipeline (:mod:`dgviewer.core.display`: what the canvas shows,
shrunk by pixel-area averaging), the overlays through the one painter (:func:`..overlays.paint.paint_layer`,
which the canvas and ``dgviewer render`` use) with the markers scaled as ``render`` scales them for a
small image. Only QImage and QPainter are used here: both may paint off the GUI thread.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from ...core import cache, courtesy, display
from ...core.annotations import SegmentationLegend
from ...core.model import Datapoint
from ..export.drawing import Drawing
from ..export.pipeline import load_parts, modality_for
from ..export.png import qimage_to_bgr
from ..overlays.paint import paint_layer
from ..overlays.prepare import prepare_layers
from ..view_state import ViewState
from .disk import ThumbDisk


@dataclass(frozen=True)
class ThumbSpec:
    """How every thumbnail of the grid is drawn: the view's choices at one size (part of the disk key)."""

    modality: str  # the view's; a datapoint without it shows its first, as the canvas does
    size: int  # longer side, in device pixels
    styles: tuple  # ((layer, LayerStyle), ...) for every layer of the open dataset
    hidden: tuple[str, ...]  # segmentation classes switched off, sorted
    colormap: str
    depth_levels: tuple[float, float] | None

    @classmethod
    def of(cls, view: ViewState, size: int) -> ThumbSpec:
        # Index labels stay off: at thumbnail size they would cover the face.
        styles = tuple((name, view.style(name).with_(labels=False)) for name in view.layers)
        return cls(view.modality, size, styles, tuple(sorted(view.hidden_classes)), view.depth_colormap,
                   view.depth_levels)

    def modality_of(self, dp: Datapoint) -> str | None:
        return self.modality if self.modality in dp.modalities else modality_for(dp, None)


def make_thumbnail(dp: Datapoint, spec: ThumbSpec, disk: ThumbDisk | None) -> QImage | None:
    """The thumbnail of ``dp`` from the disk cache, else drawn (and stored there); None when it has no image.
    Raises DataError when its files cannot be read."""
    modality = spec.modality_of(dp)
    if modality is None:
        return None
    path = dp.file(modality)
    key = disk.key(path, dp.id, repr(spec)) if disk is not None and path else None
    if key is not None:
        bgr = disk.get(key)
        if bgr is not None:
            return _qimage(bgr, QImage.Format.Format_BGR888)
    with cache.passing():
        image = draw_thumbnail(dp, modality, spec)
    if key is not None:
        disk.put(key, qimage_to_bgr(image))
    return image


def draw_thumbnail(dp: Datapoint, modality: str, spec: ThumbSpec) -> QImage:
    drawing = Drawing(modality, dict(spec.styles))
    courtesy.give_way()  # Python work on a worker thread: not while the GUI thread works (a fling)
    _, images, ann = load_parts(dp, drawing)
    courtesy.give_way()
    legends = {lg.modality: lg for lg in ann.of_type(SegmentationLegend)}
    look = display.Look(spec.colormap, spec.depth_levels if modality == "depth" else None)
    img = display.prepare_image(modality, images[modality], legends.get(modality), look)
    rgb, _ = display.thumbnail(display.to_rgb8(img, legends.get(modality), frozenset(spec.hidden)), spec.size)
    out = _qimage(rgb, QImage.Format.Format_RGB888).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    if modality in display.UNREGISTERED:  # overlays do not line up with it (the canvas draws none either)
        return out
    w, h = out.width(), out.height()
    styles = drawing.styles_for(w, h)
    painter = QPainter(out)
    for lg in legends.values():  # translucent class layers under the points, as the canvas stacks them
        style = styles.get(lg.layer)
        raw = images.get(lg.modality)
        if lg.modality != modality and style is not None and style.visible and raw is not None:
            seg = display.prepare_image(lg.modality, raw, lg)
            rgba = display.class_lut(lg, seg.raw.dtype, frozenset(spec.hidden), overlay=True)[seg.labels]
            painter.setOpacity(style.opacity)
            painter.drawImage(QRectF(0, 0, w, h), _qimage(display.thumbnail(rgba, spec.size)[0],
                                                         QImage.Format.Format_RGBA8888))
    painter.setOpacity(1.0)
    painter.scale(w / img.width, h / img.height)  # image pixels → thumbnail pixels
    for name, layer in prepare_layers(ann).items():
        if name in styles:
            courtesy.give_way()  # a layer of dense keypoints paints for milliseconds
            paint_layer(painter, layer, styles[name])
    painter.end()
    return out


def _qimage(pixels: np.ndarray, fmt: QImage.Format) -> QImage:
    """A QImage owning a copy of ``pixels`` (H×W×C uint8)."""
    pixels = np.ascontiguousarray(pixels)
    h, w = pixels.shape[:2]
    return QImage(pixels.data, w, h, pixels.strides[0], fmt).copy()
