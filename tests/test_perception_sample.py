"""The synthetic Perception sample reads back in both layouts, with geometry that matches its pixels.

The sample's renderer shares only core's camera model and quaternion maths with
the readers, so agreement here means the readers' conventions (matrix layout,
y flip, pose composition, orthographic projection) match an independent
implementation of the spec.
"""
from __future__ import annotations

import collections
import json
import pathlib

import numpy as np
import pytest

import dgviewer
from dgviewer.core.annotations import Box2D, Box3D, KeypointSet, RawAnnotation
from dgviewer.samples.perception import write_perception_sample
from dgviewer.core.timeline import capture_timeline

SIZE = 160  # 160×120 images: fast, still several pixels per limb


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("perception")
    return {fmt: write_perception_sample(str(root / fmt), format=fmt, size=SIZE, seed=3) for fmt in ("solo", "legacy")}


@pytest.fixture(scope="module", params=["solo", "legacy"])
def ds(request, samples):
    return dgviewer.load(samples[request.param])


def front_and_top(scene):
    """The cameras in sensor order: SOLO names them, legacy 0.x only has GUIDs."""
    return scene.cameras[0], scene.cameras[1]


def test_layout_and_counts(ds):
    assert ds.formats[0].startswith("perception-")
    assert [s.name for s in ds.scenes] == ["sequence.0", "sequence.1"]
    assert len(ds) == 18 and not ds.problems
    for scene in ds.scenes:
        front, top = front_and_top(scene)
        assert (len(front), len(top)) == (5, 4)
        assert front.meta.get("description", "").startswith("Perspective")
    layers = collections.Counter(n for dp in ds for n in dp.meta["annotations"])
    assert {k: layers[k] for k in ("boxes", "boxes3d", "skeleton", "segmentation", "instances")} == dict.fromkeys(
        ("boxes", "boxes3d", "skeleton", "segmentation", "instances"), 18)
    assert set(ds[0].modalities) >= {"visible", "segmentation", "instance"}


def test_solo_has_depth_and_normals(samples):
    ds = dgviewer.load(samples["solo"])
    dp = ds[0]
    assert dp.modalities == ("visible", "depth", "normals", "segmentation", "instance")
    depth, normals = dp.read("depth"), dp.read("normals")
    assert depth.shape == (120, 160) and depth.dtype == np.float32
    sky = np.all(dp.read("segmentation") == (0, 0, 0, 255), axis=2) & np.isnan(depth)
    assert sky[0].all()  # the top row is sky: no surface, NaN
    finite = np.isfinite(normals).all(axis=2)
    assert np.allclose(np.linalg.norm(normals[finite], axis=1), 1, atol=1e-4)
    # The ground faces up, which is −y in the OpenCV camera frame.
    assert normals[-1, 80, 1] < -0.9
    # Depth at a crate's projected centre: its front face, nearer than the centre by at most a half-diagonal.
    box = next(b for b in dp.annotations().of_type(Box3D) if b.label == "Crate")
    centre = box.corners_xyz.mean(axis=0)
    col, row = box.corners_xy.mean(axis=0)
    d = depth[int(row), int(col)]
    half_diagonal = np.linalg.norm(box.corners_xyz[0] - box.corners_xyz[7]) / 2
    assert centre[2] - half_diagonal <= d < centre[2]


def test_boxes_are_tight_and_3d_boxes_cover_the_objects(ds):
    """Perspective (front) and orthographic (top) cameras alike."""
    for dp in ds:
        ann = dp.annotations()
        inst = dp.read("instance")
        legend = ann.legend("instance")
        boxes3d = {b.instance_id: b for b in ann.of_type(Box3D)}
        assert len(boxes3d) == 3
        for box in ann.of_type(Box2D):
            cls = next(c for c in legend.classes if c.instance_id == box.instance_id)
            assert cls.name == box.label
            rows, cols = np.nonzero(np.all(inst == np.array(cls.color), axis=2))
            assert (box.x0, box.y0, box.x1, box.y1) == (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)
            if box.label != "Crate":
                continue
            # Every pixel of the crate lies inside the projected 3D box's outline.
            hull = boxes3d[box.instance_id].corners_xy
            assert np.isfinite(hull).all()
            assert inside_hull(np.stack([cols + 0.5, rows + 0.5], axis=1), hull, slack=1.0).all(), dp.id


def inside_hull(points: np.ndarray, corners: np.ndarray, slack: float) -> np.ndarray:
    import cv2

    hull = cv2.convexHull(corners.astype(np.float32))
    return np.array([cv2.pointPolygonTest(hull, (float(x), float(y)), True) >= -slack for x, y in points])


