"""Distributions of facts over datapoints: the Statistics panel, ``dgviewer stats`` and its HTML page.

Two halves. :func:`fact_columns` is the one data source (key → one value list per datapoint,
the values a filter term on that key compares, read through :func:`filters.values_of`); swap
it for another source (a columnar facts index) and nothing else changes. :func:`distribution`
and below are format-free arithmetic over such columns: counts per value for categorical facts,
bins for numeric ones. A datapoint counts once per value (or bin) it has, so a bar's count is
the number of datapoints its ``key=value`` filter term keeps.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from .filters import KEYS, Facts, values_of

#: The generic keys charted for every dataset (review and finding only when decisions / findings exist).
GENERIC = ("camera", "scene", "has", "review", "finding")
#: Whole numbers with more distinct values than this are drawn as a histogram; fewer as bars (objects=0..5).
#: Fractional numbers (angles, distances) always are.
HISTOGRAM_ABOVE = 12
BINS = 20
#: Bars kept per categorical fact (the most frequent); the rest are summed as ``other``.
TOP = 30

Columns = dict[str, list[list]]


def stat_keys(fact_keys: Iterable[str], reviews: bool = False, findings: bool = False) -> list[str]:
    """The keys to chart: the generic ones that apply, then the facts the readers declare."""
    generic = [k for k in GENERIC if (k != "review" or reviews) and (k != "finding" or findings)]
    return generic + [k for k in fact_keys if k not in generic and k not in KEYS]


def fact_columns(datapoints: Sequence, keys: Sequence[str], reviews=None, findings: Mapping | None = None,
                 facts: Facts | None = None, cancelled: Callable[[], bool] | None = None) -> Columns | None:
    """Key → the values of each datapoint (one list per datapoint, in order); None when ``cancelled``.

    A fact that costs a file read (an actor file, a capture record) is read once per datapoint for all
    keys through ``facts`` (share the filter's to read nothing twice). Runs on a worker thread.
    """
    facts = facts or Facts()
    columns: Columns = {k: [] for k in keys}
    for i, dp in enumerate(datapoints):
        if cancelled is not None and i % 64 == 0 and cancelled():
            return None
        for k in keys:
            columns[k].append([v for v in values_of(dp, k, reviews, findings, facts) if v is not None])
    return columns


def summarize(datapoints: Sequence, fact_keys: Iterable[str], reviews=None, findings: Mapping | None = None,
              facts: Facts | None = None, cancelled: Callable[[], bool] | None = None) -> dict | None:
    """The distribution of every chartable key over ``datapoints`` (what the panel, ``stats`` and ``validate`` show)."""
    keys = stat_keys(fact_keys, reviews is not None, findings is not None)
    columns = fact_columns(datapoints, keys, reviews, findings, facts, cancelled)
    return None if columns is None else distributions(columns)


@dataclass
class Distribution:
    """How one fact's values spread over the datapoints."""

    key: str
    kind: str  # "counts" (categorical) or "histogram"
    datapoints: int  # how many were looked at
    missing: int  # of those, how many have no value
    counts: dict[str, int] = field(default_factory=dict)  # kind "counts": value → datapoints, most first
    other: int = 0  # datapoints counted under values beyond the TOP shown
    edges: list[float] = field(default_factory=list)  # kind "histogram": bin edges (bins + 1)
    bins: list[int] = field(default_factory=list)  # datapoints with a value in each bin

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "datapoints": self.datapoints, "missing": self.missing}
        if self.kind == "counts":
            out.update(counts=self.counts, other=self.other)
        else:
            out.update(edges=self.edges, bins=self.bins)
        return out


def _number(v) -> float | None:
    if isinstance(v, bool):
        return None
    try:
        n = float(v)
    except (TypeError, ValueError):
        return None
    return n if np.isfinite(n) else None


def _text(v) -> str:
    n = _number(v)
    return f"{n:g}" if n is not None and n == int(n) and abs(n) < 1e15 else str(v)


def distribution(key: str, column: Sequence[Sequence]) -> Distribution:
    """Counts (categorical, or few distinct numbers) or histogram bins of one column."""
    flat = [v for values in column for v in values]
    numbers = [_number(v) for v in flat]
    numeric = bool(flat) and all(n is not None for n in numbers)
    missing = sum(1 for values in column if not values)
    if numeric and (len(set(numbers)) > HISTOGRAM_ABOVE or any(n != int(n) for n in numbers)):
        return _histogram(key, column, np.asarray(numbers, float), missing)
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}  # case-folded → first spelling seen (filters compare without case)
    for values in column:
        for text in {_text(v).lower(): _text(v) for v in values}.items():
            fold, spelt = text
            shown.setdefault(fold, spelt)
            counts[fold] = counts.get(fold, 0) + 1
    if numeric:
        order = sorted(counts, key=float)
    else:
        order = sorted(counts, key=lambda k: (-counts[k], k))
    kept = order[:TOP]
    return Distribution(key, "counts", len(column), missing, {shown[k]: counts[k] for k in kept},
                        sum(counts[k] for k in order[TOP:]))


def _histogram(key: str, column: Sequence[Sequence], numbers: np.ndarray, missing: int) -> Distribution:
    edges = np.histogram_bin_edges(numbers, bins=min(BINS, max(5, len(np.unique(numbers)))))
    bins = np.zeros(len(edges) - 1, int)
    for values in column:
        ns = np.array([n for n in map(_number, values) if n is not None])
        if ns.size:
            # np.histogram's bins: half-open, the last closed; a datapoint counts once per bin it reaches
            idx = np.clip(np.searchsorted(edges, ns, side="right") - 1, 0, len(bins) - 1)
            bins[np.unique(idx)] += 1
    return Distribution(key, "histogram", len(column), missing, edges=[float(e) for e in edges],
                        bins=[int(b) for b in bins])


def distributions(columns: Columns) -> dict[str, Distribution]:
    """Every column's distribution, keys in the columns' order; facts no datapoint has are left out."""
    out = {k: distribution(k, col) for k, col in columns.items()}
    return {k: d for k, d in out.items() if d.missing < d.datapoints}


# -- filter terms a chart adds ----------------------------------------------------------------
def equal_term(key: str, value: str) -> str:
    """The term a bar stands for (quoted when the value has spaces)."""
    return shlex.quote(f"{key}={value}")


def range_terms(key: str, low: float, high: float) -> str:
    """The terms a dragged range stands for; the bounds are written short, but never inside the range."""
    lo, hi = f"{low:.6g}", f"{high:.6g}"
    lo = lo if float(lo) <= low else repr(float(low))
    hi = hi if float(hi) >= high else repr(float(high))
    return f"{key}>={lo} {key}<={hi}"


def refine(text: str, key: str, terms: str) -> str:
    """``text`` with ``terms`` added, replacing earlier terms on the same key (a new bar or range replaces the old)."""
    try:
        words = shlex.split(text)
    except ValueError:  # an unfinished quote: keep the text as it is
        return f"{text} {terms}".strip()
    kept = [w for w in words if not _on_key(w, key)]
    return " ".join([*map(shlex.quote, kept), terms]).strip()


def _on_key(word: str, key: str) -> bool:
    head = word[:len(key)]
    return head.lower() == key.lower() and word[len(key):len(key) + 1] in ("=", "!", "~", ">", "<")
