"""Where point labels go: legible however many points sit at one spot.

Eye points come several per eye at nearly one place, and their labels are long
("left_eye.apex_of_cornea"): drawn as they are, they pile into an unreadable
smear. Points closer than a label's height on screen share one label, the
first one's, with "+N" for the others ("12 +3" says what is there); a label
that would overlap one already placed, for a point further away, is left out
(the hover card names every point). The layout is redone at every paint, in
device pixels, so zooming in brings the labels back one by one.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

#: Points within this many device pixels of a labelled one (both ways) share its label: about a label's height.
LABEL_CELL_PX = 12


def label_spots(device_xy: np.ndarray, labels, text_width: Callable[[str], float],
                offset: tuple[float, float] = (0.0, 0.0)) -> list[tuple[int, str]]:
    """(point index, text) of the labels to draw, given the points' device positions and the text offset."""
    c = LABEL_CELL_PX
    near: dict[tuple[int, int], list[int]] = {}  # grid cell → labelled points in it
    boxes: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}  # grid cell → label rectangles in it
    extra: dict[int, int] = {}  # labelled point → how many nearby points it stands for
    for i in np.flatnonzero(np.isfinite(device_xy).all(axis=1)):
        x, y = device_xy[i]
        cx, cy = int(x // c), int(y // c)
        j = next((j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in near.get((cx + dx, cy + dy), ())
                  if abs(device_xy[j, 0] - x) < c and abs(device_xy[j, 1] - y) < c), None)
        if j is not None:
            extra[j] += 1
            continue
        left, top = x + offset[0], y + offset[1] - c
        rect = (left, top, left + text_width(str(labels[i])), top + c)
        cells = [(gx, gy) for gx in range(int(rect[0] // c), int(rect[2] // c) + 1)
                 for gy in range(int(rect[1] // c), int(rect[3] // c) + 1)]
        if any(_overlap(rect, r) for cell in cells for r in boxes.get(cell, ())):
            continue
        near.setdefault((cx, cy), []).append(int(i))
        for cell in cells:
            boxes.setdefault(cell, []).append(rect)
        extra[int(i)] = 0
    return [(i, str(labels[i]) + (f" +{n}" if n else "")) for i, n in extra.items()]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
