"""The ``render`` subcommand (added to the parser in cli.py): annotated images at native resolution.

    dgviewer render PATH... --out DIR [--goto ID]... [--filter EXPR] [--modality M]
                    [--overlays NAMES|all|none] [--labels] [--legend] [--opacity A] [--marker-size PX]
    dgviewer render PATH... --contact-sheet FILE [--thumb-size PX] [same selection and drawing options]

Every image is drawn by :func:`dgviewer.app.render.render_annotated`, the code behind the viewer's
"Save view as PNG", so a render shows exactly what the viewer shows. ``DIR/<id with / as __>.png``
holds one datapoint at its image's size. Exit status 1 when any datapoint failed or nothing was
rendered; datapoints lacking an explicitly chosen ``--modality`` are skipped with a message.
The contact sheet lives in contact_sheet.py.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from .core.errors import DgviewerError

#: Decoded-image cache for a run: each image is read once, so the library's 1 GiB default would only hold
#: memory; this covers files shared between datapoints.
CACHE_BYTES = 64 << 20


# -- what to draw ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Drawing:
    """The same for every datapoint of a run."""

    modality: str | None  # None: the viewer's choice (visible, else the datapoint's first image)
    layers: dict  # every layer name → LayerStyle; only the chosen ones are visible
    legend: bool = False


def layer_styles(catalog, overlays: str | None, labels: bool = False, opacity: float | None = None,
                 marker_size: float | None = None) -> dict:
    """A full layer → LayerStyle mapping: the named layers on and every other layer off.

    overlays: comma-separated layer names, "all", "none", or None for the viewer's defaults.
    render_annotated falls back to the viewer's defaults for layers it is not given, so all are given.
    """
    from .app.overlays.style import default_style

    LAYERS = list(catalog)
    styles = {name: default_style(catalog.spec(name)) for name in LAYERS}
    if overlays is not None:
        names = {n.strip() for n in overlays.split(",") if n.strip()}
        if names == {"all"}:
            names = set(LAYERS)
        names.discard("none")
        unknown = sorted(names - set(LAYERS))
        if unknown:
            raise DgviewerError(f"unknown overlay {', '.join(unknown)}; choose from {', '.join(LAYERS)}, all, none")
        styles = {k: s.with_(visible=k in names) for k, s in styles.items()}
    changes = {"labels": True} if labels else {}
    if opacity is not None:
        changes["opacity"] = opacity
    if marker_size is not None:
        changes["marker_size"] = marker_size
    return {k: s.with_(**changes) for k, s in styles.items()}


def output_name(dp_id: str) -> str:
    """``dg/scene_1/camera_2/visible_01.png`` → ``dg__scene_1__camera_2__visible_01.png.png``.

    The id stays readable and comes back with ``name[:-4].replace("__", "/")`` unless it held ``__``
    itself; characters that are unsafe in file names on some systems become ``%XX``.
    """
    safe = "".join(c if c.isalnum() or c in "._-+=,@ /" else f"%{ord(c):02X}" for c in dp_id)
    return safe.replace("/", "__") + ".png"


# -- which datapoints -----------------------------------------------------------------------------
def open_dataset(paths: list[str]):
    from .core.cache import ByteCache
    from .formats.registry import load

    return load(*paths, cache=ByteCache(CACHE_BYTES))


def select(ds, goto: list[str] | None, filter_text: str | None) -> list:
    """``--goto`` ids in the order given (else every datapoint in tree order), narrowed by ``--filter``."""
    from .core.filters import compile_filter
    from .core.review import ReviewStore

    if goto:
        goto = list(dict.fromkeys(goto))
        missing = [i for i in goto if ds.get(i) is None]
        if missing:
            raise DgviewerError(f"no datapoint with id {', '.join(missing)}")
        dps = [ds.get(i) for i in goto]
    else:
        dps = list(ds)
    keep = compile_filter(filter_text, reviews=ReviewStore.for_dataset(ds)) if filter_text else None
    dps = keep.select(dps) if keep else dps
    if not dps:
        raise DgviewerError("no datapoint matches the selection")
    return dps


# -- the pipeline: decode in worker threads, draw on this thread, encode in worker threads --------
class Skipped(Exception):
    """The datapoint has nothing to draw for this run (not an error in the data)."""


def modality_for(dp, wanted: str | None) -> str | None:
    """The image to draw: ``wanted`` if given (None when the datapoint lacks it), else the viewer's choice."""
    from .core.model import MODALITIES

    if wanted is not None:
        return wanted if wanted in dp.modalities else None
    return next((m for m in MODALITIES if m in dp.modalities), None)


def load_parts(dp, drawing: Drawing):
    """(modality, images, annotations) for render_annotated; runs on a worker thread."""
    from .core.annotations import SegmentationLegend

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
    from .app.render import render_annotated

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
                image = render_annotated((images, ann), modality, drawing.layers, drawing.legend)
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


# -- where images go ------------------------------------------------------------------------------
def qimage_to_bgr(image):
    """QImage → H×W×3 uint8 BGR array (OpenCV's order), copied out of Qt's buffer."""
    import numpy as np
    from PySide6.QtGui import QImage

    bgr = image.convertToFormat(QImage.Format.Format_BGR888)
    w, h = bgr.width(), bgr.height()
    rows = np.frombuffer(bgr.constBits(), np.uint8, count=h * bgr.bytesPerLine()).reshape(h, bgr.bytesPerLine())
    return rows[:, : 3 * w].reshape(h, w, 3).copy()


