"""The sub-folders of a dataset folder listed by a forked child while the viewer starts (core/early_listing.py):
the same names as listing in place, handed over once, and never when the folder changed since."""
from __future__ import annotations

import os

import pytest

import dgviewer
from dgviewer.core import early_listing, storage
from dgviewer.samples import write_sample
from tests.test_listing_cache import HOUR_AGO, aged

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here: folders are listed in place")


@pytest.fixture
def folder(tmp_path) -> str:
    root = tmp_path / "root"
    for name in ("scene_b", "scene_a", "datapoint_1", ".hidden"):
        (root / name).mkdir(parents=True)
    (root / "scene_c.txt").write_text("a file, not a folder")
    os.mkdir(os.path.join(os.fsencode(root), b"scene_\xff"))  # not UTF-8: kept as the same str
    aged(str(root))
    os.symlink(root / "loop", root / "loop")  # a link loop: not a folder
    os.utime(root, (HOUR_AGO, HOUR_AGO))
    return str(root)


def test_the_child_lists_what_listing_in_place_lists(folder):
    in_place = sorted(storage.subfolders(folder))
    early_listing.start(folder)
    child = early_listing._started[os.path.realpath(folder)]
    assert sorted(early_listing.take(folder)) == in_place
    assert "scene_c.txt" not in in_place and os.fsdecode(b"scene_\xff") in in_place
    with pytest.raises(ChildProcessError):  # reaped: no zombie left
        os.waitpid(child.pid, os.WNOHANG)
    assert early_listing.take(folder) is None  # once: a later open (File ▸ Reload) lists anew


def test_a_folder_changed_since_is_listed_anew(folder):
    early_listing.start(folder)
    os.mkdir(os.path.join(folder, "scene_new"))
    assert early_listing.take(folder) is None
    assert "scene_new" in storage.subfolders(folder)


def test_a_folder_changed_just_before_is_not_taken(tmp_path):
    """Changed within the clock's resolution before the listing, it may change again unseen: listed in place."""
    (tmp_path / "scene_a").mkdir()
    early_listing.start(str(tmp_path))
    assert early_listing.take(str(tmp_path)) is None


def test_a_dataset_opens_from_the_early_listing(tmp_path, monkeypatch):
    root = aged(write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=0))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    listed = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p=".": listed.append(p) or real(p))
    expected = [dp.id for dp in dgviewer.load(root, keep_listing=False)]
    in_place = listed.count(root)
    listed.clear()
    early_listing.start(root)
    assert [dp.id for dp in dgviewer.load(root, keep_listing=False)] == expected
    assert listed.count(root) == in_place - 1  # taken: not listed again
    assert os.path.realpath(root) not in early_listing._started


def test_a_listing_nobody_takes_is_dropped(folder, monkeypatch):
    """``dgviewer PATH`` of a folder no reader asks for: its names are not kept for the life of the viewer."""
    monkeypatch.setattr(early_listing, "KEEP_S", 0.2)
    early_listing.start(folder)
    child = early_listing._started[os.path.realpath(folder)]
    child.thread.join(10)
    assert not child.thread.is_alive() and child.data is None
    assert early_listing.take(folder) is None and sorted(storage.subfolders(folder))


def test_the_viewer_command_starts_it(tmp_path, monkeypatch):
    from dgviewer.cli import viewer

    root = aged(write_sample(str(tmp_path / "ds"), variant="datapoint", size=64, seed=0))
    started = []
    monkeypatch.setattr(early_listing, "start", started.append)
    monkeypatch.setattr(viewer, "open_viewer", lambda *a: 0)
    viewer.run(type("Args", (), {"paths": [root, "s3://bucket/ds"], "goto": None, "screenshot": None,
                                 "compare": None})())
    assert started == [root]
