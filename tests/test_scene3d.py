"""The 3D view's geometry (core.scene3d) agrees with the canvas, without Qt: a 3D landmark seen through the
image plane lands on the pixel the canvas draws it at (the annotations' column,row); frusta start at the
camera centres and end on the image corners."""
from __future__ import annotations

import numpy as np
import pytest

import dgviewer
from dgviewer.core.annotations import Box3D, KeypointSet
from dgviewer.core.scene3d import (backproject, build_scene, camera_to_world, counterparts, frustum_segments,
                                   plane_pixels)
from dgviewer.samples import write_sample

from .conftest import corpus


def _scene(dp):
    cams = [(o.camera_node.name, o.id, o.camera_model()) for o in counterparts(dp)]
    ann = dp.annotations()
    return build_scene(dp.id, cams, ann), ann


def _check_landmarks_land_on_their_pixels(dp, tolerance: float) -> int:
    scene, ann = _scene(dp)
    cam = scene.current.model
    checked = 0
    for kps in ann.of_type(KeypointSet):  # kps.xy: the (column, row) the canvas draws each point at
        if kps.xyz is None:
            continue
        ok = np.isfinite(kps.xyz).all(axis=1) & np.isfinite(kps.xy).all(axis=1)
        seen = plane_pixels(cam, scene.depth, kps.xyz[ok])
        assert np.allclose(seen, kps.xy[ok], atol=tolerance), kps.name
        checked += int(ok.sum())
    return checked


def test_sample_landmarks_seen_in_3d_land_on_the_canvas_pixels(tmp_path):
    write_sample(str(tmp_path / "scene"), variant="scene", size=96, seed=2)
    ds = dgviewer.load(tmp_path / "scene")
    dp = ds.scenes[0].cameras[1][0]
    assert _check_landmarks_land_on_their_pixels(dp, 1e-6) > 68  # generated exactly: no rounding
    scene, _ = _scene(dp)
    assert [c.name for c in scene.cameras] == [c.name for c in dp.scene_node.cameras]
    assert scene.current.datapoint == dp.id and "gaze" in scene.segments and "skeleton" in scene.segments
    for cam in scene.cameras:  # each frustum starts at its camera's centre and ends on its image's corners
        segs = frustum_segments(cam.model, scene.depth)
        assert np.allclose(segs[:4, 0], cam.model.center)
        corners = cam.model.project(segs[:4, 1])
        assert np.allclose(corners, [[0, 0], [96, 0], [96, 96], [0, 96]], atol=1e-6)


@pytest.mark.parametrize("name", ["2022-07_Data1", "2023-01_faces_ir", "2023-01_hic_home_security"])
def test_corpus_landmarks_seen_in_3d_land_on_their_pixels(name):
    ds = dgviewer.load(corpus("datagen", name))
    # stored 2D points are the projection rounded (to whole pixels in v1 and HIC files)
    assert _check_landmarks_land_on_their_pixels(ds[0], 0.75) > 0


def test_perception_3d_boxes_are_placed_in_world_space_through_the_capture_camera():
    ds = dgviewer.load(corpus("perception", "solo_pysolotools-tests-solo"))
    dp = ds[0]
    scene, ann = _scene(dp)
    cam = scene.current.model
    boxes = ann.of_type(Box3D)
    assert boxes and scene.segments["boxes"].shape == (12 * len(boxes), 2, 3)
    for i, box in enumerate(boxes):  # the world edges project back onto the corners the canvas draws
        ends = scene.segments["boxes"][12 * i:12 * (i + 1)]
        for (a, b), (p, q) in zip(Box3D.EDGES, ends):
            assert np.allclose(cam.project(np.stack([p, q])), box.corners_xy[[a, b]], atol=1e-6)


def test_backprojection_inverts_projection():
    from dgviewer.core.camera import CameraModel

    K = np.array([[300.0, 2.0, 64], [0, 310, 50], [0, 0, 1]])
    R = np.linalg.qr(np.array([[0.3, 1, 0.2], [1, -0.1, 0.4], [0.2, 0.5, -1]]))[0]
    for projection in ("perspective", "orthographic"):
        cam = CameraModel(K=K, R=R, t=np.array([0.1, -0.2, 2.0]), width=128, height=100, projection=projection)
        xy = np.array([[3.5, 7.25], [120, 90], [64, 50]])
        world = backproject(cam, xy, 1.7)
        assert np.allclose(cam.project(world), xy) and np.allclose(cam.to_camera(world)[:, 2], 1.7)
        assert np.allclose(camera_to_world(cam, cam.to_camera(world)), world)
        assert np.allclose(plane_pixels(cam, 0.9, world), xy)
