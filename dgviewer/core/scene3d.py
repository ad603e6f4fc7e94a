"""A scene in world space for the 3D view: camera frusta, the image plane, landmarks, skeletons, gaze, 3D boxes.

Everything comes from the :class:`~dgviewer.core.camera.CameraModel` the canvas projects with and
from the canonical annotations (world ``xyz`` of keypoints, gaze rays' world start and direction,
3D boxes' camera-frame corners), so a point seen through the 3D view's image plane lands on the
pixel the canvas draws it at (:func:`plane_pixels`; tests hold the two to each other).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .annotations import Annotations, Box3D, KeypointSet, Ray
from .camera import CameraModel


def camera_to_world(cam: CameraModel, points: np.ndarray) -> np.ndarray:
    """Camera-frame points (N, 3) → world points: the inverse of :meth:`CameraModel.to_camera`."""
    return (np.asarray(points, float).reshape(-1, 3) - cam.t) @ cam.R


def backproject(cam: CameraModel, xy: np.ndarray, depth: float) -> np.ndarray:
    """Pixels (N, 2) column,row → the world points at camera depth ``depth`` that project onto them."""
    xy = np.asarray(xy, float).reshape(-1, 2)
    K = cam.K
    y = (xy[:, 1] - K[1, 2]) / K[1, 1]
    x = (xy[:, 0] - K[0, 2] - K[0, 1] * y) / K[0, 0]
    scale = 1.0 if cam.projection == "orthographic" else depth
    pc = np.stack([x * scale, y * scale, np.full(len(xy), float(depth))], axis=1)
    return camera_to_world(cam, pc)


def image_corners(cam: CameraModel) -> np.ndarray:
    """The image's outer pixel corners, top-left first, clockwise on screen: (4, 2) column,row."""
    w, h = cam.width, cam.height
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], float)


def image_plane(cam: CameraModel, depth: float) -> np.ndarray:
    """World corners (4, 3) of the image at camera depth ``depth``: where the 3D view hangs the picture."""
    return backproject(cam, image_corners(cam), depth)


def frustum_segments(cam: CameraModel, depth: float) -> np.ndarray:
    """A camera drawn as line segments (8, 2, 3): the apex (or, orthographic, the near face) to the image plane."""
    far = image_plane(cam, depth)
    near = np.repeat(cam.center[None], 4, axis=0) if cam.projection != "orthographic" else image_plane(cam, 0.0)
    rim = [(far[i], far[(i + 1) % 4]) for i in range(4)]
    return np.array([*((near[i], far[i]) for i in range(4)), *rim])


def plane_pixels(cam: CameraModel, depth: float, points: np.ndarray) -> np.ndarray:
    """Where the sight lines of world ``points`` (N, 3) cross the image plane, in that plane's pixels.

    The line runs from the camera centre (orthographic: along the optical axis) through the point; the
    crossing is expressed in the plane's top and left edges, so this is what the textured image plane
    shows under each point.
    """
    p = np.asarray(points, float).reshape(-1, 3)
    c = image_plane(cam, depth)
    axis = cam.R[2]  # the optical axis in world axes: the plane's normal
    if cam.projection == "orthographic":
        start, direction = p, np.broadcast_to(axis, p.shape)
    else:
        start, direction = np.broadcast_to(cam.center, p.shape), p - cam.center
    along = direction @ axis
    with np.errstate(divide="ignore", invalid="ignore"):
        s = ((c[0] - start) @ axis) / along
    hit = start + s[:, None] * direction
    ex, ey = c[1] - c[0], c[3] - c[0]  # the picture's top and left edges (not square to each other under skew)
    gram = np.array([[ex @ ex, ex @ ey], [ex @ ey, ey @ ey]])
    ab = np.linalg.solve(gram, np.stack([(hit - c[0]) @ ex, (hit - c[0]) @ ey]))
    return np.stack([ab[0] * cam.width, ab[1] * cam.height], axis=1)


