"""A camera whose stored matrices disagree with its pose/FOV (2023-01 HIC in-cabin): one clear finding per
camera, and the landmarks judged against the geometry they agree with."""
from __future__ import annotations

import json
import os

import pytest

import dgviewer
from dgviewer.qa import run_checks
from dgviewer.samples import write_sample

from .conftest import CORPORA, copy_tree


def _break_matrices(root: str) -> int:
    """What the in-cabin sample stores: fy from the sensor height and a translation that is not -R·location."""
    n = 0
    for folder, _, files in os.walk(root):
        if "camera_metadata.json" in files:
            path = os.path.join(folder, "camera_metadata.json")
            with open(path) as f:
                raw = json.load(f)
            raw["intrinsic_matrix"][1][1] *= 1.35
            raw["extrinsic_matrix"][1][3] += 0.4
            with open(path, "w") as f:
                json.dump(raw, f)
            n += 1
    return n


@pytest.fixture(params=["sample", "corpus"])
def hic(request, tmp_path) -> str:
    if request.param == "sample":
        write_sample(str(tmp_path / "hic"), variant="hic", size=128, seed=2)
        return str(tmp_path / "hic")
    src = CORPORA / "datagen" / "2023-01_hic_home_security"
    if not src.is_dir():
        pytest.skip(f"corpus not available: {src}")
    return str(copy_tree(src, tmp_path / src.name))


def test_inconsistent_camera_is_one_finding_per_camera_and_landmarks_pass(hic):
    assert not [f for f in run_checks(dgviewer.load(hic)).findings if f.check in ("reprojection", "camera-inconsistent")]
    assert _break_matrices(hic) > 0
    ds = dgviewer.load(hic)
    findings = run_checks(ds).findings
    cameras = {(c.scene.name, c.name) for c in ds.cameras}
    inconsistent = [f for f in findings if f.check == "camera-inconsistent"]
    assert len(inconsistent) == len(cameras)
    assert all("pose/FOV" in f.message and "translation" in f.message and "fy" in f.message for f in inconsistent)
    assert [f for f in findings if f.check == "reprojection"] == []


def test_consistent_cameras_of_every_sample_era_give_no_finding(tmp_path):
    for variant in ("datapoint", "scene", "environment", "earliest"):
        root = str(tmp_path / variant)
        write_sample(root, variant=variant, size=64, seed=0)
        assert [f for f in run_checks(dgviewer.load(root)).findings if f.check == "camera-inconsistent"] == []
