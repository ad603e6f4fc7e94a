"""Shared fixtures: the real corpora beside the checkout (skipped where absent)."""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"


@pytest.fixture(autouse=True, scope="session")
def _own_cache_folder(tmp_path_factory):
    """Facts indexes and other caches the tests make go to a folder of this run, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


def corpus(*parts: str) -> Path:
    """A real dataset under ../shared/corpora, or skip the test when it is not there."""
    path = CORPORA.joinpath(*parts)
    if not path.is_dir():
        pytest.skip(f"corpus not available: {path}")
    return path


def snapshot(root: Path) -> dict:
    """Every path below ``root`` with its size and mtime: proves a dataset was not modified."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.stat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


def copy_tree(src: Path, dst: Path) -> Path:
    """A writable copy of a dataset for tests that break files (never touch the originals)."""
    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    for dirpath, dirnames, filenames in os.walk(dst):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
    return dst


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` with no write bit for anyone (root still writes into it), made writable again afterwards."""
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="run the slow suites in full (test_hostile.py: thousands of damaged datasets)")


@pytest.fixture(scope="session")
def s3_server():
    """A moto S3 server on 127.0.0.1 for the whole session, found through ``AWS_ENDPOINT_URL`` (see tests/s3server.py)."""
    pytest.importorskip("moto.server")
    from tests.s3server import S3, pointed_at

    server = S3()
    with pointed_at(server.endpoint):
        server.client().ls("")  # fsspec's IO thread starts here, not inside a test that checks for leaked threads
        yield server
    server.stop()


@pytest.fixture
def s3(s3_server, tmp_path, monkeypatch):
    """The session's S3 server, with this test's own remote-file cache and review folder."""
    from dgviewer.core import remote

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    remote.clear_memory()
    yield s3_server
    remote.clear_memory()
