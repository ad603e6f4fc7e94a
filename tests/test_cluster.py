"""QA on a Dask cluster (issue #14): the report equals the single-machine one, on a LocalCluster through
``validate --scheduler local:2`` and on every corpus dataset; a scheduler and two workers as separate processes
lose one worker mid-run and the report is still complete, every datapoint counted once; a cluster that cannot be
used is one line and exit 2. Every process started here is gone afterwards."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import psutil
import pytest

import dgviewer
from dgviewer import batches, cli
from dgviewer.cluster import ClusterError
from dgviewer.qa import Settings, report, run_checks
from dgviewer.samples import write_sample
from dgviewer.samples.perception import write_perception_sample

from .cluster_preload import wait_for_file
from .conftest import CORPORA, REPO

distributed = pytest.importorskip("distributed")

CORPUS_DATASETS = sorted(p for p in CORPORA.glob("*/*") if p.is_dir()) if CORPORA.is_dir() else []


def comparable(result) -> dict:
    """The JSON report without its timing."""
    d = report.as_dict(result)
    del d["seconds"]
    return d


def cli_report(tmp_path: Path, name: str, *argv: str) -> tuple[int, dict]:
    out = tmp_path / f"{name}.json"
    code = cli.main(["validate", *argv, "--json", str(out), "-q"])
    d = json.loads(out.read_text())
    del d["seconds"]
    return code, d


def layout(base: Path, n: int) -> str:
    """``n`` datapoint folders, hard links to one generated datapoint (as the benchmarks build theirs)."""
    template = Path(write_sample(str(base / "template"), variant="datapoint", size=64))
    first = sorted(template.glob("datapoint_*"))[0]
    root = base / "layout"
    root.mkdir()
    for i in range(n):
        shutil.copytree(first, root / f"datapoint_{i + 1:05d}", copy_function=os.link)
    return str(root)


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> list[str]:
    base = tmp_path_factory.mktemp("cluster-samples")
    out = [write_sample(str(base / v), variant=v, size=64) for v in ("datapoint", "scene", "hic")]
    out += [write_perception_sample(str(base / f), format=f, size=64) for f in ("solo", "legacy")]
    return out


@pytest.fixture(scope="module")
def local2():
    """One LocalCluster of two worker processes for the module's comparisons."""
    with batches.executor_for("local:2") as executor:
        yield executor


def test_validate_on_a_local_cluster_writes_the_single_machine_report(samples, tmp_path):
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    for i, path in enumerate((samples[0], samples[-1])):  # a Datagen and a Unity Perception dataset
        here = cli_report(tmp_path, f"here{i}", path, "--images")
        assert cli_report(tmp_path, f"dask{i}", path, "--images", "--scheduler", "local:2") == here
        assert here[1]["complete"] and here[1]["datapoints"] > 0
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before
            and "resource_tracker" not in " ".join(p.cmdline())]  # multiprocessing's, for this process's life
    assert psutil.wait_procs(left, timeout=10)[1] == []  # the cluster's processes ended with the command


@pytest.mark.parametrize("images", [False, True], ids=["metadata", "images"])
def test_every_generated_sample_gets_the_same_report_on_dask(local2, samples, images):
    for path in samples:
        ds = dgviewer.load(path)
        here = run_checks(ds, settings=Settings(images=images), workers=1)
        there = run_checks(ds, settings=Settings(images=images), executor=local2)
        assert comparable(there) == comparable(here), path
        assert there.complete and there.datapoints == len(ds) > 0


def test_workers_outliving_a_run_check_the_next_one_against_the_folders_as_they_are_now(local2, tmp_path):
    root = layout(tmp_path, 8)
    assert comparable(run_checks(dgviewer.load(root), executor=local2))["datapoints"] == 8
    shutil.copytree(Path(root) / "datapoint_00001", Path(root) / "datapoint_00009", copy_function=os.link)
    ds = dgviewer.load(root)  # the workers still hold the first run's index: they must not use it
    assert comparable(run_checks(ds, executor=local2)) == comparable(run_checks(ds, workers=1))
    assert len(ds) == 9


