"""The pinhole camera of a Datagen request (spec §4.2): angles, field of view and sensor → :class:`CameraModel`.

The request's yaw/pitch/roll give the world → camera rotation (OpenCV frame:
x right, y down, z forward); the field of view and the sensor width give
``fx = fy``, with the principal point at the image centre.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..core.camera import CameraModel
from ..core.rotation import rot_x, rot_y, rot_z

PLATFORM_FOCAL = 50.0  # mm; the platform derives the sensor width from the FOV (spec §4.2)

# World → camera for a camera with zero yaw/pitch/roll (looking along +y, z up).
_BASE = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def request_rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """World → camera rotation of a request's camera angles: ``Rz(roll)·Rx(−pitch)·Ry(−yaw)·B``."""
    return rot_z(roll) @ rot_x(-pitch) @ rot_y(-yaw) @ _BASE


def aim_angles(direction: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees of a camera looking along ``direction``.

    From the rotation above the forward axis is
    ``(cos p·sin y, cos p·cos y, sin p)``.
    """
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    return float(np.degrees(np.arctan2(d[0], d[1]))), float(np.degrees(np.arcsin(d[2])))


@dataclass(frozen=True)
class Pinhole:
    name: str
    size: int  # square images only: W = H = size
    fov: float  # horizontal = vertical field of view, degrees
    location: np.ndarray  # camera centre, world
    yaw: float
    pitch: float
    roll: float = 0.0
    sensor: float | None = None  # sensor width in mm; None: derived from PLATFORM_FOCAL and the FOV

    @staticmethod
    def looking_at(name, size, fov, target, yaw, pitch, distance, sensor=None) -> "Pinhole":
        """A camera ``distance`` metres from ``target``, aimed at it with the given angles."""
        forward = request_rotation(yaw, pitch, 0.0)[2]
        location = np.asarray(target, dtype=float) - distance * forward
        return Pinhole(name, size, float(fov), location, float(yaw), float(pitch), 0.0, sensor)

    @cached_property
    def model(self) -> CameraModel:
        """The camera that projects and casts rays (what ``camera_metadata.json`` describes)."""
        R = request_rotation(self.yaw, self.pitch, self.roll)
        f, c = self.focal_length * self.size / self.sensor_width, self.size / 2
        K = np.array([[f, 0.0, c], [0.0, f, c], [0.0, 0.0, 1.0]])
        return CameraModel(K=K, R=R, t=-R @ self.location, width=self.size, height=self.size)

    @property
    def sensor_width(self) -> float:
        if self.sensor is not None:
            return self.sensor
        return 2.0 * PLATFORM_FOCAL * float(np.tan(np.radians(self.fov) / 2))

    @property
    def focal_length(self) -> float:
        if self.sensor is None:
            return PLATFORM_FOCAL
        return self.sensor / 2 / float(np.tan(np.radians(self.fov) / 2))
