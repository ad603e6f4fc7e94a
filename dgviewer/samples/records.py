"""The JSON documents of identities datasets, built from world geometry.

Every 2D point is written row first, ``{"x": row, "y": column}`` (spec
§4.3). Key names, nesting and value types follow real files of each era;
``versioned=False`` gives the 2022-H1 files, which carry no ``version``.
"""
from __future__ import annotations

import numpy as np

from .actor import PosedHead
from .pinhole import Pinhole
from .solids import cast

EAR_SETS = ("left", "right")
HEAD_SETS = ("top", "left", "back", "right")


def vec(p) -> dict:
    return {"x": float(p[0]), "y": float(p[1]), "z": float(p[2])}


def pixel(uv, ints: bool = False) -> dict:
    """Row-first 2D point from (column, row)."""
    if ints:
        return {"x": int(np.round(uv[1])), "y": int(np.round(uv[0]))}
    return {"x": float(uv[1]), "y": float(uv[0])}


def _versioned(version: str | None, body: dict) -> dict:
    return ({"version": version} if version else {}) | body


def visibility(points: np.ndarray, camera: Pinhole, shapes) -> np.ndarray:
    """Inside the image and not hidden: the camera ray to the point meets nothing before it."""
    m = camera.model
    uv, z = m.project(points), m.to_camera(points)[:, 2]
    inside = (z > 0) & (uv >= 0).all(axis=1) & (uv < camera.size).all(axis=1)
    t, _ = cast(shapes, m.center, points - m.center)  # the point itself is at t = 1
    return inside & (t > 1 - 1e-4)


def camera_metadata(camera: Pinhole, versioned: bool, focal: bool) -> dict:
    m, size, fov, sensor = camera.model, float(camera.size), camera.fov, camera.sensor_width
    body = {"camera_name": camera.name, "camera_type": "PERSP"}
    if focal:
        body["focal_length"] = camera.focal_length
    body |= {
        "location": vec(camera.location),
        "orientation": {"look_at_vector": vec(m.R[2]), "up_vector": vec(-m.R[1])},
        "aspect_px": {"x": 1.0, "y": 1.0},
        "resolution_px": {"x": size, "y": size},
        "fov": {"horizontal": fov, "vertical": fov},
        "sensor": {"sensor_width": sensor, "sensor_height": sensor},
        "intrinsic_matrix": m.K.tolist(),
        "extrinsic_matrix": np.hstack([m.R, m.t[:, None]]).tolist(),
    }
    return _versioned("1.1.0" if versioned else None, body)


def _group(points, camera, visible, keys) -> dict:
    uv = camera.model.project(points)
    return {k: {"global_3d": vec(p), "pixel_2d": pixel(q), "is_visible": "true" if v else "false"}
            for k, p, q, v in zip(keys, points, uv, visible)}


def keypoint_files(head: PosedHead, camera: Pinhole, shapes) -> dict[str, dict]:
    """``key_points/`` v2 documents by file name: ``all_key_points.json`` and the split files."""
    def group(name, keys):
        pts = head.landmarks[name]
        return _group(pts, camera, visibility(pts, camera, shapes), keys)

    dense = group("dense", [str(i) for i in range(468)])
    standard = group("standard", [f"{i:02d}" for i in range(1, 69)])
    heads = {s: group(f"head.{s}", [str(i) for i in range(1, len(head.landmarks[f"head.{s}"]) + 1)])
             for s in HEAD_SETS}
    ears = {s: group(f"ear.{s}", [str(i) for i in range(len(head.landmarks[f"ear.{s}"]))]) for s in EAR_SETS}
    v = "2.0.0"
    return {
        "all_key_points.json": _versioned(v, {"face": {"dense": dense, "standard": standard}, "head": heads, "ear": ears}),
        "face_standard_key_points.json": _versioned(v, {"face": {"standard": standard}}),
        "face_dense_key_points.json": _versioned(v, {"face": {"dense": dense}}),
        "head_key_points.json": _versioned(v, {"head": heads}),
        "ears_key_points.json": _versioned(v, {"ears": ears}),  # plural here, "ear" in all_key_points
    }


def keypoints_v1(points: np.ndarray, camera: Pinhole, shapes, first_key: int) -> dict:
    """``standard_keypoints.json`` (keys from 1) / ``dense_keypoints.json`` (keys from 0)."""
    uv = camera.model.project(points)
    keys = [str(i + first_key) for i in range(len(points))]
    visible = visibility(points, camera, shapes)
    return {
        "keypoints_3d_coordinates": {k: [float(c) for c in p] for k, p in zip(keys, points)},
        "keypoints_2d_coordinates": {k: [int(np.round(q[1])), int(np.round(q[0]))] for k, q in zip(keys, uv)},
        "is_visible": {k: bool(v) for k, v in zip(keys, visible)},
    }


def face_bounding_box(head: PosedHead, camera: Pinhole, versioned: bool) -> dict:
    """Rounded min/max of the dense 2D points; x is the row."""
    uv = camera.model.project(head.landmarks["dense"])
    lo, hi = np.round(uv.min(axis=0)).astype(int), np.round(uv.max(axis=0)).astype(int)
    box = {"min_x": int(lo[1]), "min_y": int(lo[0]), "max_x": int(hi[1]), "max_y": int(hi[0])}
    return _versioned("1.0.0" if versioned else None, box)


def _eye_point(head, cameras, ints, point_of) -> dict:
    def per_camera(cam):
        return {f"{e.side}_eye": pixel(cam.model.project(point_of(e)[None])[0], ints) for e in head.eyes}
    return {"2d": {cam.name: per_camera(cam) for cam in cameras},
            "3d": {f"{e.side}_eye": vec(point_of(e)) for e in head.eyes}}


