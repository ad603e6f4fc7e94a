"""Unity camera geometry → dgviewer's one convention (spec §2 and §5).

Unity's camera-local frame is x right, **y up**, z forward; dgviewer's
:class:`CameraModel` uses the OpenCV frame (x right, y down, z forward), so
every camera-local vector passes through :data:`UNITY_TO_CV` once, here.

Both formats store the upper-left 3×3 of Unity's OpenGL-style projection
matrix P, not pixel intrinsics; :func:`camera_model` turns it into K for a
W×H image (spec §5.1).
"""
from __future__ import annotations

import numpy as np

from ...core.camera import CameraModel
from .values import rotation_matrix, vec

#: Unity camera-local (y up) ↔ OpenCV camera frame (y down): its own inverse.
UNITY_TO_CV = np.diag([1.0, -1.0, 1.0])


def solo_matrix(values) -> np.ndarray:
    """SOLO ``matrix``: 9 floats, column by column (a serialised float3x3) → P as rows."""
    m = np.array([float(v) for v in values], dtype=np.float64)
    if m.shape != (9,):
        raise ValueError(f"camera matrix needs 9 numbers, got {len(m)}")
    return m.reshape(3, 3).T


def legacy_matrix(values) -> np.ndarray:
    """Legacy ``camera_intrinsic``: an array of P's columns, so ``ci[i][j] == P[j][i]``."""
    m = np.array(values, dtype=np.float64)
    if m.shape != (3, 3):
        raise ValueError(f"camera_intrinsic must be 3×3, got shape {m.shape}")
    return m.T


def projection_kind(projection, P: np.ndarray) -> str | None:
    """"perspective", "orthographic", or None where the matrix does not define pixels (fisheye)."""
    name = str(projection or "").lower()
    if name in ("orthographic", "isometric"):
        return "orthographic"
    if name == "perspective":
        return "perspective"
    if name:  # "fisheye" and anything newer: the stored matrix is the identity
        return None
    # Older data without the field: perspective always has |P22| > 1 (spec §5.1).
    return "orthographic" if abs(P[2, 2]) < 1.0 else "perspective"


def intrinsics(P: np.ndarray, width: int, height: int, kind: str) -> np.ndarray:
    """K for an OpenCV-frame point: u = K00·x + K01·y + K02 (x, y divided by z unless orthographic)."""
    hw, hh = width / 2.0, height / 2.0
    if kind == "orthographic":
        # An orthographic matrix keeps its offsets in the 4th column, which is not stored.
        cx, cy = hw, hh
    else:
        cx, cy = hw * (1.0 - P[0, 2]), hh * (1.0 + P[1, 2])
    # y_cv = −y_unity flips the sign of the y terms of Unity's NDC formula.
    return np.array([[P[0, 0] * hw, 0.0 - P[0, 1] * hw, cx], [0.0, P[1, 1] * hh, cy], [0.0, 0.0, 1.0]])


def camera_model(P: np.ndarray, width: int, height: int, projection=None, position=None, rotation=None) -> CameraModel | None:
    """The capture's camera; world pose optional (identity: camera-local points only). None for fisheye."""
    kind = projection_kind(projection, P)
    if kind is None or width <= 0 or height <= 0:
        return None
    K = intrinsics(P, width, height, kind)
    R, t = np.eye(3), np.zeros(3)
    if position is not None and rotation is not None:
        # Camera → world is Rq·x + p in Unity axes, so world → OpenCV camera is F·Rqᵀ·(x − p).
        R = UNITY_TO_CV @ rotation_matrix(rotation).T
        t = -R @ vec(position)
    return CameraModel(K=K, R=R, t=t, width=int(width), height=int(height), projection=kind)


def unity_to_cv(points) -> np.ndarray:
    """Camera-local Unity points (N, 3) → OpenCV camera frame."""
    return np.asarray(points, dtype=np.float64).reshape(-1, 3) @ UNITY_TO_CV


def box_corners(translation, size, rotation) -> np.ndarray:
    """The 8 corners (Unity camera-local) of a box; bit 0/1/2 of the corner index picks +x/+y/+z.

    That order is the one :data:`Box3D.EDGES` walks (0-1-3-2 is one face).
    """
    c, s, R = vec(translation), vec(size), rotation_matrix(rotation)
    signs = np.array([[(i >> k & 1) * 2 - 1 for k in range(3)] for i in range(8)], dtype=np.float64)
    return c + (signs * (s / 2.0)) @ R.T


def local_to_world(points, position, rotation) -> np.ndarray:
    """Camera-local Unity points (N, 3) → Unity world, given the camera's world pose."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return p @ rotation_matrix(rotation).T + vec(position)
