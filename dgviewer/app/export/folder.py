"""One PNG per datapoint in a folder, named by datapoint id."""
from __future__ import annotations

import hashlib
import os
from typing import Callable

from .png import qimage_to_bgr, write_png


#: File names longer than this many bytes are refused by most filesystems.
MAX_NAME_BYTES = 255


def output_name(dp_id: str) -> str:
    """``dg/scene_1/camera_2/visible_01.png`` → ``dg__scene_1__camera_2__visible_01.png``.

    The id stays readable: ``/`` becomes ``__``, ``.png`` is added when the id does not end in it
    (``…/step3`` → ``…__step3.png``), and characters unsafe in file names on some systems become
    ``%XX``. An id too long for a file name keeps its start and end around a hash of the whole.
    """
    safe = "".join(c if c.isascii() and c.isalnum() or c in "._-+=,@ /" else f"%{ord(c):02X}" for c in dp_id).replace("/", "__")
    name = safe if safe.lower().endswith(".png") else safe + ".png"
    if len(name.encode()) > MAX_NAME_BYTES:
        digest = hashlib.sha256(dp_id.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        name = f"{name[:100]}~{digest}~{name[-100:]}"
    return name


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
