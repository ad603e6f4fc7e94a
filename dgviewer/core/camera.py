"""Pinhole / orthographic camera model in one convention.

World → camera uses the OpenCV camera frame (x right, y down, z forward);
the image uses pixel (column, row) from the top-left corner, with pixel j
covering [j, j+1). Readers build a :class:`CameraModel` from their own
metadata; everything that projects (gaze rays, eye circles, 3D boxes,
reprojection checks) goes through :meth:`CameraModel.project`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CameraModel:
    K: np.ndarray  # (3, 3) intrinsics; for orthographic: [[sx,0,cx],[0,sy,cy],[0,0,1]] in px per metre
    R: np.ndarray  # (3, 3) world → camera rotation
    t: np.ndarray  # (3,) world → camera translation
    width: int
    height: int
    projection: str = "perspective"  # or "orthographic"

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (N, 3) → camera-frame points (N, 3)."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        return p @ self.R.T + self.t

    def project_camera(self, pc: np.ndarray) -> np.ndarray:
        """Camera-frame points (N, 3) → pixel (N, 2) column,row. Points behind the camera give NaN."""
        pc = np.asarray(pc, dtype=np.float64).reshape(-1, 3)
        K = self.K
        if self.projection == "orthographic":
            x, y = pc[:, 0], pc[:, 1]
        else:
            z = np.where(pc[:, 2] > 1e-9, pc[:, 2], np.nan)
            x, y = pc[:, 0] / z, pc[:, 1] / z
        u = K[0, 0] * x + K[0, 1] * y + K[0, 2]
        v = K[1, 1] * y + K[1, 2]
        return np.stack([u, v], axis=1)

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (N, 3) → pixel (N, 2) column,row."""
        return self.project_camera(self.to_camera(points))

    def rotate(self, vectors: np.ndarray) -> np.ndarray:
        """World directions (N, 3) → camera-frame directions."""
        return np.asarray(vectors, dtype=np.float64).reshape(-1, 3) @ self.R.T

    @property
    def center(self) -> np.ndarray:
        """Camera centre in world coordinates."""
        return -self.R.T @ self.t
