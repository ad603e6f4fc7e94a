"""The one image → display pipeline: stored pixels → what the viewer, ``render`` and the QA report show.

:func:`prepare_image` runs once per image (on a viewer worker): it keeps the
exact array beside the display array, so the probe can report true values
(16-bit colours, metres, unit normals) while the screen shows 8 bits, colour-
maps metric images (depth, ...) and labels segmentation pixels with their
class. :func:`to_rgb8` flattens a prepared image into the 8-bit RGB the canvas
shows (QA report thumbnails, tests).

Segmentation colours find their class through one exact key
(:func:`colour_keys`): integers as stored, floats by their half-float bits
(the precision of the half EXRs they come from), on every channel the legend
gives, alpha included (Perception instance colours need it, spec §5.4). A
colour no class has is *unknown*, except black, which is background in every
format whether or not the legend lists it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from .annotations import SegClass, SegmentationLegend

#: Modalities that are a separate picture (e.g. an environment map), not a view of the camera
#: image: the camera's overlays do not apply, nor its resolution.
UNREGISTERED = frozenset({"hdri"})
#: What shows through transparent pixels (no depth, no normal): the canvas colour.
BACKGROUND = (32, 33, 36)
#: Colour for segmentation pixels whose stored colour is in no legend class (a data bug to see).
UNKNOWN_CLASS_RGB = (255, 0, 255)
DEPTH_COLORMAP = "turbo"
#: Colour maps for metric images: OpenCV's tables (identical to pyqtgraph's of these names) and a grey ramp.
COLORMAPS = ("turbo", "viridis", "magma", "gray")


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
    labels: np.ndarray | None  # segmentation: class index per pixel (see class_labels)
    class_counts: np.ndarray | None  # pixels per class index, the last one "not in the legend"
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
    """``look`` colours a metric image (it is ignored for the others); ``legend`` labels a colour image."""
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
            counts = np.bincount(labels.ravel(), minlength=len(legend.classes) + 2)[:len(legend.classes) + 1]
    display = np.ascontiguousarray(display)
    if levels is not None:
        screen = colorize(display, look.levels or levels, look.colormap)
    return PreparedImage(modality, raw, display, levels, labels, counts, screen, look if screen is not None else None)


def to_rgb8(img: PreparedImage, legend: SegmentationLegend | None = None, hidden=frozenset()) -> np.ndarray:
    """H×W×3 uint8: what the canvas shows of ``img`` (no overlays), transparency over :data:`BACKGROUND`."""
    if img.screen is not None:  # premultiplied
        return _over(img.screen[..., :3], img.screen[..., 3], premultiplied=True)
    if img.labels is not None and legend is not None:
        return class_lut(legend, img.raw.dtype, hidden)[img.labels][..., :3]
    d = img.display
    if d.ndim == 2:
        return np.repeat(d[..., None], 3, axis=2)
    if d.shape[2] in (1, 2):  # gray, gray + alpha
        d = np.concatenate([np.repeat(d[..., :1], 3, axis=2), d[..., 1:]], axis=2)
    return _over(d[..., :3], d[..., 3], premultiplied=False) if d.shape[2] == 4 else np.ascontiguousarray(d)


def _over(rgb: np.ndarray, alpha: np.ndarray, premultiplied: bool) -> np.ndarray:
    a = alpha[..., None].astype(np.uint32)
    c = rgb.astype(np.uint32)
    if not premultiplied:
        c = (c * a + 127) // 255
    return (c + (np.asarray(BACKGROUND, np.uint32) * (255 - a) + 127) // 255).astype(np.uint8)


def thumbnail(rgb: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """(``rgb`` resized so its longer side is ``size`` pixels, by pixel-area averaging; the scale factor)."""
    import cv2

    scale = size / max(rgb.shape[:2])
    wh = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, wh, interpolation=cv2.INTER_AREA)), scale


# -- colour and metric images ------------------------------------------------------
def to_u8(img: np.ndarray) -> np.ndarray:
    """An 8-bit view of a stored colour image (uint16 → top byte, float 0–1 → 0–255)."""
    if img.dtype == np.uint8:
        return img
    if img.dtype == np.uint16:
        return (img >> 8).astype(np.uint8)
    f = np.nan_to_num(img.astype(np.float32), nan=0.0)
    return (np.clip(f, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def color_to_u8(img: np.ndarray) -> np.ndarray:
    """:func:`to_u8`, but HDR floats above 1 are tone-mapped rather than clipped."""
    if img.dtype.kind == "f" and np.nanmax(img[::8, ::8]) > 1.0:
        f = np.nan_to_num(img.astype(np.float32), nan=0.0, posinf=0.0).clip(0.0)
        img = (f / (1.0 + f)) ** (1 / 2.2)
    return to_u8(img)


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


_LUTS: dict[str, np.ndarray] = {}


def colormap_lut(name: str) -> np.ndarray:
    """(256, 4) uint8 RGBA of one of :data:`COLORMAPS`."""
    if name not in _LUTS:
        if name == "gray":
            rgb = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
        else:
            import cv2

            code = {"turbo": cv2.COLORMAP_TURBO, "viridis": cv2.COLORMAP_VIRIDIS, "magma": cv2.COLORMAP_MAGMA}[name]
            rgb = cv2.applyColorMap(np.arange(256, dtype=np.uint8)[:, None], code)[:, 0, ::-1]
        _LUTS[name] = np.ascontiguousarray(np.concatenate([rgb, np.full((256, 1), 255, np.uint8)], axis=1))
    return _LUTS[name]


def colorize(values: np.ndarray, levels: tuple[float, float], colormap: str) -> np.ndarray:
    """Metric values → premultiplied RGBA uint8, binned exactly as pyqtgraph's ImageItem bins them
    (one LUT entry per len(lut)-th of the range, in float32, clipped, truncated); NaN is transparent."""
    lut = colormap_lut(colormap)
    lo, hi = levels
    work = np.array(values, dtype=np.float32)
    work -= lo
    work *= len(lut) / ((hi - lo) or 1.0)
    np.clip(work, 0, len(lut) - 1, out=work)
    with np.errstate(invalid="ignore"):
        index = work.astype(np.uint8)
    rgba = lut.view(np.uint32).reshape(-1)[index]  # one 32-bit lookup per pixel
    rgba[np.isnan(values)] = 0
    return rgba.view(np.uint8).reshape(values.shape + (4,))


# -- segmentation colour → class ---------------------------------------------------
def colour_keys(colours: np.ndarray, channels: int) -> np.ndarray:
    """One uint64 per colour from its first ``channels`` (≤ 4) values, 16 bits each; floats by their half bits."""
    c = np.asarray(colours)[..., :channels]
    if c.dtype.kind == "f":
        c = c.astype(np.float16) + np.float16(0)  # + 0 makes -0 +0
        c = c.view(np.uint16)
    c = c.astype(np.uint64)
    key = c[..., 0].copy()
    for k in range(1, c.shape[-1]):
        key <<= np.uint64(16)
        key |= c[..., k] & np.uint64(0xFFFF)
    return key


def key_channels(img: np.ndarray, legend: SegmentationLegend) -> int:
    """Channels compared: every one the legend's colours and the image both have, at most four."""
    return min([len(c.color) for c in legend.classes] + [img.shape[2] if img.ndim == 3 else 1, 4])


