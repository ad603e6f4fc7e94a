"""Run by test_view3d.py under a real X server (Mesa's llvmpipe OpenGL), not a test module.

Opens the real window on a multi-camera DATASET, opens View ▸ 3D view, and prints as JSON: whether GL
came up, the dock's message, how many pixels near each camera's frustum lines differ from the
background (and how many far from everything), then clicks another camera's frustum and reports the
datapoint made current and the tree's selected row; last, opens the Statistics tab and reports the
window's frame and the screen.

    python xvfb_3d_driver.py SETTINGS DATASET
"""
from __future__ import annotations

import json
import sys

import numpy as np
from PySide6.QtCore import QEventLoop, QPoint, QSettings, Qt, QTimer
from PySide6.QtTest import QTest

from dgviewer.app import qtapp
from xvfb_driver import wait  # beside this script (run as a script: its folder is on sys.path)


def main() -> int:
    app = qtapp.application(qtapp.INTERACTIVE)
    from dgviewer.app.gl_scene import BACKGROUND
    from dgviewer.app.main_window import MainWindow
    from dgviewer.app.settings import Settings
    from dgviewer.app.tree_model import DATAPOINT_ROLE

    w = MainWindow(settings=Settings(QSettings(sys.argv[1] + ".ini", QSettings.Format.IniFormat)),
                   restore_layout=False)

    def settle(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    w.show()
    w.open_paths(sys.argv[2:])
    wait(w.session.shown)
    w.view3d_dock.show()
    w.view3d_dock.raise_()
    settle()
    view = w.view3d.view
    out = {"gl": view is not None, "message": w.view3d.message.text(), "current": w.session.cur.dp.id}
    if view is None:
        print(json.dumps(out))
        return 0
    scene = view.scene3d
    frame = view.grabFramebuffer().convertToFormat(view.grabFramebuffer().Format.Format_RGB888)
    ratio = frame.width() / view.width()
    pixels = np.frombuffer(frame.constBits(), np.uint8).reshape(frame.height(), frame.bytesPerLine())
    pixels = pixels[:, :frame.width() * 3].reshape(frame.height(), frame.width(), 3).astype(int)
    drawn = np.abs(pixels - np.array(BACKGROUND)).sum(axis=2) > 30
    out["size"] = [view.width(), view.height()]
    out["drawn_fraction"] = float(drawn.mean())
    near = {}
    for name, segs in scene.frusta().items():
        ends = view.to_screen(segs.reshape(-1, 3)).reshape(-1, 2, 2)
        hits = total = 0
        for a, b in ends[4:]:  # the four rim edges of the frustum's far face
            for t in np.linspace(0.1, 0.9, 9):
                x, y = (a + t * (b - a)) * ratio
                if not (0 <= x < frame.width() and 0 <= y < frame.height()):
                    continue
                total += 1
                xi, yi = int(x), int(y)
                hits += bool(drawn[max(0, yi - 2):yi + 3, max(0, xi - 2):xi + 3].any())
        near[name] = [hits, total]
    out["near_frusta"] = near
    current = scene.current.name
    other = next(c for c in scene.cameras if c.name != current)
    segs = scene.frusta()[other.name]
    a, b = view.to_screen(segs[4:5].reshape(-1, 3))  # the middle of its far face's top edge
    click = QPoint(int(round((a[0] + b[0]) / 2)), int(round((a[1] + b[1]) / 2)))
    out["picked"] = view.camera_at(click.x(), click.y())
    out["expected"] = other.datapoint
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, click)
    wait(w.session.shown)
    settle()
    out["after_click"] = w.session.cur.dp.id
    out["tree_selected"] = w.tree.view.selectionModel().currentIndex().data(DATAPOINT_ROLE).id
    out["current_camera_after"] = w.view3d.view.scene3d.current.name
    w.stats_dock.show()  # the Statistics tab beside it: the window must still fit the laptop screen
    w.stats_dock.raise_()
    while not w.stats.ready:
        settle(50)
    out["screen"] = _rect(w.screen().availableGeometry())
    out["frame"] = _rect(w.frameGeometry())
    out["stats_width"] = w.stats_dock.width()
    w.close()
    print(json.dumps(out))
    return 0


def _rect(r) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


if __name__ == "__main__":
    sys.exit(main())
