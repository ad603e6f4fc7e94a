"""Background threads giving way to the GUI thread while it works.

Python runs one thread at a time (the GIL). Each time the GUI thread comes back from a Qt call it
must win the GIL again, and against threads listing a million folders it lost often. So the viewer
says when its event loop is busy (``busy(True)`` on waking, ``busy(False)`` before it sleeps) and
background loops call :func:`give_way` between small units of work: they pause while the GUI thread
works, up to ``MAX_PAUSE_S`` after it started (a long task, or a GUI thread waiting on a background
result, must not stop them). Without a GUI nothing is ever busy and :func:`give_way` costs one read.
"""
from __future__ import annotations

import threading
import time

#: How long after the GUI thread started a turn background threads stop pausing for it.
MAX_PAUSE_S = 0.05

_idle = threading.Event()
_idle.set()
_busy_since = 0.0


def busy(is_busy: bool) -> None:
    """The GUI thread starts (True) or ends (False) a turn of work."""
    global _busy_since
    if not is_busy:
        _idle.set()
    elif _idle.is_set():
        _busy_since = time.monotonic()
        _idle.clear()


def give_way() -> None:
    """Wait while the GUI thread works (at most until ``MAX_PAUSE_S`` after it started); at once on the
    GUI thread itself or with no GUI."""
    # get_ident, not current_thread(): that registers a dummy Thread for each Qt pool thread asking.
    if _idle.is_set() or threading.get_ident() == threading.main_thread().ident:
        return
    left = _busy_since + MAX_PAUSE_S - time.monotonic()
    if left > 0:
        _idle.wait(left)
