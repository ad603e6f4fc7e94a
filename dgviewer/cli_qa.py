"""The ``validate`` and ``review`` subcommands (added to the parser in cli.py).

    dgviewer validate PATH... [--json OUT] [--html OUT] [--csv OUT] [--images] [--workers N]
        exit 0: no errors (info findings allowed); 1: errors found. OUT may be - for stdout.
    dgviewer review status PATH...              decisions per scene and where they are saved
    dgviewer review export PATH... --csv [OUT]  one row per datapoint (stdout without OUT)
    dgviewer review merge FILE FILE... [-o OUT] merge reviewers' files (default: into the first)
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import IO, Iterator


class ProgressBar:
    """``[#####.....] 42% 4200/10000 3.1 s`` on a terminal, redrawn at most ten times a second; silent otherwise."""

    def __init__(self, stream: IO[str], label: str):
        self.stream, self.label = stream, label
        self.live = stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.live or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}% "
                          f"{done}/{total} {now - self.started:.1f} s")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


@contextmanager
def _output(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as f:
        yield f


def cmd_validate(args) -> int:
    from .formats.registry import load
    from .qa import Settings, run_checks
    from .qa import report

    ds = load(*args.paths)
    settings = Settings(images=args.images, reprojection_px=args.reprojection_px, face_box_px=args.face_box_px,
                        gaze_degrees=args.gaze_degrees)
    bar = ProgressBar(sys.stderr, "checking")
    try:
        result = run_checks(ds, settings=settings, workers=args.workers, progress=bar)
    finally:
        bar.close()
    outputs = [(args.json, lambda out: report.write_json(result, out)),
               (args.csv, lambda out: report.write_csv(result, out)),
               (args.html, lambda out: report.write_html(result, out, ds))]
    for path, write in outputs:
        if path:
            with _output(path) as out:
                write(out)
    if not args.quiet and "-" not in (args.json, args.csv, args.html):
        for f in result.findings:
            print(f"{f.severity:5}  {f.check:24}  {f.datapoint or '(dataset)'}: {f.message}")
    print(result.summary(), file=sys.stderr)
    return 1 if result.errors else 0


def cmd_review_status(args) -> int:
    from .formats.registry import load
    from .core.review import STATES, UNREVIEWED, ReviewStore

    ds = load(*args.paths)
    store = ReviewStore.for_dataset(ds)
    columns = STATES + (UNREVIEWED,)
    print(f"{'':40} " + " ".join(f"{c:>10}" for c in columns))
    for scene in ds.scenes:
        counts = store.counts(dp.id for dp in scene)
        print(f"{scene.dataset_name + '/' + scene.name:40.40} " + " ".join(f"{counts[c]:>10}" for c in columns))
    total = store.counts(dp.id for dp in ds)
    print(f"{'total':40} " + " ".join(f"{total[c]:>10}" for c in columns))
    for path in store.paths:
        print(f"saved in {path}{'' if os.path.exists(path) else ' (no decisions yet)'}")
    return 0


def cmd_review_export(args) -> int:
    from .formats.registry import load
    from .core.review import ReviewStore

    ds = load(*args.paths)
    store = ReviewStore.for_dataset(ds)
    with _output(args.csv) as out:
        n = store.export_csv(out, ds)
    print(f"{n} datapoints exported", file=sys.stderr)
    return 0


def cmd_review_merge(args) -> int:
    from .core.review import merge_files

    out = args.output or args.files[0]
    conflicts = merge_files(args.files, out)
    for rel in conflicts:
        print(f"decided differently: {rel} (kept the later decision)", file=sys.stderr)
    print(f"merged {len(args.files)} files into {out}", file=sys.stderr)
    return 0


def add_commands(sub) -> None:
    """Add ``validate`` and ``review`` to the subcommand parser ``sub``."""
    sp = sub.add_parser("validate", help="check datasets for errors (exit 1 when any is found)",
                        description="Run the QA checks. Exit status 0: no errors; 1: errors found.")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.add_argument("--json", metavar="OUT", help="write the report as JSON (- for stdout)")
    sp.add_argument("--html", metavar="OUT", help="write a self-contained HTML report")
    sp.add_argument("--csv", metavar="OUT", help="write one CSV row per finding")
    sp.add_argument("--images", action="store_true", help="also decode images for the pixel checks (slower)")
    sp.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    sp.add_argument("--reprojection-px", type=float, default=1.0, metavar="PX",
                    help="allowed 3D→2D landmark disagreement (default 1.0)")
    sp.add_argument("--face-box-px", type=float, default=1.0, metavar="PX",
                    help="allowed face box vs dense landmarks disagreement (default 1.0)")
    sp.add_argument("--gaze-degrees", type=float, default=2.0, metavar="DEG",
                    help="allowed angle between visual axis and gaze target (default 2.0)")
    sp.add_argument("-q", "--quiet", action="store_true", help="do not list findings on stdout")
    sp.set_defaults(func=cmd_validate)

    rp = sub.add_parser("review", help="review decisions: status, CSV export, merge")
    rsub = rp.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    sp = rsub.add_parser("status", help="decisions per scene and where they are saved")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.set_defaults(func=cmd_review_status)
    sp = rsub.add_parser("export", help="write every datapoint with its decision as CSV")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.add_argument("--csv", nargs="?", const="-", required=True, metavar="OUT", help="CSV file (default: stdout)")
    sp.set_defaults(func=cmd_review_export)
    sp = rsub.add_parser("merge", help="merge review files (the later decision wins); usable as a git merge driver")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("-o", "--output", metavar="OUT", help="merged file (default: the first FILE)")
    sp.set_defaults(func=cmd_review_merge)
