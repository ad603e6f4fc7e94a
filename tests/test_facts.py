"""Facts declared by readers: Perception's label/objects, the help text, and a filter core that knows no format."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import dgviewer
from dgviewer.core import filters
from dgviewer.core.errors import DataError
from dgviewer.core.filters import Facts, compile_filter, help_text
from dgviewer.core.model import Datapoint, Scene
from dgviewer.formats import registry
from dgviewer.formats.base import Reader
from dgviewer.samples import write_sample
from dgviewer.samples.perception import write_perception_sample

from .conftest import corpus


def ids(ds, text: str) -> set[str]:
    return {dp.id for dp in compile_filter(text).select(ds)}


# -- Unity Perception: label= and objects= against what the JSON files say ---------------------------
def _solo_expected(root: Path) -> dict[str, tuple[int, set[str]]]:
    """datapoint id → (2D boxes, label names) counted straight from the frame files."""
    out = {}
    for seq in sorted(root.glob("sequence.*")):
        for frame in seq.glob("step*.frame_data.json"):
            step = frame.name.split(".")[0]
            for c in json.loads(frame.read_text())["captures"]:
                boxes, labels = 0, set()
                for a in c["annotations"]:
                    items = (a.get("values") or []) + (a.get("instances") or [])
                    labels |= {v["labelName"] for v in items if "labelName" in v}
                    if a["@type"].endswith("BoundingBox2DAnnotation"):
                        boxes += len(a.get("values") or [])
                out[f"{root.name}/{seq.name}/{c['id']}/{step}"] = (boxes, labels)
    return out


def test_perception_sample_label_and_object_filters(tmp_path):
    root = Path(write_perception_sample(str(tmp_path / "solo"), format="solo", size=64, seed=0))

    def edit(name, change):
        path = root / "sequence.0" / name
        frame = json.loads(path.read_text())
        change(frame["captures"][0]["annotations"])
        path.write_text(json.dumps(frame))

    def rename(annotations):  # every "Character" becomes a "Barrel", and the 2D boxes go (1.0 omits empty lists)
        for a in annotations:
            for v in (a.get("values") or []) + (a.get("instances") or []):
                if v.get("labelName") == "Character":
                    v["labelName"] = "Barrel"
        del next(a for a in annotations if a["@type"].endswith("BoundingBox2DAnnotation"))["values"]

    edit("step0.frame_data.json", lambda anns: anns[0]["values"].pop())  # the front camera's first 2D box list
    edit("step1.frame_data.json", rename)
    expected = _solo_expected(root)
    ds = dgviewer.load(str(root))
    assert set(expected) == {dp.id for dp in ds} and len(ds) == 18
    assert {n for n, _ in expected.values()} == {0, 2, 3}  # the edits made the counts differ
    for n in range(5):
        assert ids(ds, f"objects>={n}") == {i for i, (boxes, _) in expected.items() if boxes >= n}
    assert ids(ds, "objects=0") == {"solo/sequence.0/front/step1"}
    assert ids(ds, "label=barrel") == {i for i, (_, labels) in expected.items() if "Barrel" in labels}
    assert ids(ds, "label=character") == {i for i, (_, labels) in expected.items() if "Character" in labels}
    assert len(ids(ds, "label=character")) == 17 and ids(ds, "label=Crate,Barrel objects<3 sensor=front") == {
        "solo/sequence.0/front/step0", "solo/sequence.0/front/step1"}
    assert compile_filter("objects>=1").needs == {"facts"}


def test_perception_corpora_counts_match_their_object_count_metrics():
    """Perception's own ObjectCount metric counts the labelled objects of each capture: the same number of 2D boxes."""
    solo = corpus("perception", "solo_pysolotools-tests-solo")
    ds = dgviewer.load(str(solo))
    for dp in ds:
        frame = json.loads((solo / dp.scene_node.name / f"{dp.name}.frame_data.json").read_text())
        (counts,) = [m["values"] for m in frame["metrics"] if m["@type"].endswith("ObjectCountMetric")]
        assert dp.facts({"objects"})["objects"] == [sum(c["count"] for c in counts)] == [3]
        assert set(dp.facts({"label"})["label"]) == {c["labelName"] for c in counts if c["count"]}
    assert len(ids(ds, "label=character objects=3")) == 2 and ids(ds, "label=cube") == set()

    legacy = corpus("perception", "legacy_datasetinsights-simrun_keypoint_dataset")
    ds = dgviewer.load(str(legacy))
    names = {d["id"]: d["name"] for d in json.loads((legacy / "metric_definitions.json").read_text())["metric_definitions"]}
    counts = {m["capture_id"]: sum(v["count"] for v in m["values"])
              for m in json.loads((legacy / "metrics_000.json").read_text())["metrics"]
              if names[m["metric_definition"]] == "object count"}
    assert sorted(counts.values()) == [7, 8]
    for dp in ds:
        assert dp.facts({"objects"}) == {"label": ["person"], "objects": [counts[dp.meta["capture_id"]]]}
    (eight,) = [dp.id for dp in ds if counts[dp.meta["capture_id"]] == 8]
    assert ids(ds, "objects>=8 label=person") == {eight} and len(ids(ds, "objects=7,8.0")) == 2

    mock = dgviewer.load(str(corpus("perception", "legacy-mock_perception-docs-simrun")))
    assert [dp.camera_node.name for dp in compile_filter("label=car,bicycle objects=3").select(mock)] == ["1"]
    assert len(ids(mock, "objects=0")) == 2


