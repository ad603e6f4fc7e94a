"""PNG, EXR and JPEG file structure, read without decoding a pixel.

Decoders trust their headers: a PNG whose IHDR claims 60000×60000 makes
OpenCV allocate gigabytes before it notices the data is missing, and an EXR
with an absurd data window does the same in OpenEXR. So every image's header
is parsed here first and refused when it claims more than :data:`MAX_PIXELS`.
:func:`check_structure` goes further, still without decoding: it walks a
PNG's chunks to IEND, an EXR's offset table against the file's size and a
JPEG's segments to the end-of-image marker, which
catches truncated and overwritten files at the cost of reading them.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from .errors import DataError
from .fsio import mapped, read_bytes, read_head

#: The most pixels an image header may claim: 16384², twice the side of the largest image a real dataset has.
#: Module-level so a program that needs more can raise it.
MAX_PIXELS = 16384 * 16384

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXR_MAGIC = b"\x76\x2f\x31\x01"
JPEG_MAGIC = b"\xff\xd8"
# JPEG start-of-frame markers (C4, C8 and CC are other segments).
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# IHDR colour type → allowed bit depths.
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# EXR compression → scan lines per chunk (NONE, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A, DWAA, DWAB, HTJ2K256, HTJ2K32).
_EXR_LINES = {0: 1, 1: 1, 2: 1, 3: 16, 4: 32, 5: 16, 6: 32, 7: 32, 8: 32, 9: 256, 10: 256, 11: 32}
_EXR_TILED, _EXR_LONG_NAMES, _EXR_DEEP, _EXR_MULTIPART = 0x200, 0x400, 0x800, 0x1000
#: An EXR header longer than this is read from the whole file (real ones are a few KB).
_EXR_HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class Header:
    width: int
    height: int
    #: PNG: IHDR colour type and bit depth; EXR: None.
    color_type: int | None = None
    bit_depth: int | None = None


def png_header(data: bytes, path: str, max_pixels: int | None = None) -> Header:
    """The IHDR of a PNG's first bytes (33 suffice); DataError for a bad signature or an over-budget size."""
    if not data:
        raise DataError(path, "empty file")
    if len(data) < 33 or not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        raise DataError(path, "not a PNG file (bad signature)")
    width, height, depth, ctype = struct.unpack(">IIBB", data[16:26])
    if ctype not in _PNG_DEPTHS or depth not in _PNG_DEPTHS[ctype] or width == 0 or height == 0:
        raise DataError(path, f"unsupported PNG header (colour type {ctype}, depth {depth}, {width}x{height})")
    _within_budget(path, width, height, max_pixels)
    return Header(width, height, ctype, depth)


def exr_header(data: bytes, path: str, max_pixels: int | None = None) -> Header:
    """The data window of an EXR's first part; DataError for a bad or over-budget header."""
    parts, _ = _exr_parts(data, path)
    width, height = parts[0]["size"]
    _within_budget(path, width, height, max_pixels)
    return Header(width, height)


def jpeg_header(data: bytes, path: str, max_pixels: int | None = None) -> Header:
    """The frame size of a JPEG (from its start-of-frame segment); DataError when bad or over budget."""
    width, height, _ = _jpeg_frame(data, path)
    _within_budget(path, width, height, max_pixels)
    return Header(width, height)


def header(path: str, max_pixels: int | None = None) -> Header | None:
    """The header of a PNG, EXR or JPEG file (by extension) read from its first bytes; None for other types."""
    ext = path.rsplit(".", 1)[-1].lower()
    if ext == "png":
        return png_header(read_head(path, 33), path, max_pixels)
    if ext in ("jpg", "jpeg"):
        try:
            return jpeg_header(read_head(path, _EXR_HEAD_BYTES), path, max_pixels)
        except _Short:
            return jpeg_header(read_bytes(path), path, max_pixels)
    if ext == "exr":
        head = read_head(path, _EXR_HEAD_BYTES)
        try:
            return exr_header(head, path, max_pixels)
        except _Short:
            return exr_header(read_bytes(path), path, max_pixels)
    return None


