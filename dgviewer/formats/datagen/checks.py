"""Checks of Datagen datapoints (identities of every era and HIC): JSON shape, face box and gaze.

Conventions come from the format spec (datagen-format.md): the face box is
the rounded min/max of the dense 2D landmarks (§4.3); the visual axis points
from the eye to ``eye_gaze.target_point`` and the cornea apex lies on the
optical axis about 10–14 mm from the eyeball centre (§4.4). The runner adds
the canonical landmark, image and pixel checks against the camera found here.
"""
from __future__ import annotations

import os

import numpy as np

from ...core import storage
from ...core.annotations import Box2D, KeypointSet
from ...core.camera import CameraModel
from ...core.checks import CheckContext, Settings
from ...core.errors import DataError
from ...core.findings import ERROR, Check, Collector, Finding
from ...core.jsonio import is_number, parse_file, read_json
from .canonical import camera_disagreement, camera_model, pose_camera_model
from .index import listing

#: What the Datagen reader declares.
CHECKS = (
    Check("face-box", ERROR, "the face bounding box disagrees with the dense landmarks' extent"),
    Check("gaze-origin", ERROR, "a gaze ray does not start at its eye (cornea apex away from the eyeball centre "
                                "or off its optical axis)"),
    Check("gaze-target", ERROR, "a visual axis does not point at the gaze target"),
    Check("camera-inconsistent", ERROR, "a camera's stored matrices disagree with its location, orientation and "
                                        "field of view (landmarks are then checked against the consistent one)"),
)
CAMERA_INCONSISTENT = CHECKS[-1]

#: Files whose JSON is parsed and checked, when the datapoint has them.
JSON_FILES = ("camera_metadata.json", "actor_metadata.json", "face_bounding_box.json",
              "semantic_segmentation_metadata.json", "lights_metadata.json", "datapoint_request.json",
              "center_of_geometry.json")
#: Cornea apex distance from the eyeball centre, metres: 10.3–13.8 mm in every real sample.
APEX_DISTANCE = (0.005, 0.020)
#: Largest angle between (apex − eyeball centre) and the optical axis: ≤ 2.2° in every real sample.
APEX_OFF_AXIS_DEGREES = 5.0
EYES = ("right_eye", "left_eye")
_POINT_KEYS = ("center_of_rotation_point", "apex_of_cornea_point", "center_of_iris_point", "center_of_pupil_point")


def check(c: CheckContext) -> None:
    dp, out, s = c.dp, c.out, c.settings
    raw = {}
    for name in JSON_FILES:
        path = dp.find(name)
        if path is None:
            continue
        try:
            value = read_json(path)
        except DataError as e:
            out.problem(e.file, e.message)
            continue
        if isinstance(value, dict):  # every check below reads keys of an object
            raw[name] = (path, value)
        else:
            out.add("json-invalid", f"{name}: expected an object at the top level, not {type(value).__name__}",
                    file=path)
    c.camera = _camera(raw.get("camera_metadata.json"), out)
    _face_box_file(raw.get("face_bounding_box.json"), out)
    ann = c.annotations  # the reader records what it cannot parse in dp.problems (collected by the runner)
    if c.camera is not None:
        c.camera = _consistent_camera(c, raw["camera_metadata.json"], ann)
    _keypoint_format(dp, ann, out)
    _face_box(ann, out, s)
    if "actor_metadata.json" in raw and "frame" not in dp.meta:  # identities (HIC actors have no eyes)
        path, actor = raw["actor_metadata.json"]
        if _actor_format(actor, dp.camera, path, out):
            _gaze(actor, path, c.camera, out, s)


# -- JSON shape -----------------------------------------------------------------
def _matrix(v, rows: int, cols: int) -> bool:
    return isinstance(v, list) and len(v) == rows and all(
        isinstance(r, list) and len(r) == cols and all(is_number(x) for x in r) for r in v)


def _vector(v, keys: str = "xyz") -> bool:
    return isinstance(v, dict) and all(is_number(v.get(k)) for k in keys)


def _camera(item, out: Collector):
    if item is None:
        return None
    path, raw = item
    wrong = [k for k, ok in (
        ("intrinsic_matrix", _matrix(raw.get("intrinsic_matrix"), 3, 3)),
        ("extrinsic_matrix", _matrix(raw.get("extrinsic_matrix"), 3, 4)),
        ("resolution_px", _vector(raw.get("resolution_px"), "xy")
         and raw["resolution_px"]["x"] >= 1 and raw["resolution_px"]["y"] >= 1),
    ) if not ok]
    if wrong:
        out.add("json-invalid", f"camera_metadata.json: {', '.join(wrong)} missing or malformed", file=path)
        return None
    return camera_model(raw)


