"""``dgviewer diff``: each change planted in a copy of a sample is reported exactly, and nothing else."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from dgviewer.cli import main
from dgviewer.core.compare import flatten, image_change, metadata_changes, pixel_difference
from dgviewer.samples import write_sample
from tests.planted import DELETED, METADATA, plant


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("diff") / "A")
    write_sample(path, variant="datapoint", size=64, seed=0)
    return path


def _run(capsys, *argv) -> tuple[int, str]:
    code = main(["diff", *argv])
    return code, capsys.readouterr().out


def test_identical_copies_exit_0(original, tmp_path, capsys):
    copy = str(tmp_path / "copy")
    shutil.copytree(original, copy)
    code, out = _run(capsys, original, copy, "--json", str(tmp_path / "d.json"))
    assert code == 0
    assert out.splitlines()[-1] == "identical: 6 datapoints compared"
    report = json.loads((tmp_path / "d.json").read_text())
    assert report["identical"] and report["changed"] == [] and report["only_in_a"] == report["only_in_b"] == []


def test_planted_changes_reported_exactly(original, tmp_path, capsys):
    changed = str(tmp_path / "B")
    expected = plant(original, changed)
    code, out = _run(capsys, original, changed, "--json", str(tmp_path / "d.json"))
    assert code == 1
    report = json.loads((tmp_path / "d.json").read_text())
    assert report["only_in_a"] == [f"{DELETED}/camera/visible_spectrum_01.png"] and report["only_in_b"] == []
    assert report["compared"] == 5
    by_id = {d["id"].split("/")[0]: d for d in report["changed"]}
    assert sorted(by_id) == ["datapoint_00001", "datapoint_00002", "datapoint_00004"]  # nothing else changed

    moved = by_id["datapoint_00001"]
    assert moved["images"] == [] and moved["metadata"] == [] and moved["errors"] == []
    [kp] = moved["keypoints"]
    assert (kp["set"], kp["status"], kp["moved"], kp["total"]) == ("face.standard", "moved", 1, 68)
    assert kp["mean_px"] == pytest.approx(expected["moved"]) and kp["max_px"] == pytest.approx(expected["moved"])

    block = by_id["datapoint_00002"]
    assert block["keypoints"] == [] and block["metadata"] == []
    [img] = block["images"]  # the rewritten PNG's other pixels are equal: not reported
    assert (img["modality"], img["status"]) == ("visible", "changed")
    assert img["fraction"] == pytest.approx(expected["block"]["fraction"])
    assert img["max_abs"] == expected["block"]["max_abs"]

    meta = by_id["datapoint_00004"]
    assert meta["images"] == [] and meta["keypoints"] == []
    assert meta["metadata"] == [{"path": f"environment.{METADATA[1]}", "old": expected["metadata"], "new": METADATA[2],
                                 "status": "changed"}]

    lines = out.splitlines()
    assert f"only in A: {DELETED}/camera/visible_spectrum_01.png" in lines
    assert any("face.standard: 1/68 moved, mean 5.000 px, max 5.000 px" in line for line in lines)
    assert any(f"metadata environment.time_of_day: 'morning' -> 'night'" in line for line in lines)
    assert lines[-1] == "5 datapoints compared: 3 changed, 1 only in A, 0 only in B"


def test_json_to_stdout_and_reverse_direction(original, tmp_path, capsys):
    changed = str(tmp_path / "B")
    plant(original, changed, which=("deleted",))
    code, out = _run(capsys, changed, original, "--json", "-")
    assert code == 1
    report = json.loads(out)  # only the JSON on stdout
    assert report["only_in_b"] == [f"{DELETED}/camera/visible_spectrum_01.png"] and report["changed"] == []


def test_bad_input_exit_2(original, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["diff", original, str(empty)]) == 2
    assert "not a dataset" in capsys.readouterr().err
    assert main(["diff", original, str(tmp_path / "missing")]) == 2


def test_dataset_never_modified(original, tmp_path, capsys):
    changed = str(tmp_path / "B")
    plant(original, changed)
    before = {p: os.stat(os.path.join(r, p)).st_mtime_ns for r, _, fs in os.walk(changed) for p in fs}
    _run(capsys, original, changed)
    assert {p: os.stat(os.path.join(r, p)).st_mtime_ns for r, _, fs in os.walk(changed) for p in fs} == before
    assert not [f for f in os.listdir(tmp_path) if f != "B"]


def test_compare_option_opens_the_viewer_with_both(original, tmp_path, monkeypatch):
    from dgviewer import cli

    opened = []
    monkeypatch.setattr(cli.viewer, "open_viewer",
                        lambda paths, goto, shot, compare=None: opened.append((paths(), compare)) or 0)
    assert main([original, "--compare", str(tmp_path)]) == 0
    assert opened == [([original], str(tmp_path))]


def test_pixel_difference_nan_and_shape():
    a = np.array([[0.5, np.nan], [np.nan, 1.0]], np.float32)
    b = np.array([[0.25, np.nan], [2.0, 1.0]], np.float32)
    d, changed = pixel_difference(a, b)
    assert changed.tolist() == [[True, False], [True, False]]  # NaN = NaN, NaN ≠ a number
    assert d[0, 0] == 0.25 and d[0, 1] == 0 and np.isnan(d[1, 0])
    c = image_change("depth", a, b)
    assert (c.max_abs, c.fraction) == (0.25, 0.5)
    s = image_change("visible", np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8))
    assert s.status == "shape" and s.shape == ([4, 4, 3], [4, 5, 3])
    u = np.zeros((2, 2, 3), np.uint16)
    v = u.copy()
    v[1, 1, 2] = 65535  # no wrap-around in unsigned subtraction
    assert image_change("visible", v, u).max_abs == 65535


def test_flatten_paths_and_metadata_changes():
    assert flatten({"a": {"b": [1, {"c": None}]}, "e": {}}) == {"a.b[0]": 1, "a.b[1].c": None, "e": {}}
    changes = metadata_changes({"a": 1, "b": None, "n": float("nan"), "t": 1}, {"a": 2, "c": None, "n": float("nan"),
                                                                               "t": 1.0})
    assert [(c.path, c.old, c.new, c.status) for c in changes] == [
        ("a", 1, 2, "changed"), ("b", None, None, "removed"), ("c", None, None, "added"), ("t", 1, 1.0, "changed")]
