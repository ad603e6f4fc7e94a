"""A big folder's first listing is shared with forked helper processes: the same datapoints, order, problems
and kept listing as one process listing it; a helper that fails or dies leaves the rest to the opening process;
an abandoned listing leaves no helper behind."""
from __future__ import annotations

import logging
import os
import shutil

import pytest

import dgviewer
from dgviewer.core import listing_cache, listing_helpers, storage
from dgviewer.formats.datagen import index as datagen_index
from dgviewer.samples import write_sample

from .test_listing_cache import aged, summary

SCENES = 40

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="helpers are forked")


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture
def helpers(monkeypatch):
    """Helpers for any folder, in blocks of 3 scenes, looked for after every scene; the pids started."""
    monkeypatch.setattr(listing_helpers, "FROM_SCENES", 1)
    monkeypatch.setattr(listing_helpers, "BLOCK", 3)
    monkeypatch.setattr(listing_helpers, "READY_EVERY", 1)
    pids: list[int] = []
    start = listing_helpers._Helper.start.__func__

    def started(cls, ctx, scenes, count):
        out = start(cls, ctx, scenes, count)
        pids.extend(h.pid for h in out)
        return out

    monkeypatch.setattr(listing_helpers._Helper, "start", classmethod(started))
    # The opening process looks for ready helpers without waiting, and may list 40 scenes before a helper on a
    # loaded machine has listed the folder: here it waits for each helper's word, so they always take part.
    ready = listing_helpers._Helper.ready

    def waiting(helper):
        if helper.alive and not helper.is_ready:
            helper.conn.poll(30)
        return ready(helper)

    monkeypatch.setattr(listing_helpers._Helper, "ready", waiting)
    return pids


@pytest.fixture
def listed_here(monkeypatch):
    """The scene folders this process lists (a helper's listings happen in its own process)."""
    seen: list[str] = []
    scandir = storage.scandir

    def counting(path):
        if os.path.basename(path).startswith("datapoint_"):
            seen.append(path)
        return scandir(path)

    monkeypatch.setattr(storage, "scandir", counting)
    return seen


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> str:
    """SCENES datapoint folders (hard links of a generated one's files), three of them damaged: a camera without
    environment.json, an environment.json that is no JSON, a missing depth file."""
    base = tmp_path_factory.mktemp("helpers")
    sample = write_sample(str(base / "sample"), variant="datapoint", size=64, seed=3)
    template = os.path.join(sample, sorted(n for n in os.listdir(sample) if n.startswith("datapoint_"))[0])
    root = base / "big"
    for i in range(SCENES):
        scene = root / f"datapoint_{i:05d}"
        shutil.copytree(template, scene, copy_function=os.link)
    camera = next(p for p in (root / "datapoint_00017").iterdir() if p.is_dir())
    (camera / "environment.json").unlink()
    camera = next(p for p in (root / "datapoint_00025").iterdir() if p.is_dir())
    (camera / "environment.json").unlink()  # a new file, not the shared link
    (camera / "environment.json").write_text("{not json")
    camera = next(p for p in (root / "datapoint_00031").iterdir() if p.is_dir())
    (camera / "depth.exr").unlink()
    return aged(str(root))


@pytest.fixture(scope="module")
def alone(big) -> tuple:
    """What one process lists, nothing kept."""
    return summary(dgviewer.load(big, keep_listing=False))


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_helpers_list_what_one_process_lists_and_the_kept_listing_serves_it(big, alone, helpers, listed_here):
    reference_ids = [dp_id for dp_id, _, _ in alone[0]]
    assert len(reference_ids) == SCENES - 2  # the camera without environment.json and the broken one list none
    messages = {p[1] for p in alone[1]}
    assert any("without environment.json" in m for m in messages) and len(alone[1]) == 2
    assert any("expected file is missing" in m for _, _, problems in alone[0] for m in problems)

    first = dgviewer.load(big)
    assert summary(first) == alone
    assert len(helpers) == listing_helpers.cores()
    assert len(listed_here) < SCENES // 2  # the helpers listed the rest
    assert all(gone(pid) for pid in helpers)  # reaped once the listing ended

    listed_here.clear()
    again = dgviewer.load(big)  # served from what the helpers sent
    assert summary(again) == alone
    assert listed_here == []
    assert len(os.listdir(listing_cache.folder())) == 1


def test_helpers_list_with_nothing_kept_too(big, alone, helpers, listed_here):
    assert summary(dgviewer.load(big, keep_listing=False)) == alone
    assert helpers and len(listed_here) < SCENES // 2
    assert not os.path.isdir(listing_cache.folder()) or not os.listdir(listing_cache.folder())


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_helper_that_fails_leaves_the_rest_to_the_opening_process(big, alone, helpers, listed_here, monkeypatch,
                                                                     caplog, how):
    opener = os.getpid()
    build = datagen_index._index_identities

    def failing(ctx, path, name):
        if os.getpid() != opener and name == "datapoint_00020":  # only in a helper
            if how == "dies":
                os._exit(3)
            raise RuntimeError("a helper's bug")
        return build(ctx, path, name)

    monkeypatch.setattr(datagen_index, "_index_identities", failing)
    with caplog.at_level(logging.WARNING, logger="dgviewer.core.listing_helpers"):
        ds = dgviewer.load(big)
        assert summary(ds) == alone
    assert "listing helper failed" in caplog.text
    assert ("a helper's bug" in caplog.text) == (how == "raises")
    assert any(p.endswith("datapoint_00020") for p in listed_here)  # listed here after the failure
    assert all(gone(pid) for pid in helpers)
    assert summary(dgviewer.load(big)) == alone  # and what was kept serves the same


def test_an_abandoned_listing_leaves_no_helper_behind(big, helpers):
    ds = dgviewer.load(big, keep_listing=False)
    assert helpers, "the helpers start at the first scene"
    assert ds[4].id.startswith("big/datapoint_00004/")
    ds.release()  # as the viewer does when it opens another dataset
    assert all(gone(pid) for pid in helpers)


def test_a_small_folder_starts_no_helper(big, alone, monkeypatch, helpers):
    monkeypatch.setattr(listing_helpers, "FROM_SCENES", SCENES + 1)
    assert summary(dgviewer.load(big)) == alone
    assert helpers == []
