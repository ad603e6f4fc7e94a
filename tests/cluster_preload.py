"""Preload (``dask worker --preload``) of the workers test_cluster.py starts: holds QA batches at set points so
the test kills a worker mid-run at a known moment, with no sleeps.

``DGV_ROLE=victim`` checks its first batch, then on its second creates ``$DGV_SIGNAL`` and blocks until the
test kills it. ``DGV_ROLE=survivor`` holds its first batch until that file exists, so the victim is sure to
have finished a batch and started another when it dies.
"""
import os
import threading

from dgviewer.qa import runner

_real = runner._check_batch
_calls = 0


def _check_batch(job, ids, settings):
    global _calls
    _calls += 1
    signal = os.environ["DGV_SIGNAL"]
    if os.environ["DGV_ROLE"] == "victim" and _calls == 2:
        open(signal, "w").close()
        threading.Event().wait()  # killed here
    if os.environ["DGV_ROLE"] == "survivor" and _calls == 1:
        wait_for_file(signal, 120)
    return _real(job, ids, settings)


def wait_for_file(path: str, timeout: float) -> None:
    """Until ``path`` exists (checked every 20 ms); TimeoutError after ``timeout`` seconds."""
    gone = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if os.path.exists(path):
            return
        gone.wait(0.02)
    raise TimeoutError(f"{path} did not appear within {timeout} s")


def dask_setup(worker) -> None:
    """Called in the worker only (the tests import this module for ``wait_for_file``). The client pickles the
    task by reference, ``dgviewer.qa.runner._check_batch``: this worker resolves it to ours."""
    runner._check_batch = _check_batch
