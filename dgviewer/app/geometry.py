"""The window's size on the screen it opens on: a laptop's 1366×768 as well as a desktop's.

Qt would open the window at its widgets' preferred size, or at a restored geometry from a bigger
screen, and both can run past the screen's edge, where the Layers column and the status bar are
then out of reach.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication, QMainWindow

#: The size wanted on a large screen; a smaller one gets its available area less the window frame
#: (title bar and borders: the frame is not known before the window is first shown).
PREFERRED = QSize(1440, 900)
FRAME_ALLOWANCE = QSize(16, 48)
#: Narrowest the datapoint tree and the right-hand panels may be squeezed to by the picture.
TREE_MIN_WIDTH, PANEL_MIN_WIDTH = 220, 240


def fit_to_screen(window: QMainWindow, restored: bool) -> None:
    """Size ``window`` for its screen (a restored geometry too, when it no longer fits) and centre it."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    limit = area.size() - FRAME_ALLOWANCE
    if restored and area.contains(_frame(window)):
        return
    window.resize(PREFERRED.boundedTo(limit))
    x = area.x() + (area.width() - window.width()) // 2
    y = area.y() + max(0, (area.height() - window.height() - FRAME_ALLOWANCE.height()) // 2)
    window.move(x, y)


def _frame(window: QMainWindow) -> QRect:
    """The window's frame: Qt's once it is shown, else its geometry with FRAME_ALLOWANCE around it (a title bar
    above, borders). A geometry restored right up to the screen's edge ran past it by its frame: 4 px of the
    status bar off a 768-pixel screen."""
    frame, inner = window.frameGeometry(), window.geometry()
    if frame != inner:
        return frame
    side = FRAME_ALLOWANCE.width() // 2
    return inner.adjusted(-side, side - FRAME_ALLOWANCE.height(), side, side)
