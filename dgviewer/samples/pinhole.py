"""The pinhole camera of Datagen metadata (spec §4.2), with ray generation.

World → camera is ``c = R·(P − location)`` in the OpenCV frame (x right,
y down, z forward); ``u = fx·c.x/c.z + W/2`` is the column and
``v = fy·c.y/c.z + H/2`` the row; pixel j covers [j, j+1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import rot_x, rot_y, rot_z

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

    @property
    def R(self) -> np.ndarray:
        return request_rotation(self.yaw, self.pitch, self.roll)

    @property
    def t(self) -> np.ndarray:
        return -self.R @ self.location

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

    @property
    def fx(self) -> float:
        return self.focal_length * self.size / self.sensor_width

    @property
    def K(self) -> np.ndarray:
        c = self.size / 2
        return np.array([[self.fx, 0.0, c], [0.0, self.fx, c], [0.0, 0.0, 1.0]])

    @property
    def extrinsic(self) -> np.ndarray:
        return np.hstack([self.R, self.t[:, None]])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, dtype=float).reshape(-1, 3) - self.location) @ self.R.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (N, 3) → ``(uv (N, 2) as column,row; camera Z (N,))``."""
        c = self.to_camera(points)
        uv = self.fx * c[:, :2] / c[:, 2:3] + self.size / 2
        return uv, c[:, 2]

    def pixel_rays(self) -> np.ndarray:
        """World directions through every pixel centre, row-major (H·W, 3), scaled to camera-frame z = 1."""
        offsets = (np.arange(self.size) + 0.5 - self.size / 2) / self.fx
        R = self.R  # camera-frame (x, y, 1) → world: x·R[0] + y·R[1] + R[2]
        dirs = offsets[None, :, None] * R[0] + offsets[:, None, None] * R[1] + R[2]
        return dirs.reshape(-1, 3)
