"""Two datasets compared datapoint by datapoint (``dgviewer diff``): matched by their ids relative to
each dataset folder, compared on a thread pool (PNG/EXR decoding and hashing release the GIL, and
most files are identical bytes that need no decoding at all)."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from .compare import DatapointDiff, compare_datapoints, relative_id
from .model import Dataset

#: Datapoints listed by name in the text summary per category (the JSON lists them all).
MAX_LISTED = 50


@dataclass
class DatasetDiff:
    a: list[str]  # the folders compared
    b: list[str]
    only_a: list[str] = field(default_factory=list)  # relative ids
    only_b: list[str] = field(default_factory=list)
    changed: list[DatapointDiff] = field(default_factory=list)
    compared: int = 0

    @property
    def differs(self) -> bool:
        return bool(self.only_a or self.only_b or self.changed)

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "compared": self.compared, "identical": not self.differs,
                "only_in_a": self.only_a, "only_in_b": self.only_b,
                "changed": [d.as_dict() for d in self.changed]}

    def summary_lines(self) -> list[str]:
        """What ``dgviewer diff`` prints: one line per difference, bounded per category."""
        out = [f"A: {' + '.join(self.a)}", f"B: {' + '.join(self.b)}"]
        for label, ids in (("only in A", self.only_a), ("only in B", self.only_b)):
            out += [f"{label}: {i}" for i in ids[:MAX_LISTED]]
            if len(ids) > MAX_LISTED:
                out.append(f"{label}: ... and {len(ids) - MAX_LISTED} more")
        for d in self.changed[:MAX_LISTED]:
            out += [f"{d.id}: {line}" for line in describe(d)]
        if len(self.changed) > MAX_LISTED:
            out.append(f"... and {len(self.changed) - MAX_LISTED} more changed datapoints (see --json)")
        out.append(self.verdict())
        return out

    def verdict(self) -> str:
        if not self.differs:
            return f"identical: {self.compared} datapoints compared"
        return (f"{self.compared} datapoints compared: {len(self.changed)} changed, "
                f"{len(self.only_a)} only in A, {len(self.only_b)} only in B")


def describe(d: DatapointDiff) -> list[str]:
    """One line per change of one datapoint."""
    out = []
    for c in d.images:
        if c.status == "changed":
            out.append(f"image {c.modality}: {c.fraction:.4%} of pixels changed, max |A-B| {c.max_abs:.6g}")
        elif c.status == "shape":
            out.append(f"image {c.modality}: {c.shape[0]} {c.dtype[0]} -> {c.shape[1]} {c.dtype[1]}")
        else:
            out.append(f"image {c.modality}: {c.status}{' (' + c.message + ')' if c.message else ''}")
    for k in d.keypoints:
        if k.status == "moved":
            out.append(f"keypoints {k.set}: {k.moved}/{k.total} moved, mean {k.mean_px:.3f} px, max {k.max_px:.3f} px")
        elif k.status == "count":
            out.append(f"keypoints {k.set}: the number of points changed (now {k.total})")
        else:
            out.append(f"keypoints {k.set}: {k.status}")
    for m in d.metadata:
        what = {"added": f"added {_short(m.new)}", "removed": f"removed {_short(m.old)}"}.get(
            m.status, f"{_short(m.old)} -> {_short(m.new)}")
        out.append(f"metadata {m.path}: {what}")
    if d.metadata_total > len(d.metadata):
        out.append(f"metadata: ... and {d.metadata_total - len(d.metadata)} more values changed")
    out += [f"error: {e}" for e in d.errors]
    return out


def _short(v, width: int = 60) -> str:
    text = repr(v)
    return text if len(text) <= width else text[:width - 1] + "…"


def diff_datasets(a: Dataset, b: Dataset, workers: int | None = None,
                  progress: Callable[[int, int], None] | None = None) -> DatasetDiff:
    """Every difference between ``a`` and ``b``, datapoints in A's tree order."""
    by_b = {relative_id(dp): dp for dp in b}
    ids_a = {relative_id(dp) for dp in a}
    out = DatasetDiff(list(a.roots), list(b.roots))
    out.only_a = [relative_id(dp) for dp in a if relative_id(dp) not in by_b]
    out.only_b = [relative_id(dp) for dp in b if relative_id(dp) not in ids_a]
    pairs = [(dp, by_b[relative_id(dp)]) for dp in a if relative_id(dp) in by_b]
    out.compared = len(pairs)
    roots = (a.roots, b.roots)
    with ThreadPoolExecutor(max_workers=workers or min(8, os.cpu_count() or 2)) as pool:
        for i, d in enumerate(pool.map(lambda p: compare_datapoints(*p, roots), pairs), 1):
            if d.differs:
                out.changed.append(d)
            if progress:
                progress(i, len(pairs))
    return out
