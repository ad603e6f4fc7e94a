"""Background threads giving way to the GUI thread while it works.

Python runs one thread at a time (the GIL). Each time the GUI thread comes back from a Qt call it
must win the GIL again, and against threads listing a million folders it lost often. So the viewer
says when its event loop is busy (``busy(True)`` on waking, ``busy(False)`` before it sleeps) and
background loops call :func:`give_way` between small units of work: they pause while the GUI thread
works, up to ``MAX_PAUSE_S`` after it started (a long task, or a GUI thread waiting on a background
result, must not stop them). Without a GUI nothing is ever busy and :func:`give_way` costs one read.

A view the user is scrolling also ``hold``s them for a moment after each step: between the frames of a
fling the loop idles for a few milliseconds, too short for their work and long enough for them to hold the
GIL into the next frame.
"""
from __future__ import annotations

import threading
import time

#: How long after the GUI thread started a turn background threads stop pausing for it.
MAX_PAUSE_S = 0.05

_idle = threading.Event()
_idle.set()
_busy_since = 0.0
_held_until = 0.0  # monotonic time; only ever moved later, by the GUI thread


def busy(is_busy: bool) -> None:
    """The GUI thread starts (True) or ends (False) a turn of work."""
    global _busy_since
    if not is_busy:
        _idle.set()
    elif _idle.is_set():
        _busy_since = time.monotonic()
        _idle.clear()


def hold(seconds: float) -> None:
    """Background threads wait at :func:`give_way` until ``seconds`` from now, the GUI thread idle or not
    (called on each step of a scroll: the hold ends ``seconds`` after the last one)."""
    global _held_until
    _held_until = max(_held_until, time.monotonic() + seconds)


def give_way() -> None:
    """Wait while the GUI thread works (at most until ``MAX_PAUSE_S`` after it started) or holds; at once on
    the GUI thread itself or with no GUI."""
    # get_ident, not current_thread(): that registers a dummy Thread for each Qt pool thread asking.
    if (_idle.is_set() and _held_until <= time.monotonic()) or threading.get_ident() == threading.main_thread().ident:
        return
    while (held := _held_until - time.monotonic()) > 0:  # bounded: a hold is renewed only while scrolling
        time.sleep(held)
    left = _busy_since + MAX_PAUSE_S - time.monotonic()
    if left > 0 and not _idle.is_set():
        _idle.wait(left)
