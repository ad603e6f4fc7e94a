"""Hostile datasets (issue #12): damaged copies of every sample variant and corpus, through every entry point.

One run of 504 mutants (four times every source × class pair) feeds the rule tests below; ``--slow``
runs 3024 with every entry point on each and the corpora whole. The rules are the issue's "What must
hold"; each failing test lists its cases (mutant, class, file, entry point, site). Reproduce one with
``python -m tests.hostile.mutate SRC DST SEED`` then ``python -m tests.hostile.run DST``.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter

import pytest

from tests.hostile.entries import ENTRIES, strict_json
from tests.hostile.mutate import CLASSES, mutate, sources
from tests.hostile.run import generated, run, tree_state
from tests.hostile.summary import table

CI_MUTANTS = 504
SLOW_MUTANTS = 3024


def ci_entries(seed: int) -> list[str]:
    """Everything but the three costliest entry points on every mutant; those on a third, a half and an eighth
    (63 mutants: the viewer) of them.

    Uses ``seed // 9`` so each damage class (``seed % 9``) meets every combination.
    """
    k = seed // len(CLASSES)
    return ["library", "info", "validate"] + (["validate-images"] if k % 3 == 0 else []) + (
        ["render"] if k % 2 == 0 else []) + (["gui"] if k % 8 == 0 else [])


@pytest.fixture(scope="module")
def results(request, tmp_path_factory):
    slow = request.config.getoption("--slow")
    folder = tmp_path_factory.mktemp("hostile")
    tasks = generated(SLOW_MUTANTS if slow else CI_MUTANTS, str(folder), entries=ENTRIES if slow else ci_entries,
                      trim=None if slow else 2)
    out = run(tasks, workers=2, timeout=20.0, log_path=str(folder / "workers.log"))
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in out))
    (folder / "summary.txt").write_text(table(out))
    return {"tasks": tasks, "results": out, "folder": folder}


def _cases(results, bad) -> list[dict]:
    return [r for r in results["results"] if bad(r)]


def _report(cases: list[dict], results) -> str:
    lines = [f"{len(cases)} runs break the rule (all results: {results['folder']}/results.jsonl):"]
    sites = Counter(f"{r['entry']}: {r.get('type', '')} {r.get('site') or r.get('frame') or ''} "
                    f"{'; '.join(r.get('violations', []))[:100]}".strip() for r in cases)
    lines += [f"  {n:4} x {s}" for s, n in sites.most_common(15)]
    lines.append("examples:")
    lines += [f"  {r['mutant']} {r.get('source')} {r.get('class')} {r.get('file')} ({r.get('what')}) -> {r['entry']}: "
              f"{r['outcome']} {r.get('detail', '')[:120]}" for r in cases[:10]]
    return "\n".join(lines)


def test_every_mutant_went_through_its_entry_points(results):
    expected = sum(len(t["entries"]) for t in results["tasks"])
    assert len(results["results"]) == expected
    assert {r["class"] for r in results["results"] if "class" in r} == set(CLASSES)
    assert {r["entry"] for r in results["results"]} == set(ENTRIES)
    assert len({t["seed"] for t in results["tasks"]}) >= 500


def test_no_traceback(results):
    cases = _cases(results, lambda r: r["outcome"] == "traceback")
    assert not cases, _report(cases, results)


def test_no_hang_and_no_crash(results):
    cases = _cases(results, lambda r: r["outcome"] in ("timeout", "crash"))
    assert not cases, _report(cases, results)


def test_no_memory_blowup(results):
    cases = _cases(results, lambda r: r["outcome"] == "memory" or any(v.startswith("rss") for v in r["violations"]))
    assert not cases, _report(cases, results)


def test_nothing_is_written_into_the_dataset(results):
    cases = _cases(results, lambda r: any(v.startswith("wrote") for v in r["violations"]))
    assert not cases, _report(cases, results)


def test_paths_in_metadata_stay_inside_the_dataset(results):
    cases = _cases(results, lambda r: any(v.startswith("escape") for v in r["violations"]))
    assert not cases, _report(cases, results)


def test_json_outputs_are_strict(results):
    cases = _cases(results, lambda r: any(v.startswith("bad-json") for v in r["violations"]))
    assert not cases, _report(cases, results)


def test_internal_errors_are_not_passed_off_as_findings(results):
    cases = _cases(results, lambda r: any(v.startswith(("masked", "exit status")) for v in r["violations"]))
    assert not cases, _report(cases, results)


#: Damage that is always damage (a changed value or a deleted file may be legal, or unread).
STRUCTURAL = ("truncate", "bomb", "empty", "special", "json-deep", "path")


def test_validate_names_the_damaged_file_without_images(results):
    cases = _cases(results, lambda r: r["entry"] == "validate" and r.get("class") in STRUCTURAL
                   and r.get("names_damage") is False)
    assert not cases, _report(cases, results)


def test_a_refused_dataset_is_named_in_the_error(results):
    cases = _cases(results, lambda r: r["entry"] == "library" and r["outcome"] == "error" and "calls" not in r
                   and r["mutant"] not in r.get("detail", ""))
    assert not cases, _report(cases, results)


# -- the machinery itself -------------------------------------------------------------------------------
def test_mutants_are_deterministic_and_cover_every_class(tmp_path):
    import shutil

    src = sources(str(tmp_path / "src"))[0]
    seen = set()
    for seed in range(len(CLASSES)):
        dst = str(tmp_path / f"m{seed}")
        a, state = mutate(src, dst, seed), tree_state(dst)
        shutil.rmtree(dst)
        assert mutate(src, dst, seed) == a and tree_state(dst) == state
        assert state != tree_state(src)
        seen.add(a["class"])
    assert seen == set(CLASSES)


def test_the_runner_reports_a_write_into_the_dataset_and_strict_json(tmp_path):
    with pytest.raises(ValueError, match="NaN"):
        strict_json('{"x": NaN}')
    root = tmp_path / "m"
    os.makedirs(root)
    (root / "x.json").write_text("{}")
    before = tree_state(str(root))
    (root / "x.json").write_text("[]")
    assert before != tree_state(str(root))


def test_a_hung_entry_point_times_out_and_frees_its_threads(tmp_path, monkeypatch):
    import signal
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from tests.hostile import entries
    from tests.hostile.run import _alarm, _task

    root = tmp_path / "ds"
    root.mkdir()
    os.mkfifo(root / "fifo")

    def in_a_thread(root, scratch, damaged):  # like render's decoding pool
        with ThreadPoolExecutor(1) as pool:
            pool.submit(lambda: open(os.path.join(root, "fifo")).read()).result()

    monkeypatch.setitem(entries._ENTRIES, "library", lambda root, scratch, damaged: open(os.path.join(root, "fifo")))
    monkeypatch.setitem(entries._ENTRIES, "info", in_a_thread)
    before = set(threading.enumerate())  # another test's thread may end meanwhile: count only new ones
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        out = _task({"mutant": str(root), "entries": ["library", "info"]}, 1.0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert [(r["entry"], r["outcome"]) for r in out] == [("library", "timeout"), ("info", "timeout")]
    for _ in range(50):  # the pool's thread, unblocked, ends
        if not set(threading.enumerate()) - before:
            break
        time.sleep(0.1)
    assert not set(threading.enumerate()) - before


def test_the_viewer_entry_steps_through_every_datapoint_and_reports_an_internal_error(tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    import dgviewer
    from dgviewer.formats.datagen.datapoint import DatagenDatapoint
    from dgviewer.samples import write_sample
    from tests.hostile.entries import run_entry

    QApplication.instance() or QApplication([])  # the app tests' kind: a QCoreApplication would bar it later
    root = write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=0)
    ok = run_entry("gui", root, str(tmp_path))
    assert ok["outcome"] == "ok" and ok["shown"] == sum(len(dp.modalities) for dp in dgviewer.load(root))

    def bug(self, modality):
        raise ZeroDivisionError("a bug in a reader")

    monkeypatch.setattr(DatagenDatapoint, "_read", bug)
    broken = run_entry("gui", root, str(tmp_path))
    assert broken["outcome"] == "traceback" and "ZeroDivisionError" in broken["detail"]
