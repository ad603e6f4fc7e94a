"""Run by test_xvfb.py under a real X server and window manager (not a test module).

Opens the real window on DATASET (merged folders), walks: first datapoint, depth (the toolbar that
squeezed the tree), the next datapoint, the shortcut sheet; prints the geometry after each as JSON.

    python xvfb_driver.py DATASET...

DGV_SEED_GEOMETRY=x,y,w,h saves that window geometry in the settings first, as an earlier run would have.
"""
from __future__ import annotations

import json
import os
import sys

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtTest import QTest

from dgviewer.app import qtapp


def wait(signal, ms: int = 30000) -> None:
    """Run the event loop until ``signal`` fires (or ``ms`` pass): the drivers' one way to wait."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def main() -> int:
    app = qtapp.application(qtapp.INTERACTIVE)
    from dgviewer.app.main_window import MainWindow
    from dgviewer.app.settings import Settings

    settings = Settings(QSettings(sys.argv[1] + ".ini", QSettings.Format.IniFormat))
    seed = os.environ.get("DGV_SEED_GEOMETRY")
    if seed:  # "x,y,w,h": a window layout as an earlier run saved it
        earlier = MainWindow(settings=settings)
        earlier.setGeometry(*map(int, seed.split(",")))
        settings.save_window_layout(earlier.saveGeometry(), earlier.saveState())
        earlier.deleteLater()
    w = MainWindow(settings=settings)
    out = {"screen": _rect(w.screen().availableGeometry())}

    def snap(name: str) -> None:
        app.processEvents()
        out[name] = {"frame": _rect(w.frameGeometry()), "tree": w.tree_dock.width(), "layers": _rect(w.layers_dock.geometry()),
                     "status_bottom": w.statusBar().mapTo(w, w.statusBar().rect().bottomLeft()).y(), "height": w.height()}

    w.show()
    w.open_paths(sys.argv[2:])
    wait(w.session.shown)
    snap("opened")
    QTest.keyClick(w, Qt.Key.Key_3)
    wait(w.session.shown)
    snap("depth")
    QTest.keyClick(w, Qt.Key.Key_Right)
    wait(w.session.shown)
    snap("next")

    def measure_sheet() -> None:
        dialog = app.activeModalWidget()
        out["sheet"] = _rect(dialog.frameGeometry()) if dialog else None
        if dialog:
            dialog.close()

    QTimer.singleShot(500, measure_sheet)
    for act in w.actions():
        if act.objectName() == "shortcuts":
            act.trigger()  # modal: returns once measure_sheet closed it
    print(json.dumps(out))
    w.close()
    return 0


def _rect(r) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


if __name__ == "__main__":
    sys.exit(main())
