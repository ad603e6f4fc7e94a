"""Everything that belongs to one open dataset: its review store, QA findings, filter text and filtered order.

The session replaces the whole object when another dataset opens, so no piece of
per-dataset state can outlive its dataset (a review store asked about the new
dataset's ids, findings of the old one feeding the filter).
"""
from __future__ import annotations

import time
from operator import attrgetter
from typing import Callable, NamedTuple

from ..core.errors import DgviewerError
from ..core.filters import Facts
from ..core.model import Dataset, Datapoint
from ..core.review import STATES, UNREVIEWED, Review, ReviewStore
from .tree_groups import Groups


class Filtered(NamedTuple):
    keep: Callable[[Datapoint], bool] | None  # the filter's test (None: no filter)
    seen: int  # datapoints listed when it ran
    order: list[Datapoint]  # those of them it kept, in tree order
    pos: dict[str, int] | None  # id → position in ``order`` (None unfiltered: the dataset's own positions)
    groups: Groups  # the tree's groups of ``order``


def filtered(dataset: Dataset, keep: Callable[[Datapoint], bool] | None) -> Filtered:
    """What ``keep`` keeps of the datapoints listed so far, with its positions and tree groups (a worker runs
    it: O(dataset); on the GUI thread these cost 150-250 ms for a filter keeping 100k)."""
    seen = dataset.indexed
    listed = dataset.so_far(0, seen)
    order = listed if keep is None else [dp for dp in listed if keep(dp)]
    pos = None if keep is None else {dp.id: i for i, dp in enumerate(order)}
    return Filtered(keep, seen, order, pos, Groups(order, len(order)))


