"""Sorting a million names in a background thread without stalling the others.

``list.sort`` is one C call: it holds the GIL from start to end, 0.7 s for a million scene names, and a
viewer listing in a thread stalled its event loop as long.
"""
from __future__ import annotations

import heapq
from typing import Iterator, TypeVar

T = TypeVar("T")


def sorted_in_steps(items: list[T], step: int = 1 << 15) -> Iterator[T]:
    """``sorted(items)``, lazily, never holding the GIL longer than sorting ``step`` items."""
    if len(items) <= step:
        return iter(sorted(items))
    return heapq.merge(*(sorted(items[i:i + step]) for i in range(0, len(items), step)))
