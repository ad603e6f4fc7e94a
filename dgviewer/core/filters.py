"""Filter expressions over datapoints: the tree's filter box, ``dgviewer render --filter`` and scripts.

Generic keys (where a datapoint sits, its modalities, review decisions, QA
findings) are this module's own; every other key is a fact the datapoint's
reader declares (``Reader.facts``, ``Datapoint.facts``), else a cheap fact of
its index, else a value of its full metadata. :func:`help_text` writes the
help for the keys an open dataset's readers declare.

Facts that cost a file read are read only when a term asks for them, once
per datapoint, and kept in a :class:`Facts` cache that can outlive one
expression (pass the same one while the user types).
"""
from __future__ import annotations

import fnmatch
import re
import shlex
import textwrap
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .errors import DgviewerError

_SYNTAX = """\
Terms are separated by spaces and must all hold (quote a value with spaces:
reason~"eyes closed"). A term is KEY OP VALUE or a bare word:

    key=value     equals, case-insensitive; * and ? wildcards; a,b means either
    key!=value    equals none of them
    key~text      contains the text (key!~text: does not)
    key>n  key>=n  key<n  key<=n     numeric comparison
    word          the datapoint id contains the word

Numbers compare as numbers (5 matches 5.0). A key with several values
matches when any value does."""

#: The keys every dataset has, whatever its format.
KEYS: dict[str, str] = {
    "id": "datapoint id", "name": "datapoint name", "dataset": "dataset folder name", "scene": "scene name",
    "camera": "camera name", "has": "a modality it has: has=depth", "modality": "same as has",
    "review": "pass, fail, flag, unreviewed or reviewed (needs review decisions)",
    "reason": "the review's reason text: reason~blur",
    "finding": "any, none or a QA check name (needs QA findings)", "severity": "error or info, of any finding",
}
_ELSE = ("anything else", ("a cheap fact of the datapoint, camera or scene, by its last key or dotted path; "
                           "failing that, the datapoint's full metadata (read on first use)"))
_TERM = re.compile(r"^([A-Za-z_][\w.\-]*)\s*(!=|!~|>=|<=|=|~|>|<)(.*)$", re.DOTALL)


def help_text(facts: Mapping[str, str] | None = None) -> str:
    """The syntax, the generic keys, then ``facts`` (key → description, as readers declare them)."""
    rows = [*KEYS.items(), *((k, v) for k, v in (facts or {}).items() if k not in KEYS), _ELSE]
    width = max(len(k) for k, _ in rows) + 2
    lines = [f"    {k.ljust(width)}" + ("\n" + " " * (width + 4)).join(textwrap.wrap(v, 72)) for k, v in rows]
    return _SYNTAX + "\n\nKeys:\n\n" + "\n".join(lines)


class FilterError(DgviewerError, ValueError):
    """An expression that cannot be parsed, or that needs data the caller did not give."""


class Facts:
    """Per-datapoint facts that cost a file read, read on first use and kept (thread-safe)."""

    def __init__(self):
        self._facts: dict[str, dict[str, list | None]] = {}  # dp id → what its reader gave (None: unreadable)
        self._metadata: dict[str, list[tuple[str, Any]]] = {}
        self._lock = threading.Lock()

    def fact(self, dp, key: str) -> list | None:
        """The values of ``key`` the datapoint's reader gives, or None when it gives none."""
        with self._lock:
            known = self._facts.get(dp.id)
            if known is not None and key in known:
                return known[key]
        try:
            got = dp.facts({key})
        except DgviewerError:  # an unreadable file: ask no more, fall back to meta and metadata
            got = {key: None}
        if not got:  # not a fact of its reader: keep nothing (a filter on a cheap key must not cost memory)
            return None
        with self._lock:
            known = self._facts.setdefault(dp.id, {})
            known.update(got)  # a reader may give more than asked: what one file read yields
            return known.get(key)

    def metadata(self, dp) -> list[tuple[str, Any]]:
        """The datapoint's full metadata as (dotted path, leaf value) pairs."""
        with self._lock:
            if dp.id in self._metadata:
                return self._metadata[dp.id]
        try:
            pairs = list(flatten(dp.metadata()))
        except DgviewerError:
            pairs = []
        with self._lock:
            self._metadata[dp.id] = pairs
        return pairs


@dataclass
class Filter:
    """A compiled expression: call it on a datapoint; ``needs`` says what it reads beyond the index."""

    text: str
    needs: frozenset[str]  # of "review", "finding", "facts" (a key beyond the generic ones: may read a file)
    _test: Callable[[Any], bool]

    def __call__(self, dp) -> bool:
        return self._test(dp)

    def select(self, datapoints: Iterable) -> list:
        return [dp for dp in datapoints if self._test(dp)]


def compile_filter(text: str, reviews=None, findings: Mapping[str | None, Sequence] | None = None,
                   facts: Facts | None = None) -> Filter | None:
    """``text`` → :class:`Filter`, or None for an empty expression.

    ``reviews`` is a :class:`~dgviewer.core.review.ReviewStore` and ``findings``
    maps datapoint ids to their QA findings (``QAResult.by_datapoint()``);
    a term that needs one the caller did not give raises :class:`FilterError`.
    """
    facts = facts or Facts()
    tests, needs = [], set()
    for term in parse(text, reviews, findings):
        tests.append(_compile_term(term, reviews, findings, facts))
        needs |= term.needs
    if not tests:
        return None
    return Filter(text, frozenset(needs), lambda dp: all(t(dp) for t in tests))


