"""The Statistics panel and the 3D dock on the real main window (offscreen: the 3D dock says it needs OpenGL)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt

from dgviewer.app.view3d import NEEDS_GL
from dgviewer.core.statistics import range_terms

from ..conftest import copy_tree
from .conftest import goto_and_wait


def _open_statistics(qtbot, w):
    w.stats_dock.show()
    w.stats_dock.raise_()
    qtbot.waitUntil(lambda: w.stats.ready, timeout=20000)


def _counts(w, key: str) -> dict | None:
    """The counts a chart shows now (None while the charts are being rebuilt)."""
    chart = w.stats.charts.get(key)
    return dict(chart.dist.counts) if chart is not None else None


def _tree_datapoints(w) -> int:
    """Datapoint rows in the tree's model (what the user can click)."""
    model, count = w.tree.model, 0
    stack = [model.index(r, 0) for r in range(model.rowCount())]
    while stack:
        index = stack.pop()
        rows = model.rowCount(index)
        count += rows == 0
        stack += [model.index(r, 0, index) for r in range(rows)]
    return count


def test_a_bar_counts_the_metadata_and_a_click_filters_the_tree(qtbot, open_window, samples):
    w = open_window(samples["datapoint"])
    total = len(w.session.dataset)
    _open_statistics(qtbot, w)
    chart = w.stats.charts["expression"]
    expected = Counter(json.loads(Path(dp.find("actor_metadata.json")).read_text())["face_expression"]["name"]
                       for dp in w.session.dataset)
    row = 0
    value = chart.rows[row]
    assert dict(chart.dist.counts) == dict(expected)  # every bar: datapoints whose actor file says so
    assert chart.dist.counts[value] == expected[value] < total
    with qtbot.waitSignal(w.session.filter_changed, timeout=5000):
        qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=chart.row_point(row))
    assert w.tree.filter.text() == f"expression={value}"
    assert len(w.session.order) == expected[value] == _tree_datapoints(w) < total
    assert w.tree.summary.text() == f"{expected[value]} of {total} datapoints"
    # the charts follow the filter: only that expression is left
    qtbot.waitUntil(lambda: _counts(w, "expression") == {value: expected[value]}, timeout=20000)
    # the whole dataset again, filter kept
    w.stats.filtered.setChecked(False)
    qtbot.waitUntil(lambda: _counts(w, "expression") == dict(expected), timeout=20000)
    assert w.tree.filter.text() == f"expression={value}"


def test_a_dragged_histogram_range_and_decisions_as_facts(qtbot, open_window, samples, tmp_path):
    # A copy: the decision made here is saved beside the dataset, which other tests open too.
    w = open_window(str(copy_tree(Path(samples["datapoint"]), tmp_path / "datapoint")))
    _open_statistics(qtbot, w)
    chart = w.stats.charts["yaw"]
    assert chart.dist.kind == "histogram" and chart.region is not None
    yaws = sorted(dp.facts({"yaw"})["yaw"][0] for dp in w.session.dataset)
    lo, hi = yaws[0], (yaws[1] + yaws[2]) / 2  # keeps the two lowest (the lowest is the histogram's edge)
    with qtbot.waitSignal(w.session.filter_changed, timeout=5000):
        chart.region.setRegion((lo, hi))  # what dragging does, ending in sigRegionChangeFinished
    assert w.tree.filter.text() == range_terms("yaw", lo, hi)
    assert len(w.session.order) == 2 == _tree_datapoints(w)
    # a decision is a fact: the review chart counts it once the change settles
    w.session.decide("fail")
    qtbot.waitUntil(lambda: (_counts(w, "review") or {}).get("fail") == 1, timeout=20000)
    assert _counts(w, "review").get("unreviewed") == 1


def test_3d_dock_says_it_needs_opengl_offscreen_and_2d_keeps_working(qtbot, open_window, samples):
    w = open_window(samples["scene"])
    w.view3d_dock.show()
    w.view3d_dock.raise_()
    qtbot.waitUntil(lambda: w.view3d.problem is not None, timeout=5000)
    assert w.view3d.view is None and w.view3d.message.isVisible()
    assert w.view3d.message.text().startswith(NEEDS_GL)
    dp = w.session.order[3]
    goto_and_wait(qtbot, w, dp)  # the 2D picture is drawn as ever
    assert w.picture._drawn_image is not None and w.session.cur.dp is dp


def test_the_2d_viewer_never_loads_opengl(samples):
    """Opening a dataset and drawing it (3D dock closed) imports neither pyqtgraph.opengl nor PyOpenGL."""
    code = ("import sys\nfrom dgviewer.app import qtapp\napp = qtapp.application(qtapp.OFFSCREEN)\n"
            "from dgviewer.app.main_window import MainWindow\nfrom PySide6.QtCore import QEventLoop\n"
            "w = MainWindow(restore_layout=False)\nw.show()\nloop = QEventLoop()\n"
            "w.session.shown.connect(loop.quit)\nw.open_paths([sys.argv[1]])\nloop.exec()\n"
            "print(sorted(m for m in sys.modules if m.startswith(('OpenGL', 'pyqtgraph.opengl'))))\nw.close()\n")
    proc = subprocess.run([sys.executable, "-c", code, samples["scene"]], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
