"""``dgviewer validate PATH... [--json OUT] [--html OUT] [--csv OUT] [--images] [--workers N | --scheduler ADDR]``.

Exit status 0: no errors (info findings allowed); 1: errors found; 2: a report could not be
written, or the Dask cluster could not be used. OUT may be - for stdout; a file is replaced
atomically once its report is complete. ``--html OUT.html`` also writes the facts' distributions
(``dgviewer stats``, with the findings as a fact) beside it as ``OUT.stats.html``, and the report links to it.
"""
from __future__ import annotations

import contextlib
import os
import sys

from .output import output
from .progress import ProgressBar

NAME = "validate"
HELP = "check datasets for errors (exit 1 when any is found)"


def add_arguments(parser) -> None:
    parser.description = "Run the QA checks. Exit status 0: no errors; 1: errors found."
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--json", metavar="OUT", help="write the report as JSON (- for stdout)")
    parser.add_argument("--html", metavar="OUT", help="write a self-contained HTML report")
    parser.add_argument("--csv", metavar="OUT", help="write one CSV row per finding")
    parser.add_argument("--images", action="store_true", help="also decode images for the pixel checks (slower)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N", help="worker processes (default: one per core)")
    where.add_argument("--scheduler", metavar="ADDR",
                       help="run the checks on a Dask cluster: tcp://HOST:PORT of a running scheduler, or local:N "
                            "for N worker processes here (needs dgviewer[cluster]; workers read the data themselves)")
    parser.add_argument("--connect-timeout", type=float, metavar="S",
                        help="seconds to reach the scheduler and see a worker (default 10)")
    parser.add_argument("--reprojection-px", type=float, default=1.0, metavar="PX",
                        help="allowed 3D→2D landmark disagreement (default 1.0)")
    parser.add_argument("--face-box-px", type=float, default=1.0, metavar="PX",
                        help="allowed face box vs dense landmarks disagreement (default 1.0)")
    parser.add_argument("--gaze-degrees", type=float, default=2.0, metavar="DEG",
                        help="allowed angle between visual axis and gaze target (default 2.0)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not list findings on stdout")


def run(args) -> int:
    from ..batches import executor_for
    from ..cluster import ClusterError
    from ..formats.registry import load
    from ..qa import Settings, report, run_checks

    ds = load(*args.paths)
    settings = Settings(images=args.images, reprojection_px=args.reprojection_px, face_box_px=args.face_box_px,
                        gaze_degrees=args.gaze_degrees)
    bar = ProgressBar(sys.stderr, "checking")
    try:
        with (executor_for(args.scheduler, ds.roots, args.connect_timeout) if args.scheduler
              else contextlib.nullcontext()) as executor:
            result = run_checks(ds, settings=settings, workers=args.workers, progress=bar, executor=executor)
    except ClusterError as e:
        result = e
    finally:
        bar.close()
    if isinstance(result, ClusterError):  # exit 2 like a usage error: nothing was checked
        print(f"dgviewer: {result}", file=sys.stderr)
        return 2
    stats_html = _write_stats_page(ds, result, args.html) if args.html and args.html != "-" else None
    outputs = [(args.json, lambda out: report.write_json(result, out)),
               (args.csv, lambda out: report.write_csv(result, out)),
               (args.html, lambda out: report.write_html(result, out, ds, stats_href=stats_html))]
    for path, write in outputs:
        if path:
            with output(path) as out:
                write(out)
    if not args.quiet and "-" not in (args.json, args.csv, args.html):
        for f in result.findings:
            print(f"{f.severity:5}  {f.check:24}  {f.datapoint or '(dataset)'}: {f.message}")
    print(result.summary(), file=sys.stderr)
    return 1 if result.errors else 0


def _write_stats_page(ds, result, report_path: str) -> str:
    """The fact distributions (QA findings among them) beside the HTML report, as ``<report>.stats.html``;
    its name, for the report's link."""
    from ..core.statistics import summarize
    from ..qa import stats_page
    from .stats import load_reviews

    stem = report_path[:-5] if report_path.lower().endswith(".html") else report_path
    path = stem + ".stats.html"
    dists = summarize(list(ds), ds.fact_keys, reviews=load_reviews(ds), findings=result.by_datapoint())
    with output(path) as out:
        stats_page.write_html(dists, out, ds.roots, len(ds), report_href=os.path.basename(report_path))
    return os.path.basename(path)