@dataclass(frozen=True)
class Term:
    """One term: ``key`` is None for a bare word (``value``: the text the id must contain)."""

    key: str | None
    op: str
    value: str

    @property
    def needs(self) -> set[str]:
        """What it reads beyond the index: review decisions, QA findings, or (any other key) facts."""
        if self.key in ("review", "reason"):
            return {"review"}
        if self.key in ("finding", "severity"):
            return {"finding"}
        return set() if self.key is None or self.key in KEYS else {"facts"}


def parse(text: str, reviews=None, findings=None) -> list[Term]:
    """The terms of ``text``; FilterError for bad syntax, a non-number compared, or a store not given."""
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise FilterError(f"filter: {e}") from None
    terms = []
    for word in words:
        m = _TERM.match(word)
        if not m:
            terms.append(Term(None, "~", word))
            continue
        key, op, value = m.group(1).lower(), m.group(2), m.group(3).strip()
        if key in ("review", "reason") and reviews is None:
            raise FilterError(f"filter: {key}= needs review decisions, and none are loaded")
        if key in ("finding", "severity") and findings is None:
            raise FilterError(f"filter: {key}= needs QA findings: run the checks first")
        if op in (">", ">=", "<", "<=") and number(value) is None:
            raise FilterError(f"filter: {word!r} compares with {value!r}, which is not a number")
        terms.append(Term(key, op, value))
    return terms


def _compile_term(term: Term, reviews, findings, facts: Facts) -> Callable:
    if term.key is None:
        needle = term.value.lower()
        return lambda dp: needle in dp.id.lower()
    test, negated = value_test(term.op, term.value)
    key = term.key
    return lambda dp: any(test(v) for v in _values(dp, key, reviews, findings, facts)) != negated


def number(text) -> float | None:
    """``text`` as a number, or None (booleans are not numbers)."""
    if isinstance(text, bool):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def value_test(op: str, value: str) -> tuple[Callable[[Any], bool], bool]:
    """(test of one value, negated): a datapoint matches when ``any(test(v) for v in its values) != negated``.

    A value tests the same as its ``str()`` (the facts index stores values as text)."""
    if op in ("~", "!~"):
        needle = value.lower()
        return (lambda v: needle in str(v).lower()), op == "!~"
    if op in ("=", "!="):
        patterns = [(p, number(p), "*" in p or "?" in p) for p in (p.strip().lower() for p in value.split(","))]

        def equal(v) -> bool:
            text, n = str(v).lower(), number(v)
            for p, pn, wild in patterns:
                if n is not None and pn is not None:
                    same = n == pn
                elif wild:
                    same = fnmatch.fnmatchcase(text, p)
                else:
                    same = text == p
                if same:
                    return True
            return False

        return equal, op == "!="
    limit = float(value)
    compare = {">": float.__gt__, ">=": float.__ge__, "<": float.__lt__, "<=": float.__le__}[op]
    return (lambda v: (n := number(v)) is not None and compare(n, limit)), False


def values_of(dp, key: str, reviews=None, findings: Mapping | None = None, facts: Facts | None = None) -> list:
    """What a term on ``key`` compares for ``dp``: the values filters (and the statistics) see."""
    return list(_values(dp, key, reviews, findings, facts or Facts()))


def _values(dp, key: str, reviews, findings, facts: Facts) -> Iterator[Any]:
    cam = dp.camera_node
    names = {"id": dp.id, "name": dp.name, "camera": cam.name, "scene": cam.scene.name,
             "dataset": cam.scene.dataset_name}
    if key in names:
        yield names[key]
    elif key in ("has", "modality"):
        yield from dp.modalities
    elif key == "review":
        state = reviews.state(dp.id)
        yield state
        if state != "unreviewed":
            yield "reviewed"
    elif key == "reason":
        r = reviews.get(dp.id)
        if r is not None:
            yield r.reason
    elif key in ("finding", "severity"):
        found = findings.get(dp.id) or ()
        if key == "severity":
            yield from (f.severity for f in found)
        elif found:
            yield "any"
            yield from (f.check for f in found)
        else:
            yield "none"
    elif (given := facts.fact(dp, key)) is not None:
        yield from given
    else:
        cheap = [v for path, v in cheap_meta(dp) if key_is(path, key)]
        if cheap:
            yield from cheap
        else:
            yield from (v for path, v in facts.metadata(dp) if key_is(path, key))


def cheap_meta(dp) -> Iterator[tuple[str, Any]]:
    """The (dotted path, value) pairs of the datapoint's, its camera's and its scene's index facts."""
    cam = dp.camera_node
    for meta in (dp.meta, cam.meta, cam.scene.meta):
        yield from flatten(meta)


def key_is(path: str, key: str) -> bool:
    p = path.lower()
    return p == key or p.endswith("." + key) or p.startswith(key + ".")


def flatten(tree, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from flatten(v, f"{prefix}{k}" if not prefix else f"{prefix}.{k}")
    elif isinstance(tree, (list, tuple)):
        for v in tree:
            yield from flatten(v, prefix)
    else:
        yield prefix, tree
