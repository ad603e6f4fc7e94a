"""A third format for tests: a folder of PNGs with one COCO-keypoints ``annotations.json``.

It lives outside dgviewer on purpose: registering it must be all a new format needs
(its layers, checks and facts are declared here and nowhere else).
"""
from __future__ import annotations

import json
import os
from typing import Iterator

import cv2
import numpy as np

from dgviewer.core.annotations import Annotations, KeypointSet
from dgviewer.core.checks import CheckContext
from dgviewer.core.errors import DataError
from dgviewer.core.findings import ERROR, Check
from dgviewer.core.imaging import read_png
from dgviewer.core.jsonio import read_json
from dgviewer.core.layers import LayerSpec
from dgviewer.core.model import Datapoint, Scene
from dgviewer.formats.base import IndexContext, Reader

LAYER = LayerSpec("coco", "COCO keypoints with skeleton", (255, 0, 255), visible=True, marker_size=7.0,
                  key="J", group="COCO keypoints")


class CocoDatapoint(Datapoint):
    format = "coco-keypoints"

    def __init__(self, id, camera, name, path: str, record: dict, category: dict):
        super().__init__(id, camera, name, ["visible"], {"category": category["name"]})
        self._path, self._record, self._category = path, record, category

    def file(self, modality: str) -> str | None:
        return self._path if modality == "visible" else None

    def _read(self, modality: str) -> np.ndarray:
        return read_png(self._path)

    def _annotations(self) -> Annotations:
        out = Annotations()
        names = self._category["keypoints"]
        for n, ann in enumerate(self._record["annotations"]):
            kp = np.asarray(ann["keypoints"], dtype=float).reshape(-1, 3)
            out.add(KeypointSet("coco", f"{self._category['name']} {n}", names[:len(kp)], kp[:, :2],
                                visible=kp[:, 2] == 2, edges=[(a - 1, b - 1) for a, b in self._category["skeleton"]]))
        return out

    def _metadata(self) -> dict:
        return {"image": self._record["image"], "annotations": self._record["annotations"]}

    def facts(self, keys) -> dict[str, list]:
        if "labelled" not in keys:
            return {}
        return {"labelled": [sum(v > 0 for v in a["keypoints"][2::3]) for a in self._record["annotations"]]}


class CocoReader(Reader):
    name = "coco-keypoints"
    hint = "a COCO-keypoints annotations.json beside its images"
    layers = (LAYER,)
    facts = {"labelled": "number of labelled keypoints of an annotation"}
    checks = (Check("coco-count", ERROR, "num_keypoints disagrees with the keypoints labelled"),)

    @classmethod
    def check(cls, ctx: CheckContext) -> None:
        for a in ctx.dp._record["annotations"]:
            labelled = sum(v > 0 for v in a["keypoints"][2::3])
            if a.get("num_keypoints") != labelled:
                ctx.out.add("coco-count", f"annotation {a['id']}: num_keypoints {a.get('num_keypoints')}, "
                                          f"{labelled} labelled", layer="coco")

    @classmethod
    def detect(cls, root: str) -> bool:
        return os.path.isfile(os.path.join(root, "annotations.json"))

    def index(self, ctx: IndexContext) -> Iterator[Scene]:
        path = os.path.join(ctx.root, "annotations.json")
        coco = read_json(path)
        if not isinstance(coco, dict) or "images" not in coco:
            raise DataError(path, "expected a COCO object with images")
        category = coco["categories"][0]
        scene = Scene("images", ctx.dataset_name, ctx.root)
        camera = scene.camera("camera", ctx.root)
        for image in coco["images"]:
            record = {"image": image, "annotations": [a for a in coco["annotations"] if a["image_id"] == image["id"]]}
            name = image["file_name"]
            camera.add(CocoDatapoint(f"{ctx.dataset_name}/{name}", camera, name, os.path.join(ctx.root, name),
                                     record, category))
        yield scene


#: Where write_coco_sample puts the points: (image name, [(x, y, v)]) — column, row in pixels.
POINTS = {
    "a.png": [(20, 30, 2), (60, 30, 2), (40, 70, 2)],
    "b.png": [(90, 20, 2), (30, 90, 1), (70, 70, 2)],
}
SIZE = 128


def write_coco_sample(root: str, outside: bool = False, miscount: bool = False) -> str:
    """Two grey PNGs and their keypoints; ``outside`` puts a visible point of b.png off the image,
    ``miscount`` gives b.png's annotation a wrong num_keypoints."""
    os.makedirs(root, exist_ok=True)
    images, annotations = [], []
    for i, (name, pts) in enumerate(POINTS.items(), start=1):
        cv2.imwrite(os.path.join(root, name), np.full((SIZE, SIZE, 3), 64, np.uint8))
        images.append({"id": i, "file_name": name, "width": SIZE, "height": SIZE})
        if outside and name == "b.png":
            pts = [(SIZE + 40, 20, 2)] + pts[1:]
        annotations.append({"id": i, "image_id": i, "category_id": 1,
                            "keypoints": [v for p in pts for v in p],
                            "num_keypoints": len(pts) + (1 if miscount and name == "b.png" else 0)})
    categories = [{"id": 1, "name": "person", "keypoints": ["left_eye", "right_eye", "nose"],
                   "skeleton": [[1, 2], [2, 3], [3, 1]]}]
    with open(os.path.join(root, "annotations.json"), "w") as f:
        json.dump({"images": images, "annotations": annotations, "categories": categories}, f)
    return root
