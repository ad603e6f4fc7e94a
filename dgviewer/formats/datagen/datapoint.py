"""A Datagen datapoint: canonical reads for the viewer plus the SDK's attribute names.

Files are looked up camera folder → frame folder → scene folder, first hit
wins (spec §2.5), using the directory listings taken while indexing.
"""
from __future__ import annotations

import functools
import os

import numpy as np

from ...core import imaging, storage
from ...core.annotations import MALFORMED, Annotations
from ...core.cache import ByteCache
from ...core.errors import DataError
from ...core.jsonio import read_json
from ...core.model import Camera, Datapoint
from . import canonical as ann
from . import sdk_view
from .facts import annotation_names
from .facts import facts as datagen_facts
from .keypoints import read_keypoints, stamps

#: Depth at or above this is background: 65504 is the HALF maximum, FLOAT files use 1e10.
DEPTH_BACKGROUND = 65000.0

#: Canonical modality → file names to try, in order.
MODALITY_FILES = {
    "infrared": ("infrared_spectrum.png",),
    "depth": ("depth.exr",),
    "normals": ("normal_maps.exr",),
    "segmentation": ("semantic_segmentation.png", "semantic_segmentation.exr"),
    "hdri": ("hdri_map.exr",),
}


class Folder:
    """A folder path with the names it held when the dataset was indexed."""

    __slots__ = ("path", "names")

    def __init__(self, path: str, names: frozenset[str]):
        self.path = path
        self.names = names


def modalities_of(image_name: str, folders: tuple[Folder, ...]) -> tuple[str, ...]:
    """The modalities a datapoint of ``image_name`` has, by the files its lookup ``folders`` hold."""
    found = []
    if not image_name.startswith("infrared") and image_name in folders[0].names:
        found.append("visible")
    for mod, names in MODALITY_FILES.items():
        if any(n in f.names for f in folders for n in names):
            found.append(mod)
    return tuple(found)


