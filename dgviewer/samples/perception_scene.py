"""The synthetic world behind the Perception sample, in Unity's conventions.

Unity is left-handed and y-up; a camera looks along its local +z with +y up.
Two crates and a stick-figure person stand on a ground plane under a moving
point light; the person walks behind the nearer crate, so some keypoints are
occluded (state 1) and the ears the model lacks are absent (state 0).

:func:`render` ray-casts the crates and the ground exactly and paints the
person's limbs as thick segments with a depth test, giving the RGB, semantic,
instance, depth and normal images of one capture plus every annotation, all
computed from the same pixels (2D boxes are tight around the rendered
instance pixels, keypoint states follow Perception's 3×3 rule, spec §5.5).
It shares only core's :class:`CameraModel` and quaternion maths with the
readers; the Unity conventions (projection matrix, y up, pose composition)
are implemented here on their own, so tests that read the sample back check
the readers' conventions against an independent implementation.
"""
from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from ..core.camera import CameraModel
from ..core.rotation import quat_axis, quat_conj, quat_matrix, quat_mul

LABELS = {"Crate": 1, "Character": 2}
#: Semantic colours (RGBA) per label, as a SemanticSegmentationLabelConfig would hold them.
SEMANTIC = {"Crate": (255, 160, 0, 255), "Character": (0, 120, 255, 255)}
BACKGROUND = (0, 0, 0, 255)

KEYPOINTS = ["nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
             "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
             "right_ear", "left_ear"]
SKELETON = [(0, 1), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10),
            (1, 11), (11, 12), (12, 13), (0, 14), (0, 15)]
_EARS = (14, 15)  # in the template, not on this simple model: always state 0
FLIP_Y = np.array([1.0, -1.0, 1.0])  # Unity camera-local (y up) ↔ OpenCV camera frame (y down)


def instance_color(instance_id: int) -> tuple[int, int, int, int]:
    """Perception's colour for ids 1–64: golden-ratio hues at full saturation and value (spec §5.4)."""
    return (*hue_rgb(((instance_id - 1) * 0.6180339887498949) % 1.0), 255)


def hue_rgb(h: float) -> tuple[int, int, int]:
    return tuple(int(round(c * 255)) for c in colorsys.hsv_to_rgb(h, 1.0, 1.0))  # type: ignore[return-value]


@dataclass(frozen=True)
class Crate:
    instance: int
    center: np.ndarray  # world
    size: np.ndarray
    yaw: float  # degrees about world y
    color: tuple[int, int, int]
    label: str = "Crate"

    @property
    def rotation(self) -> np.ndarray:
        return quat_axis("y", self.yaw)


@dataclass(frozen=True)
class Person:
    instance: int
    joints: np.ndarray  # (16, 3) world; the ear rows are unused
    color: tuple[int, int, int] = (60, 110, 220)
    label: str = "Character"


@dataclass(frozen=True)
class World:
    time: float
    crates: list[Crate]
    person: Person
    light: np.ndarray  # point light, world


def world_at(t: float, seed: int) -> World:
    """The scene at simulated time ``t`` (s): the far crate stays, the near one and the person move."""
    rng = np.random.default_rng(seed)
    jitter = rng.uniform(-1, 1, size=6)
    far = Crate(2, np.array([-1.6 + 0.2 * jitter[0], 0.45, 3.4]), np.array([0.9, 0.9, 0.9]), 25 + 10 * jitter[1], (225, 135, 45))
    near = Crate(3, np.array([0.75 + 0.04 * t, 0.4, 2.3]), np.array([1.3, 0.8, 0.7]), -12 + 6 * jitter[2], (190, 95, 40))
    person = Person(1, _pose(np.array([-0.7 + 0.16 * t + 0.1 * jitter[3], 0.0, 3.3]), t))
    light = np.array([2.5 * math.cos(0.3 * t + jitter[4]), 4.0, 1.0 + 2.0 * math.sin(0.3 * t)])
    return World(t, [far, near], person, light)


