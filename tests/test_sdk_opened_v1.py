"""A v1 (2022) dataset that the official Datagen SDK has opened: it wrote key_points/all_key_points.json
(its merged {"dense": ..., "standard": ...} copy of the v1 pair) into every camera folder."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

import dgviewer
from dgviewer.samples import write_sample

from .conftest import CORPORA, copy_tree


def _sdk_open(root: str, keep_originals: bool) -> int:
    """Do to a copy what datagen-tech 1.4.14+ does on first access of each v1 camera (spec §5 item 8)."""
    written = 0
    for folder, _, files in os.walk(root):
        if "standard_keypoints.json" not in files:
            continue
        merged = {}
        for name in ("dense", "standard"):
            with open(os.path.join(folder, f"{name}_keypoints.json")) as f:
                merged[name] = json.load(f)
        os.makedirs(os.path.join(folder, "key_points"), exist_ok=True)
        with open(os.path.join(folder, "key_points", "all_key_points.json"), "w") as f:
            json.dump(merged, f)
        if not keep_originals:
            for name in ("dense", "standard"):
                os.unlink(os.path.join(folder, f"{name}_keypoints.json"))
        written += 1
    return written


def _landmarks(root: str) -> dict[str, tuple]:
    out = {}
    for dp in dgviewer.load(root):
        ann = dp.annotations()
        assert not ann.errors, ann.errors
        for name in ("face.standard", "face.dense"):
            kp = ann.keypoint_set(name)
            out[f"{dp.id}:{name}"] = (kp.xy.copy(), None if kp.visible is None else kp.visible.copy())
    return out


@pytest.fixture(params=["sample", "corpus"])
def v1_dataset(request, tmp_path) -> str:
    if request.param == "sample":
        root = tmp_path / "v1"
        write_sample(str(root), variant="environment", size=64, seed=3)
        return str(root)
    src = CORPORA / "datagen" / "2022-07_Data1"
    if not src.is_dir():
        pytest.skip(f"corpus not available: {src}")
    return str(copy_tree(src, tmp_path / src.name))


@pytest.mark.parametrize("keep_originals", [True, False])
def test_sdk_opened_v1_dataset_reads_the_same_landmarks(v1_dataset, tmp_path, keep_originals):
    before = _landmarks(v1_dataset)
    assert before
    opened = str(tmp_path / "opened")
    shutil.copytree(v1_dataset, opened)
    assert _sdk_open(opened, keep_originals) > 0
    after = _landmarks(opened)
    assert sorted(k.split("/", 1)[1] for k in after) == sorted(k.split("/", 1)[1] for k in before)
    for key, (xy, vis) in before.items():
        xy2, vis2 = after[os.path.basename(opened) + "/" + key.split("/", 1)[1]]
        np.testing.assert_array_equal(xy, xy2)
        np.testing.assert_array_equal(vis, vis2)
