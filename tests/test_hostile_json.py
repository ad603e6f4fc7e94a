"""Property tests (Hypothesis): any JSON value or byte string into the JSON readers gives a result or a DataError."""
from __future__ import annotations

import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dgviewer.core import jsonio
from dgviewer.core.errors import DataError
from dgviewer.formats.datagen.keypoints import parse_keypoint_file, parse_v1

_KEYS = st.sampled_from(["pixel_2d", "global_3d", "is_visible", "x", "y", "z", "0", "1", "01", "face", "dense",
                         "standard", "keypoints_2d_coordinates", "keypoints_3d_coordinates", "version"])


def _json(integers):
    scalars = (st.none() | st.booleans() | integers | st.floats(allow_nan=True, allow_infinity=True)
               | st.text(max_size=8) | st.sampled_from(["true", "1e999"]))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                        | st.dictionaries(_KEYS | st.text(max_size=4), inner, max_size=5), max_leaves=40)


#: Integers within 64 bits come back exact; wider ones come back as a float (orjson) — a value, not an error.
JSON = _json(st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1))
WIDE_JSON = _json(st.integers(min_value=-(10 ** 400), max_value=10 ** 400))
_SCALAR = WIDE_JSON.filter(lambda v: not isinstance(v, (list, dict))) | st.floats()
_NUMBER_KEYS = st.from_regex(r"\A[0-9]{1,3}\Z")
#: Shaped like the files (so the parsers get past their first checks), with any value anywhere.
V1_FILE = st.fixed_dictionaries(
    {"keypoints_2d_coordinates": st.dictionaries(_NUMBER_KEYS, st.lists(_SCALAR, max_size=3) | WIDE_JSON, max_size=4)},
    optional={"keypoints_3d_coordinates": st.dictionaries(_NUMBER_KEYS, st.lists(_SCALAR, max_size=4) | WIDE_JSON,
                                                          max_size=4) | WIDE_JSON,
              "is_visible": st.dictionaries(_NUMBER_KEYS, _SCALAR, max_size=4) | WIDE_JSON})
_XY = st.fixed_dictionaries({"x": _SCALAR, "y": _SCALAR}) | WIDE_JSON
_XYZ = st.fixed_dictionaries({"x": _SCALAR, "y": _SCALAR, "z": _SCALAR}) | WIDE_JSON
_POINT = st.fixed_dictionaries({"pixel_2d": _XY}, optional={"global_3d": _XYZ, "is_visible": _SCALAR})
V2_FILE = st.recursive(_POINT, lambda inner: st.dictionaries(_NUMBER_KEYS | _KEYS, inner, min_size=1, max_size=4),
                       max_leaves=12)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Each example writes a file: fewer of them.
_FILE_SETTINGS = settings(_SETTINGS, max_examples=100)


def _file(content: bytes) -> str:
    fd, path = tempfile.mkstemp(suffix=".json")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return path


@_FILE_SETTINGS
@given(JSON)
def test_parse_file_gives_back_any_json_value(value):
    path = _file(json.dumps(value, allow_nan=True).encode())
    try:
        parsed = jsonio.parse_file(path)
        assert json.dumps(parsed, allow_nan=True) == json.dumps(value, allow_nan=True)
        jsonio.clear()
        assert json.dumps(jsonio.read_json(path), allow_nan=True) == json.dumps(value, allow_nan=True)
    finally:
        os.remove(path)


@_FILE_SETTINGS
@given(st.binary(max_size=200) | WIDE_JSON.map(lambda v: json.dumps(v, allow_nan=True).encode())
       | JSON.map(lambda v: json.dumps(v, allow_nan=True).encode()[:-1]))
def test_any_bytes_give_a_value_or_a_data_error(content):
    path = _file(content)
    try:
        jsonio.parse_file(path)
    except DataError as e:
        assert e.file == path and "\n" not in str(e)
    finally:
        os.remove(path)


@_SETTINGS
@given(WIDE_JSON | V2_FILE | st.fixed_dictionaries({}, optional={"standard": V1_FILE, "dense": V1_FILE | WIDE_JSON}))
def test_keypoint_files_of_any_shape_parse_or_raise_data_error(value):
    try:
        parse_keypoint_file(value, "k.json")
    except DataError as e:
        assert e.file == "k.json"


@_SETTINGS
@given(V1_FILE | WIDE_JSON, V1_FILE | st.none())
def test_v1_keypoint_pairs_of_any_shape_parse_or_raise_data_error(standard, dense):
    try:
        parse_v1(standard, dense, ("s.json", "d.json"))
    except DataError as e:
        assert e.file in ("s.json", "d.json")
