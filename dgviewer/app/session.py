"""The viewer's headless session: the open dataset, the current datapoint, the view state, navigation
and the worker scheduling behind them. No widget lives here: panels and the canvas bind to its signals
and to ``session.view.events``, and tests drive it without a window.

Switches and worker results are applied on the next event-loop turn, so a burst of them costs one
update, for the latest. Signals, in the order a switch emits them:

- ``current_changed(dp)``: a datapoint became current (its cached results already taken); None when a
  filter leaves no datapoint;
- ``updated()``: new results for it, or its picture can be drawn (only once its image arrived or failed,
  so the previous picture stays until then);
- ``shown(id)``: its image and annotations are in, once per datapoint and modality (what tests, the
  benchmark and ``--screenshot`` wait on).

A dataset opens as soon as its first scene is listed; a worker lists the rest (``listing`` reports the
progress) while the GUI thread takes in what is listed every GROW_MS, at a cost bounded per turn:
``grew(start, stop)`` says which positions of ``order`` were added (the filter judges arrivals too).
Opening another dataset, or shutting down, stops the listing.
"""
from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer, Signal

from ..core import storage
from ..core.cache import ByteCache
from ..core.model import MODALITIES, Datapoint, Dataset
from .current import Current
from .filtering import Filtering
from .listing import FIRST_DRAWN_WAIT_MS, GROW_BUDGET_S, Listing
from .open_dataset import OpenDataset, filtered
from .opening import load_enclosing
from .playback import Playback
from .reviewing import Reviewing
from .scheduling import PREFETCH, jobs_for
from .view_state import ViewState
from .workers import Loader

#: A key or tree step this soon after the previous one is part of a burst (a held key): until it
#: settles, only what drawing needs is decoded, for the current datapoint and those ahead of it.
SETTLE_MS = 250
#: How often the GUI thread takes in what the listing worker listed.
GROW_MS = 50


