"""Opening a dataset again serves its kept listing while its files are unchanged, and lists anew what changed."""
from __future__ import annotations

import gc
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

import dgviewer
from dgviewer.core import listing_cache, storage
from dgviewer.samples import write_sample

HOUR_AGO = time.time() - 3600


def aged(root: str) -> str:
    """Give every path under ``root`` a time an hour ago, as a dataset generated earlier has (a folder changed
    within the last seconds is listed but not kept)."""
    for folder, dirs, files in os.walk(root, topdown=False):
        for name in files + dirs:
            os.utime(os.path.join(folder, name), (HOUR_AGO, HOUR_AGO))
    os.utime(root, (HOUR_AGO, HOUR_AGO))
    return root


def touched(path: str, ago: float = 1800) -> None:
    """A change made a while ago: the path and its folder get a time other than the dataset's."""
    os.utime(path, (time.time() - ago, time.time() - ago))
    os.utime(os.path.dirname(path), (time.time() - ago, time.time() - ago))


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def listed(monkeypatch):
    """Counts the folders the readers list (a served listing lists none)."""
    seen: list[str] = []
    scandir = storage.scandir

    def counting(path):
        seen.append(path)
        return scandir(path)

    monkeypatch.setattr(storage, "scandir", counting)
    return seen


def summary(ds) -> tuple:
    return ([(dp.id, dp.modalities, sorted(p.message for p in dp.problems)) for dp in ds],
            sorted((p.file, p.message) for p in ds.index_problems))


def kept() -> list[str]:
    folder = listing_cache.folder()
    return sorted(n for n in os.listdir(folder) if not n.startswith(".")) if os.path.isdir(folder) else []


@pytest.mark.parametrize("variant", ["datapoint", "hic"])
def test_a_second_open_lists_nothing_and_reads_the_same(tmp_path, listed, variant):
    root = aged(write_sample(str(tmp_path / "ds"), variant=variant, size=64, seed=1))
    first = dgviewer.load(root)
    expected = summary(first)
    assert len(kept()) == 1 and listed
    listed.clear()
    again = dgviewer.load(root)
    assert summary(again) == expected
    assert not [p for p in listed if p != root]  # only the root, when the reader recognised it
    dp = again[len(again) // 2]
    assert dp.visible_spectrum.shape[:2] == (64, 64)  # served datapoints decode through this open's cache
    assert dp._cache is again[0]._cache


def test_changes_on_disk_are_listed_anew(tmp_path, listed):
    root = aged(write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=2))
    base = summary(dgviewer.load(root))
    scenes = sorted(d for d in os.listdir(root) if d.startswith("datapoint_"))
    camera = os.path.join(root, scenes[1], "camera")

    # An environment.json edited in place: its folder's time does not change, its own does.
    env = os.path.join(camera, "environment.json")
    with open(env) as f:
        raw = json.load(f)
    entries = raw["environments"] if isinstance(raw, dict) and "environments" in raw else None
    assert entries, "the sample writes the list form"
    entries.append({**entries[0], "image_name": "visible_spectrum_99.png"})
    with open(env, "w") as f:
        json.dump(raw, f)
    os.utime(env, (time.time() - 1800, time.time() - 1800))
    ds = dgviewer.load(root)
    ids = [dp.id for dp in ds]
    assert len(ids) == len(base[0]) + 1 and any(i.endswith("visible_spectrum_99.png") for i in ids)
    assert any(p.message == "image listed in environment.json is missing"
               for dp in ds for p in dp.problems if dp.id.endswith("_99.png"))

    # A file removed from a camera folder.
    os.unlink(os.path.join(camera, "depth.exr"))
    touched(os.path.join(camera, "camera_metadata.json"))
    dp = dgviewer.load(root).get(ids[1] if ids[1].startswith(f"ds/{scenes[1]}") else ids[2])
    assert "depth" not in dp.modalities and any(p.message == "expected file is missing" for p in dp.problems)

    # A scene folder added, and one removed: the root's time changes.
    shutil.copytree(os.path.join(root, scenes[0]), os.path.join(root, "datapoint_99999"))
    shutil.rmtree(os.path.join(root, scenes[2]))
    aged(os.path.join(root, "datapoint_99999"))
    os.utime(root, (time.time() - 1800, time.time() - 1800))
    listed.clear()
    ds = dgviewer.load(root)
    names = {dp.id.split("/")[1] for dp in ds}
    assert "datapoint_99999" in names and scenes[2] not in names and len(listed) > 2

    # Served again once nothing changes.
    listed.clear()
    assert summary(dgviewer.load(root)) == summary(ds) and not [p for p in listed if p != root]