class OpenDataset:
    def __init__(self, dataset: Dataset, paths: list[str]):
        self.dataset = dataset
        self.paths = paths
        self.load_error = ""  # why the review store could not be read ("" when it was)
        try:
            self.reviews: ReviewStore | None = ReviewStore.for_dataset(dataset)
        except DgviewerError as e:  # a corrupt review file: say so, never overwrite it
            self.reviews, self.load_error = None, f"Reviews not loaded: {e}"
        self.findings: dict | None = None  # QA findings by datapoint id, after a run
        self.facts = Facts()  # facts the Statistics panel read, once per datapoint, kept while the dataset is open
        self.filter_text = ""
        self.layers_checked = False  # whether its first annotations were checked for a bare view (all layers off)
        self.undo: list[tuple[str, Review | None]] = []  # (datapoint id, its decision before a change)
        # The filtered order, in tree order (the dataset lists scenes grouped by folder, scene, camera). It
        # grows as the dataset is listed (``grow``); unfiltered, positions are the dataset's own.
        self._keep: Callable[[Datapoint], bool] | None = None
        self._seen = dataset.indexed  # dataset datapoints the filter has looked at
        self.order: list[Datapoint] = dataset.so_far(0, self._seen)
        self._pos: dict[str, int] | None = None  # id → position in a filtered order
        self._groups: Groups | None = None  # the tree's groups of a filter's order, until the tree takes them

    # -- the filter -------------------------------------------------------------
    def set_order(self, text: str, kept: Filtered, seconds: float) -> None:
        """Show what filter ``text`` kept of the datapoints listed when it ran (worked out off the GUI thread);
        those listed since are judged here for about ``seconds``, the rest by later calls of ``grow``."""
        self.filter_text = text
        self._keep = kept.keep
        self._seen = kept.seen
        self.order = kept.order
        self._pos = kept.pos
        self._groups = kept.groups
        self.grow(seconds)

    def take_groups(self, order: list[Datapoint]) -> Groups | None:
        """The tree's groups of ``order`` worked out by its filter's worker (once; None if there are none)."""
        groups, self._groups = self._groups, None
        return groups if groups is not None and groups.order is order else None

    def grow(self, seconds: float) -> tuple[int, int]:
        """Take in datapoints listed since the last call, the filter judging them for about ``seconds`` at
        most (the rest waits for the next call); the positions [start, stop) added to ``order``."""
        start, listed = len(self.order), self.dataset.indexed
        if self._keep is None:
            self.order.extend(self.dataset.so_far(self._seen, listed))
            self._seen = listed
            return start, len(self.order)
        deadline = time.monotonic() + seconds
        while self._seen < listed and time.monotonic() < deadline:
            for dp in self.dataset.so_far(self._seen, min(listed, self._seen + 64)):
                if self._keep(dp):
                    self._pos[dp.id] = len(self.order)
                    self.order.append(dp)
            self._seen = min(listed, self._seen + 64)
        return start, len(self.order)

    @property
    def judged(self) -> int:
        """Datapoints listed and taken in so far (the filter has judged them): what ``order`` is a part of."""
        return self._seen

    @property
    def caught_up(self) -> bool:
        """Every datapoint listed so far is judged (and the listing is over when the dataset is complete)."""
        return self._seen >= self.dataset.indexed

    def position(self, dp: Datapoint | None) -> int | None:
        """Index of ``dp`` in the filtered order (None when filtered out, not taken in yet, or of another dataset)."""
        if dp is None:
            return None
        i = self.dataset.position(dp.id) if self._pos is None else self._pos.get(dp.id)
        return i if i is not None and i < len(self.order) and self.order[i] is dp else None

    def first_of_next_group(self, dp: Datapoint, kind: str, step: int) -> Datapoint | None:
        """First datapoint of the next (step=1) or previous (-1) camera or scene in filtered order."""
        pos = self.position(dp)
        if pos is None:
            return None
        group = (lambda d: d.camera_node) if kind == "camera" else (lambda d: d.scene_node)
        order = self.order

        def start(i: int) -> int:  # first index of the group holding order[i]
            g = group(order[i])
            while i > 0 and group(order[i - 1]) is g:
                i -= 1
            return i

        if step > 0:
            g, i = group(dp), pos
            while i < len(order) and group(order[i]) is g:
                i += 1
            return order[i] if i < len(order) else None
        first = start(pos)
        return order[start(first - 1)] if first > 0 else None

    # -- reviews ----------------------------------------------------------------
    def review_state(self, dp: Datapoint) -> str:
        if self.reviews is None or self.dataset.get(dp.id) is not dp:
            return UNREVIEWED
        return self.reviews.state(dp.id)

    def restore(self) -> str | None:
        """Undo the last decision change: put back the datapoint's previous decision; its id, or None."""
        if not self.undo or self.reviews is None:
            return None
        dp_id, before = self.undo[-1]
        if before is None:
            self.reviews.clear(dp_id)
        else:
            self.reviews.set(dp_id, before.state, before.reason)
        self.undo.pop()  # only once saved: a failed write can be undone again
        return dp_id

    def decided_positions(self) -> dict[str, list[int]]:
        """State → sorted positions in the filtered order of the datapoints decided so: from the decisions,
        never from every datapoint (a million of them on the GUI thread)."""
        out: dict[str, list[int]] = {}
        if self.reviews is not None:
            for dp_id, state in self.reviews.decided():
                pos = self.position(self.dataset.lookup(dp_id))
                if pos is not None:
                    out.setdefault(state, []).append(pos)
        for positions in out.values():
            positions.sort()
        return out

    def review_counts(self) -> dict[str, int]:
        """How many datapoints of the filtered order are in each state ({} without a review store)."""
        if self.reviews is None:
            return {}
        out = dict.fromkeys(STATES, 0) | {state: len(p) for state, p in self.decided_positions().items()}
        out[UNREVIEWED] = len(self.order) - sum(out.values())
        return out

    def next_unreviewed(self, dp: Datapoint | None) -> Datapoint | None:
        """The first undecided datapoint after ``dp`` in the filtered order, wrapping around (from the start
        when ``dp`` is not in it); None when every one is decided or there is no review store."""
        if self.reviews is None:
            return None
        pos = self.position(dp)
        return self.reviews.next_unreviewed(self.order, 0 if pos is None else pos + 1, key=attrgetter("id"))
