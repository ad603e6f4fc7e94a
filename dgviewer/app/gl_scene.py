"""The OpenGL half of the 3D view (pyqtgraph.opengl): draws a :class:`~dgviewer.core.scene3d.Scene3D` and
picks the camera under a click. Imported only once the 3D dock opens, and only where OpenGL works
(:mod:`dgviewer.app.view3d` checks), so the 2D viewer never loads OpenGL.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QMatrix4x4, QVector3D, QVector4D

from ..core.scene3d import Scene3D, image_plane

BACKGROUND = (24, 24, 28)
COLORS = {"camera": (0.35, 0.75, 1.0, 1.0), "current": (1.0, 0.85, 0.2, 1.0), "skeleton": (0.3, 0.95, 0.4, 1.0),
          "gaze": (1.0, 0.3, 0.3, 1.0), "boxes": (1.0, 0.6, 0.1, 1.0), "points": (0.95, 0.5, 0.95, 1.0)}
#: A click this close (px) to a camera's frustum lines selects that camera; a press moved further is an orbit.
PICK_PX, CLICK_PX = 12.0, 4.0
TEXTURE_MAX = 512  # the image plane's texture side: plenty at the plane's size on screen


class SceneView(gl.GLViewWidget):
    camera_clicked = Signal(str)  # the datapoint id of the camera clicked

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackgroundColor(BACKGROUND)
        self.scene3d: Scene3D | None = None
        self._items: list = []
        self._framed: object = None  # what the view was last framed on (a scene node): stepping keeps the orbit
        self._press: QPointF | None = None

    def show_scene(self, scene: Scene3D, image: np.ndarray | None, frame_key: object) -> None:
        """Replace what is drawn; re-frame the view when ``frame_key`` (the scene) changed."""
        for item in self._items:
            self.removeItem(item)
        self._items = []
        self.scene3d = scene
        for cam, segs in scene.frusta().items():
            current = scene.current is not None and scene.current.name == cam
            self._add(gl.GLLinePlotItem(pos=segs.reshape(-1, 3), mode="lines", width=3 if current else 2,
                                        color=COLORS["current" if current else "camera"], antialias=True))
        for name, segs in scene.segments.items():
            self._add(gl.GLLinePlotItem(pos=segs.reshape(-1, 3), mode="lines", width=2, color=COLORS[name]))
        if scene.points:
            self._add(gl.GLScatterPlotItem(pos=np.concatenate(list(scene.points.values())), size=3,
                                           color=COLORS["points"], pxMode=True))
        if image is not None and scene.current is not None:
            self._add_image(scene, image)
        if frame_key is not self._framed:
            self._framed = frame_key
            self._frame(scene)

    def _add(self, item) -> None:
        self.addItem(item)
        self._items.append(item)

    def _add_image(self, scene: Scene3D, image: np.ndarray) -> None:
        """The current picture as a half-transparent quad on its camera's image plane."""
        step = max(1, int(np.ceil(max(image.shape[:2]) / TEXTURE_MAX)))
        small = image[::step, ::step]
        if small.ndim == 2:
            small = np.repeat(small[..., None], 3, axis=2)
        rgba = np.empty(small.shape[:2] + (4,), np.uint8)
        rgba[..., :3] = small[..., :3]
        rgba[..., 3] = 200
        data = np.ascontiguousarray(rgba.transpose(1, 0, 2))  # GLImageItem wants (x, y, RGBA)
        c = image_plane(scene.current.model, scene.depth)
        ex, ey = (c[1] - c[0]) / data.shape[0], (c[3] - c[0]) / data.shape[1]
        n = np.cross(ex, ey)
        item = gl.GLImageItem(data, smooth=True)
        item.setTransform(QMatrix4x4(ex[0], ey[0], n[0], c[0, 0], ex[1], ey[1], n[1], c[0, 1],
                                     ex[2], ey[2], n[2], c[0, 2], 0, 0, 0, 1))
        self._add(item)

    def _frame(self, scene: Scene3D) -> None:
        pts = ([c.model.center for c in scene.cameras] + list(scene.points.values())
               + [s.reshape(-1, 3) for s in scene.segments.values()])
        if not pts:
            return
        allp = np.vstack([np.atleast_2d(p) for p in pts])
        centre = allp.mean(axis=0)
        extent = float(np.linalg.norm(allp - centre, axis=1).max()) + scene.depth
        self.setCameraPosition(pos=QVector3D(*centre), distance=max(extent * 1.8, 0.3), elevation=25, azimuth=-60)

    # -- screen geometry and picking ---------------------------------------------------
    def to_screen(self, points: np.ndarray) -> np.ndarray:
        """World points (N, 3) → widget pixels (N, 2) as drawn (NaN behind the eye)."""
        w, h = self.width(), self.height()
        m = self.projectionMatrix((0, 0, w, h), (0, 0, w, h)) * self.viewMatrix()
        out = []
        for p in np.asarray(points, float).reshape(-1, 3):
            v = m.map(QVector4D(float(p[0]), float(p[1]), float(p[2]), 1.0))
            if v.w() <= 1e-9:
                out.append((np.nan, np.nan))
            else:
                out.append(((v.x() / v.w() + 1) / 2 * w, (1 - v.y() / v.w()) / 2 * h))
        return np.array(out, float).reshape(-1, 2)

    def camera_at(self, x: float, y: float) -> str | None:
        """The datapoint id of the camera whose frustum lines pass nearest (x, y), within PICK_PX."""
        if self.scene3d is None:
            return None
        best, best_d = None, PICK_PX
        frusta = self.scene3d.frusta()
        for cam in self.scene3d.cameras:
            ends = self.to_screen(frusta[cam.name].reshape(-1, 3)).reshape(-1, 2, 2)
            d = _segment_distance(np.array([x, y]), ends)
            if d < best_d:
                best, best_d = cam.datapoint, d
        return best

    def mousePressEvent(self, ev) -> None:
        self._press = ev.position()
        super().mousePressEvent(ev)

    def mouseReleaseEvent(self, ev) -> None:
        p, self._press = self._press, None
        if p is not None and (ev.position() - p).manhattanLength() <= CLICK_PX:
            hit = self.camera_at(ev.position().x(), ev.position().y())
            if hit is not None:
                self.camera_clicked.emit(hit)
        super().mouseReleaseEvent(ev)


def _segment_distance(p: np.ndarray, segs: np.ndarray) -> float:
    """Least distance from point ``p`` to 2D segments (M, 2, 2); segments with a NaN end are skipped."""
    a, b = segs[:, 0], segs[:, 1]
    ok = np.isfinite(segs).all(axis=(1, 2))
    if not ok.any():
        return np.inf
    a, b = a[ok], b[ok]
    ab = b - a
    t = np.clip(((p - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-12), 0, 1)
    return float(np.linalg.norm(a + t[:, None] * ab - p, axis=1).min())