@dataclass
class CameraPose:
    """One camera of the scene, with the datapoint the 3D view selects when it is clicked."""

    name: str
    datapoint: str  # id
    model: CameraModel
    current: bool = False


@dataclass
class Scene3D:
    cameras: list[CameraPose] = field(default_factory=list)
    points: dict[str, np.ndarray] = field(default_factory=dict)  # keypoint set name → (N, 3) finite world points
    segments: dict[str, np.ndarray] = field(default_factory=dict)  # "skeleton" | "gaze" | "boxes" → (M, 2, 3)
    depth: float = 1.0  # of the frusta and the current camera's image plane (camera depth, metres)

    @property
    def current(self) -> CameraPose | None:
        return next((c for c in self.cameras if c.current), None)

    def frusta(self) -> dict[str, np.ndarray]:
        """Camera name → its frustum segments at the scene's depth."""
        return {c.name: frustum_segments(c.model, self.depth) for c in self.cameras}


def counterparts(dp) -> list:
    """The datapoint of each camera of ``dp``'s scene taken at the same moment: same label (frame, step)
    and name, else the same place in its camera's list, else its first."""
    mine = dp.camera_node.datapoints
    index = mine.index(dp) if dp in mine else 0
    out = []
    for cam in dp.scene_node.cameras:
        if cam is dp.camera_node:
            out.append(dp)
            continue
        dps = cam.datapoints
        same = next((o for o in dps if o.label == dp.label and o.name == dp.name), None)
        if same is None and dps:
            same = dps[index] if index < len(dps) else dps[0]
        if same is not None:
            out.append(same)
    return out


def build_scene(current_id: str, cameras: list[tuple[str, str, CameraModel | None]], ann: Annotations | None,
                gaze_length: float = 0.05) -> Scene3D:
    """The scene from each camera's (name, datapoint id, model) and the current datapoint's annotations.

    Keypoints with world ``xyz`` become points (and their edges, skeleton segments); gaze rays run
    ``gaze_length`` metres from the eye; 3D boxes are in the current camera's frame.
    """
    scene = Scene3D([CameraPose(n, d, m, d == current_id) for n, d, m in cameras if m is not None])
    cur = scene.current
    items = list(ann) if ann is not None else []
    skeleton, gaze, boxes = [], [], []
    for it in items:
        if isinstance(it, KeypointSet) and it.xyz is not None and len(it.xyz):
            xyz = np.asarray(it.xyz, float)
            ok = np.isfinite(xyz).all(axis=1)
            if ok.any():
                scene.points[it.name] = xyz[ok]
            skeleton += [(xyz[a], xyz[b]) for a, b in it.edges if a < len(xyz) and b < len(xyz) and ok[a] and ok[b]]
        elif isinstance(it, Ray) and it.start_xyz is not None and it.direction is not None and it.kind != "optical":
            start = np.asarray(it.start_xyz, float)
            gaze.append((start, start + gaze_length * np.asarray(it.direction, float)))
        elif isinstance(it, Box3D) and cur is not None:
            w = camera_to_world(cur.model, it.corners_xyz)
            boxes += [(w[a], w[b]) for a, b in Box3D.EDGES]
    for name, segs in (("skeleton", skeleton), ("gaze", gaze), ("boxes", boxes)):
        if segs:
            scene.segments[name] = np.asarray(segs, float)
    scene.depth = _depth(scene)
    return scene


def _depth(scene: Scene3D) -> float:
    """A frustum depth that keeps frusta short of the subject: a third of the current camera's distance to it."""
    targets = [p for p in scene.points.values()] + [s.reshape(-1, 3) for s in scene.segments.values()]
    cur = scene.current
    if cur is not None and targets:
        z = cur.model.to_camera(np.concatenate(targets))[:, 2]
        z = z[np.isfinite(z) & (z > 0)]
        if z.size:
            return float(np.median(z)) / 3
    centers = np.array([c.model.center for c in scene.cameras])
    spread = float(np.linalg.norm(centers - centers.mean(axis=0), axis=1).max()) if len(centers) > 1 else 0.0
    return spread / 3 if spread > 0 else 0.3