class DatagenDatapoint(Datapoint):
    # A million of these must fit in a viewer: slots, and the environment entry and file-name sets shared.
    __slots__ = ("_own_folders", "_env", "_hic", "_cache", "frame_num")
    format = "datagen"

    def __init__(self, id: str, camera: Camera, image_name: str, env: dict, folders: tuple[Folder, ...] | None,
                 hic: bool, frame_num: int, cache: ByteCache, modalities: tuple[str, ...] | None = None):
        # None: the camera's and the scene's folders, their names kept on those nodes (an identities
        # dataset has a scene and a camera per datapoint: 180 bytes a datapoint less than Folder objects).
        self._own_folders = folders
        self._env = env  # shared between datapoints with equal entries: read only
        self._hic = hic
        self._cache = cache
        self.frame_num = frame_num
        super().__init__(id, camera, image_name, modalities if modalities is not None else ())
        if modalities is None:
            self.modalities = modalities_of(image_name, self._folders)
        if hic:  # a camera's frames all hold the same file names
            self.label = f"frame {frame_num:03d} · {image_name}"

    @property
    def visible_spectrum_image_name(self) -> str:
        return self.name

    @property
    def meta(self) -> dict:
        """Cheap facts for filters: the environment entry's plain values, camera, scene, image, frame, annotations."""
        out = {k: v for k, v in self._env.items() if k != "image_name" and isinstance(v, (str, int, float))}
        out.update(camera=self.camera_node.name, scene=self.camera_node.scene.name, image=self.name)
        if self._hic:
            out["frame"] = self.frame_num
        out["annotations"] = annotation_names(self._folders, self._hic)
        return out

    @property
    def _folders(self) -> tuple[Folder, ...]:
        """Where its files are looked up, nearest first: camera, [frame,] scene."""
        if self._own_folders is not None:
            return self._own_folders
        cam = self.camera_node
        return Folder(cam.path, cam.files), Folder(cam.scene.path, cam.scene.files)

    # -- SDK identity fields ------------------------------------------------------
    @property
    def camera(self) -> str:
        return self.camera_node.name

    @property
    def scene_path(self) -> str:
        return self._folders[-1].path

    @property
    def camera_path(self) -> str:
        return self._folders[0].path

    @property
    def frame_path(self) -> str:
        return self._folders[1].path if self._hic else os.path.join(self.scene_path, "frames", "000")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._sdk_attributes()))

    def _sdk_attributes(self) -> list[str]:
        common = ["visible_spectrum", "infrared_spectrum", "depth", "normal_maps", "normals_map", "semantic_segmentation",
                  "camera_metadata", "semantic_segmentation_metadata", "lights_metadata", "environment",
                  "actor_metadata", "keypoints", "visible_spectrum_image_name", "frame_num", "camera",
                  "scene_path", "camera_path", "frame_path"]
        if self._hic:
            return common + ["center_of_geometry"]
        return common + ["hdri_map", "face_bounding_box", "datapoint_request", "center_of_geometry"]

    # -- file lookup --------------------------------------------------------------
    def _find(self, *names: str) -> str | None:
        for folder in self._folders:
            for name in names:
                if name in folder.names:
                    return os.path.join(folder.path, name)
        return None

    def _json(self, name: str):
        """Parsed JSON file, or None when absent; a broken file raises DataError (and is recorded)."""
        path = self._find(name)
        if path is None:
            return None
        try:
            return read_json(path)
        except DataError as e:
            self.add_problem(path, e.message)
            raise

    def _sdk(self, name: str, build):
        """``build(parsed file)`` for an SDK attribute, None when the file is absent.

        A file of the wrong shape (a string where a number belongs, infinity where an int does) raises
        :class:`DataError` naming it, recorded as a problem: the documented error of every attribute.
        """
        raw = self._json(name)
        if raw is None:
            return None
        try:
            return build(raw)
        except MALFORMED as e:
            path = self._find(name)
            err = DataError(path, f"unexpected structure ({type(e).__name__}: {e})")
            self.add_problem(path, err.message)
            raise err from None

    def _raw(self, path: str):
        """Decoded file as stored: PNG array, or EXR channel dict. Shared through the byte cache."""
        def load():
            if path.endswith(".exr"):
                return imaging.read_exr(path)
            return imaging.read_png(path)
        try:
            return self._cache.get_or_load((path, "raw"), load)
        except DataError as e:
            self.add_problem(path, e.message)
            raise

    def _path_of(self, modality: str) -> str | None:
        if modality == "visible":
            return self._find(self.visible_spectrum_image_name)
        return self._find(*MODALITY_FILES.get(modality, ()))

    def file(self, modality: str) -> str | None:
        return self._path_of(modality)

    def find(self, name: str) -> str | None:
        """Path of the file ``name`` as the SDK finds it for this datapoint (camera, frame, then scene folder)."""
        return self._find(name)

    @property
    def transparent(self) -> bool:
        return self._env.get("background") == "transparent"

    # -- canonical reads ------------------------------------------------------------
    def _read(self, modality: str):
        path = self._path_of(modality)
        if path is None:
            return None
        raw = self._raw(path)
        if modality in ("visible", "infrared"):
            keep = 4 if (modality == "visible" and self.transparent) else 3
            return raw[..., :keep] if raw.ndim == 3 and raw.shape[2] > keep else raw
        if modality == "depth":
            d = _plane(raw)
            return np.where(d < DEPTH_BACKGROUND, d, np.float32(np.nan)).astype(np.float32, copy=False)
        if modality == "normals":
            return _decode_normals(raw)
        if isinstance(raw, dict):  # early-2022 EXR segmentation, HDRI
            return _float_rgb(raw)
        return raw[..., :3] if raw.ndim == 3 and raw.shape[2] > 3 else raw

    def prefetch(self, modality: str) -> None:
        path = self._path_of(modality)
        if path is not None:
            self._raw(path)  # what every read and SDK attribute of it starts from; conversions are the loop's

    def _annotations(self) -> Annotations:
        out = Annotations()
        cam = None
        with out.guard(self, "camera_metadata", self._find("camera_metadata.json")):
            raw = self._json("camera_metadata.json")
            cam = ann.camera_model(raw) if raw is not None else None
        with out.guard(self, "keypoints", next(filter(None, self._keypoint_files()), None)):
            tree = self._keypoint_tree()
            if tree:
                out.items.extend(ann.keypoint_sets(tree))
                if self._hic:
                    out.items.extend(ann.hic_eyes(tree))
        with out.guard(self, "actor_metadata", self._find("actor_metadata.json")):
            raw = self._json("actor_metadata.json")
            if raw is not None and not self._hic:
                out.items.extend(ann.identity_eyes(raw, self.camera, cam))
        with out.guard(self, "face_bounding_box", self._find("face_bounding_box.json")):
            raw = self._json("face_bounding_box.json")
            if raw is not None:
                out.add(ann.face_box(raw))
        with out.guard(self, "segmentation metadata", self._find("semantic_segmentation_metadata.json")):
            raw = self._json("semantic_segmentation_metadata.json")
            if raw is not None:
                out.add(ann.legend(raw))
        with out.guard(self, "center_of_geometry", self._find("center_of_geometry.json")):
            raw = self._json("center_of_geometry.json")
            centers = ann.centers(raw) if raw is not None else None
            if centers is not None:
                out.add(centers)
        return out

    def facts(self, keys):
        return datagen_facts(self, keys)

    def camera_model(self):
        raw = self._json("camera_metadata.json")
        return ann.camera_model(raw) if raw is not None else None

    def _keypoint_files(self) -> tuple[str, ...]:
        """The v1 standard and dense files (either may be ""), else all_key_points.json; () for none.

        The original v1 pair first: a v1 dataset the official SDK has opened also holds the SDK's
        merged copy in key_points/ (spec §5 item 8), which parse_keypoint_file reads when it is alone.
        """
        std, dense = self._find("standard_keypoints.json"), self._find("dense_keypoints.json")
        if std or dense:
            return (std or "", dense or "")
        kp_dir = self._find("key_points")
        if kp_dir is not None and storage.isfile(os.path.join(kp_dir, "all_key_points.json")):
            return (os.path.join(kp_dir, "all_key_points.json"),)
        return ()

    def _keypoint_tree(self) -> dict | None:
        return self._from_keypoint_files(read_keypoints)

    def _from_keypoint_files(self, read):
        """``read(files, stamps)`` of the keypoint files (memoised readers), None without any; a broken file
        is recorded as a problem and raised."""
        files = self._keypoint_files()
        if not files:
            return None
        try:
            return read(files, stamps(files))
        except DataError as e:
            self.add_problem(e.file, e.detail)
            raise

    def _metadata(self) -> dict:
        out: dict = {"id": self.id, "environment": dict(self._env)}
        for key, name in (("camera", "camera_metadata.json"), ("actor", "actor_metadata.json"),
                          ("lights", "lights_metadata.json"), ("request", "datapoint_request.json"),
                          ("face_bounding_box", "face_bounding_box.json"),
                          ("segmentation_classes", "semantic_segmentation_metadata.json"),
                          ("center_of_geometry", "center_of_geometry.json")):
            try:
                value = self._json(name)
            except DataError as e:
                value = {"error": str(e)}
            if value is not None:
                out[key] = value
        out["files"] = sorted(f"{storage.relpath(f.path, self._folders[-1].path)}/{n}".lstrip("./")
                              for f in self._folders[:1] for n in f.names)
        return out

    # -- SDK attributes -----------------------------------------------------------
    @property
    def visible_spectrum(self):
        """uint8 like the SDK (16-bit is truncated); the full data is ``dp.read("visible")``.

        As in the SDK, a NIR datapoint (image_name infrared_spectrum.png) returns its NIR image here.
        """
        path = self._find(self.visible_spectrum_image_name)
        if path is None:
            return None
        keep = 4 if self.transparent else 3
        return _to_uint8(self._raw(path)[..., :keep])

    @property
    def infrared_spectrum(self):
        path = self._path_of("infrared")
        return None if path is None else _to_uint8(self._raw(path)[..., :3])

    @property
    def depth(self):
        """float32 H×W×3 as stored (background 1e10 / 65504); the masked H×W plane is ``dp.read("depth")``."""
        path = self._path_of("depth")
        return None if path is None else _float_rgb(self._raw(path))

    @property
    def normal_maps(self):
        """float32 H×W×3 encoded in [0, 1]; decoded unit vectors are ``dp.read("normals")``."""
        path = self._path_of("normals")
        return None if path is None else _float_rgb(self._raw(path))

    normals_map = normal_maps  # name used by SDK 1.0–1.2.5

    @property
    def semantic_segmentation(self):
        """uint16 H×W×3 matching the colour map exactly (float32 for the early-2022 EXR)."""
        return self.read("segmentation")

    @property
    def hdri_map(self):
        path = self._path_of("hdri")
        return None if path is None else _float_rgb(self._raw(path))

    @property
    def camera_metadata(self):
        return self._sdk("camera_metadata.json", sdk_view.camera_metadata)

    @property
    def semantic_segmentation_metadata(self):
        return self._sdk("semantic_segmentation_metadata.json", sdk_view.segmentation)

    semantic_segmentation_color_map = semantic_segmentation_metadata  # name used by SDK 1.0–1.2.1

    @property
    def lights_metadata(self):
        return self._sdk("lights_metadata.json", sdk_view.lights_metadata)

    @property
    def environment(self):
        return sdk_view.Environment(self._env)

    @property
    def actor_metadata(self):
        return self._sdk("actor_metadata.json", sdk_view.Actors if self._hic else sdk_view.actor_metadata)

    @property
    def face_bounding_box(self):
        return self._sdk("face_bounding_box.json", sdk_view.face_bounding_box)

    @property
    def keypoints(self):
        """The SDK's Keypoints records; the same object on each access (a loop reads several of its fields)."""
        return self._from_keypoint_files(lambda files, st: _sdk_keypoints(files, st, self._hic))

    @property
    def datapoint_request(self):
        """``datapoints[0]`` of datapoint_request.json, like the SDK."""
        return self._sdk("datapoint_request.json", sdk_view.datapoint_request)

    @property
    def center_of_geometry(self):
        return self._sdk("center_of_geometry.json", sdk_view.center_of_geometry)


