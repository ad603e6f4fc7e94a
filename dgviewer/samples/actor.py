"""Random identities and a posed head in world coordinates."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np

from ..core.rotation import rot_x, rot_y, rot_z
from .head import EXPRESSIONS, Head
from .landmarks import head_landmarks
from .shading import SKIN_TONES, Look
from .solids import unit

AGES = ("young", "adult", "old")
GENDERS = ("female", "male")
IRIS_COLORS = ((0.05, 0.15, 0.35), (0.12, 0.06, 0.02), (0.1, 0.2, 0.08), (0.2, 0.12, 0.05))


def head_rotation(pitch: float, yaw: float, roll: float) -> np.ndarray:
    """Datagen's head Euler order (spec §4.4): ``Rx(pitch)·Rz(yaw)·Ry(roll)``."""
    return rot_x(pitch) @ rot_z(yaw) @ rot_y(roll)


def new_uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _hair_settings(rng: np.random.Generator) -> dict:
    """Request colour settings (datagen_protocol HairColor ranges)."""
    return {"index_of_refraction": round(float(rng.uniform(1.4, 1.6)), 4),
            "melanin": round(float(rng.uniform(0.1, 1.0)), 4), "redness": round(float(rng.uniform(0.0, 0.6)), 4),
            "roughness": round(float(rng.uniform(0.15, 0.45)), 4), "whiteness": round(float(rng.uniform(0.0, 0.15)), 4)}


def hair_rgb(settings: dict) -> tuple:
    """Rough linear RGB of hair: melanin darkens, redness warms, whiteness greys."""
    dark = (1 - settings["melanin"]) ** 2
    base = np.array([0.02, 0.015, 0.01]) + dark * np.array([0.35, 0.25, 0.12])
    base = base + settings["redness"] * dark * np.array([0.15, 0.02, 0.0])
    return tuple(base + settings["whiteness"] * (np.array([0.5, 0.5, 0.5]) - base))


@dataclass(frozen=True)
class Identity:
    identity_id: str
    age: str
    ethnicity: str
    gender: str
    hair: dict  # request colour settings, shared by hair and eyebrows
    asset_ids: dict  # "hair", "eyebrows", "eyes"
    look: Look
    iris_radius: float
    pupil_radius: float

    @staticmethod
    def random(rng: np.random.Generator) -> "Identity":
        ethnicity = str(rng.choice(list(SKIN_TONES)))
        hair = _hair_settings(rng)
        shirt = tuple(rng.uniform(0.05, 0.5, 3))
        look = Look(SKIN_TONES[ethnicity], hair_rgb(hair), IRIS_COLORS[rng.integers(len(IRIS_COLORS))], shirt)
        return Identity(new_uuid(rng), str(rng.choice(AGES)), ethnicity, str(rng.choice(GENDERS)), hair,
                        {k: new_uuid(rng) for k in ("hair", "eyebrows", "eyes")}, look,
                        float(rng.uniform(0.0056, 0.0064)), float(rng.uniform(0.0015, 0.0028)))


@dataclass(frozen=True)
class FaceState:
    """What changes between datapoints of one identity."""

    expression: str
    intensity: float  # 0..1
    gaze_direction: np.ndarray  # unit, head-relative (request convention: (0, -1, 0) is straight ahead)
    gaze_distance: float  # metres from the point between the eyes

    @staticmethod
    def random(rng: np.random.Generator) -> "FaceState":
        yaw, pitch = np.radians(rng.uniform(-25, 25)), np.radians(rng.uniform(-15, 15))
        direction = np.array([np.sin(yaw) * np.cos(pitch), -np.cos(yaw) * np.cos(pitch), np.sin(pitch)])
        distance = float(rng.choice([0.4, 1.0, 15.0]))
        return FaceState(str(rng.choice(list(EXPRESSIONS))), round(float(rng.uniform(0.3, 1.0)), 2),
                         direction, distance)


class PosedHead:
    """A head placed in the world: shapes, eyes, landmarks and gaze target, all in world coordinates."""

    def __init__(self, identity: Identity, face: FaceState, rotation: np.ndarray, root=(0.0, 0.0, 0.0)):
        self.identity, self.face = identity, face
        self.rotation, self.root = rotation, np.asarray(root, dtype=float)
        local_target = Head.eye_midpoint() + face.gaze_distance * unit(face.gaze_direction)
        head = Head.build(EXPRESSIONS[face.expression].scaled(face.intensity), local_target,
                          identity.iris_radius, identity.pupil_radius)
        self.shapes = [s.moved(rotation, self.root) for s in head.shapes]
        self.eyes = [e.moved(rotation, self.root) for e in head.eyes]
        self.landmarks = {k: self.to_world(v) for k, v in head_landmarks(head).items()}
        self.gaze_target = self.to_world(local_target)

    def to_world(self, points: np.ndarray) -> np.ndarray:
        return np.asarray(points) @ self.rotation.T + self.root

    @property
    def look_at(self) -> np.ndarray:
        return self.rotation @ np.array([0.0, -1.0, 0.0])

    @property
    def six_dof_location(self) -> np.ndarray:
        """Between the eyes: iBUG 28."""
        return self.landmarks["standard"][27]
