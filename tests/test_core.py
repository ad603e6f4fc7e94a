"""Core pieces on their own: cache, camera model, exact decoding, the Qt-free boundary."""
from __future__ import annotations

import ast
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import OpenEXR
import pytest

from dgviewer.core import cache, imaging
from dgviewer.core.cache import ByteCache
from dgviewer.core.camera import CameraModel
from dgviewer.core.errors import DataError

from .conftest import REPO, corpus


def test_cache_is_bounded_by_bytes_and_least_recently_used():
    c = ByteCache(max_bytes=3000)
    for k in "abc":
        c.get_or_load(k, lambda: np.zeros(1000, np.uint8))
    c.get_or_load("a", lambda: pytest.fail("a should be cached"))  # touch a: b is now the oldest
    c.get_or_load("d", lambda: np.zeros(1000, np.uint8))
    assert "b" not in c and "a" in c and "d" in c and c.size_bytes == 3000
    c.get_or_load("huge", lambda: np.zeros(10_000, np.uint8))  # larger than the budget: returned, not kept
    assert "huge" not in c and c.size_bytes <= 3000


def test_cache_passing_serves_what_is_kept_and_keeps_nothing_new():
    c = ByteCache()
    c.get_or_load("kept", lambda: np.zeros(10))
    with cache.passing():
        assert c.get_or_load("kept", lambda: pytest.fail("kept: served from the cache")).shape == (10,)
        assert c.get_or_load("once", lambda: np.ones(10)).sum() == 10
        seen = []
        other = threading.Thread(target=lambda: seen.append(c.get_or_load("other", lambda: np.ones(3))))
        other.start()
        other.join()
    assert "once" not in c and "kept" in c
    assert "other" in c  # another thread's loads are its own business
    c.get_or_load("after", lambda: np.ones(1))
    assert "after" in c


def test_cache_decodes_once_under_concurrency_and_does_not_cache_errors():
    c = ByteCache()
    calls = []
    gate = threading.Event()

    def slow():
        calls.append(1)
        gate.wait(5)
        return np.ones(10)

    threads = [threading.Thread(target=c.get_or_load, args=("k", slow)) for _ in range(6)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert len(calls) == 1

    def broken():
        raise DataError("f.png", "corrupt")

    with pytest.raises(DataError):
        c.get_or_load("bad", broken)
    assert c.get_or_load("bad", lambda: 42) == 42


def test_projection_of_the_default_datagen_camera():
    # Default camera (spec §4.2): at (0, -1.6, 0.12) looking +y, z up; 1024², fx 5852.19.
    R = np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]], float)
    cam = CameraModel(K=np.array([[5852.19, 0, 512], [0, 5852.19, 512], [0, 0, 1]]), R=R,
                      t=-R @ np.array([0, -1.6, 0.12]), width=1024, height=1024)
    c, r = cam.project(np.array([[0, 0, 0.12]]))[0]
    assert (c, r) == pytest.approx((512, 512))
    c, r = cam.project(np.array([[0.01, 0, 0.14]]))[0]  # subject's left (+x) is image right; up is image top
    assert c > 512 and r < 512
    assert np.isnan(cam.project(np.array([[0, -3.0, 0.12]]))).all()  # behind the camera
    np.testing.assert_allclose(cam.center, [0, -1.6, 0.12])


def test_16_bit_png_keeps_every_bit(tmp_path):
    rgb = (np.arange(64 * 64 * 3, dtype=np.uint32).reshape(64, 64, 3) * 997 % 65536).astype(np.uint16)
    p = tmp_path / "x.png"
    cv2.imwrite(str(p), rgb[..., ::-1])  # OpenCV writes BGR
    out = imaging.read_png(str(p))
    assert out.dtype == np.uint16 and out.shape == (64, 64, 3)
    np.testing.assert_array_equal(out, rgb)
    cv2.imwrite(str(p), (rgb[..., ::-1] >> 8).astype(np.uint8))  # 8-bit RGB: channels in RGB order too
    out = imaging.read_png(str(p))
    assert out.dtype == np.uint8 and out.shape == (64, 64, 3)
    np.testing.assert_array_equal(out, (rgb >> 8).astype(np.uint8))
    rgba = np.dstack([rgb, np.full((64, 64), 65535, np.uint16)])
    cv2.imwrite(str(p), rgba[..., [2, 1, 0, 3]])
    assert imaging.read_png(str(p)).shape == (64, 64, 4)
    gray = (np.arange(64 * 64).reshape(64, 64) % 256).astype(np.uint8)
    cv2.imwrite(str(p), gray)
    np.testing.assert_array_equal(imaging.read_png(str(p)), gray)


def test_exr_z_channel_is_read(tmp_path):
    z = np.linspace(0.5, 2.0, 32 * 16, dtype=np.float32).reshape(16, 32)
    p = tmp_path / "d.exr"
    OpenEXR.File({"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}, {"Z": z}).write(str(p))
    np.testing.assert_array_equal(imaging.exr_single(str(p)), z)
    assert imaging.exr_rgb(str(p)).shape == (16, 32, 3)


def test_bad_files_raise_data_error_naming_the_file(tmp_path):
    p = tmp_path / "broken.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    with pytest.raises(DataError, match="broken.png"):
        imaging.read_png(str(p))
    p.write_bytes(b"hello")
    with pytest.raises(DataError, match="not a PNG"):
        imaging.read_png(str(p))
    with pytest.raises(DataError, match="not found"):
        imaging.read_image(str(tmp_path / "nope.exr"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_and_formats_never_import_qt():
    gui = ("PySide6", "pyqtgraph", "superqt", "qtpy", "PyQt5", "PyQt6", "dgviewer.app")
    offenders = []
    for pkg in ("core", "formats"):
        for f in (REPO / "dgviewer" / pkg).rglob("*.py"):
            bad = [m for m in _imports(f) if m.startswith(gui)]
            if bad:
                offenders.append(f"{f.relative_to(REPO)}: {bad}")
    assert not offenders


def test_scripting_loads_no_gui_module():
    path = corpus("datagen", "2023-01_faces_ir")
    code = (
        "import sys, dgviewer; ds = dgviewer.load(sys.argv[1]); dp = ds[0]; "
        "dp.read('depth'); dp.annotations(); dp.keypoints; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'superqt')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