def _pose(feet: np.ndarray, t: float) -> np.ndarray:
    """Joint positions of a 1.7 m figure walking along +x, legs and arms swinging with time."""
    swing = math.radians(25) * math.sin(1.3 * t)
    j = np.zeros((len(KEYPOINTS), 3))
    j[0] = (0, 1.62, -0.08)  # nose, a little in front of the head centre
    j[1] = (0, 1.45, 0)
    for side, sx, s in (("right", -1, 1), ("left", 1, -1)):
        base = {"right": 2, "left": 5}[side]
        j[base] = (0.2 * sx, 1.42, 0)
        j[base + 1] = j[base] + (0.27 * math.sin(s * swing), -0.27 * math.cos(swing), 0)
        j[base + 2] = j[base + 1] + (0.25 * math.sin(s * swing * 1.3), -0.25 * math.cos(swing), 0)
        hip = {"right": 8, "left": 11}[side]
        j[hip] = (0.11 * sx, 0.92, 0)
        j[hip + 1] = j[hip] + (0.45 * math.sin(-s * swing), -0.45 * math.cos(swing), 0)
        j[hip + 2] = j[hip + 1] + (0.44 * math.sin(-s * swing * 0.6), -0.44 * math.cos(swing * 0.6), 0)
    return j + feet


@dataclass(frozen=True)
class Camera:
    """A Perception camera: world pose, Unity projection matrix (upper-left 3×3), image size, capture rate."""

    id: str
    position: np.ndarray
    rotation: np.ndarray  # (x, y, z, w), camera → world
    width: int
    height: int
    projection: str  # "perspective" | "orthographic"
    fov: float = 50.0  # vertical, degrees (perspective)
    ortho_size: float = 2.0  # half the view height, metres (orthographic)
    lens_shift: tuple[float, float] = (0.0, 0.0)  # P02, P12 of an off-centre perspective frustum
    delta: float = 1.0  # simulated seconds between captures
    near: float = 0.3
    far: float = 1000.0
    description: str = ""

    @property
    def P(self) -> np.ndarray:
        a = self.width / self.height
        n, f = self.near, self.far
        if self.projection == "orthographic":
            return np.diag([1 / (self.ortho_size * a), 1 / self.ortho_size, -2 / (f - n)])
        cot = 1 / math.tan(math.radians(self.fov) / 2)
        P = np.diag([cot / a, cot, -(f + n) / (f - n)])
        P[0, 2], P[1, 2] = self.lens_shift
        return P

    @cached_property
    def model(self) -> CameraModel:
        """The same camera in dgviewer's convention (OpenCV frame, pixel intrinsics).

        Unity maps camera-local (x, y up, z) to NDC ``x_ndc = P00·x/z − P02``, likewise y
        (no division when orthographic), and NDC to pixels ``u = W/2·(1 + x_ndc)``, ``v = H/2·(1 − y_ndc)``.
        """
        P, hw, hh = self.P, self.width / 2, self.height / 2
        K = np.array([[P[0, 0] * hw, 0.0, hw * (1 - P[0, 2])], [0.0, P[1, 1] * hh, hh * (1 + P[1, 2])], [0.0, 0.0, 1.0]])
        R = quat_matrix(self.rotation).T * FLIP_Y[:, None]  # rows: the camera's axes in the world, y pointing down
        return CameraModel(K=K, R=R, t=-R @ self.position, width=self.width, height=self.height,
                           projection=self.projection)

    def to_local(self, points) -> np.ndarray:
        """World points → camera-local (x right, y up, z forward)."""
        return self.model.to_camera(points) * FLIP_Y


def look(pitch: float, yaw: float = 0.0) -> np.ndarray:
    """Camera rotation: yaw about world y, then pitch down about the camera's x."""
    return quat_mul(quat_axis("y", yaw), quat_axis("x", pitch))


@dataclass
class Capture:
    """One camera's images and annotations at one moment."""

    rgb: np.ndarray  # H×W×4 uint8
    semantic: np.ndarray  # H×W×4 uint8
    instance: np.ndarray  # H×W×4 uint8
    depth: np.ndarray  # H×W float32, camera z in metres, 0 where nothing was hit
    normals: np.ndarray  # H×W×3 float32, camera-local
    boxes: list[dict]  # {instance, label, x, y, w, h}
    boxes3d: list[dict]  # {instance, label, translation, size, rotation} camera-local
    keypoints: list[dict]  # {instance, points: [(x, y, state, camera xyz)]}
    present: list[tuple[int, str]]  # (instance id, label) with visible pixels


