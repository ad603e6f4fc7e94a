"""The 3D dock under a real X server with Mesa's software OpenGL (llvmpipe): it draws every camera's frustum
where the view's projection puts it, and clicking a frustum makes that camera's datapoint current in the
tree; the Statistics tab beside it keeps the window on a 1366×768 screen. Skipped where Xvfb or openbox is absent (the offscreen degrade is tested in test_statistics_panel)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dgviewer.app.geometry import PANEL_MIN_WIDTH

from .test_xvfb import display  # noqa: F401  (the Xvfb + openbox fixture)

DRIVER = Path(__file__).with_name("xvfb_3d_driver.py")

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("openbox")),
                                reason="Xvfb and openbox are not installed")


def test_3d_dock_draws_the_frusta_and_a_click_selects_a_camera(display, tmp_path, samples):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    proc = subprocess.run([sys.executable, str(DRIVER), str(tmp_path / "settings"), samples["scene"]], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if not out["gl"]:
        pytest.skip(f"no OpenGL under this Xvfb: {out['message']}")
    assert len(out["near_frusta"]) == 3  # the scene sample's three cameras
    for name, (hits, total) in out["near_frusta"].items():
        assert total >= 9 and hits >= 0.8 * total, (name, out)  # lines drawn where the frustum projects
    assert 0 < out["drawn_fraction"] < 0.5  # most of the view is background: the lines are not everywhere
    assert out["picked"] == out["expected"] != out["current"]
    assert out["after_click"] == out["expected"] == out["tree_selected"]
    assert out["current_camera_after"] == out["expected"].split("/")[-2]
    x, y, width, height = out["frame"]  # with the Statistics tab open too, the window fits the 1366×768 screen
    sx, sy, sw, sh = out["screen"]
    assert sx <= x and sy <= y and x + width <= sx + sw and y + height <= sy + sh, out
    assert out["stats_width"] >= PANEL_MIN_WIDTH
