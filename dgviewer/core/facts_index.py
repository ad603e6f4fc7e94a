"""The facts index: every datapoint's filterable facts in columns, saved in the user cache folder.

A column holds one key's values for every datapoint, several per datapoint where it has several (Perception
labels): a dictionary of the distinct values (as text: a value filters the same as its ``str()``), a code per
value and an offset per datapoint (Arrow's list layout), plus, for a reader's fact, whether the datapoint's reader
gave the key at all (when it did not, filters fall back to the cheap index facts, as per datapoint).

Kinds of column: ``generic`` (name, dataset, scene, camera, has; ``id`` is the row order itself), ``fact`` (a key
a reader gave through ``Datapoint.facts``) and ``meta`` (a dotted path of the datapoint's, camera's or scene's
cheap index facts). Review decisions and QA findings change while the viewer runs: they are never stored here,
filters join them at query time (core/facts_query.py).

Stored as one uncompressed ``.npz`` (NumPy arrays plus a JSON header), written atomically under
``user_cache_dir()/facts/``, named after the dataset's roots; :func:`fingerprint` tells whether it is stale.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import orjson

from . import courtesy, storage
from .errors import DgviewerError
from .filters import KEYS, cheap_meta, key_is, number
from .fsio import atomic_write, user_cache_dir
from .sorting import sorted_in_steps

#: Bump when the layout or what is extracted changes: older files are rebuilt.
FORMAT = 2
#: Datapoint ids stored per part (each part is parsed in one call that holds the GIL).
IDS_STEP = 1 << 14
GENERIC = ("name", "dataset", "scene", "camera", "has")


@dataclass
class Column:
    """One key's values: ``texts[codes[offsets[i]:offsets[i + 1]]]`` are datapoint i's."""

    kind: str  # "generic", "fact" or "meta"
    key: str
    texts: list[str]
    codes: np.ndarray  # int32, into texts
    offsets: np.ndarray  # int64, one more than datapoints
    given: np.ndarray | None = None  # bool per datapoint (facts only): whether its reader gave this key
    _lower: list[str] | None = field(default=None, repr=False)
    _numbers: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def from_lists(cls, kind: str, key: str, lists: Sequence[Sequence[Any] | None]) -> Column:
        """From each datapoint's values (None: not given), in row order."""
        columns = Columns(len(lists))
        columns.add(0, [{(kind, key): values} for values in lists])
        built = columns.build()
        if not built:  # no rows at all
            return cls(kind, key, [], np.zeros(0, np.int32), np.zeros(1, np.int64),
                       np.zeros(0, bool) if kind == "fact" else None)
        return built[(kind, key)]

    def values(self, row: int) -> list[str]:
        return [self.texts[c] for c in self.codes[self.offsets[row]:self.offsets[row + 1]]]

    @property
    def lower(self) -> list[str]:
        if self._lower is None:
            self._lower = [t.lower() for t in self.texts]
        return self._lower

    @property
    def numbers(self) -> np.ndarray:
        """Each distinct value as a float, NaN where it is not a number."""
        if self._numbers is None:
            self._numbers = np.array([n if (n := number(t)) is not None else np.nan for t in self.texts], np.float64)
        return self._numbers

    def any(self, hits: np.ndarray) -> np.ndarray:
        """Per datapoint: whether any of its values is a hit (``hits``: bool per distinct value)."""
        total = np.zeros(len(self.codes) + 1, np.int64)
        if len(self.codes):
            np.cumsum(hits[self.codes], out=total[1:])
        return total[self.offsets[1:]] > total[self.offsets[:-1]]


