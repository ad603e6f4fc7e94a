"""Real Unity Perception datasets (../shared/corpora/perception beside the checkout) open
with the true counts, and their overlays land on the pixels the images show.

The expected numbers were read from each dataset's JSON by hand; see the
PROVENANCE.txt of each folder for where the data comes from.
"""
from __future__ import annotations

import collections
import pathlib

import numpy as np
import pytest

import dgviewer
from dgviewer.core.annotations import Box2D, Box3D, KeypointSet, Metric, RawAnnotation, SegmentationLegend

CORPORA = (pathlib.Path(__file__).parents[1] / ".." / "shared" / "corpora" / "perception").resolve()


def corpus(name: str) -> str:
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"corpus {name} not present at {path}")
    return str(path)


def count_items(ds) -> collections.Counter:
    c = collections.Counter()
    for dp in ds:
        for item in dp.annotations():
            c[type(item).__name__] += 1
    return c


# name → (format, sequences, datapoints, steps, canonical items by type, datapoints per meta annotation name)
EXPECTED = {
    "solo_pysolotools-tests-solo": (
        "perception-solo", 2, 2, 2,
        {"Box2D": 6, "Box3D": 2, "KeypointSet": 1, "SegmentationLegend": 2, "RawAnnotation": 2, "Metric": 8},
        {"boxes": 2, "boxes3d": 1, "skeleton": 1, "instances": 1, "segmentation": 1,
         "PixelValueAnnotation": 1, "ExtraAnnotation": 1},
    ),
    "solo_pysolotools-tests-solo_custom_type": (
        "perception-solo", 1, 1, 1,
        {"Box2D": 3, "Box3D": 2, "KeypointSet": 1, "SegmentationLegend": 2, "RawAnnotation": 1, "Metric": 4},
        {"boxes": 1, "boxes3d": 1, "skeleton": 1, "instances": 1, "segmentation": 1, "CustomTestType": 1},
    ),
    # 115 metric records: 2 per capture, 37 per sequence at step 0, and 37 in a capture-less
    # first sequence (random seed, initial lights) that every capture shows as "simulation".
    "legacy_datasetinsights-simrun_keypoint_dataset": (
        "perception-legacy", 2, 2, 2,
        {"Box2D": 15, "KeypointSet": 15, "Metric": 2 * (2 + 37 + 37)},
        {"boxes": 2, "skeleton": 2},
    ),
    # The hand-written mock: a camera (two sensor ids for it), a LIDAR, 3 metric records of which one
    # names a capture that does not exist (it lands on its sequence/step instead).
    "legacy-mock_perception-docs-simrun": (
        "perception-legacy", 1, 3, 2,
        {"Box2D": 3, "Box3D": 3, "SegmentationLegend": 2, "RawAnnotation": 1, "Metric": 3},
        {"segmentation": 2, "boxes3d": 1, "boxes": 1, "lidar semantic segmention": 1},
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts(name):
    fmt, sequences, datapoints, steps, items, layers = EXPECTED[name]
    ds = dgviewer.load(corpus(name))
    assert ds.formats == [fmt]
    assert len(ds.scenes) == sequences
    assert len(ds) == datapoints
    assert len({(dp.scene_node.name, dp.meta["step"]) for dp in ds}) == steps
    assert count_items(ds) == collections.Counter(items)
    assert collections.Counter(n for dp in ds for n in dp.meta["annotations"]) == collections.Counter(layers)
    assert len({dp.id for dp in ds}) == len(ds)
    assert all(dp.id.startswith(f"{pathlib.Path(name).name}/sequence.") for dp in ds)


def test_solo_boxes_are_tight_around_instance_pixels():
    ds = dgviewer.load(corpus("solo_pysolotools-tests-solo"))
    dp = ds.get("solo_pysolotools-tests-solo/sequence.0/camera/step0")
    ann = dp.annotations()
    inst = dp.read("instance")
    assert inst.shape == (768, 1024, 4) and dp.read("visible").shape == (768, 1024, 4)
    legend = ann.legend("instance")
    boxes = ann.of_type(Box2D)
    assert {(b.label, b.instance_id) for b in boxes} == {("Crate", 3), ("Character", 1), ("Crate", 2)}
    for box in boxes:
        cls = next(c for c in legend.classes if c.instance_id == box.instance_id)
        assert cls.name == box.label
        rows, cols = np.nonzero(np.all(inst == np.array(cls.color), axis=2))
        assert (box.x0, box.y0, box.x1, box.y1) == (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)


def test_solo_3d_boxes_project_onto_the_crates():
    ds = dgviewer.load(corpus("solo_pysolotools-tests-solo"))
    ann = ds[0].annotations()
    boxes2d = {b.instance_id: b for b in ann.of_type(Box2D)}
    for box in ann.of_type(Box3D):
        lo, hi = box.corners_xy.min(axis=0), box.corners_xy.max(axis=0)
        b = boxes2d[box.instance_id]  # both crates are unoccluded, so the hull is the 2D box
        assert np.allclose([lo[0], lo[1], hi[0], hi[1]], [b.x0, b.y0, b.x1, b.y1], atol=1.0)
        assert (box.corners_xyz[:, 2] > 0).all()  # in front of the camera, OpenCV frame


def test_solo_keypoints_lie_on_the_figure():
    ds = dgviewer.load(corpus("solo_pysolotools-tests-solo"))
    dp = ds[0]
    ann = dp.annotations()
    (kp,) = ann.of_type(KeypointSet)
    assert kp.name == "Character 1"
    assert kp.labels[:3] == ["nose", "neck", "right_shoulder"] and len(kp) == 18
    assert (0, 1) in kp.edges and len(kp.edges) == 17 and kp.edge_colors[0] == (4, 15, 159, 255)
    assert list(kp.state) == [0, 2, 2, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0]
    assert np.isnan(kp.xy[kp.state == 0]).all()  # written at (0, 0): must not be drawn there
    figure = np.all(dp.read("instance") == (255, 0, 0, 255), axis=2)
    for x, y in kp.xy[kp.state == 2]:
        c, r = int(x), int(y)
        assert figure[r - 1:r + 2, c - 1:c + 2].any(), (x, y)


def test_solo_legends_and_metrics():
    ds = dgviewer.load(corpus("solo_pysolotools-tests-solo"))
    ann = ds[0].annotations()
    seg = ann.legend("segmentation")
    assert [(c.name, c.color) for c in seg.classes] == [("Crate", (0, 255, 43, 255)), ("(unlabeled)", (0, 0, 0, 255))]
    img = ds[0].read("segmentation")
    colours = {tuple(c) for c in img.reshape(-1, img.shape[2]).tolist()}
    assert colours <= {c.color for c in seg.classes}  # every pixel is named, background included
    assert np.all(ds[0].read("segmentation")[np.all(ds[0].read("instance") == (0, 74, 255, 255), axis=2)] == (0, 255, 43, 255))
    metrics = {m.name: m for m in ds[0].metrics()}
    assert metrics["random-seed"].values == 539662031 and metrics["random-seed"].scope == "step"
    assert metrics["ObjectCount"].scope == "capture" and metrics["ObjectCount"].values[0]["count"] == 2
    assert [v["visiblePixels"] for v in metrics["RenderedObjectInfo"].values] == [35950, 16777, 47768]
    assert ds[0].meta["timestamp"] is None  # pre-1.0 SOLO has no timestamp


def test_solo_custom_and_unknown_types_stay_raw():
    ds = dgviewer.load(corpus("solo_pysolotools-tests-solo_custom_type"))
    (raw,) = ds[0].annotations().of_type(RawAnnotation)
    assert raw.type == "type.unity.com/unity.pysolotools.CustomTestType"
    assert {k: raw.values[k] for k in ("int_value", "float_value", "str_value")} == {"int_value": 42, "float_value": 0.17, "str_value": "so long"}
    ds = dgviewer.load(corpus("solo_pysolotools-tests-solo"))
    raws = {r.name: r for r in ds.get("solo_pysolotools-tests-solo/sequence.1/camera/step0").annotations().of_type(RawAnnotation)}
    assert raws["Extra Annotation"].values["extra_field_1"] == "extra_val"
    assert len(raws["PixelValueAnnotation"].values["values"]) == 2


def test_legacy_keypoints_and_boxes_on_the_people():
    ds = dgviewer.load(corpus("legacy_datasetinsights-simrun_keypoint_dataset"))
    assert [s.meta["sequence_id"] for s in ds.scenes] == ["fb63118a-f4fe-486c-b713-5a2727b5ed83", "cb2f8788-5de8-4934-9cae-e6a081ff65f8"]
    for dp in ds:
        ann = dp.annotations()
        img = dp.read("visible")[..., :3].astype(float)
        h, w = img.shape[:2]
        boxes = {b.instance_id: b for b in ann.of_type(Box2D)}
        for b in boxes.values():
            assert b.label == "person" and 0 <= b.x0 < b.x1 <= w and 0 <= b.y0 < b.y1 <= h
            # A figure is inside: many interior pixels differ from the ring just outside the box.
            x0, y0, x1, y1 = int(b.x0), int(b.y0), int(b.x1), int(b.y1)
            ring = np.zeros((h, w), bool)
            ring[max(y0 - 4, 0):y1 + 4, max(x0 - 4, 0):x1 + 4] = True
            ring[y0:y1, x0:x1] = False
            far = np.abs(img[y0:y1, x0:x1] - np.median(img[ring], axis=0)).max(axis=2) > 40
            assert far.mean() > 0.15, b.instance_id
        for kp in ann.of_type(KeypointSet):
            assert kp.labels[0] == "nose" and len(kp) == 17 and kp.colors[1] == (255, 87, 0, 255)
            b = boxes[int(kp.name.split()[-1])]
            seen = kp.xy[kp.state == 2]
            assert ((seen[:, 0] >= b.x0 - 1) & (seen[:, 0] <= b.x1 + 1) & (seen[:, 1] >= b.y0 - 1) & (seen[:, 1] <= b.y1 + 1)).all()


def test_legacy_metrics_by_scope():
    ds = dgviewer.load(corpus("legacy_datasetinsights-simrun_keypoint_dataset"))
    scopes = collections.Counter(m.scope for m in ds[0].metrics())
    assert scopes == {"capture": 2, "step": 37, "simulation": 37}
    by_name = {(m.scope, m.name): m for m in ds[1].metrics()}
    assert by_name[("step", "scenario_iteration")].values == [{"iteration": 1}]
    assert by_name[("simulation", "random-seed")].values == [539662031]
    assert by_name[("capture", "object count")].values[0]["count"] == 7
    assert all(isinstance(m, Metric) for m in ds[1].annotations().of_type(Metric))


def test_legacy_camera_pose_and_projection():
    ds = dgviewer.load(corpus("legacy_datasetinsights-simrun_keypoint_dataset"))
    cam = ds[0].camera_model()
    assert (cam.width, cam.height, cam.projection) == (640, 640, "perspective")
    assert cam.K[0, 0] == pytest.approx(4.61355257 * 320)
    # Sensor pose is the identity, so the camera sits where the ego is (and the Camera position metric says).
    assert np.allclose(cam.center, [2.28092861, -0.7826239, 17.7170982], atol=1e-6)


def test_mock_keeps_what_it_can_and_reports_the_rest():
    name = "legacy-mock_perception-docs-simrun"
    ds = dgviewer.load(corpus(name))
    cameras = {c.name: c for c in ds.cameras}
    assert set(cameras) == {"b4f6a75e-12de-4b4c-9574-5b135cecac6f", "1", "2"}
    lidar = cameras["2"][0]
    assert lidar.modalities == () and lidar.read("visible") is None
    assert [r.name for r in lidar.annotations().of_type(RawAnnotation)] == ["lidar semantic segmention"]
    messages = [p.message for p in ds.problems]
    # The JSON names "semantic_segmentation_00N.png"; the files are misspelt "sementic_segmantation".
    assert sum("file not found: annotations/semantic_segmentation_00" in m for m in messages) == 2
    assert any("3d09bbce-7f7b-4d9c-8c8a-2f75158e0c8e" in m for m in messages)
    boxes3d = cameras["1"][0].annotations().of_type(Box3D)
    # Centred at z = 0: the corners behind the camera have no pixel (NaN), the others do.
    assert len(boxes3d) == 3 and np.isnan(boxes3d[0].corners_xy).any() and np.isfinite(boxes3d[0].corners_xy).any()
    assert {b.instance_id for b in cameras["1"][0].annotations().of_type(Box2D)} >= {"85149ab1-3b75-443b-8540-773b31559a26"}
    assert isinstance(cameras["1"][0].annotations().legend("segmentation"), SegmentationLegend)


def test_merged_with_each_other():
    ds = dgviewer.load(corpus("solo_pysolotools-tests-solo"), corpus("legacy_datasetinsights-simrun_keypoint_dataset"))
    assert ds.formats == ["perception-solo", "perception-legacy"]
    assert len(ds) == 4 and len(ds.scenes) == 4
