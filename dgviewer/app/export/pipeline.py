"""The render pipeline: decode in worker threads, draw on this thread, encode and write in worker threads.

A sink receives each drawn image: ``add(dp, image)`` returns the write to run off the drawing
thread, ``missing(dp, why)`` notes a datapoint that could not be drawn, ``finish()`` says where it
all went (:class:`.folder.Folder`, :class:`.contact_sheet.ContactSheet`).
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from ...core.errors import DgviewerError
from .drawing import Drawing


class Skipped(Exception):
    """The datapoint has nothing to draw for this run (not an error in the data)."""


def modality_for(dp, wanted: str | None) -> str | None:
    """The image to draw: ``wanted`` if given (None when the datapoint lacks it), else the viewer's choice."""
    from ...core.model import MODALITIES

    if wanted is not None:
        return wanted if wanted in dp.modalities else None
    return next((m for m in MODALITIES if m in dp.modalities), None)


def load_parts(dp, drawing: Drawing):
    """(modality, images, annotations) for render_annotated; runs on a worker thread."""
    from ...core.annotations import SegmentationLegend

    modality = modality_for(dp, drawing.modality)
    if modality is None:
        raise Skipped(f"no {drawing.modality or 'image'} to draw")
    ann = dp.annotations()
    images = {modality: dp.read(modality)}
    for lg in ann.of_type(SegmentationLegend):  # translucent class layers need their own image
        style = drawing.layers.get(lg.layer)
        if lg.modality != modality and style is not None and style.visible:
            images[lg.modality] = dp.read(lg.modality)
    return modality, images, ann


@dataclass
class Tally:
    rendered: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"rendered {self.rendered}, skipped {len(self.skipped)}, failed {len(self.failed)}"


def _done(fn: Callable, *args) -> Future:
    """Run ``fn`` now and wrap the outcome as a finished Future (the pipeline without worker threads)."""
    f: Future = Future()
    try:
        f.set_result(fn(*args))
    except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
        f.set_exception(e)
    return f


def render_all(dps: list, drawing: Drawing, sink, workers: int, progress: Callable[[int, int], None],
               report: Callable[[str], None]) -> Tally:
    """Render ``dps`` in order into ``sink``; a datapoint that fails is reported and the rest go on.

    Qt painting stays on this thread (pyqtgraph items are not thread-safe); with ``workers`` > 0,
    decoding runs up to 2×workers datapoints ahead and PNG encoding runs behind, in worker threads.
    Threads rather than processes: on 2 shared cores with 1024² faces (benchmarks/bench_render.py)
    2 threads rendered 29-32 images/s, serial 16-20, 2 processes 17-30 (each starts its own Qt and
    indexes the dataset again). Drawing is 12-20 ms of the 80-95 ms a datapoint costs; decoding and
    encoding, the rest, run in the threads.
    """
    from ..render import render_annotated

    tally = Tally()
    pool = ThreadPoolExecutor(workers, thread_name_prefix="render") if workers else None
    submit = pool.submit if pool else _done
    depth = 2 * max(workers, 1)
    todo = iter(dps)
    loading: deque = deque()
    writing: deque = deque()

    def count() -> None:
        progress(tally.rendered + len(tally.skipped) + len(tally.failed), len(dps))

    def fail(dp, e: BaseException) -> None:
        why = str(e) if isinstance(e, (DgviewerError, Skipped)) else f"{type(e).__name__}: {e}"
        (tally.skipped if isinstance(e, Skipped) else tally.failed).append((dp.id, why))
        report(f"{'skipped' if isinstance(e, Skipped) else 'failed'} {dp.id}: {why}")
        sink.missing(dp, why)
        count()

    def settle(dp, job: Future) -> None:
        try:
            job.result()
        except Exception as e:  # noqa: BLE001 - one unwritable file must not stop the run
            fail(dp, e)
            return
        tally.rendered += 1
        count()

    def top_up() -> None:
        for dp in todo:
            loading.append((dp, submit(load_parts, dp, drawing)))
            if len(loading) >= depth:
                return

    try:
        top_up()
        while loading:
            dp, parts = loading.popleft()
            top_up()
            try:
                modality, images, ann = parts.result()
                h, w = images[modality].shape[:2]
                image = render_annotated((images, ann), modality, drawing.styles_for(w, h), drawing.legend)
                write = sink.add(dp, image)
            except Exception as e:  # noqa: BLE001 - reported per datapoint, the rest go on
                fail(dp, e)
                continue
            for problem in ann.errors:  # drawn, but without what that annotation file held
                report(f"warning {dp.id}: {problem}")
            writing.append((dp, submit(write)))
            while len(writing) > depth or (writing and writing[0][1].done()):
                settle(*writing.popleft())
        while writing:
            settle(*writing.popleft())
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return tally
