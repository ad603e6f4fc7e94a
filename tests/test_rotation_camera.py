"""core.rotation and CameraModel.pixel_rays: the maths readers and sample generators share."""
from __future__ import annotations

import numpy as np
import pytest

from dgviewer.core.camera import CameraModel
from dgviewer.core.rotation import (quat_axis, quat_conj, quat_matrix, quat_mul, quat_unit, rot_x, rot_y, rot_z,
                                    rotation_about)
from dgviewer.formats.perception.values import rotation_matrix

ANGLES = (-170.0, -35.0, 0.0, 12.5, 90.0, 181.0)


@pytest.mark.parametrize("axis, rot", [("x", rot_x), ("y", rot_y), ("z", rot_z)])
def test_axis_quaternions_match_axis_matrices(axis, rot):
    for deg in ANGLES:
        np.testing.assert_allclose(quat_matrix(quat_axis(axis, deg)), rot(deg), atol=1e-12)
        np.testing.assert_allclose(rotation_about(np.eye(3)["xyz".index(axis)] * 3.0, deg), rot(deg), atol=1e-12)


def test_rot_z_turns_x_toward_y():
    np.testing.assert_allclose(rot_z(90) @ [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], atol=1e-15)


def test_product_applies_the_right_factor_first():
    a, b = quat_axis("x", 30.0), quat_mul(quat_axis("y", -50.0), quat_axis("z", 75.0))
    np.testing.assert_allclose(quat_matrix(quat_mul(a, b)), quat_matrix(a) @ quat_matrix(b), atol=1e-12)
    assert not np.allclose(quat_matrix(quat_mul(b, a)), quat_matrix(a) @ quat_matrix(b))
    np.testing.assert_allclose(quat_mul(b, quat_conj(b)), [0.0, 0.0, 0.0, 1.0], atol=1e-15)


def test_quat_unit_normalises_and_refuses_no_direction():
    np.testing.assert_allclose(quat_unit([0.0, 0.0, 3.0, 4.0]), [0.0, 0.0, 0.6, 0.8])
    for bad in ([0, 0, 0, 0], [0, 0, float("nan"), 1], [1e-12, 0, 0, 0]):
        with pytest.raises(ValueError, match="zero-length quaternion"):
            quat_unit(bad)


def test_reader_rotation_accepts_every_shape_and_scale():
    q = quat_mul(quat_axis("y", 40.0), quat_axis("x", -20.0))
    expected = quat_matrix(q)
    for value in (list(q), dict(zip("xyzw", q)), list(2.5 * q)):
        np.testing.assert_allclose(rotation_matrix(value), expected, atol=1e-12)
    with pytest.raises(ValueError):
        rotation_matrix({"x": 0, "y": 0, "z": 0, "w": 0})


def _camera(projection: str) -> CameraModel:
    R = rot_x(-100.0) @ rot_z(30.0)
    K = np.array([[90.0, 4.0, 30.5], [0.0, 110.0, 18.0], [0.0, 0.0, 1.0]])  # off-centre, skewed
    return CameraModel(K=K, R=R, t=-R @ np.array([0.4, -2.0, 1.1]), width=48, height=32, projection=projection)


@pytest.mark.parametrize("projection", ["perspective", "orthographic"])
def test_pixel_rays_invert_the_projection(projection):
    cam = _camera(projection)
    origins, dirs = cam.pixel_rays()
    assert dirs.shape == (48 * 32, 3)
    assert origins.shape == ((3,) if projection == "perspective" else (48 * 32, 3))
    cols, rows = np.meshgrid(np.arange(48) + 0.5, np.arange(32) + 0.5)
    centres = np.stack([cols.ravel(), rows.ravel()], axis=1)
    for depth in (0.5, 3.0):
        points = origins + depth * dirs
        np.testing.assert_allclose(cam.project(points), centres, atol=1e-9)
        np.testing.assert_allclose(cam.to_camera(points)[:, 2], depth, atol=1e-12)  # t is the camera depth
    if projection == "perspective":
        np.testing.assert_allclose(origins, cam.center, atol=1e-12)
    else:
        np.testing.assert_allclose(cam.to_camera(origins)[:, 2], 0.0, atol=1e-12)
        np.testing.assert_allclose(dirs, np.tile(cam.R[2], (len(dirs), 1)))
