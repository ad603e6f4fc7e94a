"""Window size and layout under a real X server with a window manager, on a 1366×768 laptop screen.

Offscreen Qt has no window manager: frames, docks and dialogs only behave as users see them under
X. Needs Xvfb and openbox (Debian packages, installed by .ci/bootstrap); skipped where absent.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dgviewer.app.geometry import TREE_MIN_WIDTH

DRIVER = Path(__file__).with_name("xvfb_driver.py")
SCREEN = (1366, 768)

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("openbox")),
                                reason="Xvfb and openbox are not installed")


@pytest.fixture(scope="module")
def display(tmp_path_factory):
    """A fresh Xvfb screen of SCREEN size with openbox managing it; yields its DISPLAY."""
    tmp = tmp_path_factory.mktemp("x")
    r, w = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                             "-nolisten", "tcp"], pass_fds=[w], stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()  # written once the server accepts clients
    env = dict(os.environ, DISPLAY=f":{number}", HOME=str(tmp))
    ready = tmp / "wm-ready"
    os.mkfifo(ready)
    wm = subprocess.Popen(["openbox", "--startup", f"sh -c 'echo up > {ready}'"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(ready) as f:  # openbox runs --startup once it manages the screen
        assert f.readline().strip() == "up"
    yield env["DISPLAY"]
    wm.terminate()
    xvfb.terminate()
    wm.wait(10)
    xvfb.wait(10)


def _drive(display: str, tmp_path, *paths: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    proc = subprocess.run([sys.executable, str(DRIVER), str(tmp_path / "settings"), *paths], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _within(rect, screen) -> bool:
    x, y, w, h = rect
    sx, sy, sw, sh = screen
    return x >= sx and y >= sy and x + w <= sx + sw and y + h <= sy + sh


def test_window_fits_a_laptop_screen_through_a_working_session(display, tmp_path, samples):
    """Faces sample then a Perception one: the window, its docks and the shortcut sheet stay on the screen."""
    for paths in ([samples["datapoint"]], [samples["perception"]], [samples["datapoint"], samples["perception"]]):
        out = _drive(display, tmp_path, *paths)
        screen = out["screen"]
        assert screen[2:] == list(SCREEN) or screen[3] < SCREEN[1]  # a panel may take part of the height
        for step in ("opened", "depth", "next"):
            g = out[step]
            assert _within(g["frame"], screen), (paths, step, g, screen)
            assert g["tree"] >= TREE_MIN_WIDTH, (paths, step, g)  # pressing 3 no longer squeezes the tree
            assert g["layers"][0] + g["layers"][2] <= g["frame"][2]  # the Layers column is on screen
            assert g["status_bottom"] < g["height"]
        assert out["sheet"] is not None and _within(out["sheet"], screen)


def test_a_restored_geometry_that_fits_only_without_its_frame_is_fitted_again(display, tmp_path, samples,
                                                                                monkeypatch):
    """As a run on this screen saved it: before the window is shown Qt knows no frame, and the title bar took the
    status bar 4 px past the bottom of the screen."""
    monkeypatch.setenv("DGV_SEED_GEOMETRY", "187,69,1178,698")
    out = _drive(display, tmp_path, samples["datapoint"])
    assert _within(out["opened"]["frame"], out["screen"]), out