def _consistent_camera(c: CheckContext, item, ann) -> CameraModel:
    """The stored camera, or the one rebuilt from its pose and FOV when the two disagree and the
    landmarks sit closer under the rebuilt one (2023-01 HIC in-cabin: stored fy and translation are
    off, the points are right). The disagreement is reported once per camera by check_dataset."""
    path, raw = item
    pose = pose_camera_model(raw)
    why = camera_disagreement(c.camera, pose) if pose is not None else ""
    if not why:
        return c.camera
    stored_err, pose_err = _reprojection(c.camera, ann), _reprojection(pose, ann)
    use_pose = pose_err < stored_err
    c.facts["camera_inconsistent"] = (c.dp.camera_node.scene.dataset_name, c.dp.camera_node.scene.name,
                                      c.dp.camera_node.name, why, path, use_pose, stored_err, pose_err)
    return pose if use_pose else c.camera


def _reprojection(cam: CameraModel, ann) -> float:
    """Median distance (px) between the 2D landmarks and their 3D points projected through ``cam``."""
    errors = [np.linalg.norm(cam.project(ks.xyz) - ks.xy, axis=1) for ks in ann.of_type(KeypointSet)
              if ks.xyz is not None and len(ks)]
    err = np.concatenate(errors) if errors else np.array([])
    err = err[np.isfinite(err)]
    return float(np.median(err)) if err.size else np.inf


def check_dataset(datapoints: list, facts: dict[str, dict]) -> list[Finding]:
    """One camera-inconsistent finding per camera, naming the first datapoint that showed it."""
    seen, out = set(), []
    for dp in datapoints:
        fact = (facts.get(dp.id) or {}).get("camera_inconsistent")
        if fact is None or fact[:3] in seen:
            continue
        seen.add(fact[:3])
        why, path, use_pose, stored_err, pose_err = fact[3:]
        which = (f"landmarks were checked against the pose/FOV camera ({pose_err:.2f} px median, "
                 f"{stored_err:.1f} px through the stored matrices)" if use_pose else
                 f"landmarks fit the stored matrices better ({stored_err:.2f} px median) and were checked with them")
        out.append(Finding.of(CAMERA_INCONSISTENT, dp.id, f"camera {fact[2]}: the stored matrices are inconsistent "
                              f"with the camera's pose/FOV: {why}; {which}", file=path))
    return out


def _face_box_file(item, out: Collector) -> None:
    if item is None:
        return
    path, raw = item
    keys = ("min_x", "min_y", "max_x", "max_y")
    if not isinstance(raw, dict) or not all(is_number(raw.get(k)) for k in keys):
        out.add("json-invalid", "face_bounding_box.json: min_x, min_y, max_x and max_y must be numbers", file=path)
    elif raw["min_x"] > raw["max_x"] or raw["min_y"] > raw["max_y"]:
        out.add("json-invalid", "face_bounding_box.json: a minimum exceeds its maximum", file=path)


def _keypoint_format(dp, ann, out: Collector) -> None:
    """Identities v2 keypoint files need a version 2.x and is_visible on every point (the SDK fails otherwise)."""
    folder = dp.find("key_points")
    if folder is None:
        return
    _part_files(folder, out)
    path = os.path.join(folder, "all_key_points.json")
    if not storage.isfile(path):
        out.add("missing-file", "key_points/ has no all_key_points.json (the only keypoint file the SDK reads)",
                file=path)
        return
    if "frame" in dp.meta:
        return  # HIC: no visibility, version optional
    try:
        raw = read_json(path)
    except DataError:
        return  # the reader records it
    version = str(raw.get("version", "")) if isinstance(raw, dict) else ""
    if not version.startswith("2."):
        out.add("json-invalid", f"all_key_points.json: version must be 2.x, found {version or 'none'}", file=path)
    # The reader leaves ``visible`` None on a group where any point lacks is_visible.
    lacking = [ks.name for ks in ann.of_type(KeypointSet) if ks.layer != "eyes" and ks.visible is None]
    if lacking:
        out.add("json-invalid", f"all_key_points.json: points without is_visible in {', '.join(lacking)}", file=path)


def _part_files(folder: str, out: Collector) -> None:
    """The per-part files beside all_key_points.json (the viewer reads only that merge): readable JSON."""
    for name in sorted(listing(folder)[0]):
        if name.endswith(".json") and name != "all_key_points.json":
            try:
                parse_file(os.path.join(folder, name))
            except DataError as e:
                out.problem(e.file, e.message)


