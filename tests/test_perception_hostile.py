"""Hostile and damaged Perception datasets: clear per-datapoint problems, never a crash.

Each test damages a fresh copy of the synthetic sample in tmp_path (the
corpora are never touched).
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import threading

import numpy as np
import pytest

import dgviewer
from dgviewer.core.annotations import Box2D, RawAnnotation
from dgviewer.core.errors import DataError
from dgviewer.samples.perception import write_perception_sample


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("pristine")
    return {fmt: pathlib.Path(write_perception_sample(str(root / fmt), format=fmt, size=64, seed=1)) for fmt in ("solo", "legacy")}


@pytest.fixture
def solo(pristine, tmp_path) -> pathlib.Path:
    return pathlib.Path(shutil.copytree(pristine["solo"], tmp_path / "solo"))


@pytest.fixture
def legacy(pristine, tmp_path) -> pathlib.Path:
    return pathlib.Path(shutil.copytree(pristine["legacy"], tmp_path / "legacy"))


def edit_json(path: pathlib.Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def everything(ds) -> None:
    """Touch every public read path of every datapoint; any exception fails the test."""
    for dp in ds:
        dp.annotations()
        dp.metadata()
        dp.metrics()
        dp.camera_model()
        for m in dp.modalities:
            try:
                dp.read(m)
            except DataError:
                pass


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/hostname"])
def test_a_file_name_leading_outside_is_refused(solo, name):
    frame = solo / "sequence.0" / "step1.frame_data.json"
    edit_json(frame, lambda f: f["captures"][0].update(filename=name))
    ds = dgviewer.load(str(solo))
    dp = ds.get("solo/sequence.0/front/step1")
    assert "visible" not in dp.modalities and dp.read("visible") is None
    (problem,) = dp.problems
    assert "outside the dataset folder; refused" in problem.message and name in problem.message
    assert [p.datapoint for p in ds.problems] == [dp.id]
    everything(ds)


def test_a_legacy_file_name_leading_outside_is_refused(legacy):
    (captures,) = legacy.glob("Dataset*/captures_000.json")
    edit_json(captures, lambda c: c["captures"][2]["annotations"][3].update(filename="../../secret.png"))
    ds = dgviewer.load(str(legacy))
    bad = [dp for dp in ds if dp.problems]
    assert len(bad) == 1 and "segmentation" not in bad[0].modalities
    assert "'../../secret.png' points outside the dataset folder" in bad[0].problems[0].message
    assert sum("segmentation" in dp.modalities for dp in ds) == 17
    everything(ds)


def test_a_missing_image(solo):
    (solo / "sequence.1" / "step2.top.instance segmentation.png").unlink()
    ds = dgviewer.load(str(solo))
    dp = ds.get("solo/sequence.1/top/step2")
    assert "instance" not in dp.modalities and dp.read("instance") is None
    assert dp.problems[0].message == "instance: file not found: step2.top.instance segmentation.png"
    assert dp.annotations().legend("instance") is not None  # the JSON side still reads
    everything(ds)


def test_an_image_deleted_after_opening(solo):
    ds = dgviewer.load(str(solo))
    dp = ds.get("solo/sequence.0/front/step3")
    os.remove(dp.file("visible"))
    assert dp.read("visible") is None
    assert "file not found" in dp.problems[0].message


def test_a_corrupt_image_raises_a_data_error_naming_it(solo):
    path = solo / "sequence.0" / "step0.front.png"
    path.write_bytes(path.read_bytes()[:200])
    dp = dgviewer.load(str(solo))[0]
    with pytest.raises(DataError) as err:
        dp.read("visible")
    assert "step0.front.png" in str(err.value) and dp.problems


def test_a_truncated_frame_file(solo):
    frame = solo / "sequence.0" / "step4.frame_data.json"
    frame.write_bytes(frame.read_bytes()[:500])
    ds = dgviewer.load(str(solo))
    assert len(ds) == 18  # the step's RGB images are still there: its captures open without annotations
    for name in ("front", "top"):
        dp = ds.get(f"solo/sequence.0/{name}/step4")
        assert dp.modalities == ("visible",) and dp.read("visible") is not None
        assert dp.problems[0].file == str(frame) and "invalid JSON" in dp.problems[0].message
        ann = dp.annotations()
        assert len(ann) == 0 and ann.errors and dp.metrics() == []
    assert not any(p.datapoint is None for p in ds.problems)
    everything(ds)


def test_a_truncated_frame_without_images_is_a_dataset_problem(solo):
    frame = solo / "sequence.1" / "step6.frame_data.json"
    frame.write_text('{"frame": 8, "captures": [')
    (solo / "sequence.1" / "step6.top.png").unlink()
    ds = dgviewer.load(str(solo))
    assert len(ds) == 17
    (problem,) = ds.index_problems
    assert problem.file == str(frame) and "invalid JSON" in problem.message


def test_a_truncated_definition_file(solo):
    (solo / "annotation_definitions.json").write_text('{"annotationDefinitions": [')
    ds = dgviewer.load(str(solo))
    assert len(ds) == 18
    assert "annotation_definitions.json" in ds.index_problems[0].file
    (kp,) = [a for a in ds[0].annotations() if type(a).__name__ == "KeypointSet"]
    assert kp.labels[0] == "0" and kp.edges == []  # no template: indices for names, no skeleton


def test_a_truncated_legacy_captures_file(legacy):
    (second,) = legacy.glob("Dataset*/captures_001.json")
    second.write_bytes(second.read_bytes()[:300])
    ds = dgviewer.load(str(legacy))
    assert len(ds) == 10  # the first chunk still opens
    assert [p.file for p in ds.index_problems] == [str(second)]
    everything(ds)


def test_a_corrupt_legacy_image_keeps_the_other_annotations(legacy):
    """Legacy 3D boxes need the image size from the RGB header; without it they stay raw, the rest still draws."""
    ds = dgviewer.load(str(legacy))
    dp = ds[0]
    with open(dp.file("visible"), "r+b") as f:
        f.write(b"not a png at all")
    ann = dp.annotations()
    assert len(ann.of_type(Box2D)) == 3 and ann.legend("instance") is not None
    assert [r.name for r in ann.of_type(RawAnnotation)] == ["bounding box 3D", "Target position"]
    assert any("not a PNG" in e for e in ann.errors) and dp.camera_model() is None


def test_unknown_types_and_missing_lists(solo):
    def damage(frame):
        cap = frame["captures"][0]
        cap["annotations"].append({"@type": "type.example.com/Wobble", "id": "wobble", "sensorId": "front", "spin": [1, 2]})
        del cap["annotations"][0]["values"]  # 1.0 leaves out empty lists
        del cap["annotations"][2]["values"]
        cap["annotations"][1]["values"][0]["size"] = "big"  # malformed 3D box
        frame["metrics"].append({"@type": "type.example.com/Odd", "id": "odd", "sensorId": None, "annotationId": None})

    edit_json(solo / "sequence.0" / "step0.frame_data.json", damage)
    ds = dgviewer.load(str(solo))
    dp = ds.get("solo/sequence.0/front/step0")
    assert "wobble" not in dp.meta["annotations"] and "Wobble" in dp.meta["annotations"]
    assert "boxes" not in dp.meta["annotations"] and "skeleton" not in dp.meta["annotations"]
    ann = dp.annotations()
    assert ann.of_type(Box2D) == []
    raws = {r.name: r for r in ann.of_type(RawAnnotation)}
    assert raws["wobble"].values["spin"] == [1, 2]
    assert raws["bounding box 3D"].type.endswith("BoundingBox3DAnnotation")  # malformed: kept raw
    assert any("'bounding box 3D'" in e and "malformed" in e for e in ann.errors)
    assert any("malformed" in p.message for p in dp.problems)
    assert {m.name: m.values for m in dp.metrics()}["odd"] is None
    everything(ds)


def test_concurrent_reads_agree(pristine):
    ds = dgviewer.load(str(pristine["solo"]))
    expected = {dp.id: (len(dp.annotations()), dp.read("instance").sum()) for dp in ds}
    errors, seen = [], {}

    def work(offset):
        try:
            for dp in list(ds)[offset:] + list(ds)[:offset]:
                seen[(offset, dp.id)] = (len(dp.annotations()), dp.read("instance").sum())
        except Exception as e:  # pragma: no cover - the assertion below reports it
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(v == expected[dp_id] for (_, dp_id), v in seen.items()) and len(seen) == 6 * 18


def snapshot(root: pathlib.Path) -> dict:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = pathlib.Path(dirpath) / name
            st = p.stat()
            out[str(p)] = (st.st_mtime_ns, st.st_size, p.is_dir() or hashlib.sha1(p.read_bytes()).hexdigest())
    out[str(root)] = root.stat().st_mtime_ns
    return out


@pytest.mark.parametrize("fmt", ["solo", "legacy"])
def test_a_read_only_copy_is_never_written(pristine, tmp_path, fmt):
    copy = pathlib.Path(shutil.copytree(pristine[fmt], tmp_path / fmt))
    for dirpath, _, filenames in os.walk(copy):
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o444)
        os.chmod(dirpath, 0o555)
    before = snapshot(copy)
    try:
        ds = dgviewer.load(str(copy))
        everything(ds)
        assert all(np.isfinite(dp.read("visible")).all() for dp in ds)
        assert snapshot(copy) == before
    finally:
        for dirpath, _, _ in os.walk(copy):
            os.chmod(dirpath, 0o755)
