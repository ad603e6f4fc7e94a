"""Filter expressions evaluated over a :class:`~dgviewer.core.facts_index.FactsIndex`, a column at a time.

The same terms and answers as :func:`dgviewer.core.filters.compile_filter` evaluated per datapoint (a test compares
them): each term is tested once per distinct value of its column, then spread over the datapoints with NumPy.
A key the index does not know is a :class:`FilterError` listing the known ones, raised before any work. Review
decisions and QA findings are read live from the stores given.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

from .facts_index import GENERIC, Column, FactsIndex
from .filters import FilterError, Term, key_is, parse, value_test

_LIVE = ("review", "reason", "finding", "severity")


def check(text: str, knows: Callable[[str], bool], known: Callable[[], Sequence[str]], reviews=None,
          findings: Mapping | None = None) -> list[Term]:
    """The terms of ``text``, each key known to ``knows``; FilterError (listing ``known()``) otherwise."""
    terms = parse(text, reviews, findings)
    unknown = [t.key for t in terms if t.key is not None and t.key != "modality" and not knows(t.key)]
    if unknown:
        raise FilterError(f"filter: unknown key {unknown[0]!r}. Known keys: {', '.join(known())}")
    return terms


def select(index: FactsIndex, text: str, reviews=None, findings: Mapping | None = None,
           cancel: Callable[[], bool] | None = None) -> np.ndarray | None:
    """Boolean mask over the index's rows of the datapoints ``text`` keeps; None for an empty expression
    (or when ``cancel()`` turned True between terms)."""
    terms = check(text, index.knows, lambda: index.keys, reviews, findings)
    if not terms:
        return None
    mask = np.ones(len(index), bool)
    for term in terms:
        if cancel is not None and cancel():
            return None
        mask &= _term(index, term, reviews, findings)
    return mask


def selected_ids(index: FactsIndex, text: str, reviews=None, findings: Mapping | None = None) -> list[str]:
    """The ids ``text`` keeps, in row order (every id for an empty expression)."""
    mask = select(index, text, reviews, findings)
    return list(index.ids) if mask is None else [index.ids[i] for i in np.flatnonzero(mask)]


def _term(index: FactsIndex, term: Term, reviews, findings) -> np.ndarray:
    if term.key is None:
        needle = term.value.lower()
        return np.fromiter((needle in i.lower() for i in index.ids), bool, len(index))
    test, negated = value_test(term.op, term.value)
    key = "has" if term.key == "modality" else term.key
    if key == "id":
        n = len(index)
        hit = _hits(Column("generic", "id", index.ids, np.arange(n, dtype=np.int32), np.arange(n + 1)), term, test)
    elif key in GENERIC:
        hit = _hits(index.columns[("generic", key)], term, test)
    elif key in _LIVE:
        hit = _hits(Column.from_lists("generic", key, _live(index.ids, key, reviews, findings)), term, test)
    else:
        meta = np.zeros(len(index), bool)
        for (kind, path), col in index.columns.items():
            if kind == "meta" and key_is(path, key):
                meta |= _hits(col, term, test)
        fact = index.columns.get(("fact", key))
        hit = meta if fact is None else np.where(fact.given, _hits(fact, term, test), meta)
    return hit != negated


def _hits(col: Column, term: Term, test: Callable) -> np.ndarray:
    """Per datapoint: whether any of its values passes ``test`` (each distinct value tested once)."""
    if term.op in (">", ">=", "<", "<="):
        limit, nums = float(term.value), col.numbers
        with np.errstate(invalid="ignore"):
            per_value = {">": nums > limit, ">=": nums >= limit, "<": nums < limit, "<=": nums <= limit}[term.op]
    else:
        per_value = np.fromiter(map(test, col.texts), bool, len(col.texts))
    return col.any(per_value)


def _live(ids: Sequence[str], key: str, reviews, findings) -> list[list[str]]:
    """Each datapoint's review or finding values, as the per-datapoint filter gives them."""
    if key == "review":
        return [[s] if (s := reviews.state(i)) == "unreviewed" else [s, "reviewed"] for i in ids]
    if key == "reason":
        return [[r.reason] if (r := reviews.get(i)) is not None else [] for i in ids]
    out = []
    for i in ids:
        found = findings.get(i) or ()
        if key == "severity":
            out.append([f.severity for f in found])
        else:
            out.append(["any", *(f.check for f in found)] if found else ["none"])
    return out