def test_keypoints_follow_the_figure(ds):
    states = collections.Counter()
    for dp in ds:
        ann = dp.annotations()
        (kp,) = ann.of_type(KeypointSet)
        assert kp.name == "Character 1" and len(kp) == 16
        assert kp.labels[0] == "nose" and (0, 1) in kp.edges and len(kp.edge_colors) == len(kp.edges)
        figure = np.all(dp.read("instance") == ann.legend("instance").classes[0].color, axis=2)
        assert ann.legend("instance").classes[0].name == "Character"
        for (x, y), s in zip(kp.xy, kp.state):
            states[int(s)] += 1
            if s == 0:
                assert np.isnan(x) and np.isnan(y)
                continue
            c, r = int(x), int(y)
            assert figure[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2].any() == (s == 2), (dp.id, x, y, s)
        assert list(kp.visible) == [s == 2 for s in kp.state]
    assert states[0] == 2 * 18 and states[1] > 0 and states[2] > states[1]


def test_keypoint_world_positions_reproject(samples):
    """SOLO 1.0 keypoints carry camera-space positions: world xyz through the capture's camera lands on xy."""
    for dp in dgviewer.load(samples["solo"]):
        (kp,) = dp.annotations().of_type(KeypointSet)
        seen = kp.state > 0
        assert np.allclose(dp.camera_model().project(kp.xyz[seen]), kp.xy[seen], atol=1e-3), dp.id


def test_legacy_pose_and_matrix_match_solo(samples):
    """The legacy sample stores ego + offset and the matrix by columns; both must compose to SOLO's camera."""
    solo, legacy = dgviewer.load(samples["solo"]), dgviewer.load(samples["legacy"])
    assert len(solo) == len(legacy)
    for a, b in zip(solo, legacy):
        assert (a.meta["step"], a.meta["timestamp"]) == (b.meta["step"], b.meta["timestamp"])
        assert np.allclose(a.meta["position"], b.meta["position"], atol=1e-5)
        ca, cb = a.camera_model(), b.camera_model()
        assert ca.projection == cb.projection
        assert np.allclose(ca.K, cb.K, atol=1e-3) and np.allclose(ca.R, cb.R, atol=1e-5) and np.allclose(ca.t, cb.t, atol=1e-5)
        assert np.array_equal(a.read("visible"), b.read("visible"))
    assert [c.camera_model().projection for c in (solo.scenes[0].cameras[0][0], solo.scenes[0].cameras[1][0])] == [
        "perspective", "orthographic"]


def test_irregular_timeline(ds):
    for scene in ds.scenes:
        tl = capture_timeline(scene)
        front, top = (c.name for c in front_and_top(scene))
        assert tl.uses_time
        assert [t.time for t in tl.lanes[front]] == [0, 2, 4, 6, 8]
        assert [t.time for t in tl.lanes[top]] == [0, 3, 6, 9]
        assert tl.steps == list(range(7))
        assert [t.step for t in tl.lanes[top]] == [0, 2, 4, 6]
        assert {t.camera for t in tl.at_step(4)} == {front, top} and len(tl.at_step(5)) == 1
        tick = tl.lanes[top][1]
        assert tl.position(tick) == 3.0 and tick.datapoint.meta["timestamp"] == 3.0


def test_custom_annotation_and_metrics(ds, samples):
    dp = ds.scenes[1].cameras[0][0]
    (raw,) = dp.annotations().of_type(RawAnnotation)
    metrics = {m.name: m for m in dp.metrics()}
    if ds.formats == ["perception-solo"]:
        assert raw.type == "targetPosDef" and len(raw.values["position"]) == 3
        assert metrics["lightMetric1"].scope == "step" and len(metrics["lightMetric1"].values) == 3
        assert (metrics["scenario_iteration"].values, metrics["random-seed"].values) == (1, 3)
        assert metrics["ObjectCount"].scope == "capture"
        frame = json.loads((pathlib.Path(samples["solo"]) / "sequence.1" / "step0.frame_data.json").read_text())
        assert metrics["lightMetric1"].values == frame["metrics"][-1]["values"]
    else:
        assert raw.name == "Target position" and len(raw.values["values"][0]) == 3
        assert metrics["Light position"].scope == "step" and set(metrics["Light position"].values[0]) == {"x", "y", "z"}
        assert metrics["scenario_iteration"].values == [{"iteration": 1}]
        assert (metrics["random-seed"].scope, metrics["random-seed"].values) == ("simulation", [3])
        assert metrics["object count"].scope == "capture"
    counts = {v.get("labelName", v.get("label_name")): v["count"] for v in next(m for m in dp.metrics() if m.scope == "capture").values}
    assert counts == {"Crate": 2, "Character": 1}


def test_one_folder_opens_with_both_formats_merged(samples):
    ds = dgviewer.load(samples["solo"], samples["legacy"])
    assert ds.formats == ["perception-solo", "perception-legacy"] and len(ds) == 36
    assert ds.get("solo/sequence.0/front/step0") is ds[0]


