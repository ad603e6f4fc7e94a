"""Configure pyqtgraph ImageItems from prepared images: shared by the canvas and the PNG export."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ..core.annotations import SegmentationLegend
from .display import PreparedImage, class_lut
from .view_state import ViewState

_LUTS: dict[str, np.ndarray] = {}


def colormap_lut(name: str) -> np.ndarray:
    if name not in _LUTS:
        _LUTS[name] = pg.colormap.get(name).getLookupTable(nPts=256, alpha=True)
    return _LUTS[name]


def depth_levels(img: PreparedImage, view: ViewState) -> tuple[float, float]:
    """The user's depth range, else the image's own auto range."""
    chosen = view.depth_levels if img.modality == "depth" else None
    return chosen or img.levels or (0.0, 1.0)


def apply_image(item: pg.ImageItem, img: PreparedImage, legend: SegmentationLegend | None, view: ViewState) -> None:
    """Show ``img`` the way the current view state says (colormap, range, hidden classes)."""
    if img.levels is not None:  # metric images: colormap over a range
        item.setImage(img.display, lut=colormap_lut(view.depth_colormap), levels=depth_levels(img, view),
                      autoLevels=False)
    elif img.labels is not None and legend is not None:
        # Class colours through a LUT of exact class indices: hiding a class only swaps the LUT.
        lut = class_lut(legend, img.raw.dtype, view.hidden_classes, overlay=False)
        item.setImage(img.labels, lut=lut, levels=(0, len(lut)), autoLevels=False)
    else:
        levels = (0, 255) if img.display.ndim == 2 else None
        item.setImage(img.display, lut=None, levels=levels, autoLevels=False)


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
