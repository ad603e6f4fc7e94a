"""Parallel traversal (issue #13): ``for dp in ds`` reads ahead in threads what the loop reads, nothing else,
a bounded number of datapoints at a time, and leaves nothing pinned; one-pass scripts keep a small cache."""
from __future__ import annotations

import threading

import pytest

import dgviewer
from dgviewer.core.cache import SCRIPT_BYTES, ByteCache, shared_cache


class SpyCache(ByteCache):
    """Records which thread asked for which key first (a decode), and the most datapoints pinned at once."""

    def __init__(self):
        super().__init__(SCRIPT_BYTES)
        self.loads: list[tuple[object, str]] = []

    def get_or_load(self, key, load):
        def recorded():
            self.loads.append((key, threading.current_thread().name))
            return load()
        return super().get_or_load(key, recorded)


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> str:
    from dgviewer.samples import write_sample

    return write_sample(str(tmp_path_factory.mktemp("t") / "faces"), variant="scene", size=64, seed=0)


def _paths(ds, modality):
    return {dp.file(modality) for dp in ds if dp.file(modality)}


def _decoded(cache, paths):
    return [(k, t) for k, t in cache.loads if any(p in k for p in paths)]


def test_loop_reads_ahead_only_what_it_read_of_the_first_datapoint(faces):
    cache = SpyCache()
    ds = dgviewer.load(faces, cache=cache, readahead=3)
    assert len(ds) >= 6 and all("depth" in dp.modalities for dp in ds.iter(readahead=0))
    seen = []
    for dp in ds:
        seen.append(dp.id)
        assert dp.visible_spectrum is not None
        assert len(cache._pins) <= 4  # the datapoint in hand and at most 3 ahead
    assert seen == [dp.id for dp in ds.datapoints]
    visible = _decoded(cache, _paths(ds, "visible"))
    assert len(visible) == len(ds)  # each decoded once: the loop found the read-ahead ones
    assert sum(t.startswith("dgviewer-readahead") for _, t in visible) == len(ds) - 1  # all but the first
    assert not _decoded(cache, _paths(ds, "depth") | _paths(ds, "normals"))  # never asked for, never decoded
    assert not cache._pins


def test_named_modalities_from_the_first_and_a_broken_off_loop_unpins(faces):
    cache = SpyCache()
    ds = dgviewer.load(faces, cache=cache)
    for i, dp in enumerate(ds.iter(readahead=2, modalities=["depth"])):
        if i == 2:
            break
    for t in threading.enumerate():  # the pool winds down; what it finishes after the break is unpinned
        if t.name.startswith("dgviewer-readahead"):
            t.join(10)
    depth = _decoded(cache, _paths(ds, "depth"))
    assert {t.split("_")[0] for _, t in depth} == {"dgviewer-readahead"}
    handed, window = ({ds[k].file("depth") for k in range(n)} for n in (3, 5))  # 2 ahead of the third
    assert handed <= {key[0] for key, _ in depth} <= window
    assert not _decoded(cache, _paths(ds, "visible"))
    assert not cache._pins


def test_readahead_off_decodes_on_the_loop_thread_only(faces):
    cache = SpyCache()
    ds = dgviewer.load(faces, cache=cache, readahead=0)
    for dp in ds:
        dp.read("depth")
    assert {t for _, t in cache.loads} == {threading.current_thread().name}
    assert len(cache.loads) == len(_paths(ds, "depth"))  # lighting variants of a camera share its depth


def test_scripts_keep_a_small_cache_and_keypoints_are_built_once(faces, monkeypatch):
    from dgviewer.formats.datagen import datapoint, keypoints

    assert shared_cache.max_bytes == SCRIPT_BYTES < 1 << 30  # a one-pass script does not fill a GiB
    ds = dgviewer.load(faces)
    dp = ds[0]
    reads = []
    real = keypoints.read_json
    monkeypatch.setattr(keypoints, "read_json", lambda p: reads.append(p) or real(p))
    keypoints.read_keypoints.cache_clear()
    datapoint._sdk_keypoints.cache_clear()
    first = dp.keypoints
    files = len(reads)
    assert files >= 1 and first is not None
    for _ in range(5):
        assert dp.keypoints is first
        dp.annotations()  # the viewer's reading shares the parsed tree
    assert len(reads) == files
    path = next(p for p in dp._keypoint_files() if p)
    with open(path, "a") as f:  # the file changed (size and time): read again
        f.write(" ")
    assert dp.keypoints is not first and len(reads) == 2 * files
