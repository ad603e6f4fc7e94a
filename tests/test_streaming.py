"""The index streams: load() returns after the first scene; length, iteration, indexing and lookups list
the rest on demand; workers open just the scenes a batch of ids names."""
from __future__ import annotations

import threading

import pytest

import dgviewer
from dgviewer import batches
from dgviewer.core.errors import NotADatasetError
from dgviewer.formats import registry
from dgviewer.qa import runner
from dgviewer.samples import write_sample
from tests.plugins.gated import PER_SCENE, GatedReader, write_gated


@pytest.fixture
def gated(tmp_path):
    registry.register(GatedReader)
    GatedReader.gate.clear()
    yield lambda name, scenes, free: write_gated(str(tmp_path / name), scenes, free)
    GatedReader.gate.set()
    registry.unregister(GatedReader)


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> str:
    root = str(tmp_path_factory.mktemp("streaming") / "faces")
    write_sample(root, variant="datapoint", size=64, seed=0)
    return root


def test_load_returns_with_the_first_scene_and_lists_the_rest_on_demand(faces):
    whole = list(dgviewer.load(faces).wait())
    ds = dgviewer.load(faces)
    assert not ds.complete and ds.indexed == 1 and ds.progress() == (1, len(whole))
    assert ds.so_far() == [ds[0]] and ds[0].id == whole[0].id
    assert ds[2].id == whole[2].id and ds.indexed == 3 and not ds.complete  # listed as far as asked
    assert ds.lookup(whole[-1].id) is None  # never waits
    assert ds.get(whole[4].id).id == whole[4].id and ds.indexed == 5
    assert [dp.id for dp in ds[0:4]] == [dp.id for dp in whole[0:4]]
    assert len(ds) == len(whole) and ds.complete and ds.progress() == (len(whole), len(whole))
    assert ds.index_of(ds[-1]) == len(whole) - 1 and ds.position(whole[-1].id) == len(whole) - 1


def test_iteration_streams_and_every_sdk_call_sees_the_whole_dataset(faces):
    whole = dgviewer.load(faces).wait()
    ds = dgviewer.load(faces)
    it = iter(ds)
    assert next(it).id == whole[0].id and ds.indexed == 1  # a loop starts before the rest is listed
    assert [dp.id for dp in it] == [dp.id for dp in whole[1:]] and ds.complete
    fresh = dgviewer.load(faces)
    assert len(fresh.scenes) == len(whole.scenes) and len(fresh.cameras) == len(whole.cameras)
    assert dgviewer.load(faces).problems == whole.problems
    assert dgviewer.load(faces)[-1].id == whole[-1].id


def test_a_listing_in_another_thread_is_joined_not_repeated(gated):
    root = gated("g", scenes=6, free=2)
    ds = dgviewer.load(root)
    assert ds.indexed == PER_SCENE and not ds.complete
    assert ds.index_more(0) is False and ds.indexed == 2 * PER_SCENE  # the second free scene
    worker = threading.Thread(target=ds.wait)
    worker.start()  # blocked in the reader, holding the listing
    assert ds.lookup("g/scene_005/cam/frame_0") is None and ds.indexed == 2 * PER_SCENE
    GatedReader.gate.set()
    assert len(ds) == 6 * PER_SCENE  # waits for the worker's listing, then finds it complete
    worker.join(5)
    assert not worker.is_alive() and [s.name for s in ds.scenes] == [f"scene_{i:03d}" for i in range(6)]


def test_a_folder_that_is_no_dataset_fails_in_load_at_once(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("hi")
    with pytest.raises(NotADatasetError):
        dgviewer.load(str(tmp_path / "x"))


def test_only_opens_the_scenes_the_ids_name(faces, tmp_path):
    other = str(tmp_path / "other")
    write_sample(other, variant="datapoint", size=64, seed=1)
    a, b = dgviewer.load(faces).wait(), dgviewer.load(other).wait()
    wanted = [a[1].id, a[4].id, b[2].id]
    part = dgviewer.load(faces, other, only=wanted)
    assert [dp.id for dp in part] == wanted and len(part.scenes) == 3
    assert all(part.get(i).id == i for i in wanted) and part.roots == [a.roots[0], b.roots[0]]
    only_a = dgviewer.load(faces, other, only=[a[3].id])
    assert [dp.id for dp in only_a] == [a[3].id]  # no id of the second folder: nothing of it listed
    assert list(dgviewer.load(faces, only=["faces/datapoint_99999/camera/x.png"])) == []


def test_a_qa_worker_lists_only_its_chunk(faces):
    ds = dgviewer.load(faces).wait()
    job = batches.Job.of(ds.roots)
    try:
        ids = [ds[2].id, ds[3].id]
        out = runner._check_batch(job, ids, runner.Settings())
        assert [i for i, _, _ in out] == ids
        worker_ds = job.open(ids)
        assert len(worker_ds.wait()) == 2 < len(ds)  # its two scenes, nothing else
        gone = runner._check_batch(job, [ds[0].id[:-4] + "-gone.png"], runner.Settings())
        assert gone[0][1][0].check == "layout"
    finally:
        batches._OPENED = None
