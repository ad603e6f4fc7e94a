"""Image headers are checked before decoding: pixel budget, PNG chunk walk, EXR offset table."""
from __future__ import annotations

import os
import struct
import zlib

import cv2
import numpy as np
import OpenEXR
import pytest

from dgviewer.core import imagefile, imaging
from dgviewer.core.errors import DataError


def _png(path, h=32, w=48) -> bytes:
    img = (np.arange(h * w * 3, dtype=np.uint32).reshape(h, w, 3) * 7919 % 65536).astype(np.uint16)
    cv2.imwrite(str(path), img)
    return path.read_bytes()


def _exr(path, h=40, w=24, compression=OpenEXR.ZIP_COMPRESSION) -> bytes:
    z = np.linspace(0, 1, h * w, dtype=np.float32).reshape(h, w)
    OpenEXR.File({"compression": compression, "type": OpenEXR.scanlineimage}, {"Z": z}).write(str(path))
    return path.read_bytes()


def _claim_png_size(data: bytes, w: int, h: int) -> bytes:
    ihdr = b"IHDR" + struct.pack(">II", w, h) + data[24:29]
    return data[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


def test_png_bomb_is_refused_before_decoding(tmp_path):
    p = tmp_path / "bomb.png"
    p.write_bytes(_claim_png_size(_png(p), 60000, 60000))
    for read in (imaging.read_png, imaging.image_size, imagefile.check_structure):
        with pytest.raises(DataError, match=r"bomb\.png.*60000x60000 pixels, more than the 268435456-pixel budget"):
            read(str(p))
    p.write_bytes(_claim_png_size(p.read_bytes(), 48, 32))
    assert imaging.read_png(str(p)).shape == (32, 48, 3)


def test_pixel_budget_is_configurable(tmp_path, monkeypatch):
    p = tmp_path / "x.png"
    _png(p)
    assert imaging.image_size(str(p)) == (48, 32)
    monkeypatch.setattr(imagefile, "MAX_PIXELS", 48 * 32 - 1)
    with pytest.raises(DataError, match="48x32 pixels"):
        imaging.read_png(str(p))
    assert imagefile.header(str(p), max_pixels=48 * 32).width == 48


def test_exr_with_an_absurd_data_window_is_refused(tmp_path):
    p = tmp_path / "bomb.exr"
    data = _exr(p)
    at = data.index(b"dataWindow\0box2i\0") + len(b"dataWindow\0box2i\0") + 4
    p.write_bytes(data[:at] + struct.pack("<4i", 0, 0, 999_999, 999_999) + data[at + 16:])
    for read in (imaging.read_exr, imaging.image_size, imagefile.check_structure):
        with pytest.raises(DataError, match=r"bomb\.exr.*1000000x1000000 pixels"):
            read(str(p))
    _exr(p)
    assert imaging.image_size(str(p)) == (24, 40)


@pytest.mark.parametrize("make", [_png, _exr, lambda p: _exr(p, compression=OpenEXR.NO_COMPRESSION)])
def test_structure_check_catches_every_truncation(tmp_path, make):
    suffix = ".png" if make is _png else ".exr"
    p = tmp_path / f"x{suffix}"
    data = make(p)
    imagefile.check_structure(str(p))  # whole files pass
    for cut in sorted({1, 7, 8, 20, 33, 60, len(data) // 3, len(data) // 2, len(data) - 13, len(data) - 1}):
        p.write_bytes(data[:cut])
        with pytest.raises(DataError, match=f"x{suffix}"):
            imagefile.check_structure(str(p))


def test_structure_check_catches_a_flipped_png_byte(tmp_path):
    p = tmp_path / "x.png"
    data = bytearray(_png(p))
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    imagefile.check_structure(str(p))  # the cheap walk looks at chunk headers only
    with pytest.raises(DataError, match="CRC mismatch"):
        imagefile.check_structure(str(p), crc=True)


def test_special_files_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "f.png"
    os.mkfifo(fifo)
    zero = tmp_path / "z.exr"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "d.png"
    folder.mkdir()
    for p, kind in ((fifo, "FIFO"), (zero, "device"), (folder, "folder")):
        for read in (imaging.read_image, imaging.image_size, imagefile.check_structure):
            with pytest.raises(DataError, match=kind):
                read(str(p))


def test_structure_check_accepts_every_exr_layout(tmp_path):
    z = np.linspace(0, 1, 50 * 70, dtype=np.float32).reshape(50, 70)
    tiles = OpenEXR.TileDescription()
    tiles.xSize = tiles.ySize = 16
    files = []
    for comp in (OpenEXR.NO_COMPRESSION, OpenEXR.RLE_COMPRESSION, OpenEXR.ZIP_COMPRESSION, OpenEXR.PIZ_COMPRESSION,
                 OpenEXR.PXR24_COMPRESSION, OpenEXR.B44_COMPRESSION, OpenEXR.DWAB_COMPRESSION):
        for kind, extra in ((OpenEXR.scanlineimage, {}), (OpenEXR.tiledimage, {"tiles": tiles})):
            p = tmp_path / f"{comp.name}-{len(files)}.exr"
            OpenEXR.File({"compression": comp, "type": kind, **extra}, {"Z": z}).write(str(p))
            files.append(p)
    parts = [OpenEXR.Part({"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}, {c: z})
             for c in ("Z", "R")]
    files.append(tmp_path / "multipart.exr")
    OpenEXR.File(parts).write(str(files[-1]))
    for p in files:
        imagefile.check_structure(str(p))
        assert imaging.image_size(str(p)) == (70, 50)
    data = files[-1].read_bytes()
    files[-1].write_bytes(data[:-30])
    with pytest.raises(DataError, match="runs past the end"):
        imagefile.check_structure(str(files[-1]))


def test_jpeg_header_budget_and_truncation(tmp_path):
    p = tmp_path / "x.jpg"
    rgb = np.zeros((30, 40, 3), np.uint8)
    rgb[..., 0] = 200  # red
    cv2.imwrite(str(p), rgb[..., ::-1])
    data = p.read_bytes()
    assert imaging.image_size(str(p)) == (40, 30)
    assert imaging.read_image(str(p))[15, 20, 0] > 150  # RGB order
    imagefile.check_structure(str(p))
    sof = data.index(b"\xff\xc0")  # baseline start of frame
    p.write_bytes(data[:sof + 5] + struct.pack(">HH", 60000, 60000) + data[sof + 9:])
    for read in (imaging.read_image, imaging.image_size, imagefile.check_structure):
        with pytest.raises(DataError, match="60000x60000 pixels"):
            read(str(p))
    for cut in (0, 1, 3, sof + 6, len(data) // 2, len(data) - 1):
        p.write_bytes(data[:cut])
        with pytest.raises(DataError, match="x.jpg"):
            imagefile.check_structure(str(p))
