"""Datasets in object storage: the commands give the same answers for a folder and its s3:// copy on a real
S3 API (moto's server on 127.0.0.1), failures are one clear line, and nothing is written to the bucket."""
from __future__ import annotations

import json

import pytest

import dgviewer
from dgviewer.cli import main
from dgviewer.core import remote, storage
from dgviewer.core.errors import DataError, NotADatasetError

from .conftest import CORPORA
from .s3server import S3, pointed_at, refusing_server

SAMPLES = [("datagen", "datapoint"), ("datagen", "scene"), ("datagen", "hic"), ("solo", None), ("legacy", None)]


@pytest.fixture(scope="module")
def sample_sets(tmp_path_factory) -> dict[str, str]:
    from dgviewer.samples import write_sample
    from dgviewer.samples.perception import write_perception_sample

    root = tmp_path_factory.mktemp("remote-samples")
    out = {}
    for fmt, variant in SAMPLES:
        name = f"{fmt}-{variant}" if variant else fmt
        if fmt == "datagen":
            write_sample(str(root / name), variant=variant, size=64, seed=3)
        else:
            write_perception_sample(str(root / name), format=fmt, size=64, seed=3)
        out[name] = str(root / name)
    return out


def _corpora() -> list[str]:
    return sorted(str(p) for family in ("datagen", "perception") if (CORPORA / family).is_dir()
                  for p in (CORPORA / family).iterdir() if p.is_dir())


def _cli(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def _same(local: str, url: str, text: str) -> str:
    return text.replace(url, "ROOT").replace(local, "ROOT")


def _compare(capsys, tmp_path, local: str, url: str) -> None:
    """info --json, validate --json (with images) and one rendered PNG agree, the root's spelling aside."""
    code_l, info_l = _cli(capsys, "info", local, "--json")
    code_r, info_r = _cli(capsys, "info", url, "--json")
    assert code_l == code_r == 0
    assert json.loads(_same(local, url, info_r)) == json.loads(_same(local, url, info_l))
    reports = []
    for path, name in ((local, "local"), (url, "remote")):
        out = tmp_path / f"{name}.json"
        code = main(["validate", path, "--json", str(out), "--images", "--quiet"])
        report = json.loads(_same(local, url, out.read_text()))
        report.pop("seconds")
        reports.append((code, report))
    assert reports[0] == reports[1]
    capsys.readouterr()
    first = dgviewer.load(local)[0].id
    pngs = []
    for path, name in ((local, "local"), (url, "remote")):
        out = tmp_path / f"render-{name}"
        assert main(["render", path, "--out", str(out), "--goto", first]) == 0
        pngs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert pngs[0] == pngs[1] and len(pngs[0]) == 1


@pytest.mark.parametrize("name", [f"{f}-{v}" if v else f for f, v in SAMPLES])
def test_sample_and_its_s3_copy_agree(s3, sample_sets, name, capsys, tmp_path):
    local = sample_sets[name]
    url = s3.upload(local, "samples")
    before = s3.objects("samples")
    _compare(capsys, tmp_path, local, url)
    assert s3.objects("samples") == before


@pytest.mark.parametrize("corpus", _corpora() or [pytest.param(None, marks=pytest.mark.skip("no corpora"))])
def test_corpus_and_its_s3_copy_agree(s3, corpus, capsys, tmp_path):
    url = s3.upload(corpus, "corpora", corpus.split("/")[-2])
    _compare(capsys, tmp_path, corpus, url)


def test_listing_is_one_batch_and_json_is_read_ahead(s3, sample_sets):
    """Indexing a remote dataset lists its prefix once and fetches its JSON in a few batches, not one by one."""
    url = s3.upload(sample_sets["datagen-scene"], "batched")
    calls = {"find": 0, "cat": 0, "cat_file": 0}
    m = storage.mount(url)
    for name in calls:
        original = getattr(m.fs, name)

        def counted(*a, _name=name, _original=original, **kw):
            calls[_name] += 1
            return _original(*a, **kw)

        setattr(m.fs, name, counted)
    try:
        remote.clear_memory()
        ds = dgviewer.load(url)
    finally:
        for name in calls:
            delattr(m.fs, name)
    cameras = sum(len(s.cameras) for s in ds.scenes)
    assert cameras >= 4 and len(ds) >= cameras
    assert calls["find"] == 1
    assert calls["cat"] + calls["cat_file"] < cameras  # environment.json of every camera, in batches


def test_review_of_a_url_stays_local_and_the_bucket_is_unchanged(s3, sample_sets, tmp_path):
    from dgviewer.core.review import ReviewStore

    url = s3.upload(sample_sets["datagen-datapoint"], "reviewed")
    before = s3.objects("reviewed")
    ds = dgviewer.load(url)
    store = ReviewStore.for_dataset(ds)
    store.flag(ds[0].id, "eyes closed")
    assert store.paths and all(p.startswith(str(tmp_path / "xdg-data")) for p in store.paths)
    assert ReviewStore.for_dataset(dgviewer.load(url)).state(ds[0].id) == "flag"
    assert main(["validate", url, "--json", str(tmp_path / "r.json"), "--quiet"]) in (0, 1)
    assert s3.objects("reviewed") == before


def test_file_urls_and_mixed_roots(s3, sample_sets):
    """file:// is a local path; a local folder and a bucket merge into one dataset."""
    local = sample_sets["datagen-datapoint"]
    assert dgviewer.load("file://" + local).roots == [local]
    url = s3.upload(sample_sets["solo"], "mixed")
    ds = dgviewer.load(local, url)
    assert ds.roots == [local, url] and len(ds) == len(dgviewer.load(local)) + len(dgviewer.load(url))


def test_missing_bucket_and_prefix_are_one_line(s3, capsys):
    with pytest.raises(NotADatasetError, match="s3://no-such-bucket/x: not a dataset .*not found"):
        dgviewer.load("s3://no-such-bucket/x")
    s3.client().mkdir("empty-bucket")
    assert main(["info", "s3://empty-bucket/nothing"]) == 1
    err = capsys.readouterr().err
    assert "s3://empty-bucket/nothing" in err and "nothing is stored under this prefix" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_denied_access_is_one_line(s3, capsys):
    with refusing_server("locked", "ds/scene_00001/camera_1/environment.json", b"{}") as endpoint:
        with pointed_at(endpoint):
            remote.clear_memory()
            assert main(["info", "s3://locked/ds"]) == 1
    err = capsys.readouterr().err
    assert "s3://locked/ds" in err and "access denied" in err
    assert "Traceback" not in err and err.count("\n") == 1 and "testing" not in err  # no credential shown


def test_a_stopped_server_fails_the_read_not_the_process(s3_server, sample_sets, tmp_path, monkeypatch):
    """Listed while the server ran; once it is gone, an image not fetched yet is a DataError naming it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = S3()
    with pointed_at(server.endpoint):
        remote.clear_memory()
        url = server.upload(sample_sets["datagen-scene"], "stopping")
        ds = dgviewer.load(url)
        first = ds[0].read(ds[0].modalities[0])
        server.stop()
        assert ds[0].read(ds[0].modalities[0]).shape == first.shape  # from the disk cache
        with pytest.raises(DataError, match="cannot reach the storage") as e:
            ds[len(ds) - 1].read("depth")
        assert str(e.value).startswith(url + "/")
    remote.clear_memory()
