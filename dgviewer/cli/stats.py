"""``dgviewer stats PATH... [--filter EXPR] [--json OUT] [--html OUT]``: how the facts spread.

Counts per value for categorical facts (a datapoint counts once per value it has, as a
``key=value`` filter keeps it) and histogram bins for numeric ones, over the whole dataset or
the datapoints a filter keeps. Review decisions saved beside the dataset are a fact too. Without
``--json``/``--html`` a text summary goes to stdout. OUT may be - for stdout.
"""
from __future__ import annotations

import sys

from .output import output

NAME = "stats"
HELP = "distributions of the facts (expressions, head poses, labels, ...) as JSON, HTML charts or text"


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--filter", metavar="EXPR", default="",
                        help="only the datapoints this keeps (the tree filter box's syntax)")
    parser.add_argument("--json", metavar="OUT", help="write fact → counts or histogram bins as JSON (- for stdout)")
    parser.add_argument("--html", metavar="OUT", help="write a self-contained HTML page of the charts")


def run(args) -> int:
    from ..core.filters import Facts, compile_filter
    from ..core.statistics import summarize
    from ..formats.registry import load
    from ..qa import stats_page

    ds = load(*args.paths)
    reviews = load_reviews(ds)
    facts = Facts()
    keep = compile_filter(args.filter, reviews=reviews, facts=facts)
    datapoints = keep.select(ds) if keep else list(ds)
    dists = summarize(datapoints, ds.fact_keys, reviews=reviews, facts=facts)
    page = dict(roots=ds.roots, datapoints=len(datapoints), filter_text=args.filter)
    if args.json:
        with output(args.json) as out:
            stats_page.write_json(dists, out, **page)
    if args.html:
        with output(args.html) as out:
            stats_page.write_html(dists, out, **page)
    if not (args.json or args.html):
        print(_text(dists))
    print(f"{len(datapoints)} of {len(ds)} datapoints, {len(dists)} facts", file=sys.stderr)
    return 0


def load_reviews(ds):
    """The dataset's review store, or None (and a warning) when its file cannot be read."""
    from ..core.errors import DgviewerError
    from ..core.review import ReviewStore

    try:
        return ReviewStore.for_dataset(ds)
    except DgviewerError as e:
        print(f"dgviewer: reviews not loaded: {e}", file=sys.stderr)
        return None


def _text(dists) -> str:
    lines = []
    for key, d in dists.items():
        if d.kind == "counts":
            parts = [f"{v}: {n}" for v, n in d.counts.items()] + ([f"other: {d.other}"] if d.other else [])
        else:
            parts = [f"{d.edges[0]:.4g}..{d.edges[-1]:.4g} in {len(d.bins)} bins: " + " ".join(map(str, d.bins))]
        lines.append(f"{key:14} " + ", ".join(parts) + (f"  (none: {d.missing})" if d.missing else ""))
    return "\n".join(lines)
