"""``dgviewer diff A B [--json OUT] [--workers N]``: what changed between two versions of a dataset.

Datapoints are matched by their ids relative to each dataset folder. Exit status 0: identical;
1: they differ; 2: a folder that cannot be opened, or an output that cannot be written.
"""
from __future__ import annotations

import sys

from .output import output
from .progress import ProgressBar

NAME = "diff"
HELP = "compare two versions of a dataset (exit 1 when they differ)"


def add_arguments(parser) -> None:
    parser.description = ("Compare datapoints, images, keypoints and metadata of two datasets. "
                          "Exit status 0: identical; 1: they differ; 2: bad input.")
    parser.add_argument("a", metavar="A", help="dataset folder (the old version)")
    parser.add_argument("b", metavar="B", help="dataset folder (the new version)")
    parser.add_argument("--json", metavar="OUT", help="write every difference as JSON (- for stdout)")
    parser.add_argument("--workers", type=int, metavar="N", help="comparing threads (default: one per core, at most 8)")


def run(args) -> int:
    from ..core import jsonio
    from ..core.dataset_diff import diff_datasets
    from ..core.errors import DgviewerError
    from ..formats.registry import load

    try:
        a, b = load(args.a), load(args.b)
    except DgviewerError as e:  # not a dataset: bad input, not a difference
        print(f"dgviewer: {e}", file=sys.stderr)
        return 2
    bar = ProgressBar(sys.stderr, "comparing")
    try:
        result = diff_datasets(a, b, workers=args.workers, progress=bar)
    finally:
        bar.close()
    if args.json:
        with output(args.json) as out:
            out.write(jsonio.dumps(result.as_dict(), indent=2) + "\n")
    if args.json != "-":
        print("\n".join(result.summary_lines()))
    return 1 if result.differs else 0
