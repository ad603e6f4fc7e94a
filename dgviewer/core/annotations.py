"""The canonical, drawable annotation model shared by every format.

All 2D geometry is pixel (column, row) measured from the image's top-left
corner; readers convert their own conventions (Datagen's row-first points,
Unity's projection matrices) into this once. Every item carries ``layer``:
the overlay name the viewer's layer panel and ``dgviewer render --overlays``
use to toggle it; how a layer looks is declared by its reader
(:mod:`dgviewer.core.layers`).
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from .errors import DataError

#: What a builder raises on a value of the wrong shape (a missing key, a string where a number belongs, ...).
#: (OverflowError: ``int()`` of an infinite number; RecursionError: a walk down a value nested ~1000 deep, which
#: orjson parses.)
MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RecursionError)
from .display import class_of


@dataclass(eq=False)
class KeypointSet:
    """Named points, e.g. iBUG-68 or a body skeleton."""

    layer: str
    name: str  # e.g. "face.standard", "hand.left", "person 3"
    labels: list[str]  # one per point: "1".."68", "shoulder.left", ...
    xy: np.ndarray  # (N, 2) float, column,row
    xyz: np.ndarray | None = None  # (N, 3) world coordinates
    visible: np.ndarray | None = None  # (N,) bool; None when the format has no visibility
    state: np.ndarray | None = None  # (N,) int, Unity's 0/1/2 where present
    edges: list[tuple[int, int]] = field(default_factory=list)
    edge_colors: list[tuple[int, int, int, int]] | None = None
    colors: list[tuple[int, int, int, int]] | None = None  # per point RGBA

    def __len__(self) -> int:
        return len(self.labels)

    def describe(self, i: int) -> dict:
        """The facts the hover card shows for point ``i``."""
        d: dict[str, Any] = {
            "set": self.name,
            "index": i,
            "label": self.labels[i],
            "column": float(self.xy[i, 0]),
            "row": float(self.xy[i, 1]),
        }
        if self.xyz is not None:
            d["xyz"] = [float(v) for v in self.xyz[i]]
        if self.visible is not None:
            d["visible"] = bool(self.visible[i])
        if self.state is not None:
            d["state"] = int(self.state[i])
        return d


@dataclass(eq=False)
class Polyline:
    """An outline such as an iris circle (closed) or a projected 3D box edge list."""

    layer: str
    name: str
    xy: np.ndarray  # (N, 2) column,row
    closed: bool = True


@dataclass(eq=False)
class Ray:
    """A 3D ray projected to the image, e.g. a gaze axis."""

    layer: str
    name: str  # "right_eye.visual_axis"
    start_xy: np.ndarray  # (2,) column,row
    end_xy: np.ndarray  # (2,)
    start_xyz: np.ndarray | None = None
    direction: np.ndarray | None = None  # world unit vector
    kind: str = ""  # "visual" or "optical"


@dataclass(eq=False)
class Box2D:
    layer: str
    label: str
    x0: float  # left column
    y0: float  # top row
    x1: float  # right column (exclusive edge)
    y1: float  # bottom row
    instance_id: int | None = None
    label_id: int | None = None

    def __post_init__(self):
        # A box has no "missing corner" to mark (unlike a keypoint's NaN): one that is not finite is damage,
        # refused here so its builder's guard reports it and drawing code never gets it.
        if not all(math.isfinite(v) for v in (self.x0, self.y0, self.x1, self.y1)):
            raise ValueError(f"{self.label} box corners are not finite: "
                             f"{self.x0}, {self.y0}, {self.x1}, {self.y1}")


@dataclass(eq=False)
class Box3D:
    """A 3D box drawn as 12 projected edges between 8 corners."""

    layer: str
    label: str
    corners_xy: np.ndarray  # (8, 2) column,row
    corners_xyz: np.ndarray  # (8, 3) in the camera frame
    instance_id: int | None = None
    label_id: int | None = None

    #: Corner index pairs for the 12 edges (corners ordered as in :func:`box_corners`).
    EDGES = ((0, 1), (1, 3), (3, 2), (2, 0), (4, 5), (5, 7), (7, 6), (6, 4), (0, 4), (1, 5), (2, 6), (3, 7))


@dataclass(frozen=True)
class SegClass:
    name: str  # class path, e.g. "human.head.nose.left"
    color: tuple  # exact stored colour (uint16/uint8 values, or floats for legacy EXR)
    label_id: int | None = None
    instance_id: int | None = None  # for instance-segmentation legends (one class per object)


@dataclass(eq=False)
class SegmentationLegend:
    """Which exact colour of a segmentation image means which class."""

    layer: str  # "segmentation" or "instances"
    modality: str  # the image it describes
    classes: list[SegClass]

    def lookup(self, color) -> SegClass | None:
        """The class of one stored colour (None: not in the legend), by the key the viewer and QA use."""
        return class_of(self, color)


@dataclass(eq=False)
class Metric:
    """A per-capture / step / sequence measurement (Unity metrics) or any named value."""

    name: str
    scope: str  # "capture", "annotation", "step", "sequence" or "simulation"
    values: Any
    description: str = ""


@dataclass(eq=False)
class RawAnnotation:
    """An annotation the model has no drawable type for, kept with its raw values."""

    name: str
    type: str
    values: Any


@dataclass(eq=False)
class Annotations:
    items: list = field(default_factory=list)
    #: Annotation-level problems (e.g. a keypoint file that failed to parse).
    errors: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item) -> None:
        self.items.append(item)

    @contextmanager
    def guard(self, dp, item: str, file: str | None = None, fallback=None) -> Iterator[None]:
        """Build one annotation item (``item`` names it, ``file`` holds it) inside this block.

        An unreadable file or a malformed value ends the block without an exception: the error goes to
        :attr:`errors` with the item and the file, a problem to ``dp`` and ``fallback`` (e.g. the raw
        annotation) into the items. A file's problem is its own message, so several items needing one
        broken file make one problem, the one the reader recorded on reading it.
        """
        kept = "; kept raw" if fallback is not None else ""
        try:
            yield
        except DataError as e:
            file, why = e.file, e.detail
            problem = why
        except MALFORMED as e:
            why = f"malformed ({type(e).__name__}: {e})"
            problem = f"{item}: {why}{kept}"
        else:
            return
        self.errors.append(f"{item}: {file + ': ' if file else ''}{why}{kept}")
        dp.add_problem(file, problem)
        if fallback is not None:
            self.add(fallback)

    def by_layer(self, layer: str) -> list:
        return [a for a in self.items if getattr(a, "layer", None) == layer]

    def of_type(self, cls) -> list:
        return [a for a in self.items if isinstance(a, cls)]

    @property
    def layers(self) -> list[str]:
        """Layer names present, in the order items first use them (panels order them by the catalogue)."""
        return list(dict.fromkeys(a.layer for a in self.items if getattr(a, "layer", None)))

    def keypoint_set(self, name: str) -> KeypointSet | None:
        for a in self.items:
            if isinstance(a, KeypointSet) and a.name == name:
                return a
        return None

    def legend(self, modality: str = "segmentation") -> SegmentationLegend | None:
        for a in self.items:
            if isinstance(a, SegmentationLegend) and a.modality == modality:
                return a
        return None
