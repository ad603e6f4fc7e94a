"""The dataset tree every format maps onto: Dataset → Scene → Camera → Datapoint.

Nodes are built by a reader from a cheap index (directory listings and small
JSON); nothing here decodes an image. A datapoint's pixels and annotations are
read on demand through its reader, from any thread.

Slicing, indexing, iteration and ``len`` follow the Datagen SDK's names so
notebooks written against ``dg.load`` port by changing the import (minus the
SDK's off-by-one slicing bugs).

A Dataset's index streams (see :class:`~dgviewer.core.dataset.Dataset`). Nodes use ``__slots__`` and share what
datapoints have in common: a million of them must fit in a viewer's memory.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Iterator, Sequence


if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .annotations import Annotations
    from .camera import CameraModel

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

    __slots__ = ()

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


class _Meta:
    """A lazily created ``meta`` dict: most nodes of a big dataset never get one."""

    __slots__ = ()

    @property
    def meta(self) -> dict[str, Any]:
        """Cheap facts for filters and the tree (from the index, never from images)."""
        if self._meta is None:
            self._meta = {}
        return self._meta


class Camera(_Meta, _ListNode):
    __slots__ = ("name", "scene", "path", "_meta", "_datapoints", "files")

    def __init__(self, name: str, scene: Scene, path: str | None = None, meta: dict | None = None):
        self.name = name
        self.scene = scene
        self.path = path
        self._meta = meta
        self._datapoints: list[Datapoint] = []
        #: Names in its folder when listed, for readers that keep them here rather than per datapoint.
        self.files: frozenset[str] | None = None

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


class Scene(_Meta, _ListNode):
    __slots__ = ("name", "dataset_name", "path", "_meta", "cameras", "files")

    def __init__(self, name: str, dataset_name: str, path: str | None = None, meta: dict | None = None):
        self.name = name
        self.dataset_name = dataset_name
        self.path = path
        self._meta = meta
        self.cameras: list[Camera] = []
        #: Names in its folder when listed (see Camera.files).
        self.files: frozenset[str] | None = None

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


#: Guards every datapoint's problem list: problems are rare, a lock per datapoint would cost 1M locks.
_PROBLEMS_LOCK = threading.Lock()


class Datapoint(_Meta):
    """One image of one camera at one moment (and one lighting).

    Format readers subclass this and implement :meth:`_read` and
    :meth:`_annotations`; the public methods add caching and problem bookkeeping.
    """

    # __dict__ only comes into being when something sets an attribute of its own (a reader's subclass, a test).
    __slots__ = ("id", "camera_node", "name", "label", "modalities", "_meta", "_problems", "__weakref__", "__dict__")

    #: Reader name, e.g. "datagen" or "perception-solo".
    format: str = ""

    def __init__(self, id: str, camera: Camera, name: str, modalities: Sequence[str], meta: dict | None = None):
        self.id = id
        self.camera_node = camera
        self.name = name
        #: What the tree shows; a reader sets it when names repeat under one camera (sequence frames).
        self.label = name
        #: Modalities whose files the index saw (a listed file can still fail to decode).
        self.modalities: tuple[str, ...] = modalities if type(modalities) is tuple else tuple(modalities)
        self._meta = meta
        self._problems: list[Problem] | None = None

    # -- identity -------------------------------------------------------------
    @property
    def scene_node(self) -> Scene:
        return self.camera_node.scene

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"

    # -- problems -------------------------------------------------------------
    @property
    def problems(self) -> list[Problem]:
        with _PROBLEMS_LOCK:
            return list(self._problems or ())

    def add_problem(self, file: str | None, message: str, check: str | None = None) -> None:
        with _PROBLEMS_LOCK:
            p = Problem(self.id, file, message, check)
            if self._problems is None:
                self._problems = [p]
            elif p not in self._problems:
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

    def camera_model(self) -> "CameraModel | None":
        """World → camera → pixel geometry of this image (what its annotations were projected with), or None
        when the format or the datapoint has no camera pose. May raise DataError."""
        return None

    # -- for readers ----------------------------------------------------------
    def _read(self, modality: str) -> "np.ndarray | None":
        raise NotImplementedError

    def _annotations(self) -> "Annotations":
        raise NotImplementedError

    def _metadata(self) -> dict:
        return {}




from .dataset import Dataset  # noqa: E402  (it builds on the nodes above; importers find it here too)
