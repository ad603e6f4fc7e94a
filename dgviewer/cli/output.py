"""Where the command line writes: stdout for ``-``, else a file replaced atomically (core.fsio.atomic_write)."""
from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from typing import IO, Iterator

from ..core.errors import DgviewerError
from ..core.fsio import atomic_write


class CannotWrite(DgviewerError):
    """An output file that cannot be written (exit status 2: the data was fine, the place was not)."""

    def __init__(self, path: str, error: OSError):
        super().__init__(f"cannot write {path}: {error.strerror or error}")


@contextmanager
def output(path: str) -> Iterator[IO[str]]:
    """A text stream for ``path``: stdout for ``-``; else the text lands in the file once the block succeeds.

    A report is written in full to memory first, so a failure part-way leaves the old file, never half a new one.
    """
    if path == "-":
        yield sys.stdout
        return
    text = io.StringIO(newline="")  # "" keeps the CSV writer's \r\n as written, as open(newline="") did
    yield text
    write_file(path, text.getvalue())


def write_file(path: str, data: str | bytes) -> None:
    try:
        atomic_write(path, data)
    except OSError as e:
        raise CannotWrite(path, e) from None
