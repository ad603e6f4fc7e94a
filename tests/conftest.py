"""Shared fixtures: the real corpora beside the checkout (skipped where absent)."""
from __future__ import annotations

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


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="run the slow suites in full (test_hostile.py: thousands of damaged datasets)")
