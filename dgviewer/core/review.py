"""Per-datapoint review decisions (pass / fail / flag with a reason), saved on every change.

Where reviews live
    One file per dataset folder, **beside** it: ``/data/faces`` →
    ``/data/faces.dgviewer-review.jsonl``. When that place cannot be written
    (read-only volume, no permission), the file goes to the user's data folder
    instead: ``$XDG_DATA_HOME/dgviewer/reviews/<folder name>-<hash of its
    absolute path>.jsonl`` (``~/.local/share`` without XDG_DATA_HOME,
    ``%LOCALAPPDATA%`` on Windows). A folder (``/data``) without a write bit
    in its mode goes there from the start: root could write into it, but it
    was made read-only to be left alone. Opening a dataset reads both places and
    keeps the newer decision per datapoint, so moving between them loses
    nothing. Nothing is ever written inside the dataset folder. A dataset opened
    by URL (``s3://bucket/faces``) has nothing beside it to write to: its file is
    always the one in the user's data folder, named from the URL.

The file
    JSON Lines: a constant header line, then one line per datapoint sorted by
    id, e.g.::

        {"format": "dgviewer-review", "version": 1}
        {"id": "scene_00001/camera_1/visible_spectrum_01.png", "state": "flag", "reason": "eyes closed", "reviewer": "ana", "time": "2024-05-02T09:14:03.120+00:00"}

    Ids are the datapoint ids *relative to the dataset folder* (the id without
    its first component), so the file does not depend on which other folders
    were opened alongside, and two reviewers' files of one folder merge line by
    line in git. A cleared decision stays as ``"state": "cleared"`` so a merge
    does not resurrect it. :func:`merge_files` (``dgviewer review merge``)
    resolves a datapoint decided in both files by the later ``time``.

Every change rewrites the file atomically: a temporary file in the same
folder, flush, fsync, ``os.replace``, fsync of the folder. A crash at any
moment leaves either the old or the new file, never a mix.
"""
from __future__ import annotations

import csv
import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from . import storage
from .errors import DataError
from .fsio import atomic_write, file_lock, remove_stale_temporaries, user_data_dir

PASS, FAIL, FLAG = "pass", "fail", "flag"
STATES = (PASS, FAIL, FLAG)
#: What :meth:`ReviewStore.state` answers for a datapoint without a decision.
UNREVIEWED = "unreviewed"
#: Written for a cleared decision (a tombstone that wins merges against older decisions).
CLEARED = "cleared"

SIDECAR_SUFFIX = ".dgviewer-review.jsonl"
HEADER = {"format": "dgviewer-review", "version": 1}
T = TypeVar("T")


@dataclass(frozen=True)
class Review:
    id: str  # relative to the dataset folder
    state: str  # pass, fail, flag or cleared
    reason: str = ""
    reviewer: str = ""
    time: str = ""  # ISO 8601 UTC with milliseconds: compares as text

    def as_dict(self) -> dict:
        return {"id": self.id, "state": self.state, "reason": self.reason, "reviewer": self.reviewer, "time": self.time}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _newer(a: Review | None, b: Review) -> Review:
    """The decision to keep of two for one datapoint: the later; ``a`` on a tie."""
    return b if a is None or b.time > a.time else a


# -- locations ------------------------------------------------------------------
def sidecar_path(root: str) -> str:
    """The review file beside the dataset folder ``root``; for a URL, the one in the user's data folder."""
    if storage.is_url(root):
        return fallback_path(root)
    root = os.path.abspath(root).rstrip(os.sep) or os.sep
    return root + SIDECAR_SUFFIX


def fallback_path(root: str, data_dir: str | None = None) -> str:
    """The review file for ``root`` in the user's data folder (when beside it is not writable)."""
    root = storage.abspath(root)
    digest = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = os.path.basename(root.rstrip(os.sep)) or "dataset"
    return os.path.join(data_dir or user_data_dir(), "reviews", f"{name}-{digest}.jsonl")


