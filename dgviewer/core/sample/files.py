"""Writing JSON, PNG and EXR files the way the Datagen platform does.

JSON is indented with 3 spaces and has no trailing newline, like the real
files. PNGs go through OpenCV (which wants BGR order) at a low compression
level for speed. EXRs are scanline, ZIP-compressed, with R, G, B channels.
"""
from __future__ import annotations

import json
import os

import cv2
import numpy as np
import OpenEXR

PNG_COMPRESSION = 2


def write_json(path: str, obj) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(json.dumps(obj, indent=3))


def write_png(path: str, image: np.ndarray) -> None:
    """RGB or RGBA, uint8 or uint16."""
    order = [2, 1, 0, 3][: image.shape[2]]
    if not cv2.imwrite(path, np.ascontiguousarray(image[..., order]), [cv2.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION]):
        raise OSError(f"cannot write {path}")


def write_exr(path: str, image: np.ndarray) -> None:
    """(H, W, 3) float32 (FLOAT) or float16 (HALF) → R, G, B channels."""
    channels = {name: np.ascontiguousarray(image[..., i]) for i, name in enumerate("RGB")}
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    OpenEXR.File(header, channels).write(path)


def to_uint16(display: np.ndarray) -> np.ndarray:
    return np.round(np.clip(display, 0, 1) * 65535).astype(np.uint16)


def to_uint8(display: np.ndarray) -> np.ndarray:
    return np.round(np.clip(display, 0, 1) * 255).astype(np.uint8)


def make_dirs(*parts: str) -> str:
    path = os.path.join(*parts)
    os.makedirs(path, exist_ok=True)
    return path
