"""``dgviewer --self-test`` from source: passes on the built-in sample, fails on a broken one."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from dgviewer.samples.demo import demo_paths


@pytest.fixture(scope="module")
def demo_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    demo_paths(str(cache / "dgviewer"))  # generate once; both runs below read it
    return cache


def _self_test(cache, tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), QT_QPA_PLATFORM="offscreen")
    shot = tmp_path / "shot.png"
    r = subprocess.run([sys.executable, "-m", "dgviewer", "--self-test", "--screenshot", str(shot)],
                       env=env, capture_output=True, text=True, timeout=300)
    return r, shot


def test_self_test_passes_on_the_sample(demo_cache, tmp_path):
    r, shot = _self_test(demo_cache, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "self-test: ok" in r.stdout and shot.stat().st_size > 10_000


def test_self_test_fails_on_a_corrupt_image(demo_cache, tmp_path):
    broken = tmp_path / "cache"
    shutil.copytree(demo_cache, broken)
    faces = next((broken / "dgviewer").glob("demo-*/faces"))
    png = faces / "datapoint_00002" / "camera" / "visible_spectrum_01.png"
    png.write_bytes(png.read_bytes()[:2000])
    r, _ = _self_test(broken, tmp_path)
    assert r.returncode == 1
    assert "FAILED" in r.stderr and "datapoint_00002" in r.stderr and "corrupt PNG" in r.stderr