def _actor_format(actor, camera: str, path: str, out: Collector) -> bool:
    """Eye points and gaze keys the checks (and the viewer) rely on; False when they are unusable."""
    wrong = []
    if not isinstance(actor, dict):
        wrong.append("the file is not an object")
        actor = {}
    for key in _POINT_KEYS:
        v = actor.get(key)
        if v is None:
            continue
        d3 = (v.get("3d") if isinstance(v, dict) else None) or {}
        d2 = (v.get("2d") if isinstance(v, dict) else None) or {}
        entry = d2.get(camera) if camera in d2 else (next(iter(d2.values())) if len(d2) == 1 else None)
        for eye in EYES:
            if not _vector(d3.get(eye)):
                wrong.append(f"{key}.3d.{eye}")
            if entry is not None and not _vector((entry or {}).get(eye), "xy"):
                wrong.append(f"{key}.2d.{camera}.{eye}")
    gaze = actor.get("eye_gaze")
    if gaze is not None:
        for eye in EYES:
            axes = _axes(gaze, eye)
            for k in ("visual_axis_direction", "optical_axis_direction"):
                if not _vector(axes.get(k)):
                    wrong.append(f"eye_gaze.axis_directions.{eye}.{k}")
            target = (gaze.get("target_point") or {}).get(eye) if isinstance(gaze, dict) else None
            if target is not None and not _vector(target):
                wrong.append(f"eye_gaze.target_point.{eye}")
    if wrong:
        shown = ", ".join(wrong[:4]) + (f" and {len(wrong) - 4} more" if len(wrong) > 4 else "")
        out.add("json-invalid", f"actor_metadata.json: missing or malformed {shown}", file=path)
    return not wrong


def _axes(gaze, eye: str) -> dict:
    a = ((gaze.get("axis_directions") if isinstance(gaze, dict) else None) or {}).get(eye) or {}
    return a.get("axis_directions", a) if isinstance(a, dict) else {}  # the file nests axis_directions twice


# -- geometry -------------------------------------------------------------------
def _face_box(ann, out: Collector, s: Settings) -> None:
    boxes = ann.by_layer("bbox")
    dense = ann.keypoint_set("face.dense")
    if not boxes or dense is None or not np.isfinite(dense.xy).all():
        return
    box: Box2D = boxes[0]
    lo, hi = dense.xy.min(axis=0), dense.xy.max(axis=0)
    diff = np.abs(np.array([box.x0 - lo[0], box.y0 - lo[1], box.x1 - hi[0], box.y1 - hi[1]]))
    if diff.max() > s.face_box_px:
        out.add("face-box", f"face box (columns {box.x0:g}–{box.x1:g}, rows {box.y0:g}–{box.y1:g}) is up to "
                f"{diff.max():.1f} px from the dense landmarks' extent (columns {lo[0]:.1f}–{hi[0]:.1f}, "
                f"rows {lo[1]:.1f}–{hi[1]:.1f})", layer="bbox", xy=((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2),
                modality="visible")


def _vec(d) -> np.ndarray:
    return np.array([d["x"], d["y"], d["z"]], float)


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 180.0
    return float(np.degrees(np.arccos(np.clip(a @ b / (na * nb), -1.0, 1.0))))


def _gaze(actor: dict, path: str, cam, out: Collector, s: Settings) -> None:
    gaze = actor.get("eye_gaze")
    centre = (actor.get("center_of_rotation_point") or {}).get("3d")
    apex = (actor.get("apex_of_cornea_point") or {}).get("3d")
    if not isinstance(gaze, dict) or not centre or not apex:
        return
    for eye in EYES:
        c, a = _vec(centre[eye]), _vec(apex[eye])
        axes = _axes(gaze, eye)
        optical, visual = _vec(axes["optical_axis_direction"]), _vec(axes["visual_axis_direction"])
        xy = cam.project(a[None])[0] if cam is not None else None
        xy = xy if xy is not None and np.isfinite(xy).all() else None
        where = dict(file=path, layer="gaze", xy=xy, modality="visible" if xy is not None else None)
        name = eye.replace("_", " ")
        distance = float(np.linalg.norm(a - c))
        off_axis = _angle(a - c, optical)
        if not APEX_DISTANCE[0] <= distance <= APEX_DISTANCE[1]:
            out.add("gaze-origin", f"{name}: the gaze ray starts {distance * 1000:.1f} mm from the eyeball centre "
                    f"(expected {APEX_DISTANCE[0] * 1000:g}–{APEX_DISTANCE[1] * 1000:g} mm)", **where)
        elif off_axis > APEX_OFF_AXIS_DEGREES:
            out.add("gaze-origin", f"{name}: the cornea apex is {off_axis:.1f}° off the optical axis "
                    f"(more than {APEX_OFF_AXIS_DEGREES:g}°)", **where)
        target = (gaze.get("target_point") or {}).get(eye)
        if target is not None:
            miss = _angle(visual, _vec(target) - a)
            if miss > s.gaze_degrees:
                out.add("gaze-target", f"{name}: the visual axis points {miss:.1f}° away from the gaze target "
                        f"(more than {s.gaze_degrees:g}°)", **where)

