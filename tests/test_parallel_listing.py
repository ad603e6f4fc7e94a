"""Scene folders listed in threads (core/parallel.py, the Datagen reader): the same index, the same problems in
the same order, as one thread; no thread outlives the listing; the courtesy pause never stops a loop for long."""
from __future__ import annotations

import os
import threading
import time

import pytest

import dgviewer
from dgviewer.core import courtesy
from dgviewer.core.parallel import in_order, sorted_in_steps
from dgviewer.formats.datagen import index as datagen_index
from dgviewer.samples import write_sample

SCENES = 300  # several batches of 64 for each of two threads


@pytest.fixture(scope="module")
def many_scenes(tmp_path_factory) -> str:
    """A Datagen folder of SCENES hard-linked scenes, some damaged: problems from scattered scenes."""
    base = tmp_path_factory.mktemp("parallel")
    sample = write_sample(str(base / "sample"), variant="datapoint", size=64, seed=3)
    template = os.path.join(sample, sorted(d for d in os.listdir(sample) if d.startswith("datapoint_"))[0])
    root = base / "many"
    for i in range(SCENES):
        for dirpath, _, files in os.walk(template):
            out = os.path.join(root, f"datapoint_{i:05d}", os.path.relpath(dirpath, template))
            os.makedirs(out, exist_ok=True)
            for f in files:
                os.link(os.path.join(dirpath, f), os.path.join(out, f))
    for i in (7, 70, 199, 260):  # a camera folder without environment.json: skipped with a problem
        cam = next(e.path for e in os.scandir(root / f"datapoint_{i:05d}") if e.is_dir())
        os.unlink(os.path.join(cam, "environment.json"))
    for i in (3, 131, 298):  # an expected file missing: a problem on the datapoint
        os.unlink(root / f"datapoint_{i:05d}" / "actor_metadata.json")
    return str(root)


def _listed(root: str, threads: int, monkeypatch):
    monkeypatch.setattr(datagen_index, "LIST_THREADS", threads)
    ds = dgviewer.load(root, readahead=0)
    ids = [dp.id for dp in ds]
    return ids, [(p.file, p.message) for p in ds.problems], [(dp.id, [(p.file, p.message) for p in dp.problems]) for dp in ds]


def test_threads_list_the_same_index_and_problems_in_the_same_order(many_scenes, monkeypatch):
    before = threading.active_count()
    one = _listed(many_scenes, 1, monkeypatch)
    two = _listed(many_scenes, 2, monkeypatch)
    assert len(one[0]) == SCENES - 4
    assert one == two
    assert [f for f, _ in two[1] if f.endswith("camera")] == sorted(f for f, _ in two[1] if f.endswith("camera"))
    missing = [dp_id for dp_id, ps in two[2] if any(f.endswith("actor_metadata.json") for f, _ in ps)]
    assert [i.split("/")[1] for i in missing] == ["datapoint_00003", "datapoint_00131", "datapoint_00298"]
    assert threading.active_count() == before  # the pool went with the finished listing


def test_a_listing_left_half_way_leaves_no_thread_once_dropped(many_scenes, monkeypatch):
    monkeypatch.setattr(datagen_index, "LIST_THREADS", 2)
    before = threading.active_count()
    ds = dgviewer.load(many_scenes, readahead=0)
    ds.index_more(0.0)
    assert not ds.complete
    del ds
    assert threading.active_count() == before


@pytest.mark.parametrize("n", [0, 1, 63, 64, 65, 128, 129, 1000])
def test_in_order_keeps_the_order_across_batches(n):
    batches = list(in_order(lambda b: [x * 2 for x in b], range(n), threads=2, chunk=64))
    assert [y for b in batches for y in b] == [x * 2 for x in range(n)]
    assert all(len(b) == 64 for b in batches[:-1])


def test_in_order_closed_early_stops_its_threads():
    before = threading.active_count()
    gen = in_order(lambda b: b, range(10_000), threads=2, chunk=64)
    assert next(gen) == list(range(64))
    gen.close()
    assert threading.active_count() == before


@pytest.mark.parametrize("n", [0, 5, 1000, 4097])
def test_sorted_in_steps_is_sorted(n):
    import random

    items = [f"scene_{random.Random(n).randrange(10**6) + i:07d}" for i in range(n)]
    assert list(sorted_in_steps(items, step=1024)) == sorted(items)


def test_give_way_pauses_only_while_the_gui_works_and_never_for_long():
    waited = []

    def background():
        t = time.monotonic()
        courtesy.give_way()
        waited.append(time.monotonic() - t)

    courtesy.busy(True)
    try:
        courtesy.give_way()  # the GUI (main) thread itself never waits
        worker = threading.Thread(target=background)
        worker.start()
        worker.join(5)
        assert 0.0 < waited[0] <= courtesy.MAX_PAUSE_S + 0.05  # busy for long: it goes on
        worker = threading.Thread(target=background)
        worker.start()
        worker.join(5)
        assert waited[1] < 0.01  # the pause is over for this turn of work
    finally:
        courtesy.busy(False)
    worker = threading.Thread(target=background)
    worker.start()
    worker.join(5)
    assert waited[2] < 0.01