# -- the help lists what the open dataset's readers declare ---------------------------------------
def test_help_lists_generic_and_declared_keys(tmp_path):
    solo = dgviewer.load(write_perception_sample(str(tmp_path / "solo"), format="solo", size=64, seed=0))
    faces = dgviewer.load(write_sample(str(tmp_path / "faces"), variant="datapoint", size=64, seed=5))
    both = dgviewer.load(str(tmp_path / "solo"), str(tmp_path / "faces"))

    def keys(text):
        return {line.split()[0] for line in text.split("Keys:", 1)[1].splitlines() if line.startswith("    ") and line[4] != " "}

    generic = set(filters.KEYS) | {"anything"}
    assert keys(help_text()) == generic
    assert keys(help_text(solo.fact_keys)) == generic | {"label", "objects", "sequence", "step", "sensor", "timestamp",
                                                        "annotations", "frame", "boxes3d", "skeletons"}
    assert {"expression", "lighting", "spectrum", "yaw"} <= keys(help_text(faces.fact_keys)) and \
        "label" not in keys(help_text(faces.fact_keys))
    assert keys(help_text(both.fact_keys)) == keys(help_text(solo.fact_keys)) | keys(help_text(faces.fact_keys))
    assert "objects        number of 2D boxes" in help_text(solo.fact_keys)


# -- a format the core has never heard of ------------------------------------------------------------
class ColourDatapoint(Datapoint):
    """Its colour is in no meta and no metadata: only its facts() can answer colour=."""

    format = "colours"
    calls: list[tuple[str, frozenset]] = []

    def __init__(self, id, camera, name, colour):
        super().__init__(id, camera, name, [])
        self.colour = colour

    def facts(self, keys):
        ColourDatapoint.calls.append((self.name, frozenset(keys)))
        if self.colour is None:
            raise DataError(os.path.join(self.camera_node.path, "colours.json"), "unreadable")
        wanted = {"colour", "shade"} & set(keys)
        return {"colour": [self.colour], "shade": [self.colour + "ish"]} if wanted else {}

    def _metadata(self):
        return {"paint": {"brand": "acme"}}


class ColourReader(Reader):
    name = "colours"
    hint = "a colours.json"
    facts = {"colour": "the paint colour: colour=red", "shade": "a shade of it"}

    @classmethod
    def detect(cls, root):
        return os.path.isfile(os.path.join(root, "colours.json"))

    def index(self, ctx):
        scene = Scene("wall", ctx.dataset_name, path=ctx.root)
        cam = scene.camera("eye", path=ctx.root)
        for name, colour in json.loads(Path(ctx.root, "colours.json").read_text()).items():
            cam.add(ColourDatapoint(f"{ctx.dataset_name}/wall/eye/{name}", cam, name, colour))
        return [scene]


@pytest.fixture
def colours(tmp_path):
    (tmp_path / "wall").mkdir()
    (tmp_path / "wall" / "colours.json").write_text(json.dumps({"a": "red", "b": "blue", "c": "red", "d": None}))
    registry.register(ColourReader)
    ColourDatapoint.calls.clear()
    yield dgviewer.load(str(tmp_path / "wall"))
    registry.unregister(ColourReader)


def test_a_new_format_is_filterable_by_its_declared_facts(colours):
    assert colours.formats == ["colours"] and colours.fact_keys == ColourReader.facts
    assert "colour" in help_text(colours.fact_keys) and "shade" in help_text(colours.fact_keys)
    assert ids(colours, "name=a,b") == {"wall/wall/eye/a", "wall/wall/eye/b"} and ColourDatapoint.calls == []
    facts = Facts()
    keep = compile_filter("colour=red", facts=facts)
    assert keep.needs == {"facts"}
    assert [dp.name for dp in keep.select(colours)] == ["a", "c"]  # d's facts raise: no match, no crash
    assert len(ColourDatapoint.calls) == 4
    # "shade" came with colour's call, so only d (whose call failed) is asked for it; brand= is asked of b, the
    # one datapoint that gets that far, which has no such fact: its full metadata answers
    assert [dp.name for dp in compile_filter("shade=blueish brand=acme", facts=facts).select(colours)] == ["b"]
    assert ColourDatapoint.calls[4:] == [("b", {"brand"}), ("d", {"shade"})]
    for calls in (10, 13):  # an answer of no facts is not kept (it costs no read): a, b and c are asked each time;
        assert len(compile_filter("brand=acme", facts=facts).select(colours)) == 4  # d's failure is kept
        assert len(ColourDatapoint.calls) == calls
    assert ids(colours, "colour!=red") == {"wall/wall/eye/b", "wall/wall/eye/d"}


def test_the_filter_core_names_no_format_key():
    """Every key a built-in reader declares comes from its own package: core/filters.py spells none of them."""
    source = Path(filters.__file__).read_text()
    declared = {k for r in registry.readers() for k in r.facts}
    assert {"expression", "lighting", "spectrum", "label", "objects"} <= declared
    assert not declared & set(filters.KEYS)
    assert [k for k in sorted(declared) if f'"{k}"' in source or f"'{k}'" in source or f"{k}=" in source] == []
