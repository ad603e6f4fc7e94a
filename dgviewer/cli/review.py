"""``dgviewer review status|export|merge``: review decisions from the command line.

    dgviewer review status PATH...              decisions per scene and where they are saved
    dgviewer review export PATH... --csv [OUT]  one row per datapoint (stdout without OUT)
    dgviewer review merge FILE FILE... [-o OUT] merge reviewers' files (default: into the first)
"""
from __future__ import annotations

import os
import sys

from .output import CannotWrite, output

NAME = "review"
HELP = "review decisions: status, CSV export, merge"


def status(args) -> int:
    from ..core.review import STATES, UNREVIEWED, ReviewStore
    from ..formats.registry import load

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


def export(args) -> int:
    from ..core.review import ReviewStore
    from ..formats.registry import load

    ds = load(*args.paths)
    store = ReviewStore.for_dataset(ds)
    with output(args.csv) as out:
        n = store.export_csv(out, ds)
    print(f"{n} datapoints exported", file=sys.stderr)
    return 0


def merge(args) -> int:
    from ..core.review import merge_files

    out = args.output or args.files[0]
    try:
        conflicts = merge_files(args.files, out)  # reads raise DataError, so an OSError is the write
    except OSError as e:
        raise CannotWrite(out, e) from None
    for rel in conflicts:
        print(f"decided differently: {rel} (kept the later decision)", file=sys.stderr)
    print(f"merged {len(args.files)} files into {out}", file=sys.stderr)
    return 0


ACTIONS = {"status": status, "export": export, "merge": merge}


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    sp = actions.add_parser("status", help="decisions per scene and where they are saved")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp = actions.add_parser("export", help="write every datapoint with its decision as CSV")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.add_argument("--csv", nargs="?", const="-", required=True, metavar="OUT", help="CSV file (default: stdout)")
    sp = actions.add_parser("merge", help="merge review files (the later decision wins); usable as a git merge driver")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("-o", "--output", metavar="OUT", help="merged file (default: the first FILE)")


def run(args) -> int:
    return ACTIONS[args.review_command](args)