@pytest.mark.skipif(not CORPUS_DATASETS, reason=f"corpora not available: {CORPORA}")
@pytest.mark.parametrize("path", CORPUS_DATASETS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_dataset_gets_the_same_report_on_dask(local2, path):
    ds = dgviewer.load(str(path))
    for images in (False, True):
        here = run_checks(ds, settings=Settings(images=images), workers=1)
        there = run_checks(ds, settings=Settings(images=images), executor=local2)
        assert comparable(there) == comparable(here), images
        assert there.complete and there.datapoints == len(ds)


def test_a_scheduler_nobody_listens_on_is_one_line_and_exit_2(samples, capsys):
    with socket.socket() as s:  # a port that was free a moment ago: nothing answers there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = cli.main(["validate", samples[0], "--scheduler", f"tcp://127.0.0.1:{port}", "--connect-timeout", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"dgviewer: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} (no answer within 1 s)\n"


def test_without_dask_the_command_says_what_to_install(samples, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed raises ImportError
    assert cli.main(["validate", samples[0], "--scheduler", "local:2"]) == 2
    assert "pip install 'dgviewer[cluster]'" in capsys.readouterr().err


# -- a scheduler and two workers as separate processes ------------------------------------------------------
def start(argv: list[str], env: dict, procs: list) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-m", *argv], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    procs.append(p)
    return p


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``dask scheduler`` and two ``dask worker`` processes (no nanny: a killed worker stays dead) on 127.0.0.1,
    running this checkout's dgviewer; the victim blocks on its second batch (tests/cluster_preload.py)."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    procs: list[subprocess.Popen] = []
    env = {**os.environ, "PYTHONPATH": str(REPO), "DGV_SIGNAL": str(tmp_path / "victim-busy")}
    file = str(tmp_path / "scheduler.json")
    try:
        start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
               "--scheduler-file", file], env, procs)
        wait_for_file(file, 60)
        workers = {}
        for role in ("victim", "survivor"):
            workers[role] = start(["distributed.cli.dask_worker", "--scheduler-file", file, "--nthreads", "1",
                                   "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                                   "--preload", str(REPO / "tests" / "cluster_preload.py")],
                                  {**env, "DGV_ROLE": role}, procs)
        with distributed.Client(scheduler_file=file, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
        yield address, workers, tmp_path / "victim-busy"
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        assert all(p.returncode is not None for p in procs)


def test_a_worker_with_another_dgviewer_or_without_the_data_is_refused(cluster, tmp_path, monkeypatch):
    address = cluster[0]
    with pytest.raises(ClusterError, match=r"cannot see .*missing: workers read the data themselves"):
        with batches.executor_for(address, [str(tmp_path / "missing")]):
            pass
    monkeypatch.setattr(dgviewer, "__version__", "0.0.0-other")
    with pytest.raises(ClusterError, match=r"runs dgviewer \S+, this client 0.0.0-other: install the same version"):
        with batches.executor_for(address):
            pass


def test_a_worker_killed_mid_run_has_its_batches_rerun_once(cluster, tmp_path, monkeypatch):
    address, workers, busy = cluster
    root = layout(tmp_path, 96)
    here = cli_report(tmp_path, "here", root)

    # Every batch the run yields, recorded as it arrives: a batch counted twice would show here.
    seen: list[list[str]] = []
    real_run = batches.run

    def recording_run(*args, **kwargs):
        for batch, result in real_run(*args, **kwargs):
            seen.append(batch)
            yield batch, result

    monkeypatch.setattr(batches, "run", recording_run)

    killed = {}

    def kill_victim_when_busy():
        wait_for_file(str(busy), 120)  # the victim finished one batch and started its second
        killed["after"] = len(seen)
        workers["victim"].send_signal(signal.SIGKILL)
        killed["code"] = workers["victim"].wait(timeout=30)

    killer = threading.Thread(target=kill_victim_when_busy, daemon=True)
    killer.start()
    code, there = cli_report(tmp_path, "there", root, "--scheduler", address)
    killer.join(timeout=30)
    assert killed.get("code") == -signal.SIGKILL  # the victim died mid-run ...
    assert killed["after"] < len(seen)  # ... with batches still to come
    counts = Counter(i for batch in seen for i in batch)
    ids = [dp.id for dp in dgviewer.load(root)]
    assert len(ids) == 96 and counts == Counter(ids)  # every datapoint checked exactly once
    assert (code, there) == here  # the report is complete and the single-machine one
    assert there["complete"] and there["datapoints"] == 96
