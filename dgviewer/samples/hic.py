"""Humans-in-Context (Jul 2022+) sample: a person walking up to a front door, seen by two cameras.

Layout (spec §1.4): ``scene_00001/frames/001..004/<camera>/`` with camera
metadata, a flat HIC ``environment.json``, the actor ``identities`` map,
``center_of_geometry.json`` (the one file whose 2D point is column first),
a 16-bit RGB image, a HALF depth map and the HIC keypoint tree (int 2D
points, no visibility).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..core.rotation import rot_z
from .actor import FaceState, Identity, PosedHead, head_rotation, new_uuid
from .body import body_shapes, hand_points, walking_joints
from .files import to_uint16, write_exr, write_json, write_png
from .head import Head
from .pinhole import Pinhole, aim_angles
from .records import camera_metadata, pixel, vec
from .render import depth_image, render
from .shading import make_lighting, shade_visible
from .solids import ADD, Ellipsoid, Ground, unit

FRAMES = 4
FIRST_FRAME_NUMBER = 5  # frame numbers in environment.json continue the original sequence
PATH = (np.array([3.9, -1.25]), np.array([3.0, -0.65]))  # where the person walks, metres on the ground
HALF_MAX = 65504.0  # depth of the sky in a HALF EXR

# (object name, semantic name, shapes) of the props around the door.
PROPS = (
    ("509c2484-6cb9-45fc-a307-8bce815fef51.002", "mailbox_home",
     (Ellipsoid.between([3.0, 0.5, 0.0], [3.0, 0.5, 1.0], 0.04, "mailbox", overshoot=1.0),
      Ellipsoid.make([3.0, 0.5, 1.08], [0.13, 0.25, 0.1], "mailbox"))),
    ("wheeled_bin.027", "trash_bin", (Ellipsoid.make([2.4, 1.7, 0.5], [0.3, 0.3, 0.5], "trash_bin"),)),
    ("2_side_light_off.101", None, (Ellipsoid.make([4.3, -0.1, 0.2], [0.08, 0.08, 0.2], "lamp"),)),
)


def _cameras(size: int) -> list[Pinhole]:
    """The doorbell camera of real samples (120°, 36 mm sensor) and a narrower one beside the path."""
    doorbell = Pinhole("high_doorbell_camera", size, 120.0, np.array([0.0, 0.1, 1.73]), 90.0, 0.0, 0.0, 36.0)
    location = np.array([1.6, -3.0, 1.3])
    yaw, pitch = aim_angles(np.array([3.45, -0.95, 1.0]) - location)
    dashboard = Pinhole("media_dashboard_camera", size, 60.0, location, yaw, pitch, 0.0, 36.0)
    return [doorbell, dashboard]


@dataclass
class Person:
    head: PosedHead
    joints: dict  # world joint positions, MediaPipe-Pose names "<joint>.<side>"
    hands: dict  # side -> world MediaPipe-Hands points
    shapes: list  # world ellipsoids, head included
    parcel: Ellipsoid  # the package carried in the right hand


def _person(identity: Identity, k: int, look_target: np.ndarray) -> Person:
    """The person at frame ``k``: a step further along the path, gait advanced, head turned to the door."""
    xy = PATH[0] + (PATH[1] - PATH[0]) * k / (FRAMES - 1)
    direction = unit(PATH[1] - PATH[0])
    body_rot = rot_z(np.degrees(np.arctan2(direction[0], -direction[1])))  # body -y along the path
    origin = np.array([xy[0], xy[1], 0.0])

    def world(p):
        return np.asarray(p) @ body_rot.T + origin

    joints_local = walking_joints(1.4 * k)
    hands_local = {side: hand_points(joints_local, side) for side in ("right", "left")}
    joints = {name: world(p) for name, p in joints_local.items()}
    hands = {side: {name: world(p) for name, p in pts.items()} for side, pts in hands_local.items()}
    rotation = body_rot @ head_rotation(-5.0, -20.0 + 6.0 * k, 0.0)
    root = joints["notch"]
    local_target = rotation.T @ (look_target - root)  # look at the door camera
    gaze = local_target - Head.eye_midpoint()
    face = FaceState("happiness", 0.4, unit(gaze), float(np.linalg.norm(gaze)))
    head = PosedHead(identity, face, rotation, root)
    shapes = [s.moved(body_rot, origin) for s in body_shapes(joints_local, hands_local)] + head.shapes
    parcel = Ellipsoid.make(hands["right"]["finger.middle.pip"] + [0.0, 0.0, -0.1], [0.12, 0.16, 0.13], "parcel")
    return Person(head, joints, hands, shapes, parcel)


def _numbered(points: np.ndarray, first: int = 0) -> dict:
    return {str(i + first): p for i, p in enumerate(points)}


def _keypoint_tree(person: Person) -> dict:
    """HIC groups of world points: face, body (MediaPipe Pose), feet, hand, eye."""
    lm, j, hands = person.head.landmarks, person.joints, person.hands
    st = lm["standard"]
    sides = ("right", "left")
    body = {
        "eye": {"left": {"inner": st[42], "center": st[42:48].mean(axis=0), "outer": st[45]},
                "right": {"inner": st[39], "center": st[36:42].mean(axis=0), "outer": st[36]}},
        "ear": {s: lm[f"ear.{s}"][0] for s in sides},
        "nose": st[30],
        "mouth": {"left": st[54], "right": st[48]},
    }
    for name in ("shoulder", "elbow", "hip", "knee", "ankle", "heel"):
        body[name] = {s: j[f"{name}.{s}"] for s in sides}
    # The pose's wrist and hand points are the hand model's (spec §6.8).
    body["wrist"] = {s: hands[s]["wrist"] for s in sides}
    for name in ("pinky", "thumb", "index"):
        body[name] = {s: hands[s][f"finger.{name}.tip"] for s in sides}
    body["foot"] = {s: {"index": j[f"foot_index.{s}"]} for s in sides}
    eye = {e.side: {"cornea": {"apex": e.apex, "center": e.cornea_center},
                    "pupil": {"circle": _numbered(e.pupil_circle), "center": e.pupil_center},
                    "rotation": {"center": e.center},
                    "iris": {"circle": _numbered(e.iris_circle), "center": e.iris_center}} for e in person.head.eyes}
    hand = {}
    for s in sides:
        fingers = {}
        for name, p in hands[s].items():
            if name != "wrist":
                _, finger, joint = name.split(".")
                fingers.setdefault(finger, {})[joint] = p
        hand[s] = {"finger": fingers, "wrist": hands[s]["wrist"]}
    return {
        "face": {"dense": _numbered(lm["dense"]), "standard": _numbered(st, 1)},
        "body": body,
        "feet": {s: {"heel": j[f"heel.{s}"], "index": j[f"foot_index.{s}"], "pinky": j[f"foot_pinky.{s}"]} for s in sides},
        "hand": hand,
        "eye": eye,
    }


def _project_tree(node, camera: Pinhole):
    """Replace every world point by a ``{global_3d, pixel_2d}`` leaf with int, row-first 2D."""
    if isinstance(node, dict):
        return {k: _project_tree(v, camera) for k, v in node.items()}
    return {"global_3d": vec(node), "pixel_2d": pixel(camera.model.project(node)[0], ints=True)}


def _keypoint_files(tree: dict, camera: Pinhole) -> dict[str, dict]:
    doc = _project_tree(tree, camera)
    v = {"version": "2.0.0"}
    return {
        "all_key_points.json": v | doc,
        "body_key_points.json": v | {"body": doc["body"]},
        "eyes_key_points.json": v | {"eyes": doc["eye"]},
        "face_dense_key_points.json": v | {"face": {"dense": doc["face"]["dense"]}},
        "face_standard_key_points.json": v | {"face": {"standard": doc["face"]["standard"]}},
        "feet_key_points.json": v | {"feet": doc["feet"]},
        "hands_key_points.json": v | {"hands": doc["hand"]},
    }


def _center_of_mass(shapes) -> np.ndarray:
    volumes = np.array([s.volume for s in shapes if s.role == ADD])
    centers = np.array([s.center for s in shapes if s.role == ADD])
    return volumes @ centers / volumes.sum()


def _centers_of_geometry(person: Person, camera: Pinhole) -> dict:
    """``center_of_geometry.json``: here ``pixel_2d`` is (x = column, y = row) and depth is camera Z."""
    objects = [("body_001", "body", person.shapes),
               ("shopping_bag_no_handles_tall.001", "parcel_bags", [person.parcel])] + list(PROPS)
    doc = {}
    for name, semantic, shapes in objects:
        center = _center_of_mass(shapes)
        (u, v), z = camera.model.project(center)[0], camera.model.to_camera(center)[0, 2]
        doc[name] = {"semantic_name": semantic, "center_of_mass": {"global_3d": vec(center), "pixel_2d": {
            "x": int(np.round(u)), "y": int(np.round(v)), "depth": float(z)}}}
    return doc


def write_hic(out: str, size: int, rng: np.random.Generator) -> None:
    identity = Identity.random(rng)
    lighting = make_lighting(rng)
    permutation = f"front_door_camera-{new_uuid(rng)[:18]}"
    cameras = _cameras(size)
    props = [s for _, _, shapes in PROPS for s in shapes] + [Ground()]
    for k in range(FRAMES):
        person = _person(identity, k, cameras[0].location)
        tree = _keypoint_tree(person)
        actors = {"version": "1.0.0", "identities": {identity.identity_id: {
            "gender": identity.gender, "age": identity.age, "ethnicity": identity.ethnicity,
            "head_six_dof": {"location": vec(person.head.six_dof_location), "look_at_vector": vec(person.head.look_at)}}}}
        environment = {"time_of_day": "day", "domain": "home_security",
                       "behaviour": "walking_to_the_door_with_packaged_items",
                       "behaviour_permutation": permutation, "frame_number": FIRST_FRAME_NUMBER + k, "fps": 1}
        for camera in cameras:
            folder = os.path.join(out, "scene_00001", "frames", f"{k + 1:03d}", camera.name)
            frame = render(person.shapes + [person.parcel] + props, camera.model)
            write_json(os.path.join(folder, "camera_metadata.json"), camera_metadata(camera, True, True))
            write_json(os.path.join(folder, "environment.json"), environment)
            write_json(os.path.join(folder, "actor_metadata.json"), actors)
            write_json(os.path.join(folder, "center_of_geometry.json"), _centers_of_geometry(person, camera))
            write_png(os.path.join(folder, "visible_spectrum.png"),
                      to_uint16(shade_visible(frame, identity.look, lighting, person.head.eyes)))
            write_exr(os.path.join(folder, "depth.exr"), depth_image(frame, HALF_MAX, np.float16))
            kp = os.path.join(folder, "key_points")
            for name, doc in _keypoint_files(tree, camera).items():
                write_json(os.path.join(kp, name), doc)