def check_structure(path: str, max_pixels: int | None = None, crc: bool = False) -> None:
    """Raise DataError unless a PNG's chunks / an EXR's chunk offsets are whole and within the file.

    Decodes nothing: the cheap check for truncated or overwritten images. The file is memory-mapped
    and only chunk headers are looked at, unless ``crc`` (PNG chunk checksums: every byte is read,
    ~5 ms for a 1024² 16-bit image, so ``validate`` does it with ``--images`` only).
    Files of other types are only required to be readable regular files.
    """
    with mapped(path) as data:
        _check(data, path, max_pixels, crc)


def _check(data, path: str, max_pixels: int | None, crc: bool) -> None:
    ext = path.rsplit(".", 1)[-1].lower()
    if ext == "png":
        png_header(data[:64], path, max_pixels)
        _walk_png(data, path, crc)
    elif ext in ("exr", "jpg", "jpeg"):
        _check_whole(bytes(data), path, ext, max_pixels)  # their walks need the bytes (an EXR's offset table)


def _check_whole(data: bytes, path: str, ext: str, max_pixels: int | None) -> None:
    if ext == "exr":
        parts, table = _exr_parts(data, path)
        _within_budget(path, *parts[0]["size"], max_pixels)
        _check_exr_chunks(data, path, parts, table)
    else:
        jpeg_header(data, path, max_pixels)
        if not data.rstrip(b"\0").endswith(b"\xff\xd9"):
            raise DataError(path, "truncated JPEG: no end-of-image marker")


def _within_budget(path: str, width: int, height: int, max_pixels: int | None) -> None:
    budget = MAX_PIXELS if max_pixels is None else max_pixels
    if width * height > budget:
        raise DataError(path, f"image header claims {width}x{height} pixels, more than the {budget}-pixel budget")


def _walk_png(data, path: str, crc: bool) -> None:
    pos, seen_idat = 8, False
    while True:
        if pos + 12 > len(data):
            raise DataError(path, f"truncated PNG: chunk at byte {pos} runs past the end ({len(data)} bytes) before IEND")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise DataError(path, f"truncated PNG: {kind!r} chunk at byte {pos} claims {length} bytes, past the end")
        if crc and zlib.crc32(data[pos + 4:end - 4]) != struct.unpack(">I", data[end - 4:end])[0]:
            raise DataError(path, f"corrupt PNG: CRC mismatch in the {kind!r} chunk at byte {pos}")
        seen_idat |= kind == b"IDAT"
        if kind == b"IEND":
            break
        pos = end
    if not seen_idat:
        raise DataError(path, "corrupt PNG: no image data (IDAT)")


class _Short(DataError):
    """The header runs past the bytes given (only a prefix of the file may have been read)."""


def _jpeg_frame(data: bytes, path: str) -> tuple[int, int, int]:
    """(width, height, offset) of the start-of-frame segment, walking the segments before it."""
    if not data.startswith(JPEG_MAGIC):
        raise DataError(path, "empty file" if not data else "not a JPEG file (bad signature)")
    pos = 2
    while True:
        while pos < len(data) and data[pos] == 0xFF and pos + 1 < len(data) and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        if pos + 4 > len(data):
            raise _Short(path, "truncated JPEG: no frame header")
        if data[pos] != 0xFF:
            raise DataError(path, f"corrupt JPEG: no segment marker at byte {pos}")
        marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in _JPEG_SOF:
            if pos + 9 > len(data):
                raise _Short(path, "truncated JPEG frame header")
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            if width == 0 or height == 0:
                raise DataError(path, f"unsupported JPEG frame ({width}x{height})")
            return width, height, pos
        if marker == 0xDA or length < 2:
            raise DataError(path, "corrupt JPEG: image data before the frame header")
        pos += 2 + length


