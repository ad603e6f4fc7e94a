"""Datagen metadata → the canonical drawable model (pixel column,row from the top-left).

This is the one place Datagen's row-first 2D convention (spec §4.3) is undone.
"""
from __future__ import annotations

import math

import numpy as np

from ...core.annotations import (
    Box2D,
    KeypointSet,
    Polyline,
    Ray,
    SegClass,
    SegmentationLegend,
)
from ...core.camera import CameraModel
from . import skeletons
from .keypoints import Points, flatten

#: Drawn gaze ray length as a fraction of the image width, were the ray parallel to the image
#: plane (so it reads the same at any camera distance; foreshortening still shows).
GAZE_LENGTH = 0.15

_LAYER_OF_GROUP = {"face.standard": "standard", "face.dense": "dense"}


def camera_model(raw: dict) -> CameraModel:
    """camera_metadata.json → CameraModel. Non-square images: fy is rebuilt from fx (spec §4.2, in-cabin bug)."""
    K = np.asarray(raw["intrinsic_matrix"], dtype=np.float64).copy()
    E = np.asarray(raw["extrinsic_matrix"], dtype=np.float64)
    res = raw.get("resolution_px") or {}
    w, h = int(round(float(res.get("x", 2 * K[0, 2])))), int(round(float(res.get("y", 2 * K[1, 2]))))
    K[0, 1] = 0.0  # the stored skew is ~1e-13 noise
    if w != h:
        aspect = raw.get("aspect_px") or {}
        K[1, 1] = K[0, 0] * float(aspect.get("y", 1.0)) / float(aspect.get("x", 1.0))
    return CameraModel(K=K, R=E[:, :3], t=E[:, 3], width=w, height=h)


def pose_camera_model(raw: dict) -> CameraModel | None:
    """The camera rebuilt from its location, look-at/up vectors, horizontal FOV and resolution.

    On consistent metadata this equals the stored matrices (spec §4.2; every corpus camera to
    1e-7). Some datasets (2023-01 HIC in-cabin) store an intrinsic fy and an extrinsic translation
    that disagree with the pose the renderer used; their keypoints agree with this model.
    """
    try:
        loc = _vec3(raw["location"])
        look, up = _vec3(raw["orientation"]["look_at_vector"]), _vec3(raw["orientation"]["up_vector"])
        res = raw["resolution_px"]
        w, h = int(round(float(res["x"]))), int(round(float(res["y"])))
        half = np.radians(float(raw["fov"]["horizontal"])) / 2
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    down = -up / np.linalg.norm(up)
    forward = look / np.linalg.norm(look)
    R = np.stack([np.cross(down, forward), down, forward])
    if not np.all(np.isfinite(R)) or not 0 < half < np.pi / 2 or w <= 0 or h <= 0:
        return None
    f = (w / 2) / np.tan(half)
    K = np.array([[f, 0.0, w / 2], [0.0, f, h / 2], [0.0, 0.0, 1.0]])
    return CameraModel(K=K, R=R, t=-R @ loc, width=w, height=h)


def camera_disagreement(stored: CameraModel, pose: CameraModel) -> str:
    """What of the stored matrices disagrees with the camera's pose and FOV ("" when nothing does)."""
    out = []
    if np.abs(stored.R - pose.R).max() > 1e-3:
        out.append("the extrinsic rotation is not the look-at/up orientation")
    dt = float(np.linalg.norm(stored.t - pose.t))
    if dt > 1e-3:
        out.append(f"the extrinsic translation is {dt:.3g} m off the camera's location")
    for axis, i in (("fx", 0), ("fy", 1)):
        a, b = stored.K[i, i], pose.K[i, i]
        if abs(a - b) > 1e-3 * b:
            out.append(f"intrinsic {axis} is {a:.1f} px where the FOV gives {b:.1f}")
    return "; ".join(out)


def _vec3(d) -> np.ndarray:
    return np.array([float(d[k]) for k in "xyz"], dtype=np.float64)