def _eye_circle(head, cameras, ints, points_of) -> dict:
    def per_camera(cam):
        return {f"{e.side}_eye": [pixel(q, ints) for q in cam.model.project(points_of(e))] for e in head.eyes}
    return {"2d": {cam.name: per_camera(cam) for cam in cameras},
            "3d": {f"{e.side}_eye": [vec(p) for p in points_of(e)] for e in head.eyes}}


def actor_metadata(head: PosedHead, angles: dict, cameras, versioned: bool) -> dict:
    """Identities ``actor_metadata.json``; ``angles`` is the head's pitch/yaw/roll in degrees.

    The 2D eye points have one entry per camera of the scene. Float 2D and
    float intensity levels, ``accessories`` and ``version`` appear from mid
    2022; older files have int 2D points and int levels.
    """
    ints = not versioned
    idn, face = head.identity, head.face
    level = 1 + 4 * face.intensity  # request intensity 0.1 was written as level 1.4 in real data
    forward = np.allclose(face.gaze_direction, [0.0, -1.0, 0.0])
    body = {
        "identity_id": idn.identity_id,
        "identity_label": {"age": idn.age, "ethnicity": idn.ethnicity, "gender": idn.gender},
        "facial_hair_included": False,
        "face_expression": {"name": face.expression, "intensity_level": round(level, 2) if versioned else int(round(level))},
        "head_metadata": {
            "head_root_location": vec(head.root),
            "head_rotation": {"pitch": angles["pitch"], "yaw": angles["yaw"], "roll": angles["roll"]},
            "head_six_dof": {"location": vec(head.six_dof_location), "look_at_vector": vec(head.look_at)},
        },
        "apex_of_cornea_point": _eye_point(head, cameras, ints, lambda e: e.apex),
        "center_of_rotation_point": _eye_point(head, cameras, ints, lambda e: e.center),
        "iris_circle": _eye_circle(head, cameras, ints, lambda e: e.iris_circle),
        "center_of_iris_point": _eye_point(head, cameras, ints, lambda e: e.iris_center),
        "pupil_circle": _eye_circle(head, cameras, ints, lambda e: e.pupil_circle),
        "center_of_pupil_point": _eye_point(head, cameras, ints, lambda e: e.pupil_center),
        "eye_gaze": {
            "axis_directions": {f"{e.side}_eye": {"axis_directions": {
                "visual_axis_direction": vec(e.visual), "optical_axis_direction": vec(e.optical)}} for e in head.eyes},
            "target_point": {f"{e.side}_eye": vec(head.gaze_target) for e in head.eyes},
            "eye_gaze_direction_type": "forward" if forward else "custom",
        },
        "eyelid_closure_intensity_level": 1,
    }
    if versioned:
        body["accessories"] = []
    return _versioned("1.0.0" if versioned else None, body)


def environments(entries: list[dict], versioned: bool) -> dict:
    """List-form ``environment.json``; entries are ``image_name/environment/time_of_day/background``."""
    return _versioned("1.0.0" if versioned else None, {"environments": entries})


def nir_lamp(camera: Pinhole) -> dict:
    """``lights_metadata.json`` for a NIR spot lamp mounted on the camera."""
    R = camera.model.R
    lamp = {"brightness": 10.0, "spectrum": "near_infrared", "beam_angle": 25.0, "location": vec(camera.location),
            "orientation": {"look_at_vector": vec(R[2]), "up_vector": vec(-R[1])}, "falloff": 0.0, "type": "spot"}
    return {"version": "1.0.0", "lights": {"infra_red_lamp_0001": lamp}}


def datapoint_request(head: PosedHead, angles: dict, camera: Pinhole, background: dict | None) -> dict:
    """``datapoint_request.json``, valid against datagen_protocol's ``DataRequest`` (extra keys forbidden).

    ``background`` is the request's background (``None`` for NIR, which
    instead gets a NIR lamp at the camera).
    """
    idn, face = head.identity, head.face
    rotation = {"yaw": camera.yaw, "pitch": camera.pitch, "roll": camera.roll}
    lights = [] if background else [{"light_type": "nir", "beam_angle": 25.0, "falloff": 0.0, "brightness": 10.0,
                                     "location": vec(camera.location), "rotation": rotation}]
    datapoint = {
        "human": {"id": idn.identity_id, "head": {
            "eyes": {"id": idn.asset_ids["eyes"],
                     "target_of_gaze": {"distance": face.gaze_distance, "direction": vec(face.gaze_direction)},
                     "eyelid_closure": 0.0},
            "location": vec(head.root),
            "rotation": {"yaw": angles["yaw"], "pitch": angles["pitch"], "roll": angles["roll"]},
            "expression": {"name": face.expression, "intensity": face.intensity},
            "eyebrows": {"id": idn.asset_ids["eyebrows"], "color_settings": dict(idn.hair)},
            "hair": {"id": idn.asset_ids["hair"], "color_settings": dict(idn.hair)},
            "facial_hair": None}},
        "camera": {
            "name": camera.name,
            "intrinsic_params": {"projection": "perspective", "resolution_width": camera.size,
                                 "resolution_height": camera.size, "fov_horizontal": camera.fov,
                                 "fov_vertical": camera.fov, "sensor_width": 15.0,
                                 "wavelength": "visible" if background else "nir"},
            "extrinsic_params": {"location": vec(camera.location), "rotation": rotation}},
        "accessories": {"glasses": None, "mask": None},
        "background": background,
        "lights": lights,
    }
    return {"version": "1.0.0", "datapoints": [datapoint]}
