"""Filter expressions over datapoints: the tree's filter box, ``dgviewer render --filter`` and scripts.

    expression=happiness camera=camera_2 review=fail finding=reprojection name~nose

Terms are separated by spaces and must all hold (quote a value with spaces:
``reason~"eyes closed"``). A term is ``KEY OP VALUE`` or a bare word:

    key=value     equals, case-insensitive; ``*``/``?`` wildcards; ``a,b`` means either
    key!=value    equals none of them
    key~text      contains the text (``key!~text``: does not)
    key>n  key>=n  key<n  key<=n     numeric comparison
    word          the datapoint id contains the word

Numbers compare as numbers (``intensity=5`` matches 5.0). A key with several
values (the identities of an HIC frame) matches when any value does.

Keys:

    id, name, dataset, scene, camera      where the datapoint sits in the tree
    has, modality                         an image it has: ``has=depth``
    review                                pass, fail, flag, unreviewed or reviewed (needs review decisions)
    reason                                the review's reason text: ``reason~blur``
    finding                               any, none or a check name: ``finding=reprojection`` (needs QA findings)
    severity                              error or info, of any finding
    lighting                              the environment entry: indoor, outdoor, morning, night, hdri, ...
    spectrum                              visible or nir
    expression, intensity, age, gender, ethnicity, identity, eyelid, accessory, yaw, pitch, roll
                                          the actor (Datagen), read from its metadata file on first use
    anything else                         a cheap fact of the datapoint, camera or scene (``frame>=10``,
                                          ``time_of_day=night``, ``sequence=2``), by its last key or dotted
                                          path; failing that, the datapoint's full metadata (read on first use)

Facts that cost a file read are read only when a term asks for them, once
per datapoint, and kept in a :class:`Facts` cache that can outlive one
expression (pass the same one while the user types).
"""
from __future__ import annotations

import fnmatch
import re
import shlex
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .errors import DgviewerError

#: Every key with special meaning, for help text and completion in the GUI.
KEYS: dict[str, str] = {
    "id": "datapoint id", "name": "datapoint name", "dataset": "dataset folder name", "scene": "scene name",
    "camera": "camera name", "has": "a modality it has (visible, depth, ...)", "modality": "same as has",
    "review": "pass, fail, flag, unreviewed or reviewed", "reason": "review reason text",
    "finding": "any, none or a QA check name", "severity": "severity of any QA finding",
    "lighting": "environment, time of day or background", "spectrum": "visible or nir",
    "expression": "actor's facial expression", "intensity": "expression intensity", "age": "actor's age group",
    "gender": "actor's gender", "ethnicity": "actor's ethnicity", "identity": "actor's identity id",
    "eyelid": "eyelid closure level", "accessory": "glasses, mask, ...", "yaw": "head yaw (degrees)",
    "pitch": "head pitch (degrees)", "roll": "head roll (degrees)",
}
_ACTOR_KEYS = ("expression", "intensity", "age", "gender", "ethnicity", "identity", "eyelid", "accessory",
               "yaw", "pitch", "roll")
_TERM = re.compile(r"^([A-Za-z_][\w.\-]*)\s*(!=|!~|>=|<=|=|~|>|<)(.*)$", re.DOTALL)


class FilterError(DgviewerError, ValueError):
    """An expression that cannot be parsed, or that needs data the caller did not give."""


class Facts:
    """Per-datapoint facts that cost a file read, read on first use and kept (thread-safe)."""

    def __init__(self):
        self._actor: dict[str, dict[str, list]] = {}
        self._metadata: dict[str, list[tuple[str, Any]]] = {}
        self._lock = threading.Lock()

    def actor(self, dp) -> dict[str, list]:
        with self._lock:
            if dp.id in self._actor:
                return self._actor[dp.id]
        facts = _actor_facts(dp)
        with self._lock:
            self._actor[dp.id] = facts
        return facts

    def metadata(self, dp) -> list[tuple[str, Any]]:
        """The datapoint's full metadata as (dotted path, leaf value) pairs."""
        with self._lock:
            if dp.id in self._metadata:
                return self._metadata[dp.id]
        try:
            pairs = list(_flatten(dp.metadata()))
        except DgviewerError:
            pairs = []
        with self._lock:
            self._metadata[dp.id] = pairs
        return pairs