def _exr_parts(data: bytes, path: str) -> tuple[list[dict], int]:
    """Each part's attributes of interest and the offset of the first offset table."""
    if len(data) < 8 or not data.startswith(EXR_MAGIC):
        raise DataError(path, "empty file" if not data else "not an EXR file (bad magic number)")
    flags = struct.unpack("<I", data[4:8])[0]
    pos, parts = 8, []
    max_name = 255 if flags & _EXR_LONG_NAMES else 31
    while True:
        part: dict = {"tiled": bool(flags & _EXR_TILED), "deep": bool(flags & _EXR_DEEP)}
        while True:
            name, pos = _cstring(data, pos, path, max_name)
            if not name:
                break
            kind, pos = _cstring(data, pos, path, max_name)
            if pos + 4 > len(data):
                raise _Short(path, "truncated EXR header")
            size = struct.unpack("<i", data[pos:pos + 4])[0]
            pos += 4
            if size < 0 or pos + size > len(data):
                raise _Short(path, f"truncated EXR header (attribute {name!r})")
            _attribute(part, name, kind, data[pos:pos + size], path)
            pos += size
        if "size" not in part:
            if parts and flags & _EXR_MULTIPART:
                break  # the empty header that ends a multi-part file's headers
            raise DataError(path, "EXR header has no dataWindow")
        parts.append(part)
        if not flags & _EXR_MULTIPART:
            break
    return parts, pos


def _cstring(data: bytes, pos: int, path: str, limit: int) -> tuple[str, int]:
    end = data.find(b"\0", pos, pos + limit + 1)
    if end < 0:
        if len(data) - pos <= limit:
            raise _Short(path, "truncated EXR header")
        raise DataError(path, "corrupt EXR header (attribute name too long)")
    return data[pos:end].decode("latin-1"), end + 1


def _attribute(part: dict, name: str, kind: str, value: bytes, path: str) -> None:
    if name == "dataWindow" and kind == "box2i" and len(value) == 16:
        x0, y0, x1, y1 = struct.unpack("<4i", value)
        if x1 < x0 or y1 < y0:
            raise DataError(path, f"EXR dataWindow is empty ({x0},{y0})-({x1},{y1})")
        part["size"] = (x1 - x0 + 1, y1 - y0 + 1)
    elif name == "compression" and kind == "compression" and len(value) == 1:
        part["compression"] = value[0]
    elif name == "chunkCount" and kind == "int" and len(value) == 4:
        part["chunks"] = struct.unpack("<i", value)[0]
    elif name == "tiles" and kind == "tiledesc" and len(value) == 9:
        part["tile"] = struct.unpack("<IIB", value)
    elif name == "type" and kind == "string":
        part["tiled"] = value.startswith(b"tiled")
        part["deep"] = value.startswith(b"deep")


def _chunk_count(part: dict) -> int | None:
    if "chunks" in part:
        return part["chunks"]
    width, height = part["size"]
    if not part["tiled"]:
        lines = _EXR_LINES.get(part.get("compression", 0))
        return None if lines is None else -(-height // lines)
    tile = part.get("tile")
    if tile is None or tile[2] & 0x0F != 0 or not tile[0] or not tile[1]:
        return None  # mip/rip-mapped levels: not counted here
    return -(-width // tile[0]) * -(-height // tile[1])


def _check_exr_chunks(data: bytes, path: str, parts: list[dict], table: int) -> None:
    """Every chunk offset lands inside the file, and each chunk's data ends inside it."""
    counts = [_chunk_count(p) for p in parts]
    if any(c is None or c < 0 for c in counts):
        return  # layouts this check does not model: the header was still parsed
    multipart = len(parts) > 1
    for part, count in zip(parts, counts):
        end = table + 8 * count
        if end > len(data):
            raise DataError(path, f"truncated EXR: the chunk offset table ends past the end ({len(data)} bytes)")
        offsets = struct.unpack(f"<{count}Q", data[table:end])
        prefix = (4 if multipart else 0) + (16 if part["tiled"] else 4)
        for i, off in enumerate(offsets):
            if off < end or off + prefix + 4 > len(data):
                raise DataError(path, f"truncated EXR: chunk {i} of {count} is missing (offset {off}, file {len(data)} bytes)")
            if part["deep"]:
                continue
            size = struct.unpack("<i", data[off + prefix:off + prefix + 4])[0]
            if size < 0 or off + prefix + 4 + size > len(data):
                raise DataError(path, f"truncated EXR: chunk {i} of {count} runs past the end of the file")
        table = end
