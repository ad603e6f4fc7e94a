"""Batches on a Dask cluster: :func:`dask_executor` (reached through ``batches.executor_for``).

``tcp://HOST:PORT`` (or any address ``distributed.Client`` takes: ``tls://`` for a cloud-managed scheduler,
its credentials from Dask's own configuration) connects to a running scheduler; ``local:N`` starts a
``LocalCluster`` of N single-threaded worker processes on 127.0.0.1, its HTTP server on a free port (so
never a port clash). Workers must run the same dgviewer version in the same environment as the client and read the data
themselves, at the same path (a shared filesystem) or URL: both are checked before any batch is sent.

Batches go through ``Client.get_executor`` rather than a loop of our own over ``submit``/``as_completed``: it
is a ``concurrent.futures.Executor``, so :func:`dgviewer.batches.run` stays the one submission loop for local
processes and Dask alike (and the facts index gets ``--scheduler`` for free); its futures cancel their Dask
task. A batch whose worker dies is re-run by the scheduler on another worker (up to Dask's
``distributed.scheduler.allowed-failures``); ``RETRIES`` re-runs a batch that raised (a network filesystem's
transient error while reopening the dataset). ``pure=False``: a batch is recomputed on every run, never
taken from a previous run's results.
"""
from __future__ import annotations

import contextlib
import logging
import os
from concurrent.futures import CancelledError, Executor
from typing import Iterator, Sequence

from .core.errors import DgviewerError

#: Seconds to reach a scheduler, and then to see its first worker, before giving up.
CONNECT_SECONDS = 10.0
#: Re-runs of a batch that raised (a dead worker's batches are re-run by the scheduler regardless).
RETRIES = 2


class ClusterError(DgviewerError):
    """A cluster that cannot run the batches: Dask missing, no scheduler there, no workers, another dgviewer."""


class DaskExecutor(Executor):
    """``Client.get_executor(retries=RETRIES, pure=False)``, plus the cluster's ``workers`` (threads) that
    ``batches.run`` sizes its batches by."""

    def __init__(self, client):
        self.client = client
        self._inner = client.get_executor(retries=RETRIES, pure=False)

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, fn, /, *args, **kwargs):
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait and not cancel_futures)


@contextlib.contextmanager
def dask_executor(scheduler: str, roots: Sequence[str] = (),
                  connect_timeout: float = CONNECT_SECONDS) -> Iterator[DaskExecutor]:
    """An executor on the cluster ``scheduler`` names, its workers checked (dgviewer version, ``roots`` visible);
    the client (and a ``local:N`` cluster) closed on exit. Raises :class:`ClusterError` in one line."""
    try:
        import distributed
    except ImportError:
        raise ClusterError("Dask is not installed: pip install 'dgviewer[cluster]' (dask[distributed])") from None
    with contextlib.ExitStack() as stack:
        if scheduler.startswith("local:"):
            client = stack.enter_context(distributed.Client(stack.enter_context(_local_cluster(scheduler))))
        else:
            client = stack.enter_context(_connect(distributed, scheduler, connect_timeout))
        _check_workers(client, scheduler, roots, connect_timeout)
        executor = DaskExecutor(client)
        stack.callback(executor.shutdown, wait=False)
        try:
            yield executor
        except (distributed.KilledWorker, CancelledError) as e:  # a batch killed every worker it ran on; no scheduler
            why = f"{type(e).__name__}: {e}" if str(e) else "the scheduler went away"
            raise ClusterError(f"the Dask cluster at {scheduler} could not finish the run ({why})") from None


def _local_cluster(scheduler: str):
    import dask.config
    from distributed import LocalCluster

    n = scheduler.partition(":")[2]
    if not n.isdigit() or int(n) < 1:
        raise ClusterError(f"{scheduler}: local:N needs a number of workers N >= 1")
    # The scheduler's HTTP server on a free loopback port (None still tries 8787, and warns when it is taken).
    # Nobody looks at the dashboard, so no statistical profiler: it samples the running batch every 10 ms (a
    # sixth of a worker's CPU time in bench_dask.py on a loaded machine). Nannies pass this config on.
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(n_workers=int(n), threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=":0", silence_logs=logging.ERROR)


def _connect(distributed, address: str, timeout: float):
    try:
        return distributed.Client(address, timeout=timeout)
    except (OSError, TimeoutError):  # refused, unresolvable or silent: distributed retries each until timeout
        raise ClusterError(f"cannot reach the Dask scheduler at {address} (no answer within {timeout:g} s)") from None
    except (ValueError, TypeError) as e:
        why = (str(e).splitlines() or [type(e).__name__])[0]
        raise ClusterError(f"{address}: not a Dask scheduler address ({why})") from None


def _check_workers(client, scheduler: str, roots: Sequence[str], timeout: float) -> None:
    """Fail before any batch is sent when a worker cannot run it: no worker at all, dgviewer missing or of
    another version, a dataset folder it does not see (every datapoint would be reported missing)."""
    from . import __version__

    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise ClusterError(f"the Dask scheduler at {scheduler} has no workers (waited {timeout:g} s)") from None
    for worker, answer in sorted(client.run(_worker_view, list(roots), on_error="return").items()):
        if isinstance(answer, BaseException):
            raise ClusterError(f"Dask worker {worker} cannot run dgviewer ({type(answer).__name__}: {answer}); "
                               "workers need the same Python environment as this client")
        version, unseen = answer
        if version != __version__:
            raise ClusterError(f"Dask worker {worker} runs dgviewer {version}, this client {__version__}: "
                               "install the same version on the workers")
        if unseen:
            raise ClusterError(f"Dask worker {worker} cannot see {unseen[0]}: workers read the data themselves, "
                               "at the same path (a shared filesystem) or URL")


def _worker_view(roots: list[str]) -> tuple[str, list[str]]:
    """On a worker: its dgviewer version and the local dataset folders it cannot see (URLs are the readers')."""
    from . import __version__

    return __version__, [r for r in roots if "://" not in r and not os.path.isdir(r)]
