"""Stored pixels → what the canvas shows, computed once per image on a worker thread.

The exact array is kept beside the display array so the probe can report true
values (16-bit colours, metres, unit normals) while the screen shows 8 bits.
Metric images (depth, ...) are also colour-mapped here, so that drawing them on
the GUI thread is a blit.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyqtgraph as pg

from ..core.annotations import SegmentationLegend
from ..core.imaging import to_display_u8

#: Modalities that are a separate picture (e.g. an environment map), not a view of the camera
#: image, so the camera's overlays do not apply.
UNREGISTERED = {"hdri"}
#: Colour for segmentation pixels whose stored colour is in no legend class (a data bug to see).
UNKNOWN_CLASS_RGB = (255, 0, 255)
DEPTH_COLORMAP = "turbo"


class Look(NamedTuple):
    """How a metric image is coloured: a colormap over the user's range, or over its own auto range (None)."""

    colormap: str = DEPTH_COLORMAP
    levels: tuple[float, float] | None = None


class PreparedImage(NamedTuple):
    """A tuple so the byte cache counts its arrays."""

    modality: str
    raw: np.ndarray  # exactly what Datapoint.read returned
    display: np.ndarray  # uint8 RGB(A) or gray; float32 metres for depth / pixel_position length
    levels: tuple[float, float] | None  # auto range of metric images (1st–99th percentile of a subsample)
    labels: np.ndarray | None  # segmentation: class index per pixel; len(classes) = not in the legend
    class_counts: np.ndarray | None  # pixels per class index, same indexing as labels
    screen: np.ndarray | None = None  # metric images: premultiplied RGBA uint8 as drawn with `look`
    look: Look | None = None

    @property
    def height(self) -> int:
        return self.raw.shape[0]

    @property
    def width(self) -> int:
        return self.raw.shape[1]


def prepare_image(modality: str, raw: np.ndarray, legend: SegmentationLegend | None = None,
                  look: Look = Look()) -> PreparedImage:
    """``look`` colours a metric image (it is ignored for the others)."""
    levels = labels = counts = screen = None
    if modality == "depth":
        display = np.ascontiguousarray(raw if raw.ndim == 2 else raw[..., 0], dtype=np.float32)
        levels = auto_range(display)
    elif modality == "pixel_position":  # camera-to-surface vectors: show their length, like depth
        display = np.linalg.norm(raw[..., :3], axis=2).astype(np.float32)
        levels = auto_range(display)
    elif modality == "normals":
        display = normals_to_rgba(raw)
    else:
        display = color_to_u8(raw)
        if legend is not None and raw.ndim == 3:
            labels = class_labels(raw, legend)
            counts = np.bincount(labels.ravel(), minlength=len(legend.classes) + 1)
    display = np.ascontiguousarray(display)
    if levels is not None:
        screen = colorize(display, look.levels or levels, look.colormap)
    return PreparedImage(modality, raw, display, levels, labels, counts, screen, look if screen is not None else None)


_LUTS: dict[str, np.ndarray] = {}


def colormap_lut(name: str) -> np.ndarray:
    """(256, 4) uint8 RGBA of a pyqtgraph colormap."""
    if name not in _LUTS:
        _LUTS[name] = pg.colormap.get(name).getLookupTable(nPts=256, alpha=True)
    return _LUTS[name]


def colorize(values: np.ndarray, levels: tuple[float, float], colormap: str) -> np.ndarray:
    """Metric values → premultiplied RGBA uint8, binned exactly as pyqtgraph's ImageItem bins them
    (one LUT entry per len(lut)-th of the range, clipped); NaN is transparent."""
    lut = colormap_lut(colormap)
    lo, hi = levels
    index = pg.functions.rescaleData(values, len(lut) / ((hi - lo) or 1.0), lo, dtype=np.uint8, clip=(0, len(lut) - 1))
    rgba = lut.view(np.uint32).reshape(-1)[index]  # one 32-bit lookup per pixel
    rgba[np.isnan(values)] = 0
    return rgba.view(np.uint8).reshape(values.shape + (4,))


