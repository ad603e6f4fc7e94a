"""The one QApplication bootstrap: Qt binding, platform choice, pyqtgraph options, the application object.

Importing this module pins pyqtgraph to PySide6 (``dgviewer.app`` imports it first, before any
module imports pyqtgraph). :func:`application` is the only code that creates the QApplication;
``use`` says whether windows are shown to a person, so it knows when the offscreen platform is
right and when a missing display is an error worth one clear line instead of Qt's xcb abort.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402

pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)  # overlays antialias themselves

from ..core import courtesy  # noqa: E402

#: Nothing is ever shown (``dgviewer render``, tests, benchmarks): offscreen, display or not.
OFFSCREEN = "offscreen"
#: Windows are drawn to files, not looked at (``--screenshot``, ``--self-test``): offscreen without a display.
CAPTURE = "capture"
#: A person uses the window: it needs a display.
INTERACTIVE = "interactive"

ICON = os.path.join(os.path.dirname(os.path.dirname(__file__)), "resources", "dgviewer.png")


class NoDisplay(RuntimeError):
    """An interactive window was asked for where there is no display to show it on."""


def has_display() -> bool:
    """True where Qt's default platform can show windows (Windows and macOS always have one)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


#: How long a thread holding the GIL keeps it from one that waits (see application()).
GIL_SWITCH_S = 0.0005


def application(use: str):
    """The QApplication (created on the first call, with dgviewer's name and icon), set up for ``use``.

    use: OFFSCREEN, CAPTURE or INTERACTIVE. A QT_QPA_PLATFORM the user set always wins.
    Raises NoDisplay for INTERACTIVE without a display and without QT_QPA_PLATFORM.
    """
    if use not in (OFFSCREEN, CAPTURE, INTERACTIVE):
        raise ValueError(f"unknown use {use!r}")
    if use == OFFSCREEN or not has_display():
        if use == INTERACTIVE and "QT_QPA_PLATFORM" not in os.environ:
            raise NoDisplay("no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); run headless "
                            "with QT_QPA_PLATFORM=offscreen, or write the window to a file with --screenshot OUT.png")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QAbstractEventDispatcher
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Listing, filter and index threads run Python beside the GUI thread. Each time the GUI thread
        # comes back from a Qt call it may wait for the GIL up to the switch interval (5 ms by default),
        # so a handler making many Qt calls waits that many times over while they run.
        sys.setswitchinterval(GIL_SWITCH_S)
        # A QApplication, not a QGuiApplication: QGraphicsScene rendering crashes under the latter.
        app = QApplication(["dgviewer"])
        app.setApplicationName("dgviewer")
        app.setOrganizationName("dgviewer")
        if os.path.exists(ICON):
            app.setWindowIcon(QIcon(ICON))
        # And background loops pause while the event loop works (see core/courtesy.py).
        dispatcher = QAbstractEventDispatcher.instance()
        dispatcher.awake.connect(lambda: courtesy.busy(True))
        dispatcher.aboutToBlock.connect(lambda: courtesy.busy(False))
    return app