def render(world: World, cam: Camera) -> Capture:
    H, W = cam.height, cam.width
    origins, dirs = cam.model.pixel_rays()
    origins, dirs = np.broadcast_to(origins, dirs.shape).reshape(H, W, 3), dirs.reshape(H, W, 3)
    depth = np.full((H, W), np.inf)
    owner = np.zeros((H, W), dtype=np.int64)  # instance id, 0 = ground / sky
    normal = np.zeros((H, W, 3))
    # Ground plane y = 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(dirs[..., 1] < 0, -origins[..., 1] / dirs[..., 1], np.inf)
    ground = np.isfinite(t) & (t > 0)
    depth[ground] = t[ground]
    normal[ground] = (0, 1, 0)
    for crate in world.crates:
        t, n = _cast_box(crate, origins, dirs)
        hit = t < depth
        depth[hit], owner[hit], normal[hit] = t[hit], crate.instance, n[hit]
    _paint_person(world.person, cam, depth, owner, normal)
    points = origins + dirs * np.where(np.isfinite(depth), depth, 0)[..., None]
    rgb = _shade(world, cam, owner, normal, points, ground)
    objects = {c.instance: c for c in world.crates} | {world.person.instance: world.person}
    semantic = np.zeros((H, W, 4), np.uint8)
    instance = np.zeros((H, W, 4), np.uint8)
    semantic[:], instance[:] = BACKGROUND, BACKGROUND
    boxes, present = [], []
    for iid, obj in sorted(objects.items()):
        mask = owner == iid
        if not mask.any():
            continue
        semantic[mask], instance[mask] = SEMANTIC[obj.label], instance_color(iid)
        rows, cols = np.nonzero(mask)
        boxes.append({"instance": iid, "label": obj.label, "x": int(cols.min()), "y": int(rows.min()),
                      "w": int(cols.max() - cols.min() + 1), "h": int(rows.max() - rows.min() + 1)})
        present.append((iid, obj.label))
    hit_any = np.isfinite(depth)
    cam_depth = np.where(hit_any, depth, 0).astype(np.float32)
    local_normals = cam.model.rotate(normal).reshape(H, W, 3) * FLIP_Y  # world → camera-local
    local_normals = np.where(hit_any[..., None], local_normals, 0.0).astype(np.float32)
    return Capture(rgb, semantic, instance, cam_depth, local_normals, boxes, _boxes3d(world, cam),
                   _keypoints(world.person, cam, owner), present)


def _cast_box(crate: Crate, origins, dirs):
    """Ray / oriented-box intersection (slab method in the box frame): distance and world normal, inf if missed."""
    R = quat_matrix(crate.rotation)
    o = (origins - crate.center) @ R
    d = dirs @ R
    half = crate.size / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (-half - o) / d, (half - o) / d
    t_near, t_far = np.minimum(t1, t2), np.maximum(t1, t2)
    t_near = np.where(np.isnan(t_near), -np.inf, t_near)
    t_far = np.where(np.isnan(t_far), np.inf, t_far)
    enter, exit_ = t_near.max(axis=-1), t_far.min(axis=-1)
    hit = (exit_ >= np.maximum(enter, 0)) & (enter > 0)
    axis = t_near.argmax(axis=-1)
    local_n = np.zeros(o.shape)
    np.put_along_axis(local_n, axis[..., None], -np.sign(np.take_along_axis(d, axis[..., None], -1)), -1)
    return np.where(hit, enter, np.inf), local_n @ R.T


