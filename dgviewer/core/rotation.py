"""Rotation matrices and quaternions, shared by the readers and the sample generators.

Quaternions are (x, y, z, w), scalar last, as Unity writes them. Matrices
map local vectors to the parent frame (``R @ v``); angles are in degrees.
Nothing here knows a file format: readers parse their values first.
"""
from __future__ import annotations

import math

import numpy as np


def rot_x(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def rotation_about(axis, deg: float) -> np.ndarray:
    """Rodrigues rotation about ``axis`` (any length)."""
    k = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    a = np.radians(deg)
    return np.eye(3) + np.sin(a) * kx + (1.0 - np.cos(a)) * (kx @ kx)


def quat_axis(axis: str, deg: float) -> np.ndarray:
    """The quaternion of ``deg`` degrees about the ``"x"``, ``"y"`` or ``"z"`` axis."""
    h = math.radians(deg) / 2
    q = np.zeros(4)
    q["xyz".index(axis)] = math.sin(h)
    q[3] = math.cos(h)
    return q


def quat_mul(a, b) -> np.ndarray:
    """Hamilton product a·b (apply b, then a)."""
    (ax, ay, az, aw), (bx, by, bz, bw) = a, b
    return np.array([aw * bx + ax * bw + ay * bz - az * by, aw * by - ax * bz + ay * bw + az * bx,
                     aw * bz + ax * by - ay * bx + az * bw, aw * bw - ax * bx - ay * by - az * bz])


def quat_conj(q) -> np.ndarray:
    """The conjugate: the inverse rotation of a unit quaternion."""
    return np.array([-q[0], -q[1], -q[2], q[3]])


def quat_unit(q) -> np.ndarray:
    """``q`` scaled to length 1; ValueError for a zero-length or non-finite quaternion."""
    x, y, z, w = q
    norm = math.sqrt(x * x + y * y + z * z + w * w)
    if not math.isfinite(norm) or norm < 1e-9:
        raise ValueError(f"zero-length quaternion {[float(v) for v in q]!r}")
    return np.array([x / norm, y / norm, z / norm, w / norm])


def quat_matrix(q) -> np.ndarray:
    """3×3 rotation of the unit quaternion ``q``."""
    x, y, z, w = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
