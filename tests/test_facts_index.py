"""The facts index: the same answers as the per-datapoint filter on every sample and corpus, unknown keys refused
before any work, a cache that notices changed files and never writes into the dataset, and ``dgviewer find``."""
from __future__ import annotations

import io
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

import dgviewer
from dgviewer import facts
from dgviewer.cli import main
from dgviewer.core import facts_query
from dgviewer.core.facts_index import FactsIndex, index_path
from dgviewer.core.filters import FilterError, compile_filter
from dgviewer.core.review import ReviewStore
from dgviewer.qa import run_checks
from dgviewer.samples import write_sample
from dgviewer.samples.perception import write_perception_sample

from .conftest import CORPORA, snapshot

#: Every operator, wildcards, alternatives, bare words, numbers, multi-valued facts, cheap-fact paths, and keys a
#: dataset does not have (nothing matches, nothing breaks).
EXPRESSIONS = [
    "camera=camera_2", "camera!=camera_1,camera_3", "name=*_02.png", "name~SPECTRUM_01", "name!~_01",
    "scene=scene_0000?", "dataset~a", "has=depth has=segmentation", "modality=infrared", "has!=normals",
    "datapoint_00002", "step1", "id~/camera", "lighting=outdoor", "lighting=indoor,hdri", "time_of_day=evening",
    "spectrum=nir", "expression=happiness", "expression!=none", "expression=*ness,anger", "age=young",
    "accessory=glasses", "accessory!~glass", "yaw<-20", "yaw>=0 pitch>-8", "intensity=1.0", "intensity=1",
    "roll<=0.5", "label=Character", "label=crate,barrel objects<3", "objects>=3", "objects=0", "objects!=3",
    "sensor=top sequence=1", "frame>=2 frame<4", "gender=male ethnicity=african", "identity~-", "eyelid>0",
    "step=1", "timestamp>0", "sequence!=0",
]


def _datasets(tmp: Path) -> dict[str, str]:
    out = {v: write_sample(str(tmp / v), variant=v, size=64, seed=3) for v in ("datapoint", "scene", "earliest", "hic")}
    for fmt in ("solo", "legacy"):
        out[fmt] = write_perception_sample(str(tmp / fmt), format=fmt, size=64, seed=1)
    for kind in ("datagen", "perception"):
        for p in sorted((CORPORA / kind).glob("*")) if (CORPORA / kind).is_dir() else []:
            out[p.name] = str(p)
    return out


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    return _datasets(tmp_path_factory.mktemp("facts"))


def _known(index: FactsIndex, text: str) -> bool:
    try:
        facts_query.check(text, index.knows, lambda: index.keys, reviews=True, findings={})
    except FilterError:
        return False
    return True


def test_index_answers_as_the_per_datapoint_filter_on_samples_and_corpora(datasets):
    compared = 0
    for name, path in datasets.items():
        ds = dgviewer.load(path)
        index = facts.build(ds)
        assert index.ids == [dp.id for dp in ds]
        for text in EXPRESSIONS:
            if not _known(index, text):  # a key this dataset lacks: refused by the index (see the next test)
                continue
            expected = [dp.id for dp in compile_filter(text).select(ds)]
            assert facts_query.selected_ids(index, text) == expected, (name, text)
            compared += 1
    assert compared > 150


def test_review_and_finding_terms_are_joined_live(tmp_path):
    root = write_sample(str(tmp_path / "faces"), variant="datapoint", size=64, seed=5)
    box = tmp_path / "faces" / "datapoint_00002" / "camera" / "face_bounding_box.json"
    b = json.loads(box.read_text())
    b["max_x"] += 9
    box.write_text(json.dumps(b))
    ds = dgviewer.load(root)
    index = facts.build(ds)
    reviews = ReviewStore.for_dataset(ds, data_dir=str(tmp_path / "u"))
    findings = run_checks(ds).by_datapoint()
    ctx = dict(reviews=reviews, findings=findings)
    texts = ["review=fail", "review=reviewed", "review=unreviewed", "reason~clip", "finding=face-box", "finding=none",
             "finding=any severity=error", "review=flag finding=any reason~box expression!=nosuch"]
    for step in range(3):  # decisions change after the index was built: answers follow them
        for text in texts:
            assert facts_query.selected_ids(index, text, **ctx) == [dp.id for dp in compile_filter(text, **ctx).select(ds)]
        reviews.mark_fail(ds[step].id, "hair clipping")
        reviews.flag(ds[step + 1].id, "odd box")


