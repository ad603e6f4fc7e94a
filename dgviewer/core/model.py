"""The dataset tree every format maps onto: Dataset → Scene → Camera → Datapoint.

Nodes are built by a reader from a cheap index (directory listings and small
JSON); nothing here decodes an image. A datapoint's pixels and annotations are
read on demand through its reader, from any thread.

Slicing, indexing, iteration and ``len`` follow the Datagen SDK's names so
notebooks written against ``dg.load`` port by changing the import (minus the
SDK's off-by-one slicing bugs).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Iterator, Sequence

from .layers import LayerCatalog

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .annotations import Annotations

#: Canonical modality names, in the order the viewer's switcher shows them.
MODALITIES = ("visible", "infrared", "depth", "normals", "segmentation", "hdri", "instance", "pixel_position")


def unique_name(base: str, used: set[str]) -> str:
    """``base``, or ``base#2``, ``#3``... when taken; records the result in ``used``.

    Keeps ids unique when two merged folders share a name, or a sensor captured twice in one step.
    """
    out, n = base, 2
    while out in used:
        out, n = f"{base}#{n}", n + 1
    used.add(out)
    return out


@dataclass(frozen=True)
class Problem:
    """Something wrong with one datapoint (or with the dataset when datapoint is None)."""

    datapoint: str | None
    file: str | None
    message: str
    check: str | None = None  # the QA check it is a finding of, when the reader knows (else judged from the file)

    def as_dict(self) -> dict:
        return {"datapoint": self.datapoint, "file": self.file, "message": self.message}


class _ListNode:
    """List behaviour shared by Dataset, Scene and Camera: datapoints in tree order."""

    def _datapoint_list(self) -> list[Datapoint]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Datapoint]:
        return iter(self._datapoint_list())

    def __len__(self) -> int:
        return len(self._datapoint_list())

    def __getitem__(self, key: int | slice) -> Datapoint | list[Datapoint]:
        # Plain list semantics: negative indices wrap, slices include the last item.
        return self._datapoint_list()[key]

    @property
    def datapoints(self) -> list[Datapoint]:
        return list(self._datapoint_list())


class Camera(_ListNode):
    def __init__(self, name: str, scene: Scene, path: str | None = None, meta: dict | None = None):
        self.name = name
        self.scene = scene
        self.path = path
        #: Cheap facts for filters and the tree (from the index, never from images).
        self.meta: dict[str, Any] = meta or {}
        self._datapoints: list[Datapoint] = []

    @property
    def scene_path(self) -> str | None:
        return self.scene.path

    def _datapoint_list(self) -> list[Datapoint]:
        return self._datapoints

    def add(self, dp: Datapoint) -> Datapoint:
        self._datapoints.append(dp)
        return dp

    def __repr__(self) -> str:
        return f"<Camera {self.name!r} datapoints={len(self._datapoints)}>"


class Scene(_ListNode):
    def __init__(self, name: str, dataset_name: str, path: str | None = None, meta: dict | None = None):
        self.name = name
        self.dataset_name = dataset_name
        self.path = path
        self.meta: dict[str, Any] = meta or {}
        self.cameras: list[Camera] = []

    def camera(self, name: str, path: str | None = None, meta: dict | None = None) -> Camera:
        """The camera called ``name``, created on first use."""
        for cam in self.cameras:
            if cam.name == name:
                return cam
        cam = Camera(name, self, path, meta)
        self.cameras.append(cam)
        return cam

    def _datapoint_list(self) -> list[Datapoint]:
        return [dp for cam in self.cameras for dp in cam._datapoints]

    def __repr__(self) -> str:
        return f"<Scene {self.name!r} cameras={len(self.cameras)}>"


class Datapoint:
    """One image of one camera at one moment (and one lighting).

    Format readers subclass this and implement :meth:`_read` and
    :meth:`_annotations`; the public methods add caching and problem bookkeeping.
    """

    #: Reader name, e.g. "datagen" or "perception-solo".
    format: str = ""

    def __init__(self, id: str, camera: Camera, name: str, modalities: Sequence[str], meta: dict | None = None):
        self.id = id
        self.camera_node = camera
        self.name = name
        #: What the tree shows; a reader sets it when names repeat under one camera (sequence frames).
        self.label = name
        #: Modalities whose files the index saw (a listed file can still fail to decode).
        self.modalities: tuple[str, ...] = tuple(modalities)
        #: Cheap facts for filters (environment entry, frame number, ...).
        self.meta: dict[str, Any] = meta or {}
        self._problems: list[Problem] = []
        self._lock = threading.Lock()

    # -- identity -------------------------------------------------------------
    @property
    def scene_node(self) -> Scene:
        return self.camera_node.scene

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"

    # -- problems -------------------------------------------------------------
    @property
    def problems(self) -> list[Problem]:
        with self._lock:
            return list(self._problems)

    def add_problem(self, file: str | None, message: str, check: str | None = None) -> None:
        with self._lock:
            p = Problem(self.id, file, message, check)
            if p not in self._problems:
                self._problems.append(p)

    # -- data -----------------------------------------------------------------
    def read(self, modality: str) -> "np.ndarray | None":
        """The exact pixels of ``modality``, or None when this datapoint has none.

        visible/infrared: uint8 or uint16 H×W×3 (×4 with a transparent background);
        depth: float32 H×W in metres with the background as NaN;
        normals: float32 H×W×3 unit vectors in the OpenCV camera frame
        (x right, y down, z forward), background NaN;
        segmentation: the stored colours (uint16/uint8 H×W×3 or ×4, float for legacy EXR);
        instance: the stored instance image;
        pixel_position: float32 H×W×3 camera-to-surface vectors in metres in the
        same OpenCV camera frame, background NaN (Unity Perception). Raises :class:`DataError` when a
        file exists but cannot be decoded.
        """
        if modality not in self.modalities:
            return None
        return self._read(modality)

    def prefetch(self, modality: str) -> None:
        """Decode ``modality`` into the cache ahead of a read (core/traversal.py); readers may skip conversions."""
        self.read(modality)

    def annotations(self) -> "Annotations":
        """Everything drawable on this datapoint, in pixel (column, row) from the top-left."""
        return self._annotations()

    def metadata(self) -> dict:
        """The datapoint's raw metadata as a JSON-like tree (for the inspector)."""
        return self._metadata()

    def file(self, modality: str) -> str | None:
        """Path of the file behind ``modality``, or None (no such modality, or not file-backed)."""
        return None

    def facts(self, keys: Collection[str]) -> dict[str, list]:
        """Values of the filterable facts ``keys`` its reader declares (``Reader.facts``), computed on demand.

        A key the datapoint answers (even with ``[]``) is final for filters; a key it leaves out falls back
        to the cheap ``meta`` and then the full metadata. It may also return keys it was not asked for
        that the same file read yielded (filters keep them). A key it has no fact for must cost no file
        read (filters ask again, rather than keep a note per datapoint). May raise DataError.
        """
        return {}

    # -- for readers ----------------------------------------------------------
    def _read(self, modality: str) -> "np.ndarray | None":
        raise NotImplementedError

    def _annotations(self) -> "Annotations":
        raise NotImplementedError

    def _metadata(self) -> dict:
        return {}


