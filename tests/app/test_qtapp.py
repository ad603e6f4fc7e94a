"""app/qtapp.py is the one QApplication bootstrap, and it picks the platform by what the windows are for."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from dgviewer.app import qtapp

PACKAGE = Path(qtapp.__file__).resolve().parents[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="other platforms always have a display")
def test_platform_follows_the_use(monkeypatch, qapp):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(qtapp.NoDisplay, match="QT_QPA_PLATFORM=offscreen.*--screenshot OUT.png"):
        qtapp.application(qtapp.INTERACTIVE)
    assert "QT_QPA_PLATFORM" not in os.environ
    assert qtapp.application(qtapp.CAPTURE) is qapp and os.environ["QT_QPA_PLATFORM"] == "offscreen"
    assert qtapp.application(qtapp.INTERACTIVE) is qapp  # the user's (here: our) QT_QPA_PLATFORM wins

    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("DISPLAY", ":0")
    qtapp.application(qtapp.CAPTURE)  # a display: captures use it, as a window would
    assert "QT_QPA_PLATFORM" not in os.environ
    qtapp.application(qtapp.OFFSCREEN)  # nothing shown: offscreen even with a display
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"


def test_only_qtapp_creates_the_application_or_picks_the_platform():
    pattern = re.compile(r"QApplication\(|QGuiApplication\(|QT_QPA_PLATFORM|PYQTGRAPH_QT_LIB|mkQApp")
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.name != "qtapp.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