def write_png(path: str, bgr) -> None:
    """Encode with OpenCV (about 4× faster than QImage.save and off the GIL) and replace atomically."""
    import cv2

    ok, data = cv2.imencode(".png", bgr)
    if not ok:
        raise DgviewerError(f"{path}: could not encode PNG")
    part = path + ".part"
    with open(part, "wb") as f:
        f.write(data.tobytes())
    os.replace(part, path)


class Folder:
    """One PNG per datapoint in ``out``, named by :func:`output_name`."""

    def __init__(self, out: str):
        os.makedirs(out, exist_ok=True)
        self.out = out

    def add(self, dp, image) -> Callable[[], None]:
        bgr = qimage_to_bgr(image)  # Qt stays on this thread; encoding and writing go to a worker
        path = os.path.join(self.out, output_name(dp.id))
        return lambda: write_png(path, bgr)

    def missing(self, dp, why: str) -> None:
        pass

    def finish(self) -> str:
        return self.out


# -- the command ----------------------------------------------------------------------------------
def qt_application():
    """The QApplication rendering needs (QGraphicsScene crashes under a bare QGuiApplication)."""
    # Nothing is ever shown, so the offscreen platform always works, with or without a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["dgviewer"])


def cmd_render(args) -> int:
    from .cli_qa import ProgressBar

    dataset = open_dataset(args.paths)
    drawing = Drawing(args.modality, layer_styles(dataset.layers, args.overlays, args.labels, args.opacity,
                                                  args.marker_size), args.legend)
    dps = select(dataset, args.goto, args.filter)
    qt_application()
    if args.contact_sheet:
        from .contact_sheet import ContactSheet

        sink = ContactSheet(args.contact_sheet, [dp.id for dp in dps], args.thumb_size, args.title)
    else:
        sink = Folder(args.out)
    bar = ProgressBar(sys.stderr, "rendering")

    def report(message: str) -> None:
        print(("\r\033[K" if bar.live else "") + f"dgviewer: {message}", file=sys.stderr)

    workers = (os.cpu_count() or 1) if args.workers is None else args.workers
    try:
        tally = render_all(dps, drawing, sink, workers, bar, report)
    finally:
        bar.close()
    where = sink.finish()
    print(f"{tally.summary()} → {where}", file=sys.stderr)
    return 1 if tally.failed or not tally.rendered else 0


def _in_range(kind, lo, hi=None):
    """An argparse type: ``kind(text)`` within [lo, hi], with a plain message otherwise."""
    def parse(text: str):
        value = kind(text)
        if value < lo or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"{text} is not {f'in {lo}..{hi}' if hi is not None else f'at least {lo}'}")
        return value
    return parse


def add_commands(sub) -> None:
    """Add ``render`` to the subcommand parser ``sub``."""
    from .contact_sheet import MIN_THUMB, SHEET_MAX_SIDE
    from .core.model import MODALITIES
    from .formats.registry import layer_catalog

    LAYERS = list(layer_catalog())

    sp = sub.add_parser(
        "render", help="write annotated images at native resolution, drawn as the viewer draws them",
        description="Draw datapoints with their overlays, exactly as the viewer does, one PNG per datapoint "
                    "at the image's own size (or one contact sheet). Exit status 1 when any datapoint failed.")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    where = sp.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="DIR", help="folder for the PNGs, named by datapoint id with / as __")
    where.add_argument("--contact-sheet", metavar="FILE", help="one PNG of thumbnails with their ids instead")
    sp.add_argument("--goto", action="append", metavar="ID", help="render this datapoint (repeatable)")
    sp.add_argument("--filter", metavar="EXPR", help="the tree filter box's syntax, e.g. 'camera=camera_2 review=fail'")
    sp.add_argument("--modality", choices=MODALITIES, metavar="M",
                    help=f"image under the overlays: {', '.join(MODALITIES)}; datapoints without it are skipped "
                         "(default: visible, else the datapoint's first image, as the viewer does)")
    sp.add_argument("--overlays", metavar="NAMES",
                    help=f"comma list of layers to draw, all others off: {', '.join(LAYERS)}; all; none "
                         "(default: the layers the viewer shows on opening)")
    sp.add_argument("--labels", action="store_true", help="write point labels (landmark indices) next to points")
    sp.add_argument("--legend", action="store_true", help="burn in the segmentation legend")
    sp.add_argument("--opacity", type=_in_range(float, 0.0, 1.0), metavar="0..1", help="opacity of every drawn layer")
    sp.add_argument("--marker-size", type=_in_range(float, 0.5), metavar="PX", help="point diameter in image pixels")
    sp.add_argument("--thumb-size", type=_in_range(int, MIN_THUMB), default=256, metavar="PX",
                    help=f"contact sheet thumbnail size (default 256; shrunk to fit {SHEET_MAX_SIDE} px)")
    sp.add_argument("--title", help="contact sheet title (default: the folder the ids share)")
    sp.add_argument("--workers", type=_in_range(int, 0), metavar="N",
                    help="threads decoding and encoding around the drawing thread (default: one per core; 0: none)")
    sp.set_defaults(func=cmd_render)
