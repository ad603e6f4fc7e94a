"""The one per-annotation guard both readers use: errors name the item and the file, problems go to the datapoint."""
from __future__ import annotations

import json

import dgviewer
from dgviewer.core.annotations import Annotations, RawAnnotation
from dgviewer.core.errors import DataError
from dgviewer.core.model import Camera, Datapoint, Scene
from dgviewer.samples import write_sample


def datapoint() -> Datapoint:
    return Datapoint("d/s/c/x", Camera("c", Scene("s", "d")), "x", [])


def test_a_broken_file_is_one_problem_however_many_items_need_it():
    dp, out = datapoint(), Annotations()
    for item in ("camera", "eyes"):
        with out.guard(dp, item, "/d/other.json"):
            out.add(item)  # what a block adds before failing stays
            raise DataError("/d/camera.json", "invalid JSON", key="fov")
    assert out.items == ["camera", "eyes"]
    assert out.errors == ["camera: /d/camera.json: invalid JSON: fov", "eyes: /d/camera.json: invalid JSON: fov"]
    assert [(p.file, p.message) for p in dp.problems] == [("/d/camera.json", "invalid JSON: fov")]


def test_a_malformed_value_names_the_item_and_can_be_kept_raw():
    dp, out = datapoint(), Annotations()
    raw = RawAnnotation("boxes", "BoundingBox2D", {"values": "big"})
    with out.guard(dp, "annotation 'boxes'", "/d/frame.json", raw):
        out.items.extend([float(v) for v in "big"])
    with out.guard(dp, "legend"):
        {}["classes"]
    with out.guard(dp, "fine", "/d/fine.json"):
        out.add("ok")
    assert out.items == [raw, "ok"]
    assert out.errors == [("annotation 'boxes': /d/frame.json: malformed (ValueError: could not convert string to float:"
                           " 'b'); kept raw"), "legend: malformed (KeyError: 'classes')"]
    assert [(p.file, p.message) for p in dp.problems] == [
        ("/d/frame.json", "annotation 'boxes': malformed (ValueError: could not convert string to float: 'b'); kept raw"),
        (None, "legend: malformed (KeyError: 'classes')")]


def test_datagen_files_each_make_one_problem_naming_the_file(tmp_path):
    root = tmp_path / "faces"
    write_sample(str(root), variant="datapoint", size=64, seed=5)
    kp = root / "datapoint_00001" / "camera" / "key_points" / "all_key_points.json"
    tree = json.loads(kp.read_text())
    tree["face"]["standard"] = [1, 2]
    kp.write_text(json.dumps(tree))
    box = root / "datapoint_00001" / "camera" / "face_bounding_box.json"
    box.write_text(json.dumps({**json.loads(box.read_text()), "min_x": "left"}))
    dp = dgviewer.load(str(root))[0]
    ann = dp.annotations()
    assert ann.errors == [f"keypoints: {kp}: expected an object: face.standard",
                          f"face_bounding_box: {box}: malformed (ValueError: could not convert string to float: 'left')"]
    assert [(p.file, p.message) for p in dp.problems] == [
        (str(kp), "expected an object: face.standard"),  # the reader's own record of the file, not a second one
        (str(box), "face_bounding_box: malformed (ValueError: could not convert string to float: 'left')")]
    assert ann.legend() is not None  # the other items still come
