"""A copy of a generated Datagen sample with planted changes, for ``dgviewer diff`` and the compare views."""
from __future__ import annotations

import json
import os
import shutil

import cv2
import numpy as np

from dgviewer.core.imaging import read_png

MOVED = ("datapoint_00001", "31", (3.0, 4.0))  # folder, face.standard label, stored offset: 5 px
BLOCK = ("datapoint_00002", (slice(10, 20), slice(30, 42)))  # rows, columns of the visible image set to one colour
BLOCK_RGB = (255, 0, 255)
DELETED = "datapoint_00003"
METADATA = ("datapoint_00004", "time_of_day", "night")  # environment.json value


def keypoints_file(root: str, folder: str) -> str:
    return os.path.join(root, folder, "camera", "key_points", "all_key_points.json")


def visible_file(root: str, folder: str) -> str:
    return os.path.join(root, folder, "camera", "visible_spectrum_01.png")


def write_png(path: str, rgb: np.ndarray) -> None:
    code = cv2.COLOR_RGBA2BGRA if rgb.shape[2] == 4 else cv2.COLOR_RGB2BGR
    assert cv2.imwrite(path, cv2.cvtColor(rgb, code))


def plant(src: str, dst: str, which=("moved", "block", "deleted", "metadata")) -> dict:
    """Copy ``src`` to ``dst`` and plant the chosen changes; returns what each one should report."""
    shutil.copytree(src, dst)
    expected = {}
    if "moved" in which:
        folder, label, (dx, dy) = MOVED
        path = keypoints_file(dst, folder)
        with open(path) as f:
            doc = json.load(f)
        p = doc["face"]["standard"][label]["pixel_2d"]
        p["x"] += dx
        p["y"] += dy
        with open(path, "w") as f:
            json.dump(doc, f, indent=3)
        expected["moved"] = float(np.hypot(dx, dy))
    if "block" in which:
        folder, (rows, cols) = BLOCK
        path = visible_file(dst, folder)
        img = read_png(path)
        before = img.copy()
        top = np.iinfo(img.dtype).max
        img[rows, cols, :3] = [round(c / 255 * top) for c in BLOCK_RGB]
        write_png(path, img)
        diff = np.abs(before.astype(np.int64) - img.astype(np.int64))
        expected["block"] = {"fraction": float(diff.any(axis=2).mean()), "max_abs": float(diff.max())}
    if "deleted" in which:
        shutil.rmtree(os.path.join(dst, DELETED))
    if "metadata" in which:
        folder, key, value = METADATA
        path = os.path.join(dst, folder, "camera", "environment.json")
        with open(path) as f:
            doc = json.load(f)
        expected["metadata"] = doc["environments"][0][key]
        doc["environments"][0][key] = value
        with open(path, "w") as f:
            json.dump(doc, f, indent=3)
    return expected
