"""Deterministic synthetic Datagen datasets, one variant per era of the format (spec §1, §7).

``write_sample(out, variant, size, seed)`` renders face-like subjects by ray
casting and writes every file of that era with geometry that agrees
across files: keypoints reproject through the written cameras onto the
right segmentation classes, depth is the camera Z of the surface the
keypoints lie on, and eye points and gaze vectors are consistent.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import records
from .actor import FaceState, Identity, PosedHead, head_rotation, new_uuid
from .files import new_folder, to_uint8, to_uint16, write_exr, write_json, write_png
from .head import HEAD_CENTER
from .hic import write_hic
from .palette import flat_map, nested_map
from .pinhole import Pinhole
from .render import Frame, depth_image, flat_segmentation_image, normal_image, render, segmentation_image
from .shading import Lighting, make_lighting, shade_nir, shade_visible

VARIANTS = ("datapoint", "scene", "environment", "earliest", "hic")
MIN_SIZE, MAX_SIZE = 64, 4096  # the request schema's resolution range


@dataclass(frozen=True)
class Era:
    versioned: bool  # "version" keys, float 2D eye points, accessories, camera focal length
    exr_type: type  # np.float32 (FLOAT EXR) or np.float16 (HALF EXR)
    keypoints: str  # "v2" (key_points/) or "v1" (standard_/dense_keypoints.json)
    flat_segmentation: bool  # Jan 2022: semantic_segmentation.exr with a flat float map

    @property
    def depth_background(self) -> float:
        return 1e10 if self.exr_type == np.float32 else 65504.0

    @property
    def sensor(self) -> float | None:
        """None: sensor derived from a 50 mm focal length (2022-H2+); else the early fixed 36 mm."""
        return None if self.versioned else 36.0


DATAPOINT = Era(True, np.float32, "v2", False)
SCENE = Era(True, np.float16, "v2", False)
ENVIRONMENT = Era(False, np.float16, "v1", False)
EARLIEST = Era(False, np.float16, "v1", True)


def write_sample(out: str, variant: str = "datapoint", size: int = 256, seed: int = 0) -> str:
    """Write a synthetic dataset of ``variant`` into ``out`` (which must not exist or be empty)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must be between {MIN_SIZE} and {MAX_SIZE}, got {size}")
    new_folder(out)
    _WRITERS[variant](out, size, seed)
    return out


def _rng(seed: int, variant: str, scene: int) -> np.random.Generator:
    """Independent, reproducible stream per (seed, variant, scene)."""
    return np.random.default_rng([seed, VARIANTS.index(variant), scene])


def _random_head(rng: np.random.Generator) -> tuple[PosedHead, dict]:
    angles = {"pitch": float(rng.uniform(-15, 15)), "yaw": float(rng.uniform(-30, 30)), "roll": 0.0}
    head = PosedHead(Identity.random(rng), FaceState.random(rng), head_rotation(angles["pitch"], angles["yaw"], 0.0))
    return head, angles


def _camera(name, size, era, head, fov, yaw, pitch) -> Pinhole:
    """A camera aimed at the middle of the head, far enough for the head to fill most of the frame."""
    distance = 0.17 / np.tan(np.radians(fov) / 2)
    return Pinhole.looking_at(name, size, fov, head.to_world(HEAD_CENTER), yaw, pitch, distance, era.sensor)


def _write_geometry(folder: str, era: Era, head: PosedHead, camera: Pinhole, frame: Frame) -> None:
    """Camera metadata, depth, normals, segmentation, face box and keypoints of one camera folder."""
    write_json(os.path.join(folder, "camera_metadata.json"), records.camera_metadata(camera, era.versioned, era.versioned))
    write_exr(os.path.join(folder, "depth.exr"), depth_image(frame, era.depth_background, era.exr_type))
    write_exr(os.path.join(folder, "normal_maps.exr"), normal_image(frame, era.exr_type))
    if era.flat_segmentation:
        write_exr(os.path.join(folder, "semantic_segmentation.exr"), flat_segmentation_image(frame))
    else:
        write_png(os.path.join(folder, "semantic_segmentation.png"), segmentation_image(frame))
    write_json(os.path.join(folder, "face_bounding_box.json"), records.face_bounding_box(head, camera, era.versioned))
    if era.keypoints == "v2":
        kp = os.path.join(folder, "key_points")
        for name, doc in records.keypoint_files(head, camera, head.shapes).items():
            write_json(os.path.join(kp, name), doc)
    else:
        # The SDK turns these into key_points/all_key_points.json itself, on first access.
        write_json(os.path.join(folder, "standard_keypoints.json"),
                   records.keypoints_v1(head.landmarks["standard"], camera, head.shapes, 1))
        write_json(os.path.join(folder, "dense_keypoints.json"),
                   records.keypoints_v1(head.landmarks["dense"], camera, head.shapes, 0))


