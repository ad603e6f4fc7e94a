"""Fact distributions (core.statistics, dgviewer stats, the page validate links): counts equal what the metadata
files say, read here with the json module; bins, filter terms and the written JSON/HTML."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import dgviewer
from dgviewer.core.filters import compile_filter
from dgviewer.core.statistics import distribution, range_terms, refine, summarize
from dgviewer.samples import write_sample

from .conftest import corpus


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dgviewer", *args], capture_output=True, text=True, timeout=300)


# -- Datagen: actor and camera files read here, independently of the reader -------------------------
def _datagen_expected(ds) -> dict[str, Counter]:
    """fact → value → datapoints, from each datapoint's actor_metadata.json and camera_metadata.json."""
    out: dict[str, Counter] = {k: Counter() for k in ("expression", "gender", "age", "distance")}
    for dp in ds:
        actor = json.loads(Path(dp.find("actor_metadata.json")).read_text())
        if "identities" in actor:  # HIC: one entry per person in the frame
            for key in ("gender", "age"):
                for value in {p[key] for p in actor["identities"].values()}:
                    out[key][value] += 1
            continue
        out["expression"][actor["face_expression"]["name"]] += 1
        out["gender"][actor["identity_label"]["gender"]] += 1
        out["age"][actor["identity_label"]["age"]] += 1
        cam = json.loads(Path(dp.find("camera_metadata.json")).read_text())["location"]
        head = actor["head_metadata"]["head_six_dof"]["location"]
        out["distance"][round(math.dist([cam[k] for k in "xyz"], [head[k] for k in "xyz"]), 4)] += 1
    return out


@pytest.mark.parametrize("name", ["2022-07_Data1", "2023-01_faces_ir", "2023-01_hic_home_security"])
def test_datagen_corpus_counts_equal_the_metadata_files(name):
    ds = dgviewer.load(corpus("datagen", name))
    dists = summarize(list(ds), ds.fact_keys)
    expected = _datagen_expected(ds)
    for key in ("expression", "gender", "age"):
        if expected[key]:
            assert dists[key].counts == dict(expected[key]), key
            assert sum(dists[key].counts.values()) + dists[key].missing >= len(ds)
    if expected["distance"]:  # a histogram: every datapoint with a distance is in exactly one bin
        d = dists["distance"]
        assert d.kind == "histogram" and sum(d.bins) == sum(expected["distance"].values())
        lo, hi = min(expected["distance"]), max(expected["distance"])
        assert d.edges[0] == pytest.approx(lo, abs=1e-4) and d.edges[-1] == pytest.approx(hi, abs=1e-4)
    assert dists["camera"].counts == dict(Counter(dp.camera_node.name for dp in ds))


def _solo_expected(root: Path) -> dict[str, Counter]:
    out = {k: Counter() for k in ("objects", "boxes3d", "label")}
    for frame in root.glob("sequence.*/step*.frame_data.json"):
        for c in json.loads(frame.read_text())["captures"]:
            boxes = boxes3d = 0
            labels = set()
            for a in c["annotations"]:
                values = a.get("values") or []
                labels |= {v["labelName"] for v in values + (a.get("instances") or []) if "labelName" in v}
                boxes += len(values) if a["@type"].endswith("BoundingBox2DAnnotation") else 0
                boxes3d += len(values) if a["@type"].endswith("BoundingBox3DAnnotation") else 0
            out["objects"][str(boxes)] += 1
            out["boxes3d"][str(boxes3d)] += 1
            out["label"].update(labels)
    return out


@pytest.mark.parametrize("name", ["solo_pysolotools-tests-solo", "solo_pysolotools-tests-solo_custom_type"])
def test_perception_corpus_counts_equal_the_frame_files(name):
    root = corpus("perception", name)
    ds = dgviewer.load(root)
    dists = summarize(list(ds), ds.fact_keys)
    expected = _solo_expected(root)
    for key in ("objects", "boxes3d", "label"):
        assert dists[key].counts == dict(expected[key]), key


def test_a_bar_count_is_what_its_filter_term_keeps(tmp_path):
    root = tmp_path / "faces"
    write_sample(str(root), variant="datapoint", size=64, seed=3)
    ds = dgviewer.load(root)
    dists = summarize(list(ds), ds.fact_keys)
    for key in ("expression", "gender", "lighting", "has", "camera"):
        for value, n in dists[key].counts.items():
            assert len(compile_filter(refine("", key, f"{key}={value}")).select(ds)) == n, (key, value)
    d = dists["yaw"]
    assert d.kind == "histogram" and sum(d.bins) == len(ds)
    kept = compile_filter(range_terms("yaw", d.edges[0], d.edges[-1])).select(ds)
    assert len(kept) == len(ds)


def test_bins_counts_and_terms():
    column = [[i * 0.5] for i in range(40)] + [[]]
    d = distribution("gaze", column)
    assert d.kind == "histogram" and len(d.bins) == 20 and sum(d.bins) == 40 and d.missing == 1
    assert d.edges[0] == 0 and d.edges[-1] == 19.5
    few = distribution("objects", [[3], [3.0], [1], []])
    assert few.kind == "counts" and few.counts == {"1": 1, "3": 2}
    text = distribution("expression", [["Happy"], ["happy", "HAPPY"], ["sad"]])
    assert text.counts == {"Happy": 2, "sad": 1}  # a datapoint counts once per value, case as filters see it
    assert refine("camera=a expression=x", "expression", "expression=y") == "camera=a expression=y"
    assert refine("yaw>=1 yaw<=2 id", "yaw", range_terms("yaw", -3.5, 4)) == "id yaw>=-3.5 yaw<=4"
    assert refine("", "reason", "'reason=eyes closed'") == "'reason=eyes closed'"
    assert range_terms("yaw", 2.31242326900729, 2.31242326900729) == "yaw>=2.31242 yaw<=2.31242326900729"


def test_stats_cli_json_html_and_the_validate_link(tmp_path):
    root = tmp_path / "faces"
    write_sample(str(root), variant="datapoint", size=64, seed=1)
    out = _cli("stats", str(root), "--filter", "spectrum=visible", "--json", str(tmp_path / "s.json"),
               "--html", str(tmp_path / "s.html"))
    assert out.returncode == 0, out.stderr
    data = json.loads((tmp_path / "s.json").read_text())
    ds = dgviewer.load(root)
    visible = compile_filter("spectrum=visible").select(ds)
    assert data["format"] == "dgviewer-stats" and data["datapoints"] == len(visible) < len(ds)
    assert data["facts"]["spectrum"]["counts"] == {"visible": len(visible)}
    assert data["facts"]["review"]["counts"] == {"unreviewed": len(visible)}
    page = (tmp_path / "s.html").read_text()
    assert page.count("<svg") == len(data["facts"]) and "http" not in page.replace("http://www.w3.org", "")
    text = _cli("stats", str(root))
    assert text.returncode == 0 and any(line.startswith("expression ") for line in text.stdout.splitlines())
    report = tmp_path / "qa.html"
    v = _cli("validate", str(root), "--html", str(report), "-q")
    assert v.returncode in (0, 1), v.stderr
    stats_page = (tmp_path / "qa.stats.html").read_text()
    assert "href='qa.stats.html'" in report.read_text() and "href='qa.html'" in stats_page
    assert "<h2>finding " in stats_page  # the QA findings are a fact of that page
