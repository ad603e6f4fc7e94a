"""Files that would hang, exhaust memory or recurse forever are refused with a clear DataError."""
from __future__ import annotations

import os

import pytest

from dgviewer.core import fsio
from dgviewer.core.errors import DataError
from dgviewer.core.jsonio import parse_file


def _special(tmp_path, kind: str) -> str:
    p = str(tmp_path / f"{kind}.json")
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "zero":
        os.symlink("/dev/zero", p)
    elif kind == "loop":
        os.symlink(p, p)
    elif kind == "folder":
        os.mkdir(p)
    elif kind == "deep":
        with open(p, "w") as f:
            f.write("[" * 100_000 + "]" * 100_000)
    return p


@pytest.mark.parametrize("kind, words", [("fifo", "FIFO"), ("zero", "device"), ("loop", "link loop"),
                                         ("folder", "folder"), ("deep", "nested too deeply")])
def test_json_readers_refuse_special_and_hostile_files(tmp_path, kind, words):
    p = _special(tmp_path, kind)
    with pytest.raises(DataError, match=words) as e:
        parse_file(p)
    assert e.value.file == p


def test_read_bytes_has_a_size_limit(tmp_path):
    p = tmp_path / "big.json"
    p.write_bytes(b" " * 2000)
    with pytest.raises(DataError, match="limit"):
        fsio.read_bytes(str(p), limit=1000)
    assert fsio.read_bytes(str(p), limit=2000) == b" " * 2000


def test_a_link_to_a_regular_file_elsewhere_is_followed(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text('{"a": 1}')
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert parse_file(str(link)) == {"a": 1}