def test_writer_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_perception_sample(str(tmp_path / "x"))
    with pytest.raises(ValueError):
        write_perception_sample(str(tmp_path / "y"), format="coco")


def rewrite(path: pathlib.Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_endpoint_era_legacy_reads_the_same(samples, tmp_path):
    """0.10–1.0 legacy: string definition ids, version 0.0.2, no egos.json, "isometric", camera pose in the sensor."""
    import shutil

    root = pathlib.Path(shutil.copytree(samples["legacy"], tmp_path / "endpoint"))
    (folder,) = root.glob("Dataset*")
    names = {}

    def defs(d):
        d["version"] = "0.0.2"
        for entry in d["annotation_definitions"]:
            names[entry["id"]] = entry["name"]  # the endpoint's ids are the labelers' names
            entry["id"] = entry["name"]

    rewrite(folder / "annotation_definitions.json", defs)
    (folder / "egos.json").unlink()
    original = dgviewer.load(samples["legacy"])
    world = {dp.meta["capture_id"]: (dp.meta["position"], dp.meta["rotation"]) for dp in original}

    def endpoint(c):
        c["version"] = "0.0.2"
        for cap in c["captures"]:
            cap["sensor"]["translation"], cap["sensor"]["rotation"] = world[cap["id"]]
            cap["ego"] = {"ego_id": "ego", "translation": [0, 0, 0], "rotation": [0, 0, 0, 1], "velocity": None, "acceleration": None}
            if cap["sensor"]["projection"] == "orthographic":
                cap["sensor"]["projection"] = "isometric"
            for a in cap["annotations"]:
                a["annotation_definition"] = names[a["annotation_definition"]]

    for captures in folder.glob("captures_*.json"):
        rewrite(captures, endpoint)
    ds = dgviewer.load(str(root))
    assert not ds.problems and len(ds) == 18
    for a, b in zip(original, ds):
        ann_a, ann_b = a.annotations(), b.annotations()
        assert [type(i).__name__ for i in ann_a] == [type(i).__name__ for i in ann_b]
        assert np.allclose(ann_a.of_type(Box3D)[0].corners_xy, ann_b.of_type(Box3D)[0].corners_xy, atol=1e-3)
        assert np.allclose(a.camera_model().t, b.camera_model().t, atol=1e-5)


def test_pre_1_0_and_prototype_solo(samples, tmp_path):
    """No timestamps or camera-space keypoints, "definition" for description, prototype definition
    @types, null sensor ids, "PNG", and a metric whose values is a single object."""
    import shutil

    root = pathlib.Path(shutil.copytree(samples["solo"], tmp_path / "proto"))
    prototype = {"BoundingBox2DAnnotation": "BoundingBoxAnnotationDefinition",
                 "KeypointAnnotation": "KeypointAnnotationDefinition",
                 "InstanceSegmentationAnnotation": "InstanceSegmentationAnnotationDefinition"}

    def defs(d):
        for entry in d["annotationDefinitions"]:
            short = entry["@type"].rsplit(".", 1)[-1]
            entry["@type"] = entry["@type"].replace(short, prototype.get(short, short))

    def sensors(d):
        for s in d["sensorDefinitions"]:
            s["@type"] = "type.unity.com/unity.solo.SensorDefinition"
            s["definition"] = s.pop("description")

    rewrite(root / "annotation_definitions.json", defs)
    rewrite(root / "sensor_definitions.json", sensors)
    for frame in root.glob("sequence.*/step*.frame_data.json"):
        def old(f):
            del f["timestamp"]
            for cap in f["captures"]:
                cap["imageFormat"] = "PNG"
                for a in cap["annotations"]:
                    for v in a.get("values", []):
                        for p in v.get("keypoints", []):
                            del p["cameraCartesianLocation"]
            for m in f["metrics"]:
                if m["sensorId"] == "":
                    m["sensorId"] = m["annotationId"] = None
                if m["id"] == "ObjectCount":
                    m["values"] = m["values"][0]
        rewrite(frame, old)
    ds = dgviewer.load(str(root))
    assert not ds.problems and len(ds) == 18
    dp = ds[0]
    assert dp.meta["timestamp"] is None and dp.camera_node.meta["description"].startswith("Perspective")
    (kp,) = dp.annotations().of_type(KeypointSet)
    assert kp.labels[0] == "nose" and kp.xyz is None and kp.edges
    metrics = {m.name: m for m in dp.metrics()}
    assert metrics["ObjectCount"].values["labelName"] == "Crate" and metrics["lightMetric1"].scope == "step"
    tl = capture_timeline(ds.scenes[0])
    assert not tl.uses_time and [tl.position(t) for t in tl.lanes["top"]] == [0, 2, 4, 6]  # steps, not seconds
