"""The 3D dock: the current datapoint's scene in world space (cameras, landmarks, skeletons, gaze, 3D boxes,
the picture on its camera's image plane); clicking a camera's frustum makes its datapoint current.

OpenGL is checked and loaded only when the dock is first shown: where it is missing (the offscreen
platform, no GL driver, no PyOpenGL) the dock says so and the rest of the viewer is unaffected.
The geometry is :mod:`dgviewer.core.scene3d`'s, from the readers' camera models and annotations.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from ..core.errors import DgviewerError
from ..core.scene3d import build_scene, counterparts
from .session import Session

NEEDS_GL = "3D needs OpenGL"


def gl_problem() -> str | None:
    """Why no OpenGL view can be made here, or None when one can."""
    platform = QGuiApplication.platformName()
    ctx = QOpenGLContext()
    if not ctx.create():
        return f"no OpenGL context on the {platform!r} display platform"
    surface = QOffscreenSurface()
    surface.create()
    if not ctx.makeCurrent(surface):
        return f"the OpenGL context of the {platform!r} platform cannot be used"
    ctx.doneCurrent()
    try:
        import pyqtgraph.opengl  # noqa: F401  (needs PyOpenGL)
    except ImportError as e:
        return f"PyOpenGL is not installed ({e})"
    return None


class View3DPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.view = None  # gl_scene.SceneView, made on first show
        self.problem: str | None = None
        self._making = False
        self._drawn: tuple | None = None  # (datapoint id, annotations, image) last drawn
        self.message = QLabel("Open a dataset to see its cameras in 3D.")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.message)
        session.updated.connect(self._follow)
        session.current_changed.connect(lambda _dp: self._follow())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.view is None and self.problem is None and not self._making:
            self._making = True
            try:
                self._make_view()
            finally:
                self._making = False
        self._follow()

    def _make_view(self) -> None:
        self.problem = gl_problem()
        if self.problem is not None:
            self.message.setText(f"{NEEDS_GL}: {self.problem}.\nThe 2D viewer works without it.")
            return
        from .gl_scene import SceneView

        view = SceneView()
        view.camera_clicked.connect(self._camera_clicked)
        self.stack.addWidget(view)  # a GL widget may re-show the window (showEvent again): self.view after
        self.view = view
        self.stack.setCurrentWidget(view)

    def _follow(self) -> None:
        """Draw the current datapoint's scene once its annotations (and picture) arrived."""
        if self.view is None or not self.isVisible():
            return
        cur = self.session.cur
        if cur.dp is None or cur.ann is None:
            return
        img = cur.images.get(self.session.modality)
        drawn = (cur.dp.id, cur.ann, img)
        if self._drawn is not None and all(a is b for a, b in zip(drawn, self._drawn)):
            return
        self._drawn = drawn
        cameras = []
        for dp in counterparts(cur.dp):
            try:
                model = dp.camera_model()
            except DgviewerError:  # an unreadable camera file: that camera is left out
                model = None
            cameras.append((dp.camera_node.name, dp.id, model))
        scene = build_scene(cur.dp.id, cameras, cur.ann.annotations)
        if not scene.cameras:
            self.stack.setCurrentWidget(self.message)
            self.message.setText("This datapoint has no camera pose to place in 3D.")
            return
        self.stack.setCurrentWidget(self.view)
        picture = None
        if img is not None:
            picture = img.screen if img.screen is not None else img.display
            picture = picture if picture.dtype.kind == "u" and picture.itemsize == 1 else None
        self.view.show_scene(scene, picture, cur.dp.scene_node)

    def _camera_clicked(self, dp_id: str) -> None:
        dp = self.session.dataset.get(dp_id) if self.session.dataset else None
        if dp is not None and dp is not self.session.cur.dp:
            if self.session.position(dp) is None:
                self.session.status.emit("That camera's datapoint is hidden by the filter", 4000)
                return
            self.session.navigate(dp)
