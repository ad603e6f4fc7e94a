"""dgviewer.batches: every id in exactly one batch, results from worker processes, cancel stops early, workers
end with the process that started them."""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time

import psutil
import pytest

import dgviewer
from dgviewer import batches
from dgviewer.samples import write_sample

from .conftest import REPO


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


def hang(_job: batches.Job, _ids: list[str]) -> None:
    """A batch that never ends: says which worker runs it, then waits."""
    os.write(1, f"{os.getpid()}\n".encode())  # one write: print's two (the pid, the newline) interleaved
    time.sleep(600)


def test_workers_end_when_the_process_that_started_them_is_killed():
    # A viewer killed (not quit) while its facts index builds: its workers must not run on without it.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from dgviewer import batches; "
            "from tests.test_batches import hang; "
            "list(batches.run(hang, batches.Job.of(['unused']), [str(i) for i in range(100)], workers=2))")
    parent = subprocess.Popen([sys.executable, "-c", code, str(REPO)], stdout=subprocess.PIPE)
    workers: set[int] = set()
    try:
        # Raw reads of the pipe: a buffered readline after select() took both workers' lines into its buffer
        # at once and the next select() saw an empty pipe (CI waited out the deadline with one pid).
        deadline, out, fd = time.monotonic() + 120, b"", parent.stdout.fileno()
        while len(workers) < 2 and time.monotonic() < deadline:
            if select.select([fd], [], [], 1.0)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                out += chunk
                workers = {int(line) for line in out.split(b"\n")[:-1]}
        assert len(workers) == 2, "the worker processes did not start"
        procs = [psutil.Process(pid) for pid in workers]
        parent.kill()
        parent.wait(30)
        gone, alive = psutil.wait_procs(procs, timeout=30)
        assert not alive, f"workers still running after their parent was killed: {alive}"
    finally:
        parent.kill()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
