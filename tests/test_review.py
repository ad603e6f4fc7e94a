"""Review decisions: saved on every change, resumable, mergeable, crash-safe."""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dgviewer
from dgviewer.core.errors import DataError
from dgviewer.core.review import ReviewStore, fallback_path, merge_files, read_file, sidecar_path

from dgviewer.samples import write_sample

from .conftest import copy_tree, corpus, read_only, snapshot


@pytest.fixture
def root(tmp_path) -> Path:
    r = tmp_path / "data" / "faces"
    r.mkdir(parents=True)
    return r


def store(root, **kw) -> ReviewStore:
    kw.setdefault("data_dir", str(root.parent.parent / "userdata"))
    return ReviewStore({"faces": str(root)}, reviewer="ana", **kw)


def lines(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_decisions_are_saved_beside_the_folder_and_resume(root):
    s = store(root)
    s.mark_pass("faces/scene_1/cam/a.png")
    s.flag("faces/scene_1/cam/b.png", "  eyes   closed ")
    s.mark_fail("faces/scene_1/cam/c.png")
    s.clear("faces/scene_1/cam/c.png")
    assert s.paths == [str(root) + ".dgviewer-review.jsonl"] == [sidecar_path(str(root))]
    assert os.listdir(root) == []  # nothing inside the dataset folder

    again = store(root)
    assert again.state("faces/scene_1/cam/a.png") == "pass"
    assert again.get("faces/scene_1/cam/b.png").reason == "eyes closed"
    assert again.state("faces/scene_1/cam/c.png") == "unreviewed" and again.get("faces/scene_1/cam/c.png") is None
    rows = lines(s.paths[0])
    assert rows[0] == {"format": "dgviewer-review", "version": 1}
    # Sorted, relative ids; the cleared decision stays as a tombstone so merges cannot resurrect it.
    assert [(r["id"], r["state"]) for r in rows[1:]] == [
        ("scene_1/cam/a.png", "pass"), ("scene_1/cam/b.png", "flag"), ("scene_1/cam/c.png", "cleared")]
    assert rows[1]["reviewer"] == "ana" and rows[1]["time"].endswith("+00:00")


def test_invalid_decisions_are_refused(root):
    s = store(root)
    with pytest.raises(ValueError, match="reason"):
        s.flag("faces/x.png", " ")
    with pytest.raises(ValueError, match="state"):
        s.set("faces/x.png", "maybe")
    with pytest.raises(KeyError):
        s.mark_pass("other/x.png")
    assert not os.path.exists(s.paths[0])


def test_unwritable_place_falls_back_to_the_user_data_folder(root):
    data_dir = root.parent.parent / "userdata"
    os.mkdir(sidecar_path(str(root)))  # the sidecar's place is taken by a folder: writing there fails
    s = store(root)
    s.mark_fail("faces/a.png", "blurry")
    expected = fallback_path(str(root), str(data_dir))
    assert s.paths == [expected] and Path(expected).parent == data_dir / "reviews"
    assert [n for n in os.listdir(root.parent) if n.startswith(".")] == []  # no temporary left behind
    assert store(root).get("faces/a.png").reason == "blurry"  # resumed from the fallback


def test_a_read_only_parent_folder_is_never_written_even_by_root(tmp_path):
    """Root may write into a folder with mode 555: the review file goes to the user data folder regardless."""
    parent, data_dir = tmp_path / "corpora", tmp_path / "userdata"
    src = parent / "faces"
    write_sample(str(src), size=64)
    ds = dgviewer.load(src)
    old = {"id": ds[0].id.split("/", 1)[1], "state": "pass", "reason": "", "reviewer": "bo",
           "time": "2024-01-01T00:00:00.000+00:00"}
    beside = Path(sidecar_path(str(src)))
    beside.write_text(json.dumps(old) + "\n")  # decided before the folder was made read-only
    with read_only(parent):
        before, dataset = snapshot(parent), snapshot(src)
        s = ReviewStore.for_dataset(ds, reviewer="ana", data_dir=str(data_dir))
        assert s.state(ds[0].id) == "pass"  # the file beside is still read
        s.flag(ds[1].id, "eyes closed")
        expected = fallback_path(str(src), str(data_dir))
        assert s.paths == [expected] and read_file(expected)[ds[1].id.split("/", 1)[1]].state == "flag"
        assert snapshot(parent) == before and snapshot(src) == dataset  # nothing new or changed beside it
        again = ReviewStore.for_dataset(dgviewer.load(src), data_dir=str(data_dir))
        assert again.get(ds[1].id).reason == "eyes closed" and again.state(ds[0].id) == "pass"
    assert beside.read_text() == json.dumps(old) + "\n"


def test_both_places_are_read_and_the_newer_decision_wins(root):
    data_dir = root.parent.parent / "userdata"
    old = {"id": "a.png", "state": "pass", "reason": "", "reviewer": "x", "time": "2024-01-01T00:00:00.000+00:00"}
    new = dict(old, state="fail", time="2024-02-01T00:00:00.000+00:00")
    Path(sidecar_path(str(root))).write_text(json.dumps(new) + "\n" + json.dumps(dict(old, id="b.png")) + "\n")
    fb = Path(fallback_path(str(root), str(data_dir)))
    fb.parent.mkdir(parents=True)
    fb.write_text(json.dumps(old) + "\n")
    s = store(root)
    assert s.state("faces/a.png") == "fail" and s.state("faces/b.png") == "pass"


def test_a_folder_opened_twice_shares_its_decisions(tmp_path):
    src = copy_tree(corpus("datagen", "2023-01_faces_ir"), tmp_path / "faces_ir")
    ds = dgviewer.load(src, src)
    s = ReviewStore.for_dataset(ds, data_dir=str(tmp_path / "u"))
    first, twin = ds[0].id, ds[3].id
    assert twin.startswith("faces_ir#2/") and twin.split("/", 1)[1] == first.split("/", 1)[1]
    s.mark_fail(first)
    assert s.state(twin) == "fail" and s.paths == [sidecar_path(str(src))]


def test_counts_and_next_unreviewed(root):
    s = store(root)
    order = [f"faces/{i}.png" for i in range(5)]
    s.mark_pass(order[0])
    s.mark_fail(order[2])
    s.flag(order[3], "odd light")
    assert s.counts(order) == {"pass": 1, "fail": 1, "flag": 1, "unreviewed": 2}
    assert s.next_unreviewed(order) == order[1]
    assert s.next_unreviewed(order, 2) == order[4]
    assert s.next_unreviewed(order, 5) == order[1]  # wraps around
    assert s.next_unreviewed(range(5), 2, key=lambda i: order[i]) == 4  # any sequence, ids taken by key
    s.mark_pass(order[1])
    s.mark_pass(order[4])
    assert s.next_unreviewed(order, 1) is None


def test_merge_keeps_the_later_decision_and_reports_disagreements(tmp_path):
    def entry(i, state, t, reason=""):
        return json.dumps({"id": i, "state": state, "reason": reason, "reviewer": "r", "time": f"2024-01-0{t}T00:00:00.000+00:00"})

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("\n".join([entry("x", "pass", 1), entry("y", "fail", 3, "dark"), entry("z", "cleared", 5)]) + "\n")
    b.write_text("\n".join([entry("x", "fail", 2, "blur"), entry("y", "fail", 2, "dark"), entry("w", "pass", 1),
                            entry("z", "flag", 4, "hair")]) + "\n")
    conflicts = merge_files([str(a), str(b)], str(a))
    merged = read_file(str(a))
    assert {k: (r.state, r.reason) for k, r in merged.items()} == {
        "x": ("fail", "blur"), "y": ("fail", "dark"), "w": ("pass", ""), "z": ("cleared", "")}
    assert conflicts == ["x", "z"]
    assert a.read_text().splitlines()[0] == '{"format": "dgviewer-review", "version": 1}'


def test_two_writers_on_one_folder_do_not_erase_each_other(root):
    one, two = store(root), store(root)
    one.mark_pass("faces/a.png")
    two.mark_fail("faces/b.png")  # two saw the file change since it read it: merges before writing
    one.flag("faces/c.png", "teeth")
    final = store(root)
    assert [final.state(f"faces/{x}.png") for x in "abc"] == ["pass", "fail", "flag"]


def test_a_corrupt_review_file_is_an_error_not_silently_replaced(root):
    Path(sidecar_path(str(root))).write_text('{"format": "dgviewer-review", "version": 1}\n<<<<<<< HEAD\n')
    with pytest.raises(DataError, match="line 2: invalid JSON"):
        store(root)


def test_csv_export_lists_every_datapoint(tmp_path):
    src = copy_tree(corpus("datagen", "2023-01_faces_ir"), tmp_path / "faces_ir")
    ds = dgviewer.load(src)
    s = ReviewStore.for_dataset(ds, reviewer="ana", data_dir=str(tmp_path / "u"))
    s.flag(ds[1].id, 'glasses, "reflective"')
    out = io.StringIO()
    assert s.export_csv(out, ds) == 3
    rows = out.getvalue().splitlines()
    assert rows[0] == "id,scene,camera,state,reason,reviewer,time"
    assert rows[1].startswith(f"{ds[0].id},datapoint_00013,camera,unreviewed,,,")
    assert rows[2].startswith(f'{ds[1].id},datapoint_00014,camera,flag,"glasses, ""reflective""",ana,')


def test_opening_and_reviewing_never_touches_the_dataset(tmp_path):
    src = copy_tree(corpus("datagen", "2023-01_faces_ir"), tmp_path / "faces_ir")
    before = snapshot(src)
    ds = dgviewer.load(src)
    s = ReviewStore.for_dataset(ds, data_dir=str(tmp_path / "u"))
    for dp in ds:
        s.mark_pass(dp.id)
    assert snapshot(src) == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the writer helper forks")
def test_killed_writers_never_lose_an_acknowledged_decision(tmp_path):
    """SIGKILL a process that saves decisions at random moments, hundreds of times."""
    root = tmp_path / "ds"
    root.mkdir()
    helper = Path(__file__).with_name("review_writer.py")
    proc = subprocess.Popen([sys.executable, str(helper), str(root), str(tmp_path / "u")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    rng = random.Random(5)
    acked: dict[str, tuple[str, str]] = {}
    in_flight: set[str] = set()  # saved but killed before the acknowledgement: allowed, one per round
    rounds, started = 0, time.monotonic()
    path = sidecar_path(str(root))

    def ack(line: str) -> None:
        _, dp_id, state, *reason = line.split(maxsplit=3)
        acked[dp_id] = (state, reason[0].strip() if reason else "")

    pid = None
    try:
        while rounds < 300 and time.monotonic() - started < 25:
            proc.stdin.write(f"run {rounds}\n")
            proc.stdin.flush()
            want, pid, got = rng.randint(0, 6), None, 0
            while pid is None or got < want:
                line = proc.stdout.readline()
                if line.startswith("pid "):
                    pid = int(line.split()[1])
                else:
                    ack(line)
                    got += 1
            time.sleep(rng.random() * 0.004)  # jitter: land anywhere in the next save, not right after an ack
            os.kill(pid, signal.SIGKILL)
            while (line := proc.stdout.readline()) != "dead\n":  # acks written before the death count too
                ack(line)
            pid = None
            saved = read_file(path)  # parses, or raises
            decided = {f"ds/{k}": (r.state, r.reason) for k, r in saved.items()}
            lost = [k for k, v in acked.items() if decided.get(k) != v]
            assert not lost, f"round {rounds}: acknowledged decisions lost: {lost[:5]}"
            extra = set(decided) - set(acked) - in_flight
            assert len(extra) <= 1 and all(f"/round{rounds:04d}/" in k for k in extra)
            in_flight |= extra
            rounds += 1
    finally:  # on a failure, leave no writer running
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert rounds >= 200, f"only {rounds} kill rounds in the time budget"
    assert len(acked) > rounds  # the writers really were saving between kills
    leftovers = [n for n in os.listdir(tmp_path) if ".dgv-tmp-" in n]
    assert len(leftovers) <= 1  # each new writer removes what killed ones left


def test_review_command_line(tmp_path, capsys):
    from dgviewer.cli import main

    src = copy_tree(corpus("datagen", "2023-01_faces_ir"), tmp_path / "faces_ir")
    ds = dgviewer.load(src)
    ReviewStore.for_dataset(ds, reviewer="ana").flag(ds[2].id, "teeth")
    assert main(["review", "status", str(src)]) == 0
    out = capsys.readouterr().out
    assert "faces_ir/datapoint_00015" in out and f"saved in {sidecar_path(str(src))}" in out
    assert main(["review", "export", str(src), "--csv", str(tmp_path / "r.csv")]) == 0
    rows = (tmp_path / "r.csv").read_text().splitlines()
    assert len(rows) == 4 and ",flag,teeth,ana," in rows[3]
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_text(json.dumps({"id": "datapoint_00013/camera/infrared_spectrum.png", "state": "pass", "reason": "",
                                  "reviewer": "bo", "time": "2030-01-01T00:00:00.000+00:00"}) + "\n")
    assert main(["review", "merge", sidecar_path(str(src)), str(theirs)]) == 0
    assert ReviewStore.for_dataset(ds).state(ds[0].id) == "pass"


def _write_decisions(root: str, data_dir: str, prefix: str, n: int) -> list[str]:
    store = ReviewStore({"ds": root}, reviewer=prefix, data_dir=data_dir)
    done = []
    for i in range(n):
        dp_id = f"ds/{prefix}/dp{i:04d}.png"
        store.set(dp_id, "fail" if i % 3 else "pass")
        done.append(dp_id)
    return done


def test_two_concurrent_writers_lose_nothing(tmp_path):
    """Two processes saving disjoint decisions into one review file at once keep every acknowledged one."""
    import multiprocessing

    root = tmp_path / "ds"
    root.mkdir()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        jobs = [pool.apply_async(_write_decisions, (str(root), str(tmp_path / "u"), p, 250)) for p in ("a", "b")]
        acked = [i for j in jobs for i in j.get(timeout=120)]
    saved = ReviewStore({"ds": str(root)}, data_dir=str(tmp_path / "u"))
    assert len(acked) == 500
    assert [i for i in acked if saved.get(i) is None] == []