def class_labels(img: np.ndarray, legend: SegmentationLegend) -> np.ndarray:
    """Class index per pixel by exact colour key (the first class of a colour wins); ``len(classes)``: a colour
    no class has; ``len(classes) + 1``: black that no class has (background)."""
    n = len(legend.classes)
    img = img if img.ndim == 3 else img[..., None]
    dtype = np.uint8 if n < 255 else np.uint16 if n < 65535 else np.uint32
    nch = key_channels(img, legend)
    keys = colour_keys(img, nch)
    if n:
        class_keys = colour_keys(np.array([c.color[:nch] for c in legend.classes], dtype=img.dtype), nch)
        order = np.argsort(class_keys, kind="stable")
        sorted_keys = class_keys[order]
        pos = np.searchsorted(sorted_keys, keys).clip(0, n - 1)
        labels = order[pos].astype(dtype)
        unknown = np.flatnonzero(sorted_keys[pos] != keys)
    else:
        labels = np.empty(keys.shape, dtype)
        unknown = np.arange(keys.size)
    if unknown.size:
        flat = img.reshape(-1, img.shape[2])
        black = ~flat[unknown, :min(3, img.shape[2])].any(axis=1)
        labels.flat[unknown] = n
        labels.flat[unknown[black]] = n + 1
    return labels


def class_of(legend: SegmentationLegend, colour) -> SegClass | None:
    """The class of one stored colour, by the key :func:`class_labels` uses (None: not in the legend)."""
    v = np.asarray(colour)
    i = int(class_labels(v.reshape(1, 1, -1), legend)[0, 0])
    return legend.classes[i] if i < len(legend.classes) else None


def class_lut(legend: SegmentationLegend, dtype, hidden=frozenset(), overlay: bool = False) -> np.ndarray:
    """(n+2, 4) uint8 RGBA per :func:`class_labels` index for an image of ``dtype``: unknown colours magenta,
    background black; hidden classes (and background) transparent in an overlay, black in the image."""
    n = len(legend.classes)
    lut = np.zeros((n + 2, 4), np.uint8)
    lut[:, 3] = 0 if overlay else 255
    for i, c in enumerate(legend.classes):
        if c.name not in hidden:
            lut[i] = (*class_rgb8(c.color, dtype), 255)
    lut[n] = (*UNKNOWN_CLASS_RGB, 255)
    return lut


def class_rgb8(color, dtype) -> tuple[int, int, int]:
    """An exact stored class colour as 8-bit RGB, the way an image of ``dtype`` is displayed."""
    arr = np.asarray(color, dtype=dtype).reshape(-1)
    if arr.size < 3:
        arr = np.repeat(arr[:1], 3)
    return tuple(int(v) for v in color_to_u8(arr[None, None, :3])[0, 0])
