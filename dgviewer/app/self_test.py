"""``dgviewer --self-test``: drive the real window over the built-in sample and fail loudly.

Opens the demo dataset, shows every datapoint in every modality it has with every
overlay layer switched on, exports each view at native resolution, saves a
screenshot and exits non-zero on any exception, failed read or Qt warning. It runs
the same from source, from the PyInstaller bundle and from the installed .deb, so it
is what CI runs against each artefact.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback

from . import qtapp

#: Qt messages that are noise on the offscreen platform, not failures.
HARMLESS = ("propagateSizeHints", "QStandardPaths: runtime directory", "XDG_RUNTIME_DIR")
TIMEOUT_S = 60.0


def run_self_test(screenshot: str | None = None) -> int:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    from ..samples.demo import demo_paths
    from .export.png import save_png
    from .main_window import MainWindow

    failures: list[str] = []

    def on_qt_message(kind, _context, message):
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and not any(h in message for h in HARMLESS):
            failures.append(f"Qt {kind.name}: {message}")

    def on_exception(kind, value, tb):
        failures.append("".join(traceback.format_exception(kind, value, tb)))

    qInstallMessageHandler(on_qt_message)
    sys.excepthook = on_exception
    app = qtapp.application(qtapp.CAPTURE)  # after the handler: warnings while starting Qt count too
    window = MainWindow(restore_layout=False)
    window.resize(1600, 900)
    window.show()
    started = time.perf_counter()
    try:
        steps = _drive(app, window, demo_paths(), failures)
        shot = screenshot or os.path.join(tempfile.gettempdir(), "dgviewer-self-test.png")
        try:
            save_png(shot, window.grab().toImage())
        except OSError as e:
            failures.append(f"could not write the screenshot {shot}: {e.strerror or e}")
    except Exception:
        failures.append(traceback.format_exc())
        steps, shot = 0, None
    finally:
        window.close()
        qInstallMessageHandler(None)
    took = time.perf_counter() - started
    if failures:
        print(f"dgviewer self-test: FAILED after {steps} views ({took:.1f} s)", file=sys.stderr)
        for f in failures:
            print("  " + f.rstrip().replace("\n", "\n  "), file=sys.stderr)
        return 1
    print(f"dgviewer self-test: ok, {steps} views checked in {took:.1f} s; screenshot {shot}")
    return 0


def _wait(app, done, what: str) -> None:
    """Run the event loop until ``done()``; raise when it takes longer than TIMEOUT_S."""
    end = time.perf_counter() + TIMEOUT_S
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.001)  # a real event loop turn for the worker threads; never a test's wait


def _drive(app, window, paths: list[str], failures: list[str]) -> int:
    session = window.session
    opened: list = []
    shown: list[str] = []
    session.dataset_opened.connect(opened.append)
    session.open_failed.connect(lambda m: failures.append(f"open failed: {m}"))
    session.shown.connect(shown.append)
    window.open_paths(paths)
    _wait(app, lambda: opened or failures, "the sample dataset to open")
    if not opened:
        return 0
    dataset = opened[0]
    steps = 0
    for dp in dataset:
        for m in dp.modalities:
            shown.clear()
            session.view.modality = m
            session.show_datapoint(dp)
            _wait(app, lambda: dp.id in shown or session.cur.errors, f"{dp.id} ({m})")
            layers = session.cur.ann.annotations.layers if session.cur.ann else []
            session.view.set_styles({name: session.view.style(name).with_(visible=True, labels=True)
                                     for name in layers})  # the canvas restyles and redraws on the event
            app.processEvents()
            if session.cur.errors:
                failures.append(f"{dp.id} ({m}): " + "; ".join(session.cur.errors.values()))
                continue
            image = window.picture.export_image()
            expected = session.cur.images[m]
            # The picture at its native size, widened only by a legend margin on the right.
            if image is None or image.width() < expected.width or image.height() < expected.height:
                failures.append(f"{dp.id} ({m}): export is not at the image's native size")
            steps += 1
    return steps