def test_unknown_key_is_refused_before_any_work_listing_the_known_keys(datasets, monkeypatch):
    ds = dgviewer.load(datasets["scene"])
    monkeypatch.setattr(facts, "index_of", lambda *a, **k: pytest.fail("the index was built for a bad filter"))
    with pytest.raises(FilterError, match=r"unknown key 'expresion'.*expression.*time_of_day") as e:
        facts.selection(ds, "expresion=happiness")
    assert "camera" in str(e.value) and "yaw" in str(e.value)
    with pytest.raises(FilterError, match="run the checks"):
        facts.selection(ds, "finding=any")
    # Full-metadata paths are not indexed: a clear error rather than a silent read of every file.
    with pytest.raises(FilterError, match="unknown key 'focal_length'"):
        facts.selection(ds, "focal_length>=50")


def test_saved_in_the_cache_reused_and_rebuilt_when_files_change(tmp_path, monkeypatch):
    root = write_sample(str(tmp_path / "faces"), variant="datapoint", size=64, seed=5)
    before = snapshot(Path(root))
    ds = dgviewer.load(root)
    built = facts.index_of(ds)
    path = index_path(ds.roots)
    assert os.path.isfile(path) and not path.startswith(str(tmp_path))
    assert snapshot(Path(root)) == before  # nothing written into the dataset
    again = facts.cached(ds.roots, [dp.id for dp in ds])
    assert again is not None and again.ids == built.ids and again.keys == built.keys
    assert facts_query.selected_ids(again, "age=young") == facts_query.selected_ids(built, "age=young")

    # An actor file replaced (as a generator or an atomic writer does): the datapoint folder changes, the index is stale.
    actor = next(Path(root).glob("datapoint_00001/actor_metadata.json"))
    data = json.loads(actor.read_text())
    data["face_expression"]["name"] = "wistful"
    tmp = actor.with_suffix(".new")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, actor)
    assert facts.cached(ds.roots) is None
    ds = dgviewer.load(root)
    rebuilt = facts.index_of(ds)
    assert facts_query.selected_ids(rebuilt, "expression=wistful") == [ds[0].id] == [
        dp.id for dp in compile_filter("expression=wistful").select(ds)]
    # A datapoint folder removed: stale again.
    os.rename(Path(root) / "datapoint_00002", tmp_path / "moved")
    assert facts.cached(ds.roots) is None
    # A damaged file on disk is never fatal: an unreadable saved index is rebuilt.
    Path(path).write_bytes(b"not an npz")
    assert FactsIndex.load(path) is None and facts.cached(ds.roots) is None


def test_columns_for_panels_and_a_batch_task_that_pickles(datasets):
    ds = dgviewer.load(datasets["solo"])
    spawn = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    with spawn:
        index = facts.build(ds, executor=spawn)
    assert index.ids == [dp.id for dp in ds] and {"label", "objects", "camera"} <= set(index.keys)
    objects = index.column("objects")
    assert isinstance(objects, np.ndarray) and objects.dtype == np.float64
    assert list(objects) == [dp.facts({"objects"})["objects"][0] for dp in ds]
    labels = index.column("label")  # several per datapoint
    assert [set(a) for a in labels] == [set(dp.facts({"label"})["label"]) for dp in ds]
    assert max(len(a) for a in labels) > 1
    assert list(index.column("camera")) == [dp.camera_node.name for dp in ds]
    mask = facts_query.select(index, "label=Character objects>=2")
    assert [index.ids[i] for i in np.flatnonzero(mask)] == [
        dp.id for dp in compile_filter("label=Character objects>=2").select(ds)]


