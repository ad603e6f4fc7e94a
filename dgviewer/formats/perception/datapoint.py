"""What SOLO and legacy captures share once indexed: decoding, guarded conversion, metrics.

A capture's JSON record is re-read on demand through the per-path JSON cache
(the index keeps only file names and cheap facts), and every conversion runs
under a guard: a malformed annotation becomes a problem plus a
:class:`RawAnnotation`, never an exception out of ``annotations()``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...core import storage
from ...core.annotations import Annotations, Metric, RawAnnotation
from ...core.camera import CameraModel
from ...core.errors import DataError
from ...core.imaging import exr_rgb, exr_single, read_image
from ...core.model import MODALITIES, Camera, Datapoint
from . import convert
from .definitions import Definitions
from .facts import RECORD_FACTS, record_facts
from .geometry import UNITY_TO_CV


class PerceptionDatapoint(Datapoint):
    """One sensor's capture at one step of one sequence.

    ``meta`` holds: ``sequence``, ``step``, ``timestamp`` (seconds since the
    sequence began, None when the data has none), ``sensor``, ``position`` and
    ``rotation`` (the sensor's world pose, Unity axes, quaternion x,y,z,w) and
    ``annotations`` (layer / type names present, for ``dgviewer info``); SOLO adds ``frame``.
    """

    def __init__(self, id: str, camera: Camera, name: str, files: dict[str, str], meta: dict, cache,
                 definitions: Definitions):
        super().__init__(id, camera, name, [m for m in MODALITIES if m in files], meta)
        self._files = files
        self._cache = cache
        #: The dataset's definition tables, as the reader read them while indexing.
        self.definitions = definitions

    def file(self, modality: str) -> str | None:
        """Absolute path of the file behind ``modality``."""
        return self._files.get(modality)

    # -- pixels ---------------------------------------------------------------
    def _read(self, modality: str) -> np.ndarray | None:
        path = self._files[modality]
        try:
            return self._cache.get_or_load(("perception", modality, path), lambda: _decode(modality, path))
        except DataError as e:
            self.add_problem(e.file, e.message)
            if not storage.exists(path):  # gone since indexing: no image, not a crash
                return None
            raise

    # -- annotations ----------------------------------------------------------
    def _annotations(self) -> Annotations:
        out = Annotations()
        with out.guard(self, "capture record", self.record_file()):  # e.g. the capture's own JSON is unreadable
            self._convert(out)
        out.items.extend(self.metrics())
        return out

    def guarded(self, out: Annotations, name: str, type_: str, raw, build: Callable[[], list]) -> None:
        """Add ``build()``'s items; on a malformed value, a problem and the raw annotation instead."""
        with out.guard(self, f"annotation {name!r} ({type_})", self.record_file(), RawAnnotation(name, type_, raw)):
            out.items.extend(build())

    def facts(self, keys) -> dict[str, list]:
        return record_facts(self._kinds(), keys) if not RECORD_FACTS.isdisjoint(keys) else {}

    def camera_model(self) -> CameraModel | None:
        """World → OpenCV camera and pixels for this capture, or None (no matrix, fisheye, unreadable)."""
        try:
            return self._camera_model()
        except DataError as e:
            self.add_problem(e.file, e.message)
        except (ValueError, KeyError, TypeError, IndexError):
            pass
        return None

    def metrics(self) -> list[Metric]:
        """Metrics that concern this capture: its own, its step's, its sequence's and the simulation's.

        They are also the :class:`Metric` items of :meth:`annotations`.
        """
        try:
            return self._metrics()
        except DataError as e:
            self.add_problem(e.file, e.message)
            return []

    def _boxes3d(self, a: dict) -> list:
        """A 3D-box annotation's values projected through this capture's camera."""
        values = convert.values_of(a)
        if not values:
            return []
        cam = self._camera_model()
        if cam is None:
            raise ValueError("the capture has no camera matrix, image size or pose that maps to pixels (fisheye?)")
        return convert.boxes3d(values, cam)

    # -- for the two readers --------------------------------------------------
    def record_file(self) -> str | None:
        """The JSON file holding this capture's record."""
        raise NotImplementedError

    def referenced(self, name) -> str | None:
        """The existing file inside the dataset a ``filename`` of this capture names; None when refused or absent."""
        raise NotImplementedError

    def _kinds(self) -> list[tuple[str | None, dict]]:
        """The capture's annotations with what each is (see convert.SOLO_KINDS; None: custom or unknown)."""
        raise NotImplementedError

    def _convert(self, out: Annotations) -> None:
        raise NotImplementedError

    def _camera_model(self) -> CameraModel | None:
        raise NotImplementedError

    def _metrics(self) -> list[Metric]:
        raise NotImplementedError


def metric_values(record: dict):
    """``values`` (objects, bare scalars, or the prototype's single object) or a scalar ``value``."""
    return record["values"] if "values" in record else record.get("value")


def _decode(modality: str, path: str) -> np.ndarray:
    if modality == "depth":
        depth = exr_single(path).astype(np.float32, copy=True)
        depth[depth <= 0] = np.nan  # no surface: nothing is ever at or behind the camera
        return depth
    if modality in ("normals", "pixel_position"):
        v = exr_rgb(path) @ UNITY_TO_CV.astype(np.float32)  # Unity camera-local (y up) → OpenCV (y down)
        v[~np.any(v != 0, axis=2)] = np.nan  # a zero vector marks background
        return v.astype(np.float32, copy=False)
    return read_image(path)