def _kp_set(layer: str, name: str, pts: Points, pairs=()) -> KeypointSet:
    labels = list(pts.labels)
    return KeypointSet(
        layer=layer, name=name, labels=labels,
        xy=pts.rc[:, ::-1].copy(),  # row-first → column,row
        xyz=pts.xyz, visible=pts.visible,
        edges=skeletons.edges_for(labels, list(pairs)),
    )


def keypoint_sets(tree: dict) -> list[KeypointSet]:
    out: list[KeypointSet] = []
    face = tree.get("face") or {}
    for sub in ("standard", "dense"):
        if isinstance(face.get(sub), Points):
            out.append(_kp_set(sub, f"face.{sub}", face[sub], skeletons.IBUG68 if sub == "standard" else ()))
    for group, layer in (("head", "head"), ("ear", "ear"), ("ears", "ear")):
        for side, pts in (tree.get(group) or {}).items():
            if isinstance(pts, Points):
                out.append(_kp_set(layer, f"{group}.{side}", pts))
    if isinstance(tree.get("body"), dict):
        pts = flatten(tree["body"])
        if pts:
            out.append(_kp_set("body", "body", pts, skeletons.BODY))
    for hands_key in ("hand", "hands"):
        for side, sub in (tree.get(hands_key) or {}).items():
            pts = flatten(sub) if isinstance(sub, dict) else None
            if pts:
                out.append(_kp_set("hands", f"hand.{side}", pts, skeletons.HAND))
    if isinstance(tree.get("feet"), dict):
        pts = flatten(tree["feet"])
        if pts:
            out.append(_kp_set("feet", "feet", pts, skeletons.FEET))
    return out


def hic_eyes(tree: dict) -> list:
    """HIC ``eye`` keypoints: centres as points, pupil/iris circles as outlines."""
    items: list = []
    for side, sub in ((tree.get("eye") or tree.get("eyes") or {})).items():
        if not isinstance(sub, dict):
            continue
        singles = {}
        for part, node in sub.items():
            if isinstance(node, Points):
                singles[part] = node
                continue
            for k, v in (node or {}).items():
                if isinstance(v, Points) and not v.single:
                    items.append(Polyline("eyes", f"{side}_eye.{part}.{k}", v.rc[:, ::-1].copy(), closed=True))
                elif isinstance(v, Points):
                    singles[f"{part}.{k}"] = v
        if singles:
            pts = flatten(singles)
            items.append(_kp_set("eyes", f"eye.{side}", pts))
    return items


def identity_eyes(actor: dict, camera_name: str, cam: CameraModel | None) -> list:
    """Eye points, iris/pupil circles and gaze rays from an identities actor_metadata.json."""
    items: list = []
    labels, rc, xyz = [], [], []
    for key in ("center_of_rotation_point", "apex_of_cornea_point", "center_of_iris_point", "center_of_pupil_point"):
        v = actor.get(key)
        if not isinstance(v, dict):
            continue
        d2 = _camera_entry(v.get("2d"), camera_name)
        for eye in ("right_eye", "left_eye"):
            p2 = (d2 or {}).get(eye)
            p3 = (v.get("3d") or {}).get(eye)
            if p2 is None:
                continue
            labels.append(f"{eye}.{key.replace('_point', '')}")
            rc.append([p2["x"], p2["y"]])
            xyz.append([p3["x"], p3["y"], p3["z"]] if p3 else [np.nan] * 3)
    if labels:
        items.append(KeypointSet("eyes", "eyes", labels, np.asarray(rc, float)[:, ::-1].copy(), np.asarray(xyz, float)))
    for key in ("iris_circle", "pupil_circle"):
        d2 = _camera_entry((actor.get(key) or {}).get("2d"), camera_name)
        for eye in ("right_eye", "left_eye"):
            ring = (d2 or {}).get(eye)
            if ring:
                xy = np.asarray([[p["y"], p["x"]] for p in ring], float)
                items.append(Polyline("eyes", f"{eye}.{key.replace('_circle', '')}", xy, closed=True))
    if cam is not None:
        items.extend(gaze_rays(actor, cam))
    return items