class Dataset(_ListNode):
    """Several folders (of any supported formats) merged into one tree."""

    #: Datapoints a loop over it decodes ahead (``load(readahead=)``; None: two per core, 0: off).
    readahead: int | None = None

    def __init__(self, scenes: list[Scene], roots: list[str], formats: list[str], problems: list[Problem] | None = None,
                 layers: LayerCatalog | None = None, fact_keys: dict[str, str] | None = None):
        self.scenes = scenes
        self.roots = roots
        self.formats = formats
        #: Problems found while indexing that belong to no single datapoint.
        self.index_problems: list[Problem] = problems or []
        #: The overlay layers its readers declare (look, default visibility, toggle keys).
        self.layers = layers if layers is not None else LayerCatalog()
        #: The filterable facts its readers declare: key → description (for the filter box's help).
        self.fact_keys: dict[str, str] = fact_keys or {}
        self._flat: list[Datapoint] | None = None
        self._by_id: dict[str, int] | None = None

    def _datapoint_list(self) -> list[Datapoint]:
        if self._flat is None:
            self._flat = [dp for s in self.scenes for c in s.cameras for dp in c._datapoints]
        return self._flat

    def __iter__(self) -> Iterator[Datapoint]:
        return self.iter()

    def iter(self, readahead: int | None = None, modalities: Collection[str] | None = None) -> Iterator[Datapoint]:
        """The datapoints in tree order, the next ``readahead`` decoding ``modalities`` in threads (core/traversal.py)."""
        from .traversal import traverse

        return traverse(self._datapoint_list(), self.readahead if readahead is None else readahead, modalities)

    @property
    def cameras(self) -> list[Camera]:
        return [c for s in self.scenes for c in s.cameras]

    def _positions(self) -> dict[str, int]:
        if self._by_id is None:
            self._by_id = {dp.id: i for i, dp in enumerate(self._datapoint_list())}
        return self._by_id

    def get(self, id: str) -> Datapoint | None:
        """The datapoint with this stable id, or None."""
        i = self._positions().get(id)
        return None if i is None else self._datapoint_list()[i]

    def index_of(self, dp: Datapoint) -> int:
        """Position of ``dp`` in tree order (what next/previous navigation walks)."""
        return self._positions()[dp.id]

    @property
    def problems(self) -> list[Problem]:
        """Index problems plus every problem recorded on a datapoint so far."""
        out = list(self.index_problems)
        for dp in self._datapoint_list():
            out.extend(dp.problems)
        return out

    def __repr__(self) -> str:
        return f"<Dataset {', '.join(self.roots)} scenes={len(self.scenes)} datapoints={len(self)}>"
