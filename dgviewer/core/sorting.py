"""Sorting a million names in a background thread without stalling the others.

``list.sort`` is one C call: it holds the GIL from start to end, 0.7 s for a million scene names, and a
viewer listing in a thread stalled its event loop as long. Sorted in steps, with the thread giving way to
the GUI thread between them (core/courtesy.py), each hold is about a millisecond.
"""
from __future__ import annotations

import heapq
from typing import Iterator, TypeVar

from . import courtesy

T = TypeVar("T")


def sorted_in_steps(items: list[T], step: int = 1 << 12) -> Iterator[T]:
    """``sorted(items)``, lazily, never holding the GIL longer than sorting ``step`` items."""
    if len(items) <= step:
        return iter(sorted(items))
    runs = []
    for i in range(0, len(items), step):
        courtesy.give_way()
        runs.append(sorted(items[i:i + step]))
    return heapq.merge(*runs)
