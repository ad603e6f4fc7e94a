"""``dgviewer find PATH... --filter EXPR [--json]``: the ids of the datapoints a filter keeps, one per line.

The same expressions as the viewer's filter box and ``render --filter``, answered from the facts index in the
user cache folder: a valid index is used without listing the dataset; otherwise the dataset is opened and the
index built (in parallel over the cores) and saved for the next run. Imports only what that needs.
"""
from __future__ import annotations

import sys

NAME = "find"
HELP = "print the ids of the datapoints a filter keeps (for pipelines that pick subsets)"


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--filter", metavar="EXPR", required=True,
                        help="the tree filter box's syntax, e.g. 'expression=happiness camera=camera_2'")
    parser.add_argument("--json", action="store_true", help="print one JSON list")


def run(args) -> int:
    from ..core import facts_query
    from ..core.review import ReviewStore
    from .. import facts

    index = facts.cached(args.paths)
    if index is None:
        ids = _build_and_select(args)
    else:
        reviews = ReviewStore(index.roots) if "review" in _needs(args.filter) else None
        ids = facts_query.selected_ids(index, args.filter, reviews=reviews)
    if args.json:
        import orjson

        sys.stdout.write(orjson.dumps(ids).decode() + "\n")
    else:
        sys.stdout.write("".join(i + "\n" for i in ids))
    return 0


def _needs(text: str) -> set[str]:
    from ..core.filters import parse

    return {n for term in parse(text, reviews=True, findings={}) for n in term.needs}


def _build_and_select(args) -> list[str]:
    from ..core.cache import ByteCache
    from ..core.review import ReviewStore
    from ..facts import selection
    from ..formats.registry import load
    from .progress import ProgressBar

    ds = load(*args.paths, cache=ByteCache(64 << 20))
    reviews = ReviewStore.for_dataset(ds) if "review" in _needs(args.filter) else None
    bar = ProgressBar(sys.stderr, "Indexing facts")
    keep = selection(ds, args.filter, reviews=reviews, progress=bar)
    bar.close()
    return [dp.id for dp in ds if keep is None or dp.id in keep]
