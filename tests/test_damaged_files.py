"""Damage the hostile suite found, pinned one case each: the documented error, a problem naming the file,
strict JSON out, and validate naming damaged files without decoding images."""
from __future__ import annotations

import json
import math
import os

import pytest

import dgviewer
from dgviewer.core import jsonio
from dgviewer.core.annotations import Box2D
from dgviewer.core.errors import DataError
from dgviewer.qa import run_checks
from dgviewer.qa.report import write_json
from dgviewer.samples import write_sample


@pytest.fixture
def faces(tmp_path) -> str:
    return write_sample(str(tmp_path / "faces"), variant="datapoint", size=64, seed=0)


def _camera(root: str, n: int = 1) -> str:
    return os.path.join(root, f"datapoint_{n:05d}", "camera")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)
    jsonio.clear()


def test_strict_json_has_no_nan_or_infinity():
    text = jsonio.dumps({"a": [math.nan, 1.5, {"b": -math.inf}], "c": (math.inf, "x")})
    assert json.loads(text, parse_constant=lambda c: pytest.fail(c)) == {"a": [None, 1.5, {"b": None}],
                                                                        "c": [None, "x"]}
    assert [jsonio.is_number(v) for v in (1, 2.5, True, math.nan, math.inf, 10 ** 400, "1")] == [
        True, True, False, False, False, False, False]


def test_a_metadata_file_of_the_wrong_shape_raises_the_documented_error_and_is_a_problem(faces):
    _write(os.path.join(_camera(faces), "camera_metadata.json"), '[{"camera_name": "camera"}]')
    _write(os.path.join(_camera(faces), "face_bounding_box.json"), '{"min_x": Infinity, "min_y": 1, "max_x": 2, '
                                                                    '"max_y": 3}')
    deep = '{"a":' * 1000 + "1" + "}" * 1000  # orjson parses it; a recursive walk down it does not end well
    _write(os.path.join(_camera(faces), "datapoint_request.json"), '{"datapoints": [' + deep + "]}")
    ds = dgviewer.load(faces)
    dp, other = ds[0], ds[1]
    with pytest.raises(DataError, match="camera_metadata.json"):
        dp.camera_metadata
    with pytest.raises(DataError, match="datapoint_request.json"):
        dp.datapoint_request
    with pytest.raises(DataError, match="face_bounding_box.json"):
        dp.face_bounding_box
    assert not dp.annotations().of_type(Box2D)  # an infinite box is dropped, with a problem naming its file
    files = {os.path.basename(p.file or "") for p in dp.problems}
    assert {"camera_metadata.json", "face_bounding_box.json"} <= files
    assert other.camera_metadata.intrinsic_matrix.shape == (3, 3) and other.face_bounding_box.max_y > 0
    assert other.problems == []


def test_a_segmentation_colour_no_image_can_hold_is_a_problem_not_a_crash(faces):
    path = os.path.join(faces, "datapoint_00001", "semantic_segmentation_metadata.json")
    with open(path) as f:
        d = json.load(f)
    first = next(k for k in d if k != "version")
    d[first] = {"R": -(2 ** 63), "G": 0, "B": 0}
    _write(path, json.dumps(d))
    result = run_checks(dgviewer.load(faces), images=True, workers=1)
    assert not [f for f in result.findings if f.check == "check-crashed"]
    assert any(f.file == path and "outside 0..65535" in f.message for f in result.findings)


def test_a_box_must_be_finite():
    with pytest.raises(ValueError, match="not finite"):
        Box2D("boxes", "car", 0.0, 0.0, math.nan, 1.0)


def test_an_image_name_leading_out_of_the_camera_folder_is_refused(faces, tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"not read")
    env = os.path.join(_camera(faces), "environment.json")
    with open(env) as f:
        d = json.load(f)
    d["environments"][0]["image_name"] = "../../../outside.png"
    _write(env, json.dumps(d))
    ds = dgviewer.load(faces)
    assert not [dp for dp in ds if "outside" in dp.id]
    assert any(p.file == env and "not a file name" in p.message for p in ds.problems)


def test_validate_names_damaged_files_without_decoding_images(faces, tmp_path):
    png = os.path.join(_camera(faces), "semantic_segmentation.png")
    with open(png, "rb") as f:
        data = f.read()
    with open(png, "wb") as f:
        f.write(data[: len(data) // 2])  # the header is whole: only the chunk walk sees it
    os.mkfifo(os.path.join(_camera(faces, 2), "notes.txt"))  # a FIFO no datapoint reads
    orphan = os.path.join(faces, "datapoint_00003", "spare.png")
    with open(orphan, "wb") as f:
        f.write(data[:40])  # an image no datapoint lists
    result = run_checks(dgviewer.load(faces), workers=1)
    named = {(f.check, os.path.basename(f.file or "")) for f in result.findings}
    assert {("unreadable-file", "semantic_segmentation.png"), ("unreadable-file", "notes.txt"),
            ("unreadable-file", "spare.png")} <= named
    out = tmp_path / "report.json"
    with open(out, "w") as f:
        write_json(result, f)
    json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(c))


def test_an_unlistable_scene_folder_is_an_error_not_a_silent_gap(tmp_path, monkeypatch):
    """chmod 000 on a scene folder (simulated: tests run as root, who can list anything)."""
    import os as _os

    from dgviewer.cli import main
    from dgviewer.formats.datagen import index as datagen_index
    from dgviewer.samples import write_sample

    root = tmp_path / "scenes"
    write_sample(str(root), variant="scene", size=64, seed=0)
    locked = str(root / "scene_00002")
    real = _os.scandir

    def scandir(path="."):
        if _os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(datagen_index.os, "scandir", scandir)
    ds = dgviewer.load(str(root))
    assert any(p.file == locked and "cannot list" in p.message for p in ds.problems)
    assert main(["validate", str(root)]) == 1