def gaze_rays(actor: dict, cam: CameraModel) -> list[Ray]:
    """Visual and optical axes from the cornea apex, projected through the camera (spec §4.4)."""
    rays = []
    gaze = actor.get("eye_gaze") or {}
    axes = gaze.get("axis_directions") or {}
    apex = (actor.get("apex_of_cornea_point") or actor.get("center_of_rotation_point") or {}).get("3d") or {}
    for eye in ("right_eye", "left_eye"):
        a = (axes.get(eye) or {})
        a = a.get("axis_directions", a)  # the file nests axis_directions twice
        start = apex.get(eye)
        if start is None:
            continue
        s = np.array([start["x"], start["y"], start["z"]], float)
        z = cam.to_camera(s)[0, 2]
        length = GAZE_LENGTH * cam.width * max(z, 1e-3) / cam.K[0, 0]  # metres
        for kind in ("visual", "optical"):
            d = a.get(f"{kind}_axis_direction")
            if d is None:
                continue
            v = np.array([d["x"], d["y"], d["z"]], float)
            v = v / (np.linalg.norm(v) or 1.0)
            xy = cam.project(np.stack([s, s + length * v]))
            if np.isfinite(xy).all():
                rays.append(Ray("gaze", f"{eye}.{kind}_axis", xy[0], xy[1], s, v, kind))
    return rays


def _camera_entry(d2: dict | None, camera_name: str):
    """The "2d" entry for this camera; a single entry when names disagree (Datagen notebooks take [0])."""
    if not d2:
        return None
    if camera_name in d2:
        return d2[camera_name]
    return next(iter(d2.values())) if len(d2) == 1 else None


def face_box(raw: dict) -> Box2D:
    # min_x/max_x are rows, min_y/max_y columns: the rounded min/max of the (continuous) dense points.
    return Box2D("bbox", "face", x0=float(raw["min_y"]), y0=float(raw["min_x"]),
                 x1=float(raw["max_y"]), y1=float(raw["max_x"]))


def legend(raw: dict) -> SegmentationLegend:
    """Nested {R,G,B} map (uint16) or the earliest flat float map → classes with exact colours."""
    classes: list[SegClass] = []

    def walk(node: dict, path: str):
        for k, v in node.items():
            if k == "version":
                continue
            name = f"{path}.{k}" if path else k
            if isinstance(v, dict) and set(v) == {"R", "G", "B"}:
                rgb = tuple(int(v[c]) for c in "RGB")
                if not all(0 <= c <= 65535 for c in rgb):  # the PNG is 16-bit: no pixel has such a colour
                    raise ValueError(f"{name}: colour {rgb} outside 0..65535")
                classes.append(SegClass(name, rgb))
            elif isinstance(v, list):
                rgb = tuple(float(c) for c in v[:3])
                if not all(math.isfinite(c) for c in rgb):
                    raise ValueError(f"{name}: colour {rgb} is not finite")
                classes.append(SegClass(name, rgb))
            elif isinstance(v, dict):
                walk(v, name)

    walk(raw, "")
    return SegmentationLegend("segmentation", "segmentation", classes)


def centers(raw: dict) -> KeypointSet | None:
    """HIC center_of_geometry.json: pixel_2d is already x=column, y=row (the exception in §4.3)."""
    labels, xy, xyz = [], [], []
    for name, v in raw.items():
        com = (v or {}).get("center_of_mass") if isinstance(v, dict) else None
        if not com or "pixel_2d" not in com:
            continue
        sem = v.get("semantic_name")
        labels.append(f"{name} ({sem})" if sem else name)
        xy.append([com["pixel_2d"]["x"], com["pixel_2d"]["y"]])
        g = com.get("global_3d") or {}
        xyz.append([g.get("x", np.nan), g.get("y", np.nan), g.get("z", np.nan)])
    if not labels:
        return None
    return KeypointSet("centers", "center_of_geometry", labels, np.asarray(xy, float), np.asarray(xyz, float))