def _actor_facts(dp) -> dict[str, list]:
    """Actor facts through the Datagen SDK attributes; {} for other formats or an unreadable file."""
    try:
        actor = getattr(dp, "actor_metadata", None)
    except DgviewerError:
        return {}
    if actor is None:
        return {}
    if hasattr(actor, "identities"):  # HIC: several identities per frame, labels only
        ids = list(actor.identities)
        return {"age": [a.identity_label.age for a in ids], "gender": [a.identity_label.gender for a in ids],
                "ethnicity": [a.identity_label.ethnicity for a in ids], "identity": [a.identity_id for a in ids]}
    out: dict[str, list] = {}

    def put(key, get):
        try:
            value = get()
        except (AttributeError, KeyError, TypeError):
            return
        if value is not None:
            out[key] = value if isinstance(value, list) else [value]

    put("expression", lambda: actor.face_expression.name)
    put("intensity", lambda: actor.face_expression.intensity_level)
    put("age", lambda: actor.identity_label.age)
    put("gender", lambda: actor.identity_label.gender)
    put("ethnicity", lambda: actor.identity_label.ethnicity)
    put("identity", lambda: actor.identity_id)
    put("eyelid", lambda: actor.eyelid_closure_intensity_level)
    put("accessory", lambda: [str(getattr(a, "type", "")).lower() for a in getattr(actor, "accessories", None) or []])
    for angle in ("yaw", "pitch", "roll"):
        put(angle, lambda angle=angle: getattr(actor.head_metadata.head_rotation, angle))
    return out


@dataclass
class Filter:
    """A compiled expression: call it on a datapoint; ``needs`` says what it reads beyond the index."""

    text: str
    needs: frozenset[str]  # of "review", "finding", "facts"
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
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise FilterError(f"filter: {e}") from None
    facts = facts or Facts()
    tests, needs = [], set()
    for word in words:
        test, need = _compile_term(word, reviews, findings, facts)
        tests.append(test)
        needs |= need
    if not tests:
        return None
    return Filter(text, frozenset(needs), lambda dp: all(t(dp) for t in tests))


def _compile_term(word: str, reviews, findings, facts: Facts) -> tuple[Callable, set]:
    m = _TERM.match(word)
    if not m:
        needle = word.lower()
        return (lambda dp: needle in dp.id.lower()), set()
    key, op, value = m.group(1).lower(), m.group(2), m.group(3).strip()
    if key in ("review", "reason") and reviews is None:
        raise FilterError(f"filter: {key}= needs review decisions, and none are loaded")
    if key in ("finding", "severity") and findings is None:
        raise FilterError(f"filter: {key}= needs QA findings: run the checks first")
    if op in (">", ">=", "<", "<=") and _number(value) is None:
        raise FilterError(f"filter: {word!r} compares with {value!r}, which is not a number")
    need = {"review"} if key in ("review", "reason") else {"finding"} if key in ("finding", "severity") else \
        {"facts"} if key in _ACTOR_KEYS else set()
    match = _matcher(op, value)

    def test(dp) -> bool:
        return match(list(_values(dp, key, reviews, findings, facts)))

    return test, need


def _number(text) -> float | None:
    if isinstance(text, bool):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _matcher(op: str, value: str) -> Callable[[list], bool]:
    if op in ("~", "!~"):
        needle = value.lower()
        hit = lambda vs: any(needle in str(v).lower() for v in vs)  # noqa: E731
        return hit if op == "~" else (lambda vs: not hit(vs))
    if op in ("=", "!="):
        patterns = [p.strip().lower() for p in value.split(",")]

        def equal(v) -> bool:
            text, number = str(v).lower(), _number(v)
            for p in patterns:
                if number is not None and _number(p) is not None:
                    same = number == _number(p)
                elif "*" in p or "?" in p:
                    same = fnmatch.fnmatchcase(text, p)
                else:
                    same = text == p
                if same:
                    return True
            return False

        hit = lambda vs: any(equal(v) for v in vs)  # noqa: E731
        return hit if op == "=" else (lambda vs: not hit(vs))
    limit = float(value)
    compare = {">": float.__gt__, ">=": float.__ge__, "<": float.__lt__, "<=": float.__le__}[op]
    return lambda vs: any((n := _number(v)) is not None and compare(n, limit) for v in vs)


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
    elif key == "lighting":
        yield from (dp.meta[k] for k in ("environment", "time_of_day", "background") if k in dp.meta)
    elif key == "spectrum":
        yield "nir" if str(dp.meta.get("image", dp.name)).startswith("infrared") else "visible"
    elif key in _ACTOR_KEYS:
        yield from facts.actor(dp).get(key, ())
    else:
        cheap = [v for meta in (dp.meta, cam.meta, cam.scene.meta) for path, v in _flatten(meta) if _key_is(path, key)]
        if cheap:
            yield from cheap
        else:
            yield from (v for path, v in facts.metadata(dp) if _key_is(path, key))


def _key_is(path: str, key: str) -> bool:
    p = path.lower()
    return p == key or p.endswith("." + key) or p.startswith(key + ".")


def _flatten(tree, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _flatten(v, f"{prefix}{k}" if not prefix else f"{prefix}.{k}")
    elif isinstance(tree, (list, tuple)):
        for v in tree:
            yield from _flatten(v, prefix)
    else:
        yield prefix, tree