@functools.lru_cache(maxsize=64)
def _sdk_keypoints(files: tuple[str, ...], stamps: tuple, hic: bool):
    """The SDK view of the last datapoints' keypoints: building a HIC one walks 7000 nodes (2 ms)."""
    return sdk_view.keypoints(read_keypoints(files, stamps), hic)


def _float_rgb(raw) -> np.ndarray:
    """A new float32 H×W×3 (R, G, B) from EXR channels (stacked straight into it: one copy, not two) or a PNG."""
    return np.stack(imaging.rgb_planes(raw), axis=2, dtype=np.float32) if isinstance(raw, dict) else raw.astype(np.float32)


def _decode_normals(raw) -> np.ndarray:
    """Encoded normals (spec §4.5) → unit vectors in the OpenCV camera frame, background (0,0,0) → NaN.

    Works plane by plane on the stored channels: about 3× faster than on a stacked H×W×3 copy.
    """
    r, g, b = imaging.rgb_planes(raw) if isinstance(raw, dict) else (raw[..., 0], raw[..., 1], raw[..., 2])
    out = np.empty(r.shape + (3,), np.float32)
    for i, (plane, sign) in enumerate(((r, 1.0), (g, -1.0), (b, -1.0))):
        out[..., i] = plane.astype(np.float32, copy=False) * np.float32(2 * sign) - np.float32(sign)
    out[(r == 0) & (g == 0) & (b == 0)] = np.nan
    return out


def _plane(raw) -> np.ndarray:
    if isinstance(raw, dict):
        return imaging.single_plane(raw)
    return raw[..., 0] if raw.ndim == 3 else raw


def _to_uint8(img: np.ndarray) -> np.ndarray:
    """The SDK's convert_to_uint8: uint16 → (img / 65535 * 255), truncated. That is ``img // 257`` for every
    uint16 (65535 = 255 × 257; checked value by value), ten times faster than through float64."""
    if img.dtype == np.uint16:
        return (img // 257).astype(np.uint8)
    return img
