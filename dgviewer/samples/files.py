"""Writing the samples' files: JSON, PNG through OpenCV and EXR through OpenEXR, for both worlds.

JSON is formatted like the real files: indented (Datagen by 3 spaces,
Perception by 2), no trailing newline. It is encoded here rather than by
``json.dumps(indent=...)``, whose pure-Python indenting path takes half the
generation time of small samples; the output is identical, so a seed always
gives the same bytes. Every writer creates its file's folder.
"""
from __future__ import annotations

import math
import os
from json.encoder import encode_basestring_ascii

import cv2
import numpy as np
import OpenEXR

DATAGEN_PNG = 2  # zlib level: fast, and what the Datagen sample has always been written with


def new_folder(out: str) -> None:
    """Create ``out`` for a sample; it must not exist or be an empty folder."""
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise FileExistsError(f"{out} exists and is not an empty folder")
    os.makedirs(out, exist_ok=True)


def _parent(path: str) -> str:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    return path


def write_json(path: str, obj, indent: int = 3) -> None:
    with open(_parent(path), "w", encoding="ascii") as f:
        f.write(dumps(obj, indent))


def dumps(obj, indent: int = 3) -> str:
    """``json.dumps(obj, indent=indent)`` for dicts, lists, str, int, float, bool and None."""
    out: list[str] = []
    _encode(obj, "\n", " " * indent, out)
    return "".join(out)


def _encode(obj, newline: str, step: str, out: list) -> None:
    kind = type(obj)
    if kind is float:
        if not math.isfinite(obj):
            raise ValueError(f"{obj} is not valid JSON")
        out.append(float.__repr__(obj))
    elif kind is dict:
        inner = newline + step
        sep = "{" + inner
        for key, value in obj.items():
            out.append(sep + encode_basestring_ascii(key) + ": ")
            _encode(value, inner, step, out)
            sep = "," + inner
        out.append(newline + "}" if obj else "{}")
    elif kind is list:
        inner = newline + step
        sep = "[" + inner
        for value in obj:
            out.append(sep)
            _encode(value, inner, step, out)
            sep = "," + inner
        out.append(newline + "]" if obj else "[]")
    elif kind is str:
        out.append(encode_basestring_ascii(obj))
    elif obj is True or obj is False or obj is None:
        out.append({True: "true", False: "false", None: "null"}[obj])
    elif kind is int:
        out.append(int.__repr__(obj))
    else:
        raise TypeError(f"cannot write {kind.__name__} as JSON")


def write_png(path: str, image: np.ndarray, level: int | None = DATAGEN_PNG) -> None:
    """RGB or RGBA, uint8 or uint16. ``level``: zlib level; None is OpenCV's default (level 1, RLE)."""
    order = [2, 1, 0, 3][: image.shape[2]]  # OpenCV wants BGR(A)
    params = [] if level is None else [cv2.IMWRITE_PNG_COMPRESSION, level]
    if not cv2.imwrite(_parent(path), np.ascontiguousarray(image[..., order]), params):
        raise OSError(f"cannot write {path}")


def write_exr(path: str, image: np.ndarray, alpha: bool = False) -> None:
    """(H, W, 3) float32 (FLOAT) or float16 (HALF) → scanline, ZIP-compressed R, G, B (and an opaque A)."""
    channels = {name: np.ascontiguousarray(image[..., i]) for i, name in enumerate("RGB")}
    if alpha:
        channels["A"] = np.ones(image.shape[:2], image.dtype)
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    OpenEXR.File(header, channels).write(_parent(path))


def to_uint16(display: np.ndarray) -> np.ndarray:
    return np.round(np.clip(display, 0, 1) * 65535).astype(np.uint16)


def to_uint8(display: np.ndarray) -> np.ndarray:
    return np.round(np.clip(display, 0, 1) * 255).astype(np.uint8)
