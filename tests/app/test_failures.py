"""Broken data shows an error on that datapoint and the rest keeps working."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from PySide6.QtCore import Qt

import dgviewer
from dgviewer.app.tree_model import DATAPOINT_ROLE

from .conftest import goto_and_wait, press_and_wait


def _copy(samples, tmp_path, variant="scene"):
    dst = tmp_path / variant
    shutil.copytree(samples[variant], dst, copy_function=shutil.copyfile)
    return str(dst)


def test_corrupt_png_shows_error_and_navigation_continues(open_window, samples, tmp_path, qtbot):
    root = _copy(samples, tmp_path)
    ds = dgviewer.load(root)
    bad = ds[1]
    path = os.path.join(bad.camera_node.path, bad.name)  # a Datagen datapoint is named after its image
    assert os.path.isfile(path)
    with open(path, "r+b") as f:  # keep the PNG header, cut the data: a truncated file
        f.truncate(200)
    w = open_window(root)
    goto_and_wait(qtbot, w, w.session.dataset.get(bad.id))
    assert os.path.basename(path) in w.canvas.message
    qtbot.waitUntil(lambda: any(os.path.basename(path) in t for t in w.inspector.problem_texts()), timeout=5000)
    idx = w.tree.model.index_for(w.session.cur.dp)
    assert idx.data(Qt.ItemDataRole.DecorationRole) is not None  # warning icon on the row
    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    assert w.session.cur.dp.id == ds[2].id and w.canvas.message == ""
    assert w.canvas.image.image is not None


def test_broken_json_shows_error(open_window, samples, tmp_path, qtbot):
    root = _copy(samples, tmp_path, "datapoint")
    ds = dgviewer.load(root)
    bad = ds[1]
    for dirpath, _, files in os.walk(bad.scene_node.path):
        for f in files:
            if f == "all_key_points.json" or f.endswith("_key_points.json"):
                with open(os.path.join(dirpath, f), "w") as fh:
                    fh.write('{"version": "2.0.0", "face": {')
    w = open_window(root)
    goto_and_wait(qtbot, w, w.session.dataset.get(bad.id))
    assert "key_points" in w.canvas.message
    press_and_wait(qtbot, w, Qt.Key.Key_Right)
    assert w.canvas.message == "" and w.canvas.shown_overlays()


def test_worker_exception_is_reported_not_fatal(open_window, samples, qtbot):
    w = open_window(samples["scene"])
    dp = w.session.order[2]
    m = w.session.cur.modality(w.session.view.modality)

    def boom(modality):
        raise RuntimeError("reader bug")

    dp._read = boom
    w.session.cache.clear()  # it was prefetched as a neighbour
    goto_and_wait(qtbot, w, dp)
    assert "RuntimeError: reader bug" in w.canvas.message
    assert "Internal error" in w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: any("Traceback" in t for t in w.inspector.problem_texts()), timeout=5000)
    press_and_wait(qtbot, w, Qt.Key.Key_Left)
    assert w.session.cur.images.get(m) is not None


def test_not_a_dataset_message(open_window, tmp_path, qtbot):
    (tmp_path / "empty").mkdir()
    w = open_window(str(tmp_path / "empty"), wait=False)
    # Nothing was open: the start page says why, beside its Open button and the recent datasets.
    qtbot.waitUntil(lambda: "not a dataset folder" in w.start.state.text(), timeout=10000)
    assert w.start.isVisible() and not w.canvas.isVisible()


def test_screenshot_command(samples, tmp_path):
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    ds = dgviewer.load(samples["scene"])
    code = ("import sys; from dgviewer.app.launch import run; "
            f"sys.exit(run([{samples['scene']!r}], goto={ds[1].id!r}, screenshot={str(out)!r}))")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert img.width() >= 800 and img.height() >= 500
    bad = subprocess.run([sys.executable, "-c", code.replace(repr(samples["scene"]), repr(str(tmp_path)))],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "not a dataset folder" in bad.stderr and "Traceback" not in bad.stderr


def test_recent_and_layout_saved(open_window, samples, settings):
    w = open_window(samples["datapoint"])
    assert settings.recent()[0] == [os.path.abspath(samples["datapoint"])]
    w.close()
    geometry, state = settings.window_layout()
    assert geometry is not None and state is not None


def test_tree_row_roles(open_window, samples):
    w = open_window(samples["scene"])
    idx = w.tree.model.index_for(w.session.cur.dp)
    assert idx.data(DATAPOINT_ROLE) is w.session.cur.dp