def _scene_files(folder: str, era: Era, head: PosedHead, angles: dict, cameras) -> None:
    """Actor and segmentation-map files shared by the cameras of a scene."""
    write_json(os.path.join(folder, "actor_metadata.json"), records.actor_metadata(head, angles, cameras, era.versioned))
    seg = flat_map() if era.flat_segmentation else nested_map()
    write_json(os.path.join(folder, "semantic_segmentation_metadata.json"),
               ({"version": "1.0.0"} | seg) if era.versioned else seg)


def _visible(frame: Frame, head: PosedHead, lighting: Lighting) -> np.ndarray:
    return to_uint16(shade_visible(frame, head.identity.look, lighting, head.eyes))


def _lighting_entry(image_name: str, rng: np.random.Generator, background: str) -> tuple[dict, bool]:
    """An environment.json entry and whether its light is the warm, low evening sun."""
    evening = bool(rng.integers(2))
    return {"image_name": image_name, "environment": str(rng.choice(["indoor", "outdoor"])),
            "time_of_day": "evening" if evening else "morning", "background": background}, evening


# --- Dec 2022–2023: datapoint_NNNNN, one camera, one image each -------------------------------

NIR_DATAPOINT, TRANSPARENT_DATAPOINT, DATAPOINTS = 5, 6, 6


def _single_camera(rng, out: str, scene: str, size: int, era: Era, fovs: tuple, pitches: tuple):
    """A random head seen by one camera "camera": rendered, with its geometry files written."""
    head, angles = _random_head(rng)
    camera = _camera("camera", size, era, head, int(rng.integers(*fovs)),
                     float(rng.uniform(-20, 20)), float(rng.uniform(*pitches)))
    folder = os.path.join(out, scene)
    cam_dir = os.path.join(folder, camera.name)
    frame = render(head.shapes, camera.model)
    _write_geometry(cam_dir, era, head, camera, frame)
    return head, angles, camera, folder, cam_dir, frame


def _write_datapoints(out: str, size: int, seed: int) -> None:
    for i in range(1, DATAPOINTS + 1):
        rng = _rng(seed, "datapoint", i)
        head, angles, camera, folder, cam_dir, frame = _single_camera(
            rng, out, f"datapoint_{i:05d}", size, DATAPOINT, (18, 28), (-10, 10))
        if i == NIR_DATAPOINT:
            background = None
            grey = to_uint8(shade_nir(frame, camera.location, camera.model.R[2], 25.0, head.eyes))
            write_png(os.path.join(cam_dir, "infrared_spectrum.png"), np.repeat(grey[..., None], 3, axis=2))
            entry = {"image_name": "infrared_spectrum.png", "environment": "N/A", "time_of_day": "N/A", "background": "N/A"}
            write_json(os.path.join(folder, "lights_metadata.json"), records.nir_lamp(camera))
        else:
            transparent = i == TRANSPARENT_DATAPOINT
            entry, evening = _lighting_entry("visible_spectrum_01.png", rng, "transparent" if transparent else "hdri")
            lighting = make_lighting(rng, evening)
            background = {"id": new_uuid(rng), "transparent": transparent, "rotation": lighting.rotation}
            rgb = _visible(frame, head, lighting)
            alpha = np.where(frame.image(frame.hit) | (not transparent), 65535, 0).astype(np.uint16)
            if transparent:
                rgb[alpha == 0] = 0
            write_png(os.path.join(cam_dir, "visible_spectrum_01.png"), np.dstack([rgb, alpha]))
            write_exr(os.path.join(cam_dir, "hdri_map.exr"), lighting.sky)
        write_json(os.path.join(cam_dir, "environment.json"), records.environments([entry], True))
        _scene_files(folder, DATAPOINT, head, angles, [camera])
        write_json(os.path.join(folder, "datapoint_request.json"),
                   records.datapoint_request(head, angles, camera, background))