def _paint_person(person: Person, cam: Camera, depth, owner, normal) -> None:
    """Limbs as thick segments, each at its mean depth, behind whatever is nearer."""
    joints = cam.model.to_camera(person.joints)
    xy, zs = cam.model.project_camera(joints), joints[:, 2]
    toward_camera = -cam.model.R[2]
    scale = cam.model.K[1, 1]
    limbs = [(a, b, 0.11) for a, b in SKELETON if a not in _EARS and b not in _EARS] + [(0, 0, 0.13)]
    for a, b, radius in limbs:
        z = (zs[a] + zs[b]) / 2
        if min(zs[a], zs[b]) <= cam.near:
            continue
        px = radius * scale / (z if cam.projection == "perspective" else 1.0)
        mask = np.zeros(depth.shape, np.uint8)
        p0, p1 = (tuple(int(round(v * 16)) for v in xy[i]) for i in (a, b))
        if a == b:
            cv2.circle(mask, p0, int(round(px * 16)), 1, -1, cv2.LINE_8, 4)
        else:
            cv2.line(mask, p0, p1, 1, max(1, int(round(2 * px))), cv2.LINE_8, 4)
        inside = (mask > 0) & (z < depth)
        depth[inside], owner[inside], normal[inside] = z, person.instance, toward_camera


def _shade(world: World, cam: Camera, owner, normal, points, ground) -> np.ndarray:
    H, W = owner.shape
    rows = np.linspace(0, 1, H)[:, None, None]
    rgb = (np.array([150, 190, 235]) * (1 - rows) + np.array([215, 230, 245]) * rows) * np.ones((1, W, 1))
    to_light = world.light - points
    to_light /= np.linalg.norm(to_light, axis=-1, keepdims=True) + 1e-9
    lambert = 0.35 + 0.65 * np.clip((normal * to_light).sum(-1), 0, 1)
    checker = ((np.floor(points[..., 0] * 2) + np.floor(points[..., 2] * 2)) % 2)[..., None]
    base = np.where(checker > 0, 120.0, 95.0) * np.ones(3)
    rgb = np.where(ground[..., None] & (owner == 0)[..., None], base * lambert[..., None], rgb)
    objects = {c.instance: c.color for c in world.crates} | {world.person.instance: world.person.color}
    for iid, color in objects.items():
        m = owner == iid
        rgb[m] = np.array(color) * lambert[m][:, None]
    out = np.full((H, W, 4), 255, np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    return out


def _boxes3d(world: World, cam: Camera) -> list[dict]:
    """Every labeled object, visible or not, in camera-local space (spec §5.3)."""
    inv = quat_conj(cam.rotation)
    out = []
    for c in world.crates:
        out.append({"instance": c.instance, "label": c.label, "translation": cam.to_local(c.center)[0],
                    "size": c.size, "rotation": quat_mul(inv, c.rotation)})
    joints = world.person.joints[[i for i in range(len(KEYPOINTS)) if i not in _EARS]]
    lo, hi = joints.min(0) - 0.15, joints.max(0) + 0.15
    lo[1] = 0.0
    out.append({"instance": world.person.instance, "label": world.person.label,
                "translation": cam.to_local((lo + hi) / 2)[0], "size": hi - lo, "rotation": inv})
    return out


def _keypoints(person: Person, cam: Camera, owner) -> list[dict]:
    """Perception's rule: 0 absent / behind / off-screen at (0, 0); 1 when no pixel of the 3×3
    neighbourhood of floor(location) is the instance's; else 2. Locations clamp to the image."""
    H, W = owner.shape
    if not (owner == person.instance).any():
        return []  # only visible objects are labeled
    joints = cam.model.to_camera(person.joints)
    xy, local = cam.model.project_camera(joints), joints * FLIP_Y  # local: Unity's camera frame, as written
    points = []
    for i in range(len(KEYPOINTS)):
        x, y = xy[i]
        if i in _EARS or local[i, 2] <= 0 or not (0 <= x < W and 0 <= y < H):
            points.append((0.0, 0.0, 0, (0.0, 0.0, 0.0)))
            continue
        x, y = min(x, W - 0.001), min(y, H - 0.001)
        c, r = int(x), int(y)
        near = owner[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2]
        state = 2 if (near == person.instance).any() else 1
        points.append((float(x), float(y), state, tuple(float(v) for v in local[i])))
    return [{"instance": person.instance, "points": points}]
