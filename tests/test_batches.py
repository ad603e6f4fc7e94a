"""dgviewer.batches: every id in exactly one batch, results from worker processes, cancel stops early."""
from __future__ import annotations

import os

import pytest

import dgviewer
from dgviewer import batches
from dgviewer.samples import write_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> str:
    return str(write_sample(tmp_path_factory.mktemp("batches") / "faces", size=64))


def names(job: batches.Job, ids: list[str]) -> list[tuple[str, str, int, int]]:
    ds = job.open(ids)
    return [(i, ds.get(i).name, os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)) for i in ids]


def test_split_covers_every_id_once():
    ids = [str(i) for i in range(1001)]
    parts = batches.split(ids, workers=2)
    assert [i for p in parts for i in p] == ids
    assert max(map(len, parts)) <= 200 and len(parts) >= 16


@pytest.mark.parametrize("workers", [1, 2])
def test_run_reopens_the_dataset_where_the_batch_runs(sample, workers):
    ds = dgviewer.load(sample)
    ids = [dp.id for dp in ds] * (64 // len(ds) + 1)  # enough for worker processes
    job = batches.Job.of(ds.roots)
    got = [row for _, rows in batches.run(names, job, ids, workers=workers) for row in rows]
    assert sorted(i for i, _, _, _ in got) == sorted(ids)
    assert all(ds.get(i).name == name for i, name, _, _ in got)
    pids = {pid for _, _, pid, _ in got}
    assert (pids == {os.getpid()}) == (workers == 1)
    # worker processes yield the CPU to the caller (a viewer's GUI thread); here, nothing changes
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert {nice for _, _, _, nice in got} == {mine if workers == 1 else min(19, mine + batches.WORKER_NICE)}


def test_cancel_stops_before_every_batch_ran(sample):
    ds = dgviewer.load(sample)
    ids = [dp.id for dp in ds]
    got = list(batches.run(names, batches.Job.of(ds.roots), ids, workers=1, cancel=lambda: True))
    assert got == []
