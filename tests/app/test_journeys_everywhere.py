"""The same working-day journey on every corpus dataset and a generated sample of every variant.

Open a faces sample, then dataset D through File ▸ Open; step, every modality by its key, review,
filter, resize to a laptop screen, merge with the first dataset, and go back to it from Open recent.
After each step: the title, the tree, the current datapoint, where the review landed, no error in
the status bar, and the docks' widths.
"""
from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

import dgviewer
from dgviewer.app.geometry import TREE_MIN_WIDTH
from dgviewer.samples import write_sample
from dgviewer.samples.perception import write_perception_sample

from ..conftest import CORPORA, copy_tree
from .conftest import press_and_wait
from .test_journeys import (
    _errors,
    _open_from_menu,
    _open_recent,
    _rel,
    _saved,
    _top_rows,
)

CORPUS = ["datagen/2022-07_Data1", "datagen/2023-01_faces_ir", "datagen/2023-01_hic_home_security",
          "perception/legacy-mock_perception-docs-simrun", "perception/legacy_datasetinsights-simrun_keypoint_dataset",
          "perception/solo_pysolotools-tests-solo", "perception/solo_pysolotools-tests-solo_custom_type"]
VARIANTS = ["datapoint", "scene", "environment", "earliest", "hic", "solo", "legacy"]
LAPTOP = (1366, 768)


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict:
    """Writable copies (reviews are saved beside a dataset: never beside the shared corpora)."""
    root = tmp_path_factory.mktemp("journeys")
    out = {"start": str(root / "faces")}
    write_sample(out["start"], variant="datapoint", size=128, seed=4)
    return {"root": root, **out}


def _dataset(places, kind: str) -> str:
    root = places["root"]
    if kind in CORPUS:
        src = CORPORA / kind
        if not src.is_dir():
            pytest.skip(f"corpus not available: {src}")
        dst = root / os.path.basename(kind)
        return str(dst if dst.exists() else copy_tree(src, dst))
    dst = root / f"sample-{kind}"
    if not dst.exists():
        if kind in ("solo", "legacy"):
            write_perception_sample(str(dst), format=kind, size=128)
        else:
            write_sample(str(dst), variant=kind, size=128, seed=1)
    return str(dst)


def _geometry_holds(w) -> None:
    assert w.tree_dock.isVisible() and w.tree_dock.width() >= TREE_MIN_WIDTH - 20, w.tree_dock.width()
    for dock in (w.tree_dock, w.layers_dock):
        assert dock.widget().width() <= dock.width()
    assert w.centralWidget().width() > 300  # the picture keeps room too


@pytest.mark.parametrize("kind", CORPUS + VARIANTS)
def test_journey(kind, places, open_window, qtbot, monkeypatch):
    start = places["start"]
    w = open_window(start)
    messages: list[str] = []
    w.statusBar().messageChanged.connect(messages.append)
    path = _dataset(places, kind)
    ds = dgviewer.load(path)
    name = os.path.basename(path)

    _open_from_menu(qtbot, w, monkeypatch, path)
    order = w.session.order
    assert w.windowTitle() == f"dgviewer — {name}" and _top_rows(w) == [name]
    assert [dp.id for dp in order] == [dp.id for dp in ds] and w.session.cur.dp.id == ds[0].id
    assert w.session.cur.dp.id in w.inspector.title.text().replace("\n", "")
    _geometry_holds(w)

    if len(order) > 1:  # step
        press_and_wait(qtbot, w, Qt.Key.Key_Right)
        assert w.session.cur.dp.id == order[1].id
    dp = w.session.cur.dp
    for key, modality in ((str(i + 1), m) for i, m in enumerate(dgviewer.core.model.MODALITIES)):
        if modality in dp.modalities and modality != w.session.modality:  # every image by its key
            press_and_wait(qtbot, w, getattr(Qt.Key, f"Key_{key}"))
            assert w.session.modality == modality and w.session.cur.images.get(modality) is not None
            _geometry_holds(w)
    back = "visible" if "visible" in dp.modalities else dp.modalities[0]
    qtbot.keyClick(w, getattr(Qt.Key, f"Key_{dgviewer.core.model.MODALITIES.index(back) + 1}"))
    qtbot.waitUntil(lambda: w.session.modality == back, timeout=5000)  # shown again, no new announcement

    qtbot.keyClick(w, Qt.Key.Key_P)  # review lands beside D, never beside the start dataset
    assert _saved(path)[_rel(dp)] == "pass" and _rel(dp) not in _saved(start)

    camera = dp.camera_node.name  # filter
    w.tree.filter.setText(f"camera={camera}")
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.apply_filter()
    assert w.session.order and all(d.camera_node.name == camera for d in w.session.order)
    with qtbot.waitSignal(w.session.filter_changed, timeout=20000):
        w.tree.filter.setText("")

    w.resize(*LAPTOP)  # a laptop screen
    assert w.minimumSizeHint().width() <= LAPTOP[0] and w.minimumSizeHint().height() <= LAPTOP[1]
    qtbot.waitUntil(lambda: w.width() <= LAPTOP[0] and w.height() <= LAPTOP[1], timeout=5000)
    _geometry_holds(w)

    with qtbot.waitSignal(w.session.dataset_opened, timeout=20000):
        w.open_paths([start, path])  # merged with the first dataset
    first = dgviewer.load(start)[0].id
    qtbot.waitUntil(lambda: w.session.cur.dp is not None and w.session.cur.dp.id == first, timeout=20000)
    qtbot.waitUntil(lambda: not w.session.is_listing, timeout=60000)  # the merged folders listed
    assert _top_rows(w) == [os.path.basename(start), name] and len(w.session.order) == len(ds) + len(dgviewer.load(start))

    _open_recent(qtbot, w, start)  # and back
    assert w.windowTitle() == f"dgviewer — {os.path.basename(start)}" and _top_rows(w) == [os.path.basename(start)]
    assert not _errors(messages) and not _errors([w.statusBar().currentMessage()])