# -- the file -------------------------------------------------------------------
def read_file(path: str) -> dict[str, Review]:
    """Decisions in a review file by relative id ({} when it does not exist); DataError when it is corrupt."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (FileNotFoundError, IsADirectoryError):  # a folder in its place is no review file (and unwritable)
        return {}
    except OSError as e:
        raise DataError(path, f"cannot read: {e.strerror or e}") from None
    out: dict[str, Review] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except ValueError as e:
            raise DataError(path, f"line {n}: invalid JSON ({e})") from None
        if n == 1 and d.get("format") == HEADER["format"]:
            continue
        if not isinstance(d, dict) or not isinstance(d.get("id"), str) or d.get("state") not in STATES + (CLEARED,):
            raise DataError(path, f"line {n}: expected an object with an id and a state in {STATES + (CLEARED,)}")
        r = Review(d["id"], d["state"], *(str(d.get(k) or "") for k in ("reason", "reviewer", "time")))
        out[r.id] = _newer(out.get(r.id), r)
    return out


def _render(reviews: Mapping[str, Review]) -> str:
    lines = [json.dumps(HEADER)]
    lines += [json.dumps(reviews[k].as_dict(), ensure_ascii=False) for k in sorted(reviews)]
    return "\n".join(lines) + "\n"


class _RootFile:
    """The decisions of one dataset folder and where they are saved."""

    def __init__(self, root: str, data_dir: str | None):
        self.root = root
        self.fallback = fallback_path(root, data_dir)
        self.beside = self.fallback if storage.is_url(root) else sidecar_path(root)
        read_only = self.beside != self.fallback and not _writable_folder(os.path.dirname(self.beside))
        self.reviews: dict[str, Review] = {}
        for p in (self.beside, self.fallback):
            if not (read_only and p == self.beside):  # a read-only folder is not even cleaned up
                remove_stale_temporaries(p)
            for r in read_file(p).values():
                self.reviews[r.id] = _newer(self.reviews.get(r.id), r)
        moved = not os.path.exists(self.beside) and os.path.exists(self.fallback)
        self.path = self.fallback if read_only or moved else self.beside  # save() may still switch to fallback
        self._seen = self._stat()

    def _stat(self):
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def save(self) -> None:
        if self.path == self.fallback:  # a URL's file, or one already moved there
            os.makedirs(os.path.dirname(self.fallback), exist_ok=True)
        try:
            self._save_locked()
        except OSError:
            if self.path == self.fallback:
                raise
            self.path = self.fallback
            os.makedirs(os.path.dirname(self.fallback), exist_ok=True)
            self._save_locked()

    def _save_locked(self) -> None:
        # Another process (a second window, the CLI) may save the same file: under one lock, merge what it
        # saved since we last read, write, and note the identity of the file we wrote (not of a later one).
        with file_lock(self.path):
            if self._stat() != self._seen:
                for r in read_file(self.path).values():
                    self.reviews[r.id] = _newer(self.reviews.get(r.id), r)
            atomic_write(self.path, _render(self.reviews))
            self._seen = self._stat()


class ReviewStore:
    """Review decisions for the datapoints of one or more dataset folders.

    ``roots`` maps each dataset name (the first component of datapoint ids) to
    its folder; :meth:`for_dataset` builds it from a loaded Dataset. All
    methods take full datapoint ids (``dp.id``).
    """

    def __init__(self, roots: Mapping[str, str], reviewer: str | None = None, data_dir: str | None = None):
        self.reviewer = reviewer or _user()
        files: dict[str, _RootFile] = {}
        self._files: dict[str, _RootFile] = {}
        for name, root in roots.items():
            root = storage.abspath(root)
            if root not in files:
                files[root] = _RootFile(root, data_dir)
            self._files[name] = files[root]  # a folder opened twice shares one file

    @classmethod
    def for_dataset(cls, ds, reviewer: str | None = None, data_dir: str | None = None) -> "ReviewStore":
        return cls(dataset_roots(ds), reviewer=reviewer, data_dir=data_dir)

    @property
    def paths(self) -> list[str]:
        """Where each folder's decisions are saved (beside it, or the fallback in the user's data folder)."""
        return sorted({f.path for f in self._files.values()})

    def _split(self, dp_id: str) -> tuple[_RootFile, str]:
        name, _, rel = dp_id.partition("/")
        f = self._files.get(name)
        if f is None or not rel:
            raise KeyError(f"{dp_id!r} is not a datapoint id of this review store's folders")
        return f, rel

    # -- reading ----------------------------------------------------------------
    def get(self, dp_id: str) -> Review | None:
        """The decision for a datapoint (with its relative id), or None when it has none."""
        f, rel = self._split(dp_id)
        r = f.reviews.get(rel)
        return None if r is None or r.state == CLEARED else r

    def state(self, dp_id: str) -> str:
        """pass, fail, flag or unreviewed."""
        r = self.get(dp_id)
        return r.state if r else UNREVIEWED

    def counts(self, dp_ids: Iterable[str]) -> dict[str, int]:
        """How many of these datapoints are in each state (for a tree node: pass its datapoints' ids)."""
        out = dict.fromkeys(STATES + (UNREVIEWED,), 0)
        for i in dp_ids:
            out[self.state(i)] += 1
        return out

    def decided(self) -> Iterator[tuple[str, str]]:
        """(datapoint id, state) of every decision: tallies over many datapoints walk these, not the datapoints."""
        for name, f in self._files.items():
            for rel, r in f.reviews.items():
                if r.state != CLEARED:
                    yield f"{name}/{rel}", r.state

    def next_unreviewed(self, order: Sequence[T], start: int = 0, key: Callable[[T], str] | None = None) -> T | None:
        """The first unreviewed item of ``order`` from position ``start`` on, wrapping around; None when all are
        reviewed. Items are distinct datapoint ids, or what ``key`` takes one from. Each item passed over has
        a decision, so this reads at most as many items as there are decisions, however long ``order`` is."""
        n = len(order)
        for k in range(n):
            item = order[(start + k) % n]
            if self.get(item if key is None else key(item)) is None:
                return item
        return None

    # -- changing (each call is saved before it returns) --------------------------
    def set(self, dp_id: str, state: str, reason: str = "") -> Review:
        if state not in STATES:
            raise ValueError(f"review state must be one of {STATES}, not {state!r}")
        reason = " ".join(reason.split())
        if state == FLAG and not reason:
            raise ValueError("a flag needs a reason")
        return self._put(dp_id, state, reason)

    def mark_pass(self, dp_id: str) -> Review:
        return self.set(dp_id, PASS)

    def mark_fail(self, dp_id: str, reason: str = "") -> Review:
        return self.set(dp_id, FAIL, reason)

    def flag(self, dp_id: str, reason: str) -> Review:
        return self.set(dp_id, FLAG, reason)

    def clear(self, dp_id: str) -> None:
        f, rel = self._split(dp_id)
        if rel in f.reviews and f.reviews[rel].state != CLEARED:
            self._put(dp_id, CLEARED, "")

    def _put(self, dp_id: str, state: str, reason: str) -> Review:
        f, rel = self._split(dp_id)
        r = Review(rel, state, reason, self.reviewer, _now())
        f.reviews[rel] = r
        f.save()
        return r

    # -- export -------------------------------------------------------------------
    def export_csv(self, out: IO[str], datapoints: Iterable) -> int:
        """One row per datapoint (reviewed or not), in the given order; returns the row count."""
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["id", "scene", "camera", "state", "reason", "reviewer", "time"])
        n = 0
        for dp in datapoints:
            r = self.get(dp.id)
            w.writerow([dp.id, dp.scene_node.name, dp.camera_node.name, r.state if r else UNREVIEWED,
                        r.reason if r else "", r.reviewer if r else "", r.time if r else ""])
            n += 1
        return n


def dataset_roots(ds) -> dict[str, str]:
    """Dataset name (first id component) → folder, for every folder of a loaded Dataset (known before it is listed)."""
    return dict(ds.folders)


def merge_files(paths: list[str], out: str) -> list[str]:
    """Merge review files into ``out`` (which may be one of them); returns the relative ids decided differently.

    A datapoint decided in several files keeps the decision with the latest time.
    Usable as a git merge driver: ``dgviewer review merge %A %B -o %A``.
    """
    merged: dict[str, Review] = {}
    decisions: dict[str, set] = {}
    for p in paths:
        for r in read_file(p).values():
            merged[r.id] = _newer(merged.get(r.id), r)
            decisions.setdefault(r.id, set()).add((r.state, r.reason))
    atomic_write(out, _render(merged))
    return sorted(i for i, d in decisions.items() if len(d) > 1)


def _writable_folder(folder: str) -> bool:
    """Whether a review file may be written in ``folder``: a write bit in its mode (which root ignores: a
    folder made read-only stays untouched by a reviewer running as root) and access() saying so."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return False
    return mode & 0o222 != 0 and os.access(folder, os.W_OK)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): reviews are still valid without one
        return ""