class Session(QObject, Reviewing, Listing):
    opening = Signal(object)  # [paths] being indexed
    dataset_opened = Signal(object)  # Dataset; every per-dataset state already belongs to it
    grew = Signal(int, int)  # positions [start, stop) added to ``order`` as the dataset is listed
    listing = Signal(int, int)  # scenes listed, scenes expected (0: unknown); then ``listed`` once all are
    listed = Signal()
    modalities_found = Signal(object)  # the set of modalities some listed datapoint has, when it grows
    open_failed = Signal(str)
    current_changed = Signal(object)  # Datapoint
    updated = Signal()
    shown = Signal(str)
    settled = Signal()  # a burst of switches ended
    filter_changed = Signal()  # the filtered order changed (a filter's run, off the GUI thread, finished)
    filter_waiting = Signal(int, int)  # a filter waits for the facts index: datapoints indexed, of how many
    filter_failed = Signal(str)
    reviews_changed = Signal(str)  # datapoint id whose decision changed
    findings_changed = Signal()
    problem = Signal(object)  # Datapoint that got a problem recorded
    notice_changed = Signal(str)  # the canvas's notice ("" for none)
    spot_changed = Signal(object)  # (col, row) a QA finding points at on the current datapoint, or None
    status = Signal(str, int)  # a status-bar message and how long to show it (ms, 0 for good)

    def __init__(self, cache_bytes: int, threads: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.cache = ByteCache(cache_bytes)
        self.loader = Loader(self.cache, threads, parent=self)
        self.view = ViewState()
        self.data: OpenDataset | None = None
        self.cur = Current(None)
        self.notice = ""
        self.burst = False
        self.direction = 1  # of the last step, for prefetching ahead during a burst
        self.spot: tuple[float, float] | None = None
        self._spot_dp: str | None = None  # the datapoint ``spot`` is on
        self._opening: tuple[str, ...] | None = None
        self._stop_listing = threading.Event()  # of the listing running now
        self._grow_timer = QTimer(self, interval=GROW_MS)
        self._grow_timer.timeout.connect(self._grow)  # see Listing
        self._held_listing = None  # (dataset, key, loop) of a listing waiting for the first datapoint drawn
        self._held_timer = QTimer(self, singleShot=True, interval=FIRST_DRAWN_WAIT_MS)
        self._held_timer.timeout.connect(self._start_held_listing)
        self.shown.connect(self._first_drawn)
        self.modalities: set[str] = set()  # some listed datapoint of the open dataset has each
        self._modalities_of, self._modalities_seen = None, 0
        self._goto: str | None = None
        self._keep_notice = False
        self._pending_finding = None  # jumped to, waiting for its datapoint to be shown
        self.advance = False  # whether a decision moves on to the next datapoint (the window's setting)
        self.prefetch = PREFETCH  # neighbours decoded ahead (playback raises it)
        self._catch_up_timer = QTimer(self, singleShot=True, interval=0)
        self._catch_up_timer.timeout.connect(self._catch_up)
        self._update_timer = QTimer(self, singleShot=True, interval=0)
        self._update_timer.timeout.connect(self._update)
        self._settle_timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle_timer.timeout.connect(self._settled)
        self.filtering = Filtering(filtered, parent=self)
        self.filtering.filtered.connect(self._filtered)
        self.filtering.waiting.connect(self.filter_waiting)
        self.filtering.failed.connect(self.filter_failed)
        self.loader.signals.done.connect(self._on_done)
        self.loader.signals.failed.connect(self._on_failed)
        self.view.events.modality.connect(self._modality_changed)
        self.view.events.styles.connect(self._styles_changed)
        self.playback = Playback(self)

    # -- what is open ---------------------------------------------------------------
    @property
    def dataset(self) -> Dataset | None:
        return self.data.dataset if self.data else None

    @property
    def paths(self) -> list[str]:
        return self.data.paths if self.data else []

    @property
    def order(self) -> list[Datapoint]:
        """The datapoints passing the filter, in tree order."""
        return self.data.order if self.data else []

    def position(self, dp: Datapoint | None) -> int | None:
        return self.data.position(dp) if self.data else None

    @property
    def modality(self) -> str:
        """The modality on screen: the chosen one, or the current datapoint's first when it lacks it."""
        return self.cur.modality(self.view.modality)

    def open(self, paths: list[str], goto: str | None = None, relist: bool = False) -> None:
        """Index ``paths`` (merged) on a worker; every per-dataset state follows once it is loaded. ``relist``:
        list the folders anew, not from their kept listings."""
        self._stop_listing.set()  # a listing still running is for the dataset being replaced
        self._opening = tuple(storage.resolve(p) for p in paths)
        self._goto = goto
        self._set_notice("")
        self.opening.emit(list(self._opening))
        self.loader.run_once(("open", self._opening, relist),
                             lambda p=self._opening: load_enclosing(p, self.cache, relist))

    def reload(self) -> None:
        """Open the open dataset again from disk, listed anew, at the current datapoint if it is still there."""
        if self.paths:
            self.open(self.paths, self.cur.dp.id if self.cur.dp is not None else None, relist=True)

    def _set_dataset(self, dataset: Dataset, paths: list[str]) -> None:
        self._opening = None
        self.loader.focus([])  # the previous dataset's queued work
        self._settle_timer.stop()
        self.burst = False
        self.cur = Current(None)
        self._pending_finding = None
        self._set_spot(None, None)
        previous = self.data.dataset if self.data is not None else None
        self.data = OpenDataset(dataset, paths)
        self.filtering.follow(dataset)
        self.cache.clear()
        self.view.follow_dataset(dataset.layers)
        self._start_listing(dataset)
        self.dataset_opened.emit(dataset)
        self._find_modalities()
        # The index, the tree and the app's own objects live as long as the dataset; frozen, they are
        # out of the collector's reach, so a full collection (it holds the GIL: 50–150 ms over
        # everything alive here, a visible stall) walks only what was made since. The previous dataset
        # is not collected (unfreezing and collecting a million datapoints held the GIL for seconds):
        # a thread unlinks its nodes once its listing has stopped, and reference counting frees them.
        if previous is not None:
            threading.Thread(target=previous.release, name="dgviewer-release", daemon=True).start()
        gc.freeze()
        if self.data.load_error:
            self.status.emit(self.data.load_error, 10000)
        if dataset.complete:
            self._show_start()
            self.listed.emit()

    # -- filter, findings, reviews (of the open dataset) --------------------------------
    def set_filter(self, text: str) -> None:
        """Filter the datapoints off the GUI thread; ``filter_changed`` when done, a later call supersedes it.
        Raises FilterError at once, changing nothing, when ``text`` is not a filter or names an unknown key."""
        if self.data is not None:
            self.filtering.check(text, self.data.reviews, self.data.findings)
            self.filtering.request(text, self.data.reviews, self.data.findings)

    def _filtered(self, text: str, kept) -> None:
        self.data.set_order(text, kept, GROW_BUDGET_S)
        if not self.data.caught_up:  # listed while the filter ran: taken in (and judged) by the next turns
            self._grow_timer.start()
        self.filter_changed.emit()
        self._follow_filter()

    def _follow_filter(self) -> None:
        """The current datapoint left the filtered list: show the first that passes, or nothing and say so."""
        if self.position(self.cur.dp) is not None:
            return
        if self.order:
            self.show_datapoint(self.order[0])
        elif self.cur.dp is not None:
            self.cur = Current(None)
            self._set_notice("No datapoint matches the filter.")
            self.current_changed.emit(None)

    def set_findings(self, dataset: Dataset, findings: dict) -> None:
        """QA findings by datapoint id (for ``finding=`` terms); dropped if another dataset opened since."""
        if self.data is not None and dataset is self.data.dataset:
            self.data.findings = findings
            self.findings_changed.emit()

    # -- navigation -----------------------------------------------------------------
    def step(self, n: int) -> None:
        order = self.order
        if not order:
            return
        pos = self.position(self.cur.dp)
        i = 0 if pos is None else max(0, min(len(order) - 1, pos + n))
        self.direction = 1 if n >= 0 else -1
        if order[i] is not self.cur.dp:
            self.navigate(order[i])

    def group_step(self, kind: str, step: int) -> None:
        """To the first datapoint of the next (1) or previous (-1) ``kind`` ("camera" or "scene")."""
        if self.cur.dp is None or self.data is None:
            return self.step(0)
        target = self.data.first_of_next_group(self.cur.dp, kind, step)
        self.direction = 1 if step >= 0 else -1
        if target is not None:
            self.navigate(target)

    def goto_id(self, dp_id: str) -> bool:
        """Show the datapoint with this id if it is listed (an id not listed yet never waits for the listing)."""
        dp = self.dataset.lookup(dp_id.strip()) if self.dataset else None
        if dp is not None:
            self.show_datapoint(dp)
        return dp is not None

    def show_datapoint(self, dp: Datapoint, keep_notice: bool = False) -> None:
        """Make ``dp`` current. Its jobs and picture catch up on the next turn of the event loop (what
        is cached is drawn then, the rest is queued, the neighbours are prefetched), so key presses
        that come faster than frames cost one update, for the latest."""
        if dp is not self.cur.dp:
            self.cur = Current(dp)
        self.burst = False
        self._settle_timer.stop()
        self._keep_notice = keep_notice
        self._catch_up_timer.start()

    def navigate(self, dp: Datapoint) -> None:
        """Show ``dp`` for a key press or a tree click; several in quick succession are a burst."""
        burst = self._settle_timer.isActive()
        self.show_datapoint(dp)
        self.burst = burst
        self._settle_timer.start()

    def _catch_up(self) -> None:
        dp = self.cur.dp
        if dp is None:
            return
        if not self._keep_notice:
            self._set_notice("")
        self._request(settled=not self.burst)
        self.current_changed.emit(dp)
        self._update()

    def _settled(self) -> None:
        """The burst is over: queue the rest (the probe's modalities, the neighbours behind)."""
        self.burst = False
        if self.cur.dp is not None:
            self.settled.emit()
            self._request(settled=True)
            self._update()

    def _set_notice(self, text: str) -> None:
        if text != self.notice:
            self.notice = text
            self.notice_changed.emit(text)

    # -- view state ---------------------------------------------------------------------
    def set_modality(self, modality: str) -> bool:
        """Show ``modality``; False (and a status message) when the current datapoint lacks it."""
        if modality not in MODALITIES:
            return False
        if self.cur.dp is not None and modality not in self.cur.dp.modalities:
            self.status.emit(f"This datapoint has no {modality} image", 3000)
            return False
        self.view.modality = modality
        return True

    def _modality_changed(self, *_) -> None:
        if self.cur.dp is not None:
            self.show_datapoint(self.cur.dp, keep_notice=True)

    def _styles_changed(self, *_) -> None:
        if self.cur.dp is not None:  # a class layer switched on needs its segmentation image
            self._request(settled=not self.burst)
            self._update_timer.start()

    def toggle_layers(self, names) -> None:
        """One toggle key: switch ``names`` on unless one present on this datapoint is on."""
        present = set(self.cur.ann.annotations.layers) if self.cur.ann else set(names)
        targets = [n for n in names if n in present] or list(names)
        on = not any(self.view.style(n).visible for n in targets)
        self.view.set_styles({n: self.view.style(n).with_(visible=on) for n in names})

    def jump_to(self, finding) -> None:
        """Show a QA finding's datapoint with the layer and image that show it, and mark its spot."""
        dp = self.dataset.get(finding.datapoint) if finding.datapoint and self.dataset else None
        if dp is None:
            return
        if finding.layer:
            self.view.set_style(finding.layer, visible=True)
        if finding.modality in dp.modalities:
            self.view.modality = finding.modality
        if dp is self.cur.dp and self.cur.announced:
            self.show_datapoint(dp, keep_notice=True)
            self._set_spot(dp.id, finding.xy)
        else:
            self._pending_finding = finding
            self.show_datapoint(dp)

    def _set_spot(self, dp_id: str | None, xy) -> None:
        self._spot_dp = dp_id
        self.spot = tuple(xy) if xy is not None else None
        self.spot_changed.emit(self.spot)

    def _spot_follows(self, dp_id: str) -> None:
        """A datapoint is shown: mark the spot of the finding jumped to, or drop a spot of another one."""
        f, self._pending_finding = self._pending_finding, None  # or the user moved on before it was drawn
        if f is not None and f.datapoint == dp_id:
            self._set_spot(dp_id, f.xy)
        elif self.spot is not None and self._spot_dp != dp_id:
            self._set_spot(None, None)

    # -- scheduling -----------------------------------------------------------------------
    def _request(self, settled: bool) -> None:
        """Replace the worker queue with the current datapoint's jobs and take what is already cached."""
        dp = self.cur.dp
        jobs = jobs_for(dp, settled, self.view, self.cache, self.order, self.position(dp), self.direction, self.prefetch)
        self.loader.focus(jobs)
        for key, _, _ in jobs:
            if key[1] == dp.id:
                hit, value = self.loader.cached(key)
                if hit:
                    self.cur.accept(key, value)

    # -- results ---------------------------------------------------------------------------
    def _on_done(self, key, value) -> None:
        if key[0] == "list":
            return
        if key[0] == "open":
            if key[1] == self._opening:  # not an open the user has since replaced
                self._goto = value.start or self._goto
                self._set_dataset(value.dataset, value.paths)
                for inner, root in value.moved:
                    self.status.emit(f"{inner} is a folder inside the dataset {root}: opened the dataset", 10000)
            return
        if self._for_current(key):
            self.cur.accept(key, value)
            self._update_timer.start()

    def _on_failed(self, key, message: str, details: str) -> None:
        if key[0] == "list":  # a reader bug part-way: what was listed stays open
            return self.status.emit(f"Listing stopped: {message}", 0)
        if key[0] == "open":
            if key[1] == self._opening:
                self._opening = None
                if self.data is not None:  # the dataset still open goes on being listed
                    self._start_listing(self.data.dataset)
                self._update_timer.start()  # what the open held back of the dataset still shown
                self._set_notice(f"Could not open the dataset.\n{message}")
                self.open_failed.emit(message)
            return
        if details:  # a bug, not bad data: say so where it cannot be missed
            self.status.emit(f"Internal error while reading {key[1]}: {message} (details in Inspector)", 0)
        dp = self.dataset.get(key[1]) if self.dataset else None
        if dp is not None:
            dp.add_problem(None, message)
            self.problem.emit(dp)
        if self._for_current(key):
            self.cur.fail(key, message + ("\n" + details if details else ""))
            self._update_timer.start()

    def _for_current(self, key: tuple) -> bool:
        """Whether a result is one of the current datapoint's jobs (other clients of the pool share its signals)."""
        return self.cur.dp is not None and key[0] in ("img", "ann") and key[1] == self.cur.dp.id

    def _update(self) -> None:
        cur = self.cur
        if cur.dp is None or self._opening is not None:  # the dataset it belongs to is being replaced
            return
        m = self.modality
        if m not in cur.images and ("img", m) not in cur.errors:
            return  # keep the previous picture until this one is decoded
        self.updated.emit()
        if cur.ann is not None and not self.data.layers_checked:
            self.data.layers_checked = True
            self.view.unless_bare(cur.ann.annotations.layers)
        if (cur.ann is not None or ("ann",) in cur.errors) and cur.announced != m:
            cur.announced = m
            self._spot_follows(cur.dp.id)
            self.shown.emit(cur.dp.id)

    def shutdown(self) -> None:
        """Stop the workers (queued jobs are dropped, running ones finish)."""
        self.playback.pause()
        self._catch_up_timer.stop()
        self._update_timer.stop()
        self._settle_timer.stop()
        self.filtering.shutdown()
        self._grow_timer.stop()
        self._held_timer.stop()
        self._stop_listing.set()
        self.loader.shutdown()
