"""One PNG per datapoint in a folder, named by datapoint id."""
from __future__ import annotations

import os
from typing import Callable

from .png import qimage_to_bgr, write_png


def output_name(dp_id: str) -> str:
    """``dg/scene_1/camera_2/visible_01.png`` → ``dg__scene_1__camera_2__visible_01.png.png``.

    The id stays readable and comes back with ``name[:-4].replace("__", "/")`` unless it held ``__``
    itself; characters that are unsafe in file names on some systems become ``%XX``.
    """
    safe = "".join(c if c.isalnum() or c in "._-+=,@ /" else f"%{ord(c):02X}" for c in dp_id)
    return safe.replace("/", "__") + ".png"


class Folder:
    """One PNG per datapoint in ``out``, named by :func:`output_name`."""

    def __init__(self, out: str):
        os.makedirs(out, exist_ok=True)
        self.out = out

    def add(self, dp, image) -> Callable[[], None]:
        bgr = qimage_to_bgr(image)  # Qt stays on this thread; encoding and writing go to a worker
        path = os.path.join(self.out, output_name(dp.id))
        return lambda: write_png(path, bgr)

    def missing(self, dp, why: str) -> None:
        pass

    def finish(self) -> str:
        return self.out
