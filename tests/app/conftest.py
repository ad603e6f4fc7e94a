"""Fixtures that drive the real main window (or a headless session) offscreen on generated sample datasets."""
from __future__ import annotations

import contextlib
import threading

import pytest
from PySide6.QtCore import QEvent, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication

from dgviewer.app import qtapp
from dgviewer.app.main_window import MainWindow
from dgviewer.app.settings import Settings

SIZE = 256
#: How long a worker may take to notice it was cancelled when its window closed.
THREAD_GRACE_MS = 5000


@pytest.fixture(scope="session")
def qapp():
    """pytest-qt's application (qtbot uses it), made by the app's one bootstrap: offscreen, no window is looked at."""
    return qtapp.application(qtapp.OFFSCREEN)


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict:
    """Generated datasets: a faces one (one camera per datapoint), a multi-camera scene one and a Perception one."""
    root = tmp_path_factory.mktemp("samples")
    from dgviewer.samples import write_sample
    from dgviewer.samples.perception import write_perception_sample

    out = {}
    for variant in ("datapoint", "scene"):
        path = root / variant
        write_sample(str(path), variant=variant, size=SIZE, seed=0)
        out[variant] = str(path)
    out["perception"] = write_perception_sample(str(root / "solo"), format="solo", size=128, seed=0)
    return out


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Fresh settings; a decision does not advance (the tests written before that setting step themselves)."""
    s = Settings(QSettings(str(tmp_path / "dgviewer.ini"), QSettings.Format.IniFormat))
    s.advance_after_review = False
    return s


def _python_threads() -> set[threading.Thread]:
    # Foreign (Qt pool) threads that ran Python show up as dummies that never go away: not leaks.
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


@contextlib.contextmanager
def no_leaks():
    """Fails (pytest.fail) when the block leaves top-level widgets or running threads behind, as napari's
    make_napari_viewer does; ``register(window)`` names a window to close and delete at the end first."""
    widgets_before = set(QApplication.topLevelWidgets())
    threads_before = _python_threads()
    windows: list[MainWindow] = []
    yield windows.append
    busy = []
    for w in windows:
        w.close()  # stops and drains the window's pools
        busy += [p for p in w.findChildren(QThreadPool) if p.activeThreadCount()]
        w.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    global_pool = QThreadPool.globalInstance()
    global_pool.waitForDone(THREAD_GRACE_MS)  # e.g. a QA run, cancelled when its window closed
    problems = []
    if busy:
        problems.append(f"{len(busy)} window thread pool(s) still running after close")
    if global_pool.activeThreadCount():
        problems.append(f"{global_pool.activeThreadCount()} global pool thread(s) still running")
    for t in _python_threads() - threads_before:
        t.join(THREAD_GRACE_MS / 1000)
        if t.is_alive():
            problems.append(f"thread {t.name!r} still running")
    leaked = [w for w in QApplication.topLevelWidgets() if w not in widgets_before]
    if leaked:
        problems.append("top-level widgets left behind: " + ", ".join(
            f"{type(w).__name__}({w.objectName() or w.windowTitle()!r})" for w in leaked))
    if problems:
        pytest.fail("leak: " + "; ".join(problems))


@pytest.fixture
def leak_check(qapp):
    with no_leaks() as register:
        yield register


@pytest.fixture
def open_window(qtbot, settings, leak_check):
    """open_window(*paths, goto=None) → a shown MainWindow with its first datapoint drawn and its dataset
    listed; it must leave no widget or thread behind."""

    def make(*paths, goto=None, wait=True, listed=True):
        w = MainWindow(settings=settings, cache_bytes=256 << 20)
        leak_check(w)
        with qtbot.waitActive(w):  # window shortcuts only fire once the window is active
            w.show()
            w.activateWindow()
        if wait:
            with qtbot.waitSignal(w.session.shown, timeout=20000):
                w.open_paths(list(paths), goto=goto)
            if listed:  # the rest of the dataset listed too (listed=False: as soon as the first is drawn)
                qtbot.waitUntil(lambda: not w.session.is_listing, timeout=60000)
        else:
            w.open_paths(list(paths), goto=goto)
        return w

    return make


def goto_and_wait(qtbot, window, dp):
    with qtbot.waitSignal(window.session.shown, timeout=20000):
        window.session.show_datapoint(dp)


def press_and_wait(qtbot, window, key, modifier=None):
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(window.session.shown, timeout=20000):
        qtbot.keyClick(window, key, modifier or Qt.KeyboardModifier.NoModifier)
