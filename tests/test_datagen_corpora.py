"""The Datagen reader on real datasets written by the Datagen platform (../shared/corpora/datagen)."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import dgviewer
from dgviewer.core.annotations import Box2D, KeypointSet, Ray, SegmentationLegend
from dgviewer.core.errors import DataError, NotADatasetError
from dgviewer.formats.datagen import datapoint

from .conftest import copy_tree, corpus, snapshot


@pytest.fixture(scope="module")
def data1():
    return dgviewer.load(corpus("datagen", "2022-07_Data1"))


@pytest.fixture(scope="module")
def faces_ir():
    return dgviewer.load(corpus("datagen", "2023-01_faces_ir"))


@pytest.fixture(scope="module")
def hic():
    return dgviewer.load(corpus("datagen", "2023-01_hic_home_security"))


def _reprojection_error(dp) -> dict[str, float]:
    cam = dp.camera_model()
    out = {}
    for s in dp.annotations().of_type(KeypointSet):
        if s.xyz is not None and np.isfinite(s.xyz).all():
            out[s.name] = float(np.max(np.abs(cam.project(s.xyz) - s.xy)))
    return out


def test_counts_and_eras(data1, faces_ir, hic):
    assert (len(data1.scenes), len(data1.cameras), len(data1)) == (7, 7, 7)
    assert [s.name for s in data1.scenes][:2] == ["environment_00001", "environment_00002"]
    assert (len(faces_ir.scenes), len(faces_ir)) == (3, 3)
    assert (len(hic.scenes), len(hic.cameras), len(hic)) == (1, 1, 4)
    assert [dp.frame_num for dp in hic] == [1, 2, 3, 4]
    assert hic.cameras[0].name == "high_doorbell_camera"


def test_missing_files_are_problems_not_errors(data1, faces_ir):
    # Data1's visible images and faces_ir's normal maps are absent from the public snapshot (MISSING.txt).
    assert all(dp.visible_spectrum is None and "visible" not in dp.modalities for dp in data1)
    missing = {(p.datapoint.split("/")[1], p.file.rsplit("/", 1)[1]) for p in faces_ir.problems}
    assert missing == {
        ("datapoint_00013", "normal_maps.exr"), ("datapoint_00014", "normal_maps.exr"),
        ("datapoint_00015", "normal_maps.exr"), ("datapoint_00015", "visible_spectrum_01.png"),
    }
    assert faces_ir[0].normal_maps is None
    assert sum("listed in environment.json is missing" in p.message for p in data1.problems) == 7


def test_keypoints_reproject_through_the_camera(data1, faces_ir, hic):
    # Floats (2023) land exactly; ints (v1 keypoints, HIC) within the 0.5 px rounding (spec §4.3).
    for name, err in _reprojection_error(faces_ir[0]).items():
        assert err < 1e-3, name
    for ds in (data1, hic):
        errs = _reprojection_error(ds[0])
        assert errs and max(errs.values()) <= 0.501, errs  # rounding + float32 matrices


def test_row_first_points_are_swapped_once(faces_ir):
    dp = faces_ir[0]
    stored = dp.keypoints.face.standard.coords_2d  # SDK view: row-first, as stored
    canon = dp.annotations().keypoint_set("face.standard").xy
    assert stored.shape == (68, 2)
    np.testing.assert_array_equal(canon, stored[:, ::-1])
    # The face box is the min/max of the dense points (spec §4.3): check it in column,row.
    dense = dp.annotations().keypoint_set("face.dense").xy
    box = dp.annotations().of_type(Box2D)[0]
    assert abs(box.x0 - dense[:, 0].min()) <= 1 and abs(box.y1 - dense[:, 1].max()) <= 1


def test_sdk_attribute_names_and_values(faces_ir, hic):
    dp = faces_ir[0]
    for name in ("visible_spectrum", "infrared_spectrum", "depth", "normal_maps", "normals_map",
                 "semantic_segmentation", "camera_metadata", "semantic_segmentation_metadata", "lights_metadata",
                 "environment", "actor_metadata", "face_bounding_box", "keypoints", "datapoint_request", "hdri_map"):
        assert name in dir(dp)
    assert dp.visible_spectrum.dtype == np.uint8  # NIR datapoint: the SDK returns the NIR image here
    assert dp.infrared_spectrum.shape == (1024, 1024, 3)
    cm = dp.camera_metadata
    assert cm.camera_name == "camera" and cm.intrinsic_matrix.shape == (3, 3) and cm.sensor.width > 22
    assert dp.actor_metadata.face_expression.name in {"none", "happiness", "sadness", "surprise", "fear", "anger",
                                                      "disgust", "contempt", "mouth_open"}
    assert isinstance(dp.actor_metadata.face_expression.intensity_level, int)
    gaze = dp.actor_metadata.eye_gaze.axis_directions.right_eye.visual_axis_direction
    assert gaze.shape == (3,) and abs(np.linalg.norm(gaze) - 1) < 1e-6
    assert dp.actor_metadata.center_of_iris_point.coords_2d[0].camera_name == "camera"
    assert dp.keypoints.head.top.coords_3d.shape == (12, 3) and dp.keypoints.ear.left.is_visible.dtype == bool
    assert dp.lights_metadata.lights[0].spectrum == "near_infrared"
    assert dp.datapoint_request.camera.intrinsic_params.wavelength == "nir"
    assert dp.environment.image_name == "infrared_spectrum.png"
    assert dp.depth.shape == (1024, 1024, 3)
    h = hic[0]
    assert h.keypoints.body.nose.coords_2d.shape == (2,) and not hasattr(h.keypoints.body.nose, "is_visible")
    cog = h.center_of_geometry
    assert cog and all(v.coords_2d.shape == (2,) for v in cog.values())
    assert len(h.actor_metadata) >= 1


def test_uint16_images_become_uint8_as_the_sdk_makes_them():
    every = np.arange(65536, dtype=np.uint16)  # the SDK's convert_to_uint8, value by value
    assert np.array_equal(datapoint._to_uint8(every), (every / 65535 * 255).astype(np.uint8))


def test_segmentation_colours_match_the_map_exactly(faces_ir, data1):
    for dp in (faces_ir[0], data1[0]):
        seg = dp.read("segmentation")
        assert seg.dtype == np.uint16 and seg.shape[2] == 3
        legend = dp.annotations().legend()
        known = {c.color for c in legend.classes}
        colours = {tuple(c) for c in np.unique(seg.reshape(-1, 3), axis=0).tolist()}
        assert colours <= known, colours - known
        nose = dp.semantic_segmentation_metadata.human.head.nose.left
        assert tuple(nose.tolist()) in known
        assert dp.semantic_segmentation_metadata.human.head.no_such_part is None


def test_depth_and_normals_decoded(data1, hic):
    d = hic[0].read("depth")
    assert d.ndim == 2 and np.isnan(d).any() and np.nanmax(d) < 1000  # 65504 sky masked
    dp = data1[0]
    z = dp.read("depth")
    n = dp.read("normals")
    fg = np.isfinite(z)
    assert fg.sum() > 1000 and np.all(np.isnan(n[~fg].sum(axis=1)) | (np.abs(n[~fg]).sum(axis=1) >= 0))
    norms = np.linalg.norm(n[fg], axis=1)
    assert np.median(np.abs(norms - 1)) < 0.01
    # A face seen from the front: normals point back at the camera (negative z in the OpenCV frame).
    assert np.median(n[fg][:, 2]) < -0.5


def test_gaze_rays_start_at_the_cornea(faces_ir):
    dp = faces_ir[0]
    items = dp.annotations()
    eyes = items.keypoint_set("eyes")
    rays = [r for r in items.of_type(Ray) if r.kind == "visual"]
    assert len(rays) == 2
    for r in rays:
        eye = r.name.split(".")[0]
        apex = eyes.xy[eyes.labels.index(f"{eye}.apex_of_cornea")]
        assert np.max(np.abs(r.start_xy - apex)) < 1e-3
        assert np.linalg.norm(r.end_xy - r.start_xy) > 5  # long enough to see


def test_slicing_indexing_and_ids(faces_ir, hic):
    assert len(faces_ir[0:len(faces_ir)]) == 3 and len(faces_ir[:]) == 3  # the SDK drops the last one
    assert faces_ir[-1] is list(faces_ir)[-1]
    assert len(faces_ir.scenes[0]) == 1 and len(faces_ir.scenes[0].cameras[0]) == 1
    ids = [dp.id for dp in hic]
    assert ids[0] == "2023-01_hic_home_security/scene_00001/frames/001/high_doorbell_camera/visible_spectrum.png"
    assert hic.get(ids[2]) is hic[2] and hic.index_of(hic[2]) == 2 and hic.get("nope") is None


def test_merging_folders_keeps_ids_unique():
    a = corpus("datagen", "2023-01_faces_ir")
    ds = dgviewer.load(a, corpus("datagen", "2023-01_hic_home_security"), a)
    assert len(ds) == 3 + 4 + 3
    assert len({dp.id for dp in ds}) == len(ds)
    assert ds[-1].id.startswith("2023-01_faces_ir#2/")


def test_concurrent_reads_agree(faces_ir):
    dp = faces_ir[1]
    expected = dp.read("segmentation")
    results, errors = [], []

    def work():
        try:
            results.append(dp.read("segmentation"))
            dp.annotations()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(np.array_equal(r, expected) for r in results)


def test_nothing_is_written_into_the_dataset(tmp_path):
    src = copy_tree(corpus("datagen", "2022-07_Data1"), tmp_path / "d")  # v1 keypoints: the SDK writes here
    before = snapshot(src)
    ds = dgviewer.load(src)
    for dp in ds:
        dp.keypoints, dp.annotations(), dp.metadata(), dp.read("depth"), dp.semantic_segmentation_metadata
    assert ds[0].keypoints.face.standard.coords_2d.shape == (68, 2)  # parsed in memory, first access included
    assert snapshot(src) == before


def test_broken_json_is_a_clear_per_datapoint_error(tmp_path):
    src = copy_tree(corpus("datagen", "2023-01_faces_ir"), tmp_path / "d")
    bad = src / "datapoint_00014" / "camera" / "camera_metadata.json"
    bad.write_text('{"version": "1.1.0", "camera_name": ')
    (src / "datapoint_00013" / "camera" / "environment.json").write_text("not json")
    ds = dgviewer.load(src)  # still opens
    assert len(ds) == 2 and any("environment.json" in (p.file or "") for p in ds.index_problems)
    dp = next(d for d in ds if "00014" in d.id)
    with pytest.raises(DataError, match="camera_metadata.json.*invalid JSON"):
        dp.camera_metadata
    items = dp.annotations()  # the rest of the annotations still come
    assert items.errors and items.keypoint_set("face.standard") is not None
    assert any(p.file == str(bad) for p in dp.problems)


def test_corrupt_image_raises_data_error(tmp_path):
    src = copy_tree(corpus("datagen", "2023-01_faces_ir"), tmp_path / "d")
    seg = src / "datapoint_00013" / "camera" / "semantic_segmentation.png"
    seg.write_bytes(seg.read_bytes()[:5000])
    exr = src / "datapoint_00013" / "camera" / "depth.exr"
    exr.write_bytes(exr.read_bytes()[:3000])
    dp = dgviewer.load(src)[0]
    with pytest.raises(DataError, match="corrupt PNG"):
        dp.read("segmentation")
    with pytest.raises(DataError, match="EXR"):
        dp.read("depth")
    assert {p.file for p in dp.problems} >= {str(seg), str(exr)}


def test_not_a_dataset_says_so_in_one_line(tmp_path):
    (tmp_path / "random").mkdir()
    with pytest.raises(NotADatasetError) as e:
        dgviewer.load(tmp_path)
    assert "\n" not in str(e.value) and "not a dataset" in str(e.value)
    with pytest.raises(NotADatasetError, match="no such folder"):
        dgviewer.load(tmp_path / "missing")