def _find(*args) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["find", *args])
    return code, out.getvalue()


def test_find_prints_ids_builds_once_then_answers_from_the_cache(datasets, monkeypatch, capsys):
    path = datasets["scene"]
    ds = dgviewer.load(path)
    expected = [dp.id for dp in compile_filter("expression=*ness camera=camera_2").select(ds)]
    assert expected
    code, out = _find(path, "--filter", "expression=*ness camera=camera_2")
    assert code == 0 and out.splitlines() == expected
    from dgviewer.formats import registry

    monkeypatch.setattr(registry, "load", lambda *a, **k: pytest.fail("find listed the dataset again"))
    code, out = _find(path, "--filter", "expression=*ness camera=camera_2", "--json")
    assert code == 0 and json.loads(out) == expected
    code, out = _find(path, "--filter", "expresion=happiness")
    assert code == 1 and out == "" and "Known keys" in capsys.readouterr().err
    code, out = _find(path, "--filter", "review=unreviewed camera=camera_1")
    assert code == 0 and out.splitlines() == [dp.id for dp in ds if dp.camera_node.name == "camera_1"]


def test_columns_filled_batch_by_batch_in_any_order_equal_the_whole_table():
    """The builder encodes each batch as it arrives (a million row dicts are never held): batches arriving out of
    order give the same columns as all rows at once, multi-valued, absent and not-given values included."""
    from dgviewer.core.facts_index import Columns

    rows = [{("fact", "label"): ["car", "dog"][: i % 3], ("generic", "name"): [f"n{i % 4}"]}
            | ({("fact", "age"): None} if i % 5 == 0 else {("fact", "age"): [20 + i % 7]})
            | ({("meta", "x.y"): [i * 0.5]} if i > 40 else {}) for i in range(100)]
    whole = FactsIndex.from_rows([str(i) for i in range(100)], rows, {}, {}, [], "")
    built = Columns(100)
    for start in (60, 0, 90, 30):  # batches of consecutive rows, arriving in another order
        stop = {60: 90, 0: 30, 90: 100, 30: 60}[start]
        built.add(start, rows[start:stop])
    parts = FactsIndex.from_columns([str(i) for i in range(100)], built, {}, {}, [], "")
    assert sorted(parts.columns) == sorted(whole.columns)
    for key, col in whole.columns.items():
        other = parts.columns[key]
        assert [col.values(i) for i in range(100)] == [other.values(i) for i in range(100)], key
        assert (col.given is None) == (other.given is None)
        if col.given is not None:
            assert col.given.tolist() == other.given.tolist()
    assert parts.columns[("fact", "age")].given.tolist() == [i % 5 != 0 for i in range(100)]
    assert parts.columns[("fact", "label")].values(2) == ["car", "dog"]
    assert parts.columns[("meta", "x.y")].values(10) == []


def test_ids_saved_in_parts_load_whole_and_in_order(tmp_path, monkeypatch):
    """Ids are stored in parts (a parse of a million in one call holds the GIL 0.24 s): several parts come back
    as the one list, in order; a file of the previous format is not read (it is rebuilt)."""
    from dgviewer.core import facts_index

    n = 2 * facts_index.IDS_STEP + 5
    ids = [f"ds/scene_{i:07d}/cam/image.png" for i in range(n)]
    index = FactsIndex.from_rows(ids, [{("generic", "name"): ["image.png"]}] * n, {}, {}, [], "fp")
    path = str(tmp_path / "index.npz")
    index.save(path)
    with np.load(path) as z:
        assert sorted(k for k in z.files if k.startswith("ids.")) == ["ids.0", "ids.1", "ids.2"]
    back = FactsIndex.load(path)
    assert back.ids == ids and back.fingerprint == "fp"
    assert back.columns[("generic", "name")].values(n - 1) == ["image.png"]
    monkeypatch.setattr(facts_index, "FORMAT", facts_index.FORMAT - 1)
    index.save(path)  # as the previous version wrote it (its format number)
    monkeypatch.undo()
    assert FactsIndex.load(path) is None