class Columns:
    """Columns of ``n`` rows filled a batch of rows at a time, batches in any order: each batch is encoded as
    it comes (value dictionaries shared by all batches) and its rows can go, rather than a million row dicts
    (about a kilobyte each) held in the viewer until the end of the build."""

    def __init__(self, n: int):
        self.n = n
        self._texts: dict[tuple[str, str], dict[str, int]] = {}
        self._counts: dict[tuple[str, str], np.ndarray] = {}  # values per row (int32)
        self._given: dict[tuple[str, str], np.ndarray] = {}  # whether the row has the key at all
        self._codes: dict[tuple[str, str], list[tuple[int, np.ndarray]]] = {}  # (first row, codes) per batch

    def add(self, start: int, rows: Sequence[dict[tuple[str, str], Sequence[Any] | None]]) -> None:
        """Rows ``start`` to ``start + len(rows)``: each a (kind, key) → values (None: not given) mapping."""
        for key in {k for row in rows for k in row}:
            courtesy.give_way()  # a batch is a few milliseconds of Python in the viewer: a key at a time
            if key not in self._texts:
                self._texts[key], self._codes[key] = {}, []
                self._counts[key], self._given[key] = np.zeros(self.n, np.int32), np.zeros(self.n, bool)
            index, counts, given = self._texts[key], self._counts[key], self._given[key]
            codes: list[int] = []
            for i, row in enumerate(rows, start):
                values = row.get(key)
                if values is not None:
                    given[i] = True
                    if values:
                        codes.extend(index.setdefault(str(v), len(index)) for v in values)
                        counts[i] = len(values)
            self._codes[key].append((start, np.asarray(codes, np.int32)))

    def build(self) -> dict[tuple[str, str], Column]:
        out = {}
        for kind, key in sorted(self._texts):
            parts = sorted(self._codes[(kind, key)], key=lambda p: p[0])
            offsets = np.zeros(self.n + 1, np.int64)
            np.cumsum(self._counts[(kind, key)], out=offsets[1:])
            out[(kind, key)] = Column(kind, key, list(self._texts[(kind, key)]),
                                      np.concatenate([c for _, c in parts]), offsets,
                                      self._given[(kind, key)] if kind == "fact" else None)
        return out


@dataclass
class FactsIndex:
    """The facts of a dataset's datapoints, a row each, in dataset order.

    For other panels: :attr:`ids`, :attr:`keys`, :meth:`column` (values per datapoint), and
    ``facts_query.select(index, text)`` for a boolean mask over the rows.
    """

    ids: list[str]
    columns: dict[tuple[str, str], Column]  # (kind, key) → column
    fact_keys: dict[str, str]  # what the readers declare: key → description
    roots: dict[str, str]  # dataset name (first id component) → folder, for review decisions
    sources: list[str]  # the folders it was opened from (what the fingerprint covers)
    fingerprint: str = ""
    _rows: dict[str, int] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def keys(self) -> list[str]:
        """Every key a filter may name: generic, readers' facts, then cheap metadata paths."""
        facts = sorted({k for kind, k in self.columns if kind == "fact"} | set(self.fact_keys))
        meta = sorted(k for kind, k in self.columns if kind == "meta")
        return [*KEYS, *(k for k in facts if k not in KEYS), *(k for k in meta if k not in facts and k not in KEYS)]

    def knows(self, key: str) -> bool:
        """Whether ``key`` names something here (a meta path also by its last keys, as filters match it)."""
        return key in KEYS or key in self.fact_keys or ("fact", key) in self.columns or any(
            kind == "meta" and key_is(path, key) for kind, path in self.columns)

    def column(self, key: str) -> np.ndarray | list[list[str]]:
        """Values per datapoint: a float array when every datapoint has one number, a str array when one text,
        else a list of value lists. ``key`` is a generic key, a fact or a meta path; KeyError otherwise."""
        if key == "id":
            return np.array(self.ids, dtype=object)
        col = next((self.columns[k] for k in (("generic", key), ("fact", key), ("meta", key)) if k in self.columns),
                   None)
        if col is None:
            raise KeyError(key)
        if len(col.codes) == len(self.ids) and np.all(np.diff(col.offsets) == 1):
            nums = col.numbers[col.codes]
            return nums if not np.isnan(nums).any() else np.array(col.texts, dtype=object)[col.codes]
        return [col.values(i) for i in range(len(self.ids))]

    def row_of(self) -> dict[str, int]:
        """Datapoint id → row."""
        if self._rows is None:
            self._rows = {dp_id: i for i, dp_id in enumerate(self.ids)}
        return self._rows

    # -- building and storing ------------------------------------------------------------------
    @classmethod
    def from_rows(cls, ids: list[str], rows: Sequence[dict], fact_keys: dict[str, str], roots: dict[str, str],
                  sources: list[str], fingerprint: str) -> FactsIndex:
        """From :func:`datapoint_row` results, one per id, in row order."""
        columns = Columns(len(ids))
        columns.add(0, rows)
        return cls.from_columns(ids, columns, fact_keys, roots, sources, fingerprint)

    @classmethod
    def from_columns(cls, ids: list[str], columns: Columns, fact_keys: dict[str, str], roots: dict[str, str],
                     sources: list[str], fingerprint: str) -> FactsIndex:
        return cls(ids, columns.build(), fact_keys, roots, sources, fingerprint)

    def save(self, path: str) -> None:
        steps = range(0, len(self.ids), IDS_STEP)
        header = {"format": FORMAT, "id_parts": len(steps), "fact_keys": self.fact_keys, "roots": self.roots,
                  "sources": self.sources, "fingerprint": self.fingerprint,
                  "columns": [{"kind": c.kind, "key": c.key, "texts": c.texts} for c in self.columns.values()]}
        arrays = {"header": np.frombuffer(orjson.dumps(header), np.uint8)}
        for k, i in enumerate(steps):
            arrays[f"ids.{k}"] = np.frombuffer(orjson.dumps(self.ids[i:i + IDS_STEP]), np.uint8)
        for i, c in enumerate(self.columns.values()):
            arrays[f"{i}.codes"], arrays[f"{i}.offsets"] = c.codes, c.offsets
            if c.given is not None:
                arrays[f"{i}.given"] = c.given
        out = io.BytesIO()
        np.savez(out, **arrays)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, out.getvalue())

    @classmethod
    def load(cls, path: str) -> FactsIndex | None:
        """The index saved at ``path``, or None when there is none or it is unreadable or of an older format."""
        try:
            with np.load(path, allow_pickle=False) as z:
                header = orjson.loads(z["header"].tobytes())
                if header.get("format") != FORMAT:
                    return None
                ids: list[str] = []
                for k in range(header["id_parts"]):  # in parts: one parse of a million ids holds the GIL 0.24 s
                    courtesy.give_way()
                    ids.extend(orjson.loads(z[f"ids.{k}"].tobytes()))
                columns = {}
                for i, c in enumerate(header["columns"]):
                    given = z[f"{i}.given"] if f"{i}.given" in z.files else None
                    columns[(c["kind"], c["key"])] = Column(c["kind"], c["key"], c["texts"], z[f"{i}.codes"],
                                                            z[f"{i}.offsets"], given)
        except (OSError, ValueError, KeyError, orjson.JSONDecodeError):
            return None
        return cls(ids, columns, header["fact_keys"], header["roots"], header["sources"],
                   header["fingerprint"])


