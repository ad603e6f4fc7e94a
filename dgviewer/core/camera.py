"""Pinhole / orthographic camera model in one convention.

World → camera uses the OpenCV camera frame (x right, y down, z forward);
the image uses pixel (column, row) from the top-left corner, with pixel j
covering [j, j+1). Readers build a :class:`CameraModel` from their own
metadata and the sample generators from their cameras; everything that
projects (gaze rays, eye circles, 3D boxes, reprojection checks, generated
keypoints) goes through :meth:`CameraModel.project`, and the generators'
ray casters start from :meth:`CameraModel.pixel_rays`.
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

    def pixel_rays(self) -> tuple[np.ndarray, np.ndarray]:
        """World rays through every pixel centre, row-major: ``(origins, directions)``, the inverse of :meth:`project`.

        Directions have a camera-frame z of 1, so the point ``origin + s·direction``
        lies at camera depth ``s``. A perspective camera's rays share one origin, its
        centre (3,); an orthographic camera's start on the image plane, (H·W, 3).
        """
        K, R = self.K, self.R
        y = (np.arange(self.height) + 0.5 - K[1, 2]) / K[1, 1]
        x = (np.arange(self.width)[None, :] + 0.5 - K[0, 2] - K[0, 1] * y[:, None]) / K[0, 0]
        y = np.broadcast_to(y[:, None], x.shape)
        across = x[..., None] * R[0] + y[..., None] * R[1]  # camera (x, y, 0) in world axes: rows of R
        if self.projection == "orthographic":
            return (across + self.center).reshape(-1, 3), np.tile(R[2], (x.size, 1))
        return self.center, (across + R[2]).reshape(-1, 3)

    @property
    def center(self) -> np.ndarray:
        """Camera centre in world coordinates."""
        return -self.R.T @ self.t
