"""Filter expressions: names, cheap facts, actor facts read only when asked, reviews and findings combined."""
from __future__ import annotations

import json

import pytest

import dgviewer
from dgviewer.core import jsonio
from dgviewer.core.filters import Facts, FilterError, compile_filter
from dgviewer.qa import run_checks
from dgviewer.core.review import ReviewStore
from dgviewer.samples import write_sample
from dgviewer.samples.perception import write_perception_sample
from dgviewer.formats.datagen import datapoint as datagen_datapoint

from .conftest import corpus


def picked(ds, text, **context) -> list[str]:
    """The datapoints an expression keeps, as 'scene/camera/name'."""
    f = compile_filter(text, **context)
    return [f"{dp.scene_node.name}/{dp.camera_node.name}/{dp.name}" for dp in f.select(ds)]


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    """2 scenes × 3 cameras × 2 lightings (scene-era layout), one actor per scene."""
    return dgviewer.load(write_sample(str(tmp_path_factory.mktemp("f") / "scenes"), variant="scene", size=64, seed=2))


@pytest.fixture(scope="module")
def faces():
    return dgviewer.load(corpus("datagen", "2023-01_faces_ir"))


def test_names_wildcards_lists_and_negation(scenes):
    assert len(picked(scenes, "camera=camera_2")) == 4
    assert picked(scenes, "scene=scene_00002 camera!=camera_1,camera_3 name=*_02.png") == [
        "scene_00002/camera_2/visible_spectrum_02.png"]
    assert len(picked(scenes, "name~SPECTRUM_01")) == 6 and len(picked(scenes, "name!~_01")) == 6
    assert len(picked(scenes, "scene_00001/camera_3")) == 2  # a bare word: part of the id
    assert len(picked(scenes, "has=depth has=segmentation")) == 12 and picked(scenes, "has=infrared") == []
    assert compile_filter("   ") is None


def test_cheap_facts_and_numbers(scenes):
    assert len(picked(scenes, "lighting=outdoor")) + len(picked(scenes, "lighting=indoor")) == 12
    assert picked(scenes, "time_of_day=evening") == picked(scenes, "lighting=evening")
    assert len(picked(scenes, "spectrum=visible")) == 12
    hic = dgviewer.load(corpus("datagen", "2023-01_hic_home_security"))
    assert [dp.meta["frame"] for dp in compile_filter("frame>=2 frame<4").select(hic)] == [2, 3]
    assert len(picked(hic, "domain=home_security behaviour~packaged fps=1.0")) == 4


def test_actor_facts_are_read_only_when_asked_and_once(faces, monkeypatch):
    reads = []
    real = datagen_datapoint.read_json
    monkeypatch.setattr(datagen_datapoint, "read_json", lambda p: reads.append(p) or real(p))
    jsonio.clear()
    facts = Facts()
    assert len(compile_filter("camera=camera spectrum=nir", facts=facts).select(faces)) == 2
    assert reads == []  # names and cheap facts only
    assert picked(faces, "age=young accessory=glasses", facts=facts) == [
        "datapoint_00014/camera/infrared_spectrum.png", "datapoint_00015/camera/visible_spectrum_01.png"]
    assert sum(p.endswith("actor_metadata.json") for p in reads) == 3
    assert len(picked(faces, "ethnicity=mediterranean yaw<-20 pitch>-8 intensity=1.0 expression=none", facts=facts)) == 1
    assert sum(p.endswith("actor_metadata.json") for p in reads) == 3  # cached in Facts


def test_hic_identities_and_full_metadata(faces):
    hic = dgviewer.load(corpus("datagen", "2023-01_hic_home_security"))
    assert len(picked(hic, "age=young gender=male ethnicity=african")) == 4
    assert picked(hic, "age=old") == []
    # Not a cheap fact: found in the datapoint's full metadata (camera_metadata.json's focal_length).
    assert len(picked(faces, "focal_length>=50 camera_type=PERSP")) == 3


def test_review_and_finding_terms_combine(tmp_path):
    root = write_sample(str(tmp_path / "faces"), variant="datapoint", size=64, seed=5)
    box = tmp_path / "faces" / "datapoint_00002" / "camera" / "face_bounding_box.json"
    b = json.loads(box.read_text())
    b["max_x"] += 9
    box.write_text(json.dumps(b))
    ds = dgviewer.load(root)
    reviews = ReviewStore.for_dataset(ds, data_dir=str(tmp_path / "u"))
    reviews.mark_fail(ds[0].id, "hair clipping")
    reviews.flag(ds[1].id, "odd box")
    findings = run_checks(ds).by_datapoint()
    ctx = dict(reviews=reviews, findings=findings)
    assert picked(ds, "finding=face-box", **ctx) == ["datapoint_00002/camera/" + ds[1].name]
    assert len(picked(ds, "finding=none", **ctx)) == len(ds) - 1 and picked(ds, "finding=any severity=error", **ctx)
    assert picked(ds, "review=flag finding=any reason~box", **ctx) == picked(ds, "finding=face-box", **ctx)
    assert len(picked(ds, "review=reviewed", **ctx)) == 2 and len(picked(ds, "review=unreviewed", **ctx)) == len(ds) - 2
    assert compile_filter("review=fail", **ctx).needs == {"review"}
    assert compile_filter("finding=any expression=happiness", **ctx).needs == {"finding", "facts"}


def test_perception_facts(tmp_path):
    ds = dgviewer.load(write_perception_sample(str(tmp_path / "solo"), format="solo", size=64, seed=0))
    assert {dp.camera_node.name for dp in compile_filter("sensor=top sequence=1").select(ds)} == {"top"}
    assert compile_filter("expression=happiness").select(ds) == []  # no actor: nothing matches, nothing breaks


def test_errors_say_what_is_missing(scenes):
    with pytest.raises(FilterError, match="review decisions"):
        compile_filter("review=pass")
    with pytest.raises(FilterError, match="run the checks"):
        compile_filter("finding=reprojection")
    with pytest.raises(FilterError, match="not a number"):
        compile_filter("yaw>left")
    with pytest.raises(FilterError, match="quotation"):
        compile_filter('reason~"eyes closed')
