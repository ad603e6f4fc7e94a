"""The difference mode's content for one datapoint: |A − B| as a prepared image, keypoint displacement
arrows and a summary, computed by core.compare (as ``dgviewer diff`` does) and kept while A and B
stay the same images."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ...core.annotations import KeypointSet
from ...core.compare import (MOVED_PX, DatapointDiff, difference_image, displacements, image_change,
                             keypoint_changes)
from ...core.dataset_diff import describe
from ...core.display import Look, PreparedImage
from ..overlays.prepare import PreparedLayer, RayGeom
from ..workers import PreparedAnnotations


class DifferenceResult(NamedTuple):
    image: PreparedImage | None
    arrows: PreparedLayer | None
    summary: str
    message: str  # why there is no difference image ("" when there is)


class Difference:
    def __init__(self):
        self._inputs: tuple | None = None  # what the result was computed from (held, so compared by identity)
        self._result: DifferenceResult | None = None

    @property
    def image(self) -> PreparedImage | None:
        return self._result.image if self._result else None

    def of(self, modality: str, a: PreparedImage, b: PreparedImage, a_ann: PreparedAnnotations | None,
           b_ann: PreparedAnnotations | None, look: Look) -> DifferenceResult:
        inputs = (modality, a, b, a_ann, b_ann, look)
        if self._inputs is None or any(x is not y for x, y in zip(inputs[:5], self._inputs)) or look != self._inputs[5]:
            self._inputs, self._result = inputs, _compute(modality, a, b, a_ann, b_ann, look)
        return self._result

    def value_at(self, col: float, row: float) -> float:
        img = self.image
        c, r = int(math.floor(col)), int(math.floor(row))
        if img is None or not (0 <= r < img.height and 0 <= c < img.width):
            return float("nan")
        return float(img.raw[r, c])


def _sets(ann: PreparedAnnotations | None) -> dict[str, KeypointSet]:
    return {k.name: k for k in ann.annotations.of_type(KeypointSet)} if ann is not None else {}


def _compute(modality, a, b, a_ann, b_ann, look) -> DifferenceResult:
    image = difference_image(a.raw, b.raw, look)
    message = "" if image is not None else (f"A is {a.width}×{a.height}, B is {b.width}×{b.height}: "
                                            "no pixel difference to show")
    sets_a, sets_b = _sets(a_ann), _sets(b_ann)
    change = image_change(modality, a.raw, b.raw)
    diff = DatapointDiff("", images=[change] if change else [], keypoints=keypoint_changes(sets_a, sets_b))
    arrows = PreparedLayer("displacement")
    for name, ka in sets_a.items():
        kb = sets_b.get(name)
        if kb is None or len(kb) != len(ka):
            continue
        d = displacements(ka, kb)
        with np.errstate(invalid="ignore"):
            moved = np.flatnonzero(np.isfinite(d) & (d > MOVED_PX))
        arrows.rays += [RayGeom(np.asarray(ka.xy[i], np.float64), np.asarray(kb.xy[i], np.float64), "") for i in moved]
    lines = describe(diff)
    summary = "\n".join(lines) if lines else f"identical: no {modality} pixel and no keypoint differs"
    return DifferenceResult(image, arrows if arrows.rays else None, summary, message)