def datapoint_row(dp, fact_keys: Iterable[str]) -> dict[tuple[str, str], list]:
    """What the index stores of one datapoint: generic values, its reader's facts, its cheap index facts."""
    cam = dp.camera_node
    row: dict[tuple[str, str], list] = {
        ("generic", "name"): [dp.name], ("generic", "dataset"): [cam.scene.dataset_name],
        ("generic", "scene"): [cam.scene.name], ("generic", "camera"): [cam.name],
        ("generic", "has"): list(dp.modalities)}
    try:
        given = dp.facts(set(fact_keys))
    except DgviewerError:  # unreadable: nothing given, filters fall back to the cheap facts (as per datapoint)
        given = {}
    for key, values in given.items():
        row[("fact", key)] = [] if values is None else list(values)
    for path, value in cheap_meta(dp):
        row.setdefault(("meta", path), []).append(value)
    return row


def index_path(roots: Sequence[str], options: Iterable = ()) -> str:
    """Where the index of the dataset opened from ``roots`` (with ``dgviewer.load`` ``options``) is kept."""
    key = orjson.dumps([[r if storage.is_url(r) else os.path.realpath(r) for r in roots], sorted(map(list, options))])
    return os.path.join(user_cache_dir(), "facts", hashlib.blake2b(key, digest_size=16).hexdigest() + ".npz")


def fingerprint(roots: Sequence[str]) -> str:
    """A digest of each root's entries and the modification times of them and of their entries.

    Adding, removing or renaming a datapoint folder changes its parent's time; writing a file into a folder
    directly under a root (replacing it, as generators and atomic writers do) changes that folder's time.
    One ``stat`` per top-level entry, no deeper listing: cheap enough to check on every ``find``. A remote
    root (a URL) is listed whole anyway when opened: the digest covers every object's size and version.
    """
    h = hashlib.blake2b(digest_size=16)
    for root in roots:
        if storage.is_url(root):
            mounted = storage.mounted(root) or storage.mount(root)
            for url, (size, version) in sorted(mounted.files.items()):
                h.update(f"{url}\0{size}\0{version}\n".encode())
            continue
        real = os.path.realpath(root)
        try:
            st = os.stat(real)
            h.update(f"{real}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
            if not os.path.isdir(real):
                continue
            # Names only (a million directory entries held 350 MB), sorted without a long GIL hold.
            for i, name in enumerate(sorted_in_steps(os.listdir(real))):
                if not i & 1023:
                    courtesy.give_way()
                try:
                    h.update(f"{name}\0{os.lstat(os.path.join(real, name)).st_mtime_ns}\n".encode())
                except OSError:
                    h.update(f"{name}\0?\n".encode())
        except OSError:
            h.update(f"{real}\0missing\n".encode())
    return h.hexdigest()
