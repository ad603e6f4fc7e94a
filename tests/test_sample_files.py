"""The samples' one file writer: JSON formatted like json.dumps, exact PNG and EXR pixels, safe output folders."""
from __future__ import annotations

import json

import numpy as np
import pytest

from dgviewer.core.imaging import read_exr, read_png
from dgviewer.samples.files import dumps, new_folder, write_exr, write_json, write_png

DOC = {"a": [1, 2.5, -0.0, 1e-07, 123456789.123], "é ☃": "tab\tquote\"", "empty": {}, "none": [], "flags": [True, False, None],
       "nested": {"x": [{"y": [[]]}], "big": 2**70}}


@pytest.mark.parametrize("indent", [2, 3])
def test_dumps_is_json_dumps(indent, tmp_path):
    assert dumps(DOC, indent) == json.dumps(DOC, indent=indent)
    write_json(str(tmp_path / "deep" / "x.json"), DOC, indent)
    assert (tmp_path / "deep" / "x.json").read_bytes() == json.dumps(DOC, indent=indent).encode("ascii")


@pytest.mark.parametrize("bad, error", [(float("nan"), ValueError), ((1, 2), TypeError), (np.float32(1), TypeError)])
def test_dumps_refuses_what_json_would_write_differently(bad, error):
    with pytest.raises(error):
        dumps({"v": bad})


@pytest.mark.parametrize("level", [None, 2])
@pytest.mark.parametrize("dtype, channels", [(np.uint8, 4), (np.uint16, 3)])
def test_png_keeps_every_value(tmp_path, level, dtype, channels):
    rng = np.random.default_rng(1)
    image = rng.integers(0, np.iinfo(dtype).max, (9, 7, channels), endpoint=True).astype(dtype)
    path = str(tmp_path / "sub" / "x.png")
    write_png(path, image, level)
    back = read_png(path)
    assert back.dtype == dtype and np.array_equal(back, image)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_exr_channels_and_alpha(tmp_path, dtype):
    image = np.random.default_rng(2).normal(size=(5, 6, 3)).astype(dtype)
    write_exr(str(tmp_path / "rgb.exr"), image)
    write_exr(str(tmp_path / "rgba.exr"), image, alpha=True)
    rgb, rgba = read_exr(str(tmp_path / "rgb.exr")), read_exr(str(tmp_path / "rgba.exr"))
    assert sorted(rgb) == ["B", "G", "R"] and sorted(rgba) == ["A", "B", "G", "R"]
    for i, c in enumerate("RGB"):
        assert rgb[c].dtype == dtype and np.array_equal(rgb[c], image[..., i]) and np.array_equal(rgba[c], image[..., i])
    assert np.all(rgba["A"] == 1)


def test_new_folder_only_takes_a_new_or_empty_folder(tmp_path):
    new_folder(str(tmp_path / "a" / "b"))
    new_folder(str(tmp_path / "a" / "b"))  # empty: fine
    (tmp_path / "a" / "b" / "f").write_text("x")
    for taken in (tmp_path / "a" / "b", tmp_path / "a" / "b" / "f"):
        with pytest.raises(FileExistsError):
            new_folder(str(taken))
