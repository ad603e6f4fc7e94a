"""Run the checks over a dataset, in parallel over the machine's cores.

Each datapoint gets its reader's own checks (found through the format
registry: the runner never asks which format it is) and then the checks of
the canonical model; each reader then checks across its datapoints.

Checks are mostly Python (JSON walking) and so GIL-bound: they run in worker
*processes* (:mod:`dgviewer.batches`), each of which opens, from the dataset's
folders, just the scenes a batch of datapoint ids names (``load(only=ids)``:
no listing of the whole dataset) and checks that batch. Small datasets are
checked in the calling process.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .. import batches
from ..core import jsonio
from ..core.checks import CheckContext, Settings, canonical, dataset_files, unused_classes
from ..core.errors import DataError
from ..core.findings import CORE_CHECKS, ERROR, SEVERITIES, Check, Collector, Finding
from ..formats.registry import check_catalog, reader_named
from .catalog import CHECKS

Progress = Callable[[int, int], None]


@dataclass
class QAResult:
    roots: list[str]
    datapoints: int
    images: bool
    findings: list[Finding]
    seconds: float
    complete: bool = True  # False when cancelled part-way
    settings: Settings = field(default_factory=Settings)

    def by_datapoint(self) -> dict[str | None, list[Finding]]:
        out: dict[str | None, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.datapoint, []).append(f)
        return out

    def counts(self) -> dict[str, int]:
        """Findings per check, every catalogued check listed (zero included) in catalogue order."""
        out = dict.fromkeys(CHECKS, 0)
        for f in self.findings:
            out[f.check] = out.get(f.check, 0) + 1
        return out

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}{'s' if self.count(s) != 1 else ''}" for s in SEVERITIES]
        mode = "metadata and image" if self.images else "metadata"
        cut = "" if self.complete else " (cancelled: partial)"
        return f"{self.datapoints} datapoints, {mode} checks in {self.seconds:.1f} s: {', '.join(parts)}{cut}"


def check_datapoint(dp, settings: Settings) -> tuple[list[Finding], dict]:
    """Every check of one datapoint: (findings, facts for the dataset-wide checks)."""
    reader, checks = _reader(dp.format)
    out = Collector(dp.id, checks)
    ctx = CheckContext(dp, settings, out)
    try:
        if reader is not None:
            reader.check(ctx)
        canonical(ctx)
    except DataError as e:  # a file the checks needed and could not use
        out.problem(e.file, e.message)
    except Exception as e:  # one odd datapoint must not end a 10k-datapoint run
        out.add("check-crashed", f"{type(e).__name__}: {e}")
    for p in dp.problems:  # what the reader recorded while indexing and during the checks
        out.problem(p.file, p.message, p.check)
    return out.items, ctx.facts


#: format → (its reader, the checks a datapoint of it may report); looking a reader up costs more than checking.
_READERS: dict[str, tuple[type | None, dict[str, Check]]] = {}


def _reader(format: str) -> tuple[type | None, dict[str, Check]]:
    if format not in _READERS:
        reader = reader_named(format)
        declared = reader.checks if reader is not None else ()
        _READERS[format] = (reader, {c.name: c for c in (*CORE_CHECKS, *declared)})
    return _READERS[format]


def run_checks(ds, images: bool = False, settings: Settings | None = None, workers: int | None = None,
               progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
               load_options: dict | None = None, executor=None) -> QAResult:
    """Check every datapoint of the dataset ``ds`` and the dataset as a whole.

    ``images=True`` is short for ``settings=Settings(images=True)``. ``progress(done, total)``
    is called from this thread as datapoints finish; ``cancel()`` returning True stops early
    (the result has ``complete=False``). The checks run on a fresh index of ``ds.roots``, so
    they judge the files as they are now and leave the caller's datapoints (their recorded
    problems, the shared image cache) alone; ``load_options`` are the ``dgviewer.load``
    options ``ds`` was opened with. ``executor`` runs the batches elsewhere (a Dask cluster's:
    ``dgviewer.batches.executor_for``); the result is the same. Scripts that call this must guard their
    entry point with ``if __name__ == "__main__":`` (worker processes are spawned).
    """
    started = time.perf_counter()
    _READERS.clear()  # readers may have been registered since the last run
    settings = settings or Settings(images=images)
    load_options = load_options or {}
    jsonio.clear()  # parsed before the files were last changed, perhaps
    job = batches.Job.of(ds.roots, load_options)
    fresh = job.load()
    datapoints = list(fresh)
    per_dp: dict[str, tuple[list[Finding], dict]] = {}
    ids = [dp.id for dp in datapoints]
    for _, results in batches.run(_check_batch, job, ids, (settings,), workers, executor, cancel, fresh):
        for dp_id, items, facts in results:
            per_dp[dp_id] = (items, facts)
        if progress:
            progress(len(per_dp), len(datapoints))
    complete = len(per_dp) == len(datapoints)
    index: dict[str | None, Collector] = {}
    catalog = check_catalog()
    for p in fresh.index_problems:
        index.setdefault(p.datapoint, Collector(p.datapoint, catalog)).problem(p.file, p.message, p.check)
    findings = [f for c in index.values() for f in c.items]
    for dp in datapoints:
        findings.extend(per_dp.get(dp.id, ((), {}))[0])
    facts = {k: v[1] for k, v in per_dp.items()}
    if complete:
        by_format: dict[str, list] = {}
        for dp in datapoints:
            by_format.setdefault(dp.format, []).append(dp)
        for format, members in by_format.items():
            reader = _reader(format)[0]
            if reader is not None:
                findings.extend(reader.check_dataset(members, facts))
        if settings.images:
            findings.extend(unused_classes(facts))
        listed = {dp.file(m) for dp in datapoints for m in dp.modalities}
        findings.extend(dataset_files(list(ds.roots), listed, {f.file for f in findings if f.file}))
    return QAResult(list(ds.roots), len(datapoints), settings.images, findings, time.perf_counter() - started,
                    complete, settings)


def _check_batch(job: batches.Job, ids: list[str], settings: Settings) -> list[tuple[str, list[Finding], dict]]:
    """Check the datapoints ``ids`` of the dataset ``job`` reopens (wherever the batch runs)."""
    ds = job.open(ids)
    out = []
    for i in ids:
        dp = ds.get(i)
        if dp is None:  # the folder changed between the caller's index and the worker's
            gone = Finding.of(CHECKS["layout"], i, "datapoint vanished from the dataset while it was being checked")
            out.append((i, [gone], {}))
        else:
            out.append((i, *check_datapoint(dp, settings)))
        # Each datapoint's JSON is read once here: a full parse cache only grows the heap, and every garbage
        # collection pass with it (checks ran 1.5x slower with it).
        jsonio.clear()
    return out
