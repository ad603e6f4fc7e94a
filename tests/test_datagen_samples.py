"""The Datagen reader on generated samples of every era: counts, geometry and exact colours."""
from __future__ import annotations

import numpy as np
import pytest

import dgviewer
from dgviewer.core.annotations import KeypointSet
from dgviewer.samples import write_sample

#: variant → (scenes, cameras, datapoints) as the generator documents them.
COUNTS = {"datapoint": (6, 6, 6), "scene": (2, 6, 12), "environment": (2, 4, 4), "earliest": (2, 2, 2), "hic": (1, 2, 8)}


@pytest.fixture(scope="module", params=sorted(COUNTS))
def sample(request, tmp_path_factory):
    root = write_sample(str(tmp_path_factory.mktemp(request.param) / "ds"), request.param, 128, seed=5)
    return request.param, dgviewer.load(root)


def test_counts_and_no_problems(sample):
    variant, ds = sample
    assert (len(ds.scenes), len(ds.cameras), len(ds)) == COUNTS[variant]
    assert ds.problems == []


def test_every_keypoint_set_reprojects(sample):
    variant, ds = sample
    tolerance = 0.501 if variant in ("environment", "earliest", "hic") else 1e-3  # int 2D in those eras
    for dp in ds:
        cam = dp.camera_model()
        sets = [s for s in dp.annotations().of_type(KeypointSet) if s.xyz is not None and np.isfinite(s.xyz).all()]
        assert sets
        for s in sets:
            assert np.max(np.abs(cam.project(s.xyz) - s.xy)) <= tolerance, (dp.id, s.name)


def test_segmentation_colours_are_in_the_legend(sample):
    variant, ds = sample
    for dp in ds:
        if "segmentation" not in dp.modalities:
            continue
        seg = dp.read("segmentation")
        known = {c.color for c in dp.annotations().legend().classes}
        pixels = {tuple(c) for c in np.unique(seg.reshape(-1, seg.shape[2]), axis=0).tolist()}
        assert pixels <= known, (dp.id, pixels - known)


def test_modalities_decode_with_the_documented_types(sample):
    variant, ds = sample
    dp = ds[0]
    if "visible" in dp.modalities:
        assert dp.read("visible").dtype == np.uint16 and dp.visible_spectrum.dtype == np.uint8
    depth = dp.read("depth")
    assert depth.dtype == np.float32 and np.isnan(depth).any() and np.nanmin(depth) > 0
    if "normals" in dp.modalities:
        n = dp.read("normals")
        fg = np.isfinite(n).all(axis=2)
        assert abs(np.median(np.linalg.norm(n[fg], axis=1)) - 1) < 0.01
