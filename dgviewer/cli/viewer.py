"""``dgviewer [open] [PATH...] [--goto ID] [--compare B] [--screenshot OUT.png]``: the viewer on dataset folders
(the default)."""
from __future__ import annotations

import sys
from typing import Callable

NAME = "open"
HELP = "open dataset folders in the viewer (the default command)"


def add_gui_options(parser) -> None:
    parser.add_argument("--goto", metavar="DATAPOINT_ID", help="open at this datapoint")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window to a PNG after loading and exit")


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="dataset folders, merged (none: an empty window)")
    add_gui_options(parser)
    parser.add_argument("--compare", metavar="B", help="compare with another version of the dataset, side by side")


def run(args) -> int:
    list_early(args.paths)
    return open_viewer(lambda: args.paths, args.goto, args.screenshot, args.compare)


def list_early(paths: list[str]) -> None:
    """Start listing the local ``paths`` on another core while Qt starts (core/early_listing.py): a million scene
    folders take about a second, and the first datapoint waits for them."""
    from ..core import early_listing, storage

    for path in paths:
        if not storage.is_url(path):
            early_listing.start(path)


def open_viewer(paths: Callable[[], list[str]], goto: str | None, screenshot: str | None,
                compare: str | None = None) -> int:
    """The viewer on ``paths()``, called once Qt is up: no display is said in one line, before any work."""
    from ..app import launch, qtapp

    try:
        launch.start(screenshot)
    except qtapp.NoDisplay as e:
        print(f"dgviewer: {e}", file=sys.stderr)
        return 2
    return launch.run(paths(), goto=goto, screenshot=screenshot, compare=compare)
