"""File names from a dataset's JSON, resolved inside the dataset folder only.

A ``filename`` is data, not a path to trust: one with ``..`` or an absolute
path that leads outside the folder the user opened is refused (the check is
lexical, so symlinks the dataset itself contains keep working). Existence is
answered from one cached listing per folder, so indexing 100k captures lists a
handful of folders instead of stat-ing 100k files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ...core import storage

IMAGE_EXTENSIONS = (".png", ".exr", ".jpg", ".jpeg")


@dataclass(frozen=True)
class Resolved:
    path: str | None  # absolute path, None when refused
    exists: bool
    error: str | None  # why the reference is unusable, for a per-datapoint problem


class DatasetFiles:
    def __init__(self, root: str):
        self.root = storage.normpath(storage.abspath(root))
        self._listings: dict[str, frozenset[str]] = {}

    def inside(self, path: str) -> bool:
        path = storage.normpath(path)
        return path == self.root or path.startswith(self.root.rstrip(os.sep) + os.sep)

    def listing(self, folder: str) -> frozenset[str]:
        """Names in ``folder`` (empty when unreadable). Index-time only, so no lock."""
        names = self._listings.get(folder)
        if names is None:
            try:
                names = frozenset(storage.listdir(folder))
            except OSError:
                names = frozenset()
            self._listings[folder] = names
        return names

    def exists(self, path: str) -> bool:
        return os.path.basename(path) in self.listing(os.path.dirname(path))

    def resolve(self, name, bases: list[str]) -> Resolved:
        """``name`` against each base in turn: the first existing candidate wins, else the first allowed one."""
        if not isinstance(name, str) or not name.strip():
            return Resolved(None, False, f"file name {name!r} is not usable")
        if len(bases) == 1 and "/" not in name and "\\" not in name and name not in (".", ".."):
            # A bare name in its folder (every SOLO reference): nothing to normalise, no way out.
            path = os.path.join(bases[0], name)
            found = name in self.listing(bases[0])
            return Resolved(path, found, None if found else f"file not found: {name}")
        rel = name.replace("\\", "/")  # written on Windows
        if storage.isabs(rel):
            candidates = [storage.normpath(rel)]
        else:
            candidates = [storage.normpath(os.path.join(b, rel)) for b in bases]
        allowed = [c for c in candidates if self.inside(c)]
        if not allowed:
            return Resolved(None, False, f"file name {name!r} points outside the dataset folder; refused")
        for c in allowed:
            if self.exists(c):
                return Resolved(c, True, None)
        return Resolved(allowed[0], False, f"file not found: {name}")

    def relative(self, path: str) -> str:
        return storage.relpath(path, self.root)


def is_image(name) -> bool:
    return isinstance(name, str) and name.lower().endswith(IMAGE_EXTENSIONS)