def color_to_u8(img: np.ndarray) -> np.ndarray:
    """8-bit view of a colour or gray image; HDR floats above 1 are tone-mapped rather than clipped."""
    if img.dtype.kind == "f" and np.nanmax(img[::8, ::8]) > 1.0:
        f = np.nan_to_num(img.astype(np.float32), nan=0.0, posinf=0.0).clip(0.0)
        img = (f / (1.0 + f)) ** (1 / 2.2)
    return to_display_u8(img)


def auto_range(depth: np.ndarray, samples: int = 65536) -> tuple[float, float]:
    """1st–99th percentile of finite values on a strided subsample (a full percentile costs ~20 ms/MP)."""
    step = max(1, int(np.sqrt(depth.size / samples)))
    sub = depth[::step, ::step]
    sub = sub[np.isfinite(sub)]
    if not sub.size:
        return (0.0, 1.0)
    lo, hi = np.percentile(sub, (1, 99))
    if hi <= lo:
        hi = lo + 1e-3
    return (float(lo), float(hi))


def normals_to_rgba(n: np.ndarray) -> np.ndarray:
    """OpenCV-frame unit normals → colour (n·(1,−1,−1)+1)/2, the usual normal-map look; NaN → transparent."""
    rgb = (n[..., :3] * np.array([1.0, -1.0, -1.0], np.float32) + 1.0) * 127.5
    finite = np.isfinite(rgb).all(axis=2)
    out = np.empty(n.shape[:2] + (4,), np.uint8)
    out[..., :3] = np.nan_to_num(rgb, nan=0.0).clip(0, 255).astype(np.uint8)
    out[..., 3] = np.where(finite, 255, 0)
    return out


def _pack(colors: np.ndarray) -> np.ndarray:
    """Exact colour → one uint64 key (first ≤3 channels, 16 bits each; floats by their half-float bits)."""
    if colors.dtype.kind == "f":
        colors = colors.astype(np.float16).view(np.uint16)
    c = colors.astype(np.uint64)
    key = c[..., 0].copy()
    for k in range(1, min(3, c.shape[-1])):
        key <<= np.uint64(16)
        key |= c[..., k]
    return key


def class_labels(img: np.ndarray, legend: SegmentationLegend) -> np.ndarray:
    """Class index per pixel by exact colour match; pixels matching no class get len(classes)."""
    n = len(legend.classes)
    nch = min(3, img.shape[2])
    class_keys = np.array([_pack(np.asarray(c.color[:nch], dtype=img.dtype)[None])[0] for c in legend.classes],
                          dtype=np.uint64).reshape(-1)
    order = np.argsort(class_keys, kind="stable")
    sorted_keys = class_keys[order]
    keys = _pack(img[..., :nch])
    pos = np.searchsorted(sorted_keys, keys).clip(0, max(n - 1, 0))
    dtype = np.uint8 if n < 255 else np.uint16
    if n == 0:
        return np.zeros(keys.shape, dtype)
    labels = order[pos].astype(dtype)
    labels[sorted_keys[pos] != keys] = n
    return labels


def class_lut(legend: SegmentationLegend, dtype, hidden: set[str], overlay: bool) -> np.ndarray:
    """(n+1, 4) uint8 RGBA per class index for an image of ``dtype``; hidden classes are
    transparent (overlay) or black (modality)."""
    n = len(legend.classes)
    lut = np.zeros((n + 1, 4), np.uint8)
    for i, c in enumerate(legend.classes):
        if c.name in hidden:
            lut[i] = (0, 0, 0, 0 if overlay else 255)
        else:
            lut[i, :3] = class_rgb8(c.color, dtype)
            lut[i, 3] = 255
    lut[n] = (*UNKNOWN_CLASS_RGB, 255)
    return lut


def class_rgb8(color, dtype) -> tuple[int, int, int]:
    """An exact stored class colour as 8-bit RGB, the way an image of ``dtype`` is displayed."""
    arr = np.asarray(color, dtype=dtype).reshape(-1)
    if arr.size < 3:
        arr = np.repeat(arr[:1], 3)
    return tuple(int(v) for v in color_to_u8(arr[None, None, :3])[0, 0])
