"""The Dataset: several folders merged into one tree, its index listed on demand (streaming)."""
from __future__ import annotations

import threading
import time
from typing import Callable, Collection, Iterable, Iterator

from . import collector, courtesy
from .layers import LayerCatalog
from .model import Camera, Datapoint, Problem, Scene, _ListNode


class Dataset(_ListNode):
    """Several folders (of any supported formats) merged into one tree, listed as it is used.

    ``dgviewer.load()`` returns once every folder is recognised and its first scene listed; the
    other scenes are listed on demand, in the thread that needs them, one scene at a time:

    - ``len(ds)``, ``ds.scenes``, ``ds.cameras``, ``ds.problems``, ``ds.index_problems``, a negative
      index and ``ds.datapoints`` list everything first (as a fully built index would);
    - ``for dp in ds``, ``ds[i]``, ``ds[a:b]`` and ``ds.get(id)`` list only as far as they need:
      a loop starts at once and the rest is listed as it goes;
    - ``ds.wait()`` lists everything now; ``ds.index_more(seconds)`` lists for about that long (a
      background thread's step); ``ds.complete`` says whether all is listed;
    - without ever waiting (for a GUI thread while another lists): ``ds.indexed`` (datapoints
      listed so far), ``ds.progress()`` (scenes listed, scenes expected or None), ``ds.so_far(start)``
      and ``ds.scenes_so_far(start)`` (what is listed, from a position on), ``ds.lookup(id)`` and
      ``ds.position(id)``.

    Listing is thread-safe: one thread lists at a time, others wait for it or read what is listed.
    A loop decodes the next datapoints' images ahead in threads (``ds.iter()``, core/traversal.py).
    """

    #: Datapoints a loop over it decodes ahead (``load(readahead=)``; None: two per core, 0: off).
    readahead: int | None = None

    def __init__(self, scenes: Iterable[Scene], roots: list[str], formats: list[str], problems: list[Problem] | None = None,
                 layers: LayerCatalog | None = None, fact_keys: dict[str, str] | None = None,
                 expected: Callable[[], int | None] | None = None, names: list[str] | None = None):
        self.roots = roots
        #: Dataset name (the first part of every id) → its folder, for every folder opened.
        self.folders: dict[str, str] = dict(zip(names, roots)) if names is not None else {}
        self.formats = formats
        #: The overlay layers its readers declare (look, default visibility, toggle keys).
        self.layers = layers if layers is not None else LayerCatalog()
        #: The filterable facts its readers declare: key → description (for the filter box's help).
        self.fact_keys: dict[str, str] = fact_keys or {}
        self._index_problems: list[Problem] = problems if problems is not None else []  # readers append while listing
        self._stream: Iterator[Scene] | None = iter(scenes)
        self._expected = expected
        self._scenes: list[Scene] = []
        self._flat: list[Datapoint] = []  # append-only: other threads read it while one lists
        self._by_id: dict[str, int] = {}
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    # -- listing ----------------------------------------------------------------
    @property
    def complete(self) -> bool:
        """True once every folder is fully listed."""
        return self._stream is None

    @property
    def indexed(self) -> int:
        """Datapoints listed so far (grows while another thread lists; never waits)."""
        return len(self._flat)

    def progress(self) -> tuple[int, int | None]:
        """(scenes listed, scenes the readers expect in all or None when they cannot tell); never waits."""
        expected = self._expected() if self._expected and self._stream is not None else None
        return len(self._scenes), (len(self._scenes) if self._stream is None else expected)

    def wait(self) -> Dataset:
        """List everything (in this thread, or by waiting for the thread listing now); returns the dataset."""
        self._list()
        return self

    def index_more(self, seconds: float) -> bool:
        """List scenes for about ``seconds`` (at least one); True when everything is listed."""
        deadline = time.monotonic() + seconds
        listed = len(self._scenes)
        self._list(lambda: len(self._scenes) > listed and time.monotonic() >= deadline)
        return self.complete

    def _list(self, enough: Callable[[], bool] | None = None) -> None:
        """List scenes until ``enough()`` (checked before each scene: another thread may have listed them) or
        the end."""
        if self._stream is None:
            return self._raise_error()
        # Listing makes many small acyclic objects that the cyclic GC would rescan as they pile up:
        # measured on 20k Unity legacy captures 4.7 s with it running, 1.3 s paused.
        with self._lock, collector.paused():
            while self._stream is not None and not (enough is not None and enough()):
                try:
                    scene = next(self._stream)
                except StopIteration:
                    self._stream = None
                    break
                except BaseException as e:  # a reader bug: every later wait says so too
                    self._stream, self._error = None, e
                    raise
                self._add(scene)
                courtesy.give_way()
        self._raise_error()

    def release(self) -> None:
        """Stop listing and unlink its scenes, cameras and datapoints (they reference each other both ways):
        reference counting then frees them as soon as nothing else holds them, where a full collection
        over a million datapoints would hold the GIL for seconds. Empty afterwards; for a dataset that is
        being dropped (the viewer opening another), from any thread."""
        with self._lock:
            stream, self._stream = self._stream, None
            if stream is not None:
                stream.close()  # the readers' generators end here
            for scene in self._scenes:
                for cam in scene.cameras:
                    cam._datapoints.clear()
                scene.cameras.clear()
            self._scenes.clear()
            self._by_id.clear()
            self._flat.clear()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _add(self, scene: Scene) -> None:
        flat, by_id = self._flat, self._by_id
        n = len(flat)
        for cam in scene.cameras:
            for dp in cam._datapoints:
                by_id[dp.id] = n
                n += 1
            flat.extend(cam._datapoints)  # after the ids: a reader of ``indexed`` finds each one it counts
        self._scenes.append(scene)

    def _list_until(self, enough: Callable[[], bool]) -> None:
        if self._stream is not None and not enough():
            self._list(enough)

    # -- without waiting ------------------------------------------------------------
    def so_far(self, start: int = 0, stop: int | None = None) -> list[Datapoint]:
        """The datapoints listed so far (from ``start`` to ``stop``), in tree order."""
        return self._flat[start:stop]

    def scenes_so_far(self, start: int = 0) -> list[Scene]:
        return self._scenes[start:]

    def firsts_so_far(self) -> list[Datapoint]:
        """The first datapoint of each dataset folder listed so far (one reader per folder, so each tells what
        its folder offers: panels, filter keys)."""
        firsts: dict[str, Datapoint] = {}
        # No copy (a million scenes took 5-50 ms): a list iterator tolerates the listing thread's appends.
        for scene in self._scenes:
            if scene.dataset_name not in firsts:
                dp = next((dp for cam in scene.cameras for dp in cam), None)
                if dp is not None:
                    firsts[scene.dataset_name] = dp
                    if len(firsts) == len(self.roots):
                        break
        return list(firsts.values())

    def lookup(self, id: str) -> Datapoint | None:
        """The datapoint with this id if it is listed yet."""
        i = self._by_id.get(id)
        return None if i is None else self._flat[i]

    def position(self, id: str) -> int | None:
        """Position in tree order of the datapoint with this id, if it is listed yet."""
        return self._by_id.get(id)

    # -- the list (listing on demand) ------------------------------------------------
    def _datapoint_list(self) -> list[Datapoint]:
        self._list()
        return self._flat

    def __iter__(self) -> Iterator[Datapoint]:
        return self.iter()

    def iter(self, readahead: int | None = None, modalities: Collection[str] | None = None) -> Iterator[Datapoint]:
        """The datapoints in tree order (listed as the loop gets to them), the next ``readahead`` decoding
        ``modalities`` in threads (core/traversal.py)."""
        from .traversal import traverse

        return traverse(self._in_order(), self.readahead if readahead is None else readahead, modalities)

    def _in_order(self) -> Iterator[Datapoint]:
        flat, i = self._flat, 0
        while True:
            while i < len(flat):
                yield flat[i]
                i += 1
                if not i & 4095:  # a background loop over a million (ids for the facts index) pauses for the GUI
                    courtesy.give_way()
            if self._stream is None:
                if i >= len(flat):
                    return self._raise_error()
                continue
            self._list(lambda: len(flat) > i)

    def __getitem__(self, key: int | slice) -> Datapoint | list[Datapoint]:
        if isinstance(key, slice):
            start, stop = key.start or 0, key.stop
            if stop is not None and start >= 0 and stop >= 0 and (key.step or 1) > 0:
                self._list_until(lambda: len(self._flat) >= stop)
                return self._flat[key]
        elif key >= 0:
            self._list_until(lambda: len(self._flat) > key)
            return self._flat[key]
        return self._datapoint_list()[key]

    @property
    def scenes(self) -> list[Scene]:
        self._list()
        return self._scenes

    @property
    def cameras(self) -> list[Camera]:
        return [c for s in self.scenes for c in s.cameras]

    def get(self, id: str) -> Datapoint | None:
        """The datapoint with this stable id, or None (listing until it is found)."""
        self._list_until(lambda: id in self._by_id)
        return self.lookup(id)

    def index_of(self, dp: Datapoint) -> int:
        """Position of ``dp`` in tree order (what next/previous navigation walks)."""
        self._list_until(lambda: dp.id in self._by_id)
        return self._by_id[dp.id]

    @property
    def index_problems(self) -> list[Problem]:
        """Problems found while indexing that belong to no single datapoint."""
        self._list()
        return self._index_problems

    @property
    def problems(self) -> list[Problem]:
        """Index problems plus every problem recorded on a datapoint so far."""
        out = list(self.index_problems)
        for dp in self._flat:
            if dp._problems:
                out.extend(dp.problems)
        return out

    def __repr__(self) -> str:
        listing = "" if self.complete else " (listing)"
        return f"<Dataset {', '.join(self.roots)} scenes={len(self._scenes)} datapoints={len(self._flat)}{listing}>"
