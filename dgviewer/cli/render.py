"""``dgviewer render``: annotated images at native resolution, drawn as the viewer draws them.

    dgviewer render PATH... --out DIR [--goto ID]... [--filter EXPR] [--modality M]
                    [--overlays NAMES|all|none] [--labels] [--legend] [--opacity A] [--marker-size PX]
    dgviewer render PATH... --contact-sheet FILE [--thumb-size PX] [same selection and drawing options]
    dgviewer render PATH... --video OUT.mp4|OUT.gif [--fps N] [same selection and drawing options]

A thin front over :mod:`dgviewer.app.export`. ``DIR/<id with / as __>.png`` holds one datapoint
at its image's size; ``--video`` writes one file per camera (its frames or steps in order) beside OUT,
named ``OUT__<scene>__<camera>.mp4``. Exit status 1 when any datapoint failed or nothing was rendered (datapoints
lacking an explicitly chosen ``--modality`` are skipped with a message); 2 when the output
folder or sheet cannot be written.
"""
from __future__ import annotations

import argparse
import os
import sys

from .output import CannotWrite
from .progress import ProgressBar

NAME = "render"
HELP = "write annotated images at native resolution, drawn as the viewer draws them"


def _in_range(kind, lo, hi=None):
    """An argparse type: ``kind(text)`` within [lo, hi], with a plain message otherwise."""
    def parse(text: str):
        value = kind(text)
        if value < lo or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"{text} is not {f'in {lo}..{hi}' if hi is not None else f'at least {lo}'}")
        return value
    return parse


def add_arguments(parser) -> None:
    from ..app.export.contact_sheet import MIN_THUMB, SHEET_MAX_SIDE
    from ..core.model import MODALITIES
    from ..formats.registry import layer_catalog

    LAYERS = list(layer_catalog())
    parser.description = ("Draw datapoints with their overlays, exactly as the viewer does, one PNG per datapoint "
                          "at the image's own size (or one contact sheet). Exit status 1 when any datapoint failed.")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="DIR", help="folder for the PNGs, named by datapoint id with / as __")
    where.add_argument("--contact-sheet", metavar="FILE", help="one PNG of thumbnails with their ids instead")
    where.add_argument("--video", metavar="OUT.mp4|OUT.gif",
                       help="one video per camera of its frames (HIC) or steps (Perception), named OUT__<scene>__<camera>.mp4")
    parser.add_argument("--fps", type=_in_range(float, 0.1, 240), default=10.0, metavar="N",
                        help="frames per second of --video (default 10)")
    parser.add_argument("--goto", action="append", metavar="ID", help="render this datapoint (repeatable)")
    parser.add_argument("--filter", metavar="EXPR",
                        help="the tree filter box's syntax, e.g. 'camera=camera_2 review=fail'")
    parser.add_argument("--modality", choices=MODALITIES, metavar="M",
                        help=f"image under the overlays: {', '.join(MODALITIES)}; datapoints without it are skipped "
                             "(default: visible, else the datapoint's first image, as the viewer does)")
    parser.add_argument("--overlays", metavar="NAMES",
                        help=f"comma list of layers to draw, all others off: {', '.join(LAYERS)}; all; none "
                             "(default: the layers the viewer shows on opening)")
    parser.add_argument("--labels", action="store_true", help="write point labels (landmark indices) next to points")
    parser.add_argument("--legend", action="store_true", help="burn in the segmentation legend")
    parser.add_argument("--opacity", type=_in_range(float, 0.0, 1.0), metavar="0..1",
                        help="opacity of every drawn layer")
    parser.add_argument("--marker-size", type=_in_range(float, 0.5), metavar="PX",
                        help="point diameter in image pixels")
    parser.add_argument("--thumb-size", type=_in_range(int, MIN_THUMB), default=256, metavar="PX",
                        help=f"contact sheet thumbnail size (default 256; shrunk to fit {SHEET_MAX_SIDE} px)")
    parser.add_argument("--title", help="contact sheet title (default: the folder the ids share)")
    parser.add_argument("--workers", type=_in_range(int, 0), metavar="N",
                        help="threads decoding and encoding around the drawing thread (default: one per core; 0: none)")


def run(args) -> int:
    from ..app import qtapp
    from ..app.export.contact_sheet import ContactSheet
    from ..app.export.drawing import Drawing, layer_styles
    from ..app.export.folder import Folder
    from ..app.export.pipeline import render_all
    from ..app.export.selection import open_dataset, select
    from ..app.export.video import Video

    dataset = open_dataset(args.paths)
    drawing = Drawing(args.modality, layer_styles(dataset.layers, args.overlays, args.labels, args.opacity,
                                                  args.marker_size), args.legend,
                      scale_markers=args.marker_size is None)
    dps = select(dataset, args.goto, args.filter)
    qtapp.application(qtapp.OFFSCREEN)  # nothing is shown, so no display is needed
    if args.contact_sheet:
        sink = ContactSheet(args.contact_sheet, [dp.id for dp in dps], args.thumb_size, args.title)
    elif args.video:
        sink = Video(args.video, args.fps, several_datasets=len(dataset.roots) > 1)
    else:
        try:
            sink = Folder(args.out)
        except OSError as e:
            raise CannotWrite(args.out, e) from None
    bar = ProgressBar(sys.stderr, "rendering")

    def report(message: str) -> None:
        print(("\r\033[K" if bar.live else "") + f"dgviewer: {message}", file=sys.stderr)

    workers = (os.cpu_count() or 1) if args.workers is None else args.workers
    try:
        tally = render_all(dps, drawing, sink, workers, bar, report)
    finally:
        bar.close()
    try:
        where = sink.finish()
    except OSError as e:
        raise CannotWrite(args.contact_sheet or args.video or args.out, e) from None
    print(f"{tally.summary()} → {where}", file=sys.stderr)
    return 1 if tally.failed or not tally.rendered else 0
