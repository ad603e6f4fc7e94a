"""Fixtures that drive the real main window offscreen on generated sample datasets."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QThreadPool

from dgviewer.app import qtapp
from dgviewer.app.main_window import MainWindow
from dgviewer.app.settings import Settings

SIZE = 256


@pytest.fixture(scope="session")
def qapp():
    """pytest-qt's application (qtbot uses it), made by the app's one bootstrap: offscreen, no window is looked at."""
    return qtapp.application(qtapp.OFFSCREEN)


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict:
    """Generated datasets: a faces one (one camera per datapoint) and a multi-camera scene one."""
    root = tmp_path_factory.mktemp("samples")
    from dgviewer.samples import write_sample

    out = {}
    for variant in ("datapoint", "scene"):
        path = root / variant
        write_sample(str(path), variant=variant, size=SIZE, seed=0)
        out[variant] = str(path)
    return out


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(QSettings(str(tmp_path / "dgviewer.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def open_window(qtbot, settings):
    """open_window(*paths, goto=None) → a shown MainWindow with its first datapoint drawn."""
    windows = []

    def make(*paths, goto=None, wait=True):
        w = MainWindow(settings=settings, cache_bytes=256 << 20)
        qtbot.addWidget(w)
        windows.append(w)
        with qtbot.waitActive(w):  # window shortcuts only fire once the window is active
            w.show()
            w.activateWindow()
        if wait:
            with qtbot.waitSignal(w.shown, timeout=20000):
                w.open_paths(list(paths), goto=goto)
        else:
            w.open_paths(list(paths), goto=goto)
        return w

    yield make
    for w in windows:
        w.close()  # stops and drains the window's pool
        w.loader.shutdown()
    QThreadPool.globalInstance().waitForDone()


def goto_and_wait(qtbot, window, dp):
    with qtbot.waitSignal(window.shown, timeout=20000):
        window.show_datapoint(dp)


def press_and_wait(qtbot, window, key, modifier=None):
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(window.shown, timeout=20000):
        qtbot.keyClick(window, key, modifier or Qt.KeyboardModifier.NoModifier)