# --- 2022: scene_N / environment_N with several cameras --------------------------------------

def _orbit(size: int, era: Era, head: PosedHead, rng: np.random.Generator, names, yaws) -> list[Pinhole]:
    """Cameras at different yaws around the head, sharing a field of view."""
    fov = int(rng.integers(16, 24))
    return [_camera(n, size, era, head, fov, y + float(rng.uniform(-5, 5)), float(rng.uniform(-12, 8)))
            for n, y in zip(names, yaws)]


def _write_multi_camera(out, size, seed, variant, era, prefix, scenes, names, yaws, lightings) -> None:
    for s in range(1, scenes + 1):
        rng = _rng(seed, variant, s)
        head, angles = _random_head(rng)
        cameras = _orbit(size, era, head, rng, names, yaws)
        folder = os.path.join(out, f"{prefix}_{s:05d}")
        entries = [_lighting_entry(f"visible_spectrum_{k:02d}.png", rng, "hdri") for k in range(1, lightings + 1)]
        lights = [make_lighting(rng, evening) for _, evening in entries]
        for camera in cameras:
            cam_dir = os.path.join(folder, camera.name)
            frame = render(head.shapes, camera.model)
            _write_geometry(cam_dir, era, head, camera, frame)
            for (entry, _), lighting in zip(entries, lights):
                write_png(os.path.join(cam_dir, entry["image_name"]), _visible(frame, head, lighting))
            write_json(os.path.join(cam_dir, "environment.json"),
                       records.environments([e for e, _ in entries], era.versioned))
        _scene_files(folder, era, head, angles, cameras)
        write_json(os.path.join(folder, "lights_metadata.json"),
                   ({"version": "1.0.0"} if era.versioned else {}) | {"lights": {}})


def _write_scenes(out: str, size: int, seed: int) -> None:
    """Mid 2022: scene_N, three cameras around the head, two lightings each."""
    _write_multi_camera(out, size, seed, "scene", SCENE, "scene", 2,
                        ("camera_1", "camera_2", "camera_3"), (-35.0, 0.0, 35.0), 2)


def _write_environments(out: str, size: int, seed: int) -> None:
    """Apr–May 2022: environment_N, two cameras, one lighting, no version keys, keypoints v1."""
    _write_multi_camera(out, size, seed, "environment", ENVIRONMENT, "environment", 2,
                        ("camera_1", "camera_2"), (-20.0, 20.0), 1)


def _write_earliest(out: str, size: int, seed: int) -> None:
    """Jan 2022: one camera "camera", flat environment.json, visible_spectrum.png, EXR segmentation."""
    for s in range(1, 3):
        rng = _rng(seed, "earliest", s)
        # Real Jan-2022 camera files lack camera_name, which SDK >= 1.1 requires;
        # _write_geometry keeps it so the SDK can load this variant.
        head, angles, camera, folder, cam_dir, frame = _single_camera(
            rng, out, f"environment_{s:05d}", size, EARLIEST, (16, 24), (-10, 8))
        entry, evening = _lighting_entry("visible_spectrum.png", rng, "hdri")
        write_png(os.path.join(cam_dir, "visible_spectrum.png"), _visible(frame, head, make_lighting(rng, evening)))
        write_json(os.path.join(cam_dir, "environment.json"),
                   {k: entry[k] for k in ("time_of_day", "environment", "background")})
        _scene_files(folder, EARLIEST, head, angles, [camera])


def _write_hic(out: str, size: int, seed: int) -> None:
    """Jul 2022+: Humans in Context, one scene of four frames (see :mod:`.hic`)."""
    write_hic(out, size, _rng(seed, "hic", 1))


_WRITERS = {"datapoint": _write_datapoints, "scene": _write_scenes,
            "environment": _write_environments, "earliest": _write_earliest, "hic": _write_hic}
