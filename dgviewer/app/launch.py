"""Start the GUI: ``run(paths, goto, screenshot)`` is what ``dgviewer PATH...`` and ``dgviewer demo`` call."""
from __future__ import annotations

import logging
import sys
import traceback

from . import qtapp

SCREENSHOT_TIMEOUT_MS = 60_000


def start(screenshot: str | None = None):
    """The QApplication for a window that is looked at, or only captured to ``screenshot``; may raise qtapp.NoDisplay."""
    return qtapp.application(qtapp.CAPTURE if screenshot else qtapp.INTERACTIVE)


def run(paths: list[str], goto: str | None = None, screenshot: str | None = None, compare: str | None = None) -> int:
    """Open the viewer on ``paths`` (merged) and run the event loop; returns the exit code.

    goto: a datapoint id to open at. compare: another version of the dataset, shown beside it.
    screenshot: write the window to this PNG once the first datapoint is drawn (or the open failed) and exit, with no display needed
    (uses the offscreen platform when there is no X11/Wayland display). Exit code 0,
    or 1 when the folders could not be opened / the screenshot could not be written.
    Raises qtapp.NoDisplay when a window is wanted and there is no display.
    """
    app = start(screenshot)
    logging.basicConfig(level=logging.WARNING, format="dgviewer: %(levelname)s: %(message)s")
    from PySide6.QtCore import QTimer

    from .main_window import MainWindow

    _report_uncaught_exceptions()
    window = MainWindow(restore_layout=not screenshot)  # screenshots use the default layout, reproducibly
    status = {"code": 0}

    def failed(message: str) -> None:
        print(f"dgviewer: {message}", file=sys.stderr)
        status["code"] = 1

    window.session.open_failed.connect(failed)
    if screenshot:
        def capture(*_):
            if status.get("done"):
                return
            status["done"] = True
            # One more turn of the event loop so late panel updates (inspector) are painted too.
            QTimer.singleShot(200, lambda: _save(window, screenshot, status, app))

        window.session.shown.connect(capture)
        window.session.open_failed.connect(capture)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, capture)
    window.show()
    if paths:
        window.open_paths(list(paths), goto=goto)
    if compare:
        window.compare.compare_with(compare)
    app.exec()
    window.session.shutdown()
    return status["code"]


def _save(window, path: str, status: dict, app) -> None:
    from .export.png import save_png

    try:
        save_png(path, window.grab().toImage())
    except OSError as e:
        print(f"dgviewer: could not write the screenshot {path}: {e.strerror or e}", file=sys.stderr)
        status["code"] = 1
    window.close()
    app.quit()


def _report_uncaught_exceptions() -> None:
    """An exception escaping a slot is printed with its traceback and shown in the status bar; the app lives on."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    def hook(kind, value, tb):
        text = "".join(traceback.format_exception(kind, value, tb))
        print(text, file=sys.stderr)
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMainWindow):
                w.statusBar().showMessage(f"Internal error: {kind.__name__}: {value} (traceback on stderr)")

    sys.excepthook = hook