def test_a_folder_being_written_is_not_kept_and_a_damaged_file_is_listed_anew(tmp_path, listed):
    fresh = write_sample(str(tmp_path / "fresh"), variant="datapoint", size=64, seed=3)
    dgviewer.load(fresh).wait()
    assert kept() == []  # written seconds ago: a change in the same clock tick would go unseen

    root = aged(write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=3))
    expected = summary(dgviewer.load(root))
    (path,) = [os.path.join(listing_cache.folder(), n) for n in kept()]
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) * 2 // 3)
    listed.clear()
    assert summary(dgviewer.load(root)) == expected and len(listed) > 2
    listed.clear()
    assert summary(dgviewer.load(root)) == expected and not [p for p in listed if p != root]  # replaced


def test_other_code_options_relist_or_keep_listing_false_list_anew(tmp_path, listed, monkeypatch):
    root = aged(write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=4))
    expected = summary(dgviewer.load(root))
    listed.clear()
    assert summary(dgviewer.load(root, keep_listing=False)) == expected and len(listed) > 2
    listed.clear()
    assert summary(dgviewer.load(root, environment="identities")) == expected and len(listed) > 2
    listed.clear()
    assert summary(dgviewer.load(root, relist=True)) == expected and len(listed) > 2  # and kept anew:
    listed.clear()
    assert summary(dgviewer.load(root)) == expected and not [p for p in listed if p != root]
    monkeypatch.setattr(listing_cache, "code_digest", lambda *modules: "changed")
    listed.clear()
    assert summary(dgviewer.load(root)) == expected and len(listed) > 2


def test_the_least_recently_used_listings_go_past_the_limit(tmp_path, monkeypatch, listed):
    roots = [aged(write_sample(str(tmp_path / f"ds{i}"), variant="datapoint", size=64, seed=i)) for i in range(4)]
    for root in roots[:3]:
        dgviewer.load(root).wait()
    paths = [os.path.join(listing_cache.folder(), n) for n in kept()]
    assert len(paths) == 3
    for i, path in enumerate(paths):  # kept a while ago (file times are only as fine as the kernel's tick)
        os.utime(path, (HOUR_AGO + i, HOUR_AGO + i))
    dgviewer.load(roots[0]).wait()  # served: now the most recently used
    monkeypatch.setattr(listing_cache, "MAX_BYTES", max(map(os.path.getsize, paths)) * 5 // 2)  # room for two
    dgviewer.load(roots[3]).wait()
    assert len(kept()) == 2
    for root, served in zip([roots[i] for i in (0, 3, 1, 2)], (True, True, False, False)):
        listed.clear()
        dgviewer.load(root).wait()
        assert (not [p for p in listed if p != root]) == served, root


def test_serving_leaves_nothing_for_the_cycle_collector(tmp_path):
    """Listing pauses the cycle collector: a kept listing's unpickling must free what it is done with by
    reference counting alone (an unpickler in a cycle kept every object of a chunk: 3x the RSS at 100k)."""
    root = aged(write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=5))
    dgviewer.load(root).wait()
    gc.collect()
    gc.disable()
    try:
        ds = dgviewer.load(root).wait()
        garbage = gc.collect()
    finally:
        gc.enable()
    assert len(ds) > 0 and garbage < 20


def test_what_a_dead_writer_left_goes_when_the_listing_is_kept_again(tmp_path):
    root = aged(write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=6))
    dgviewer.load(root).wait()
    (name,) = kept()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    temporary = os.path.join(listing_cache.folder(), f".{name}.dgv-tmp-{socket.gethostname()}-")
    left, writing = temporary + f"{dead}.0", temporary + f"{os.getpid()}.99"  # a killed writer's; one of ours
    for path in (left, writing):
        with open(path, "wb") as f:
            f.write(b"partial")
    dgviewer.load(root, relist=True).wait()
    assert not os.path.exists(left) and os.path.exists(writing) and kept() == [name]
