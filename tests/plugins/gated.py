"""A test format whose listing can be held: it yields ``free`` scenes, then waits on ``GatedReader.gate``
before each further one, so a test sees a dataset part-way through its listing.

A folder holds ``gated.json`` ({"scenes": N, "free": K}) and one ``image.png`` every datapoint shows;
each scene has one camera of two datapoints.
"""
from __future__ import annotations

import json
import os
import threading
from typing import Iterator

import cv2
import numpy as np

from dgviewer.core.annotations import Annotations
from dgviewer.core.imaging import read_png
from dgviewer.core.jsonio import read_json
from dgviewer.core.model import Datapoint, Scene
from dgviewer.formats.base import IndexContext, Reader

PER_SCENE = 2
SIZE = 64


class GatedDatapoint(Datapoint):
    format = "gated"

    def __init__(self, id, camera, name, path: str):
        super().__init__(id, camera, name, ("visible",))
        self._path = path

    def file(self, modality: str) -> str | None:
        return self._path if modality == "visible" else None

    def _read(self, modality: str) -> np.ndarray:
        return read_png(self._path)

    def _annotations(self) -> Annotations:
        return Annotations()


class GatedReader(Reader):
    name = "gated"
    hint = "a gated.json test folder"
    #: Set to let the listing go past the free scenes; a test clears it first and sets it before it ends.
    gate = threading.Event()
    #: Scenes listed so far by any index (tests wait on it).
    listed = 0

    @classmethod
    def detect(cls, root: str) -> bool:
        return os.path.isfile(os.path.join(root, "gated.json"))

    def index(self, ctx: IndexContext) -> Iterator[Scene]:
        spec = read_json(os.path.join(ctx.root, "gated.json"))
        ctx.expected = spec["scenes"]
        image = os.path.join(ctx.root, "image.png")
        for s in range(spec["scenes"]):
            if s >= spec["free"]:
                type(self).gate.wait()
            scene = Scene(f"scene_{s:03d}", ctx.dataset_name, ctx.root)
            camera = scene.camera("cam", ctx.root)
            for k in range(PER_SCENE):
                name = f"frame_{k}"
                camera.add(GatedDatapoint(f"{ctx.dataset_name}/scene_{s:03d}/cam/{name}", camera, name, image))
            type(self).listed += 1
            yield scene


def write_gated(root: str, scenes: int, free: int) -> str:
    os.makedirs(root, exist_ok=True)
    cv2.imwrite(os.path.join(root, "image.png"), np.full((SIZE, SIZE, 3), 90, np.uint8))
    with open(os.path.join(root, "gated.json"), "w") as f:
        json.dump({"scenes": scenes, "free": free}, f)
    return root
