"""A third format registered from outside dgviewer opens, declares its layers and draws with them."""
from __future__ import annotations

import numpy as np
import pytest

import dgviewer
from dgviewer.formats import registry

from .plugins.coco import LAYER, POINTS, CocoReader, write_coco_sample


@pytest.fixture
def coco(tmp_path):
    registry.register(CocoReader)
    yield write_coco_sample(str(tmp_path / "coco"))
    registry.unregister(CocoReader)


def test_registered_reader_opens_its_folders(coco):
    ds = dgviewer.load(coco)
    assert ds.formats == ["coco-keypoints"] and [dp.name for dp in ds] == list(POINTS)
    kp = ds[0].annotations().keypoint_set("person 0")
    np.testing.assert_array_equal(kp.xy, np.array([p[:2] for p in POINTS["a.png"]], float))
    assert ds[0].read("visible").shape == (128, 128, 3)


def test_its_layer_comes_with_its_declaration(coco):
    ds = dgviewer.load(coco)
    assert ds.layers.spec("coco") == LAYER
    assert ("J", "COCO keypoints", ("coco",)) in ds.layers.toggles()
    assert "coco" in registry.layer_catalog()


def test_unregistered_it_is_not_a_dataset(tmp_path):
    root = write_coco_sample(str(tmp_path / "coco"))
    with pytest.raises(dgviewer.NotADatasetError):
        dgviewer.load(root)


def test_its_declared_check_runs_in_validate(tmp_path, coco):
    from dgviewer.cli import main
    from dgviewer.qa import CHECKS, run_checks

    assert "coco-count" in CHECKS
    assert [f.check for f in run_checks(dgviewer.load(coco)).findings] == []
    bad = write_coco_sample(str(tmp_path / "bad"), miscount=True)
    findings = run_checks(dgviewer.load(bad)).findings
    assert [(f.check, f.datapoint) for f in findings] == [("coco-count", "bad/b.png")]
    assert main(["validate", bad]) == 1


def test_its_declared_fact_filters(coco):
    from dgviewer.core.filters import compile_filter, help_text

    ds = dgviewer.load(coco)
    assert "labelled" in help_text(ds.fact_keys)
    assert [dp.name for dp in compile_filter("labelled=3").select(ds)] == ["a.png", "b.png"]
    assert [dp.name for dp in compile_filter("category=person labelled<3").select(ds)] == []
