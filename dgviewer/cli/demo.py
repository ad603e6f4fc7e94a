"""``dgviewer demo [--goto ID] [--screenshot OUT.png]``: the viewer on the built-in sample dataset."""
from __future__ import annotations

from .viewer import add_gui_options, open_viewer

NAME = "demo"
HELP = "open the built-in sample dataset in the viewer"


def add_arguments(parser) -> None:
    add_gui_options(parser)


def run(args) -> int:
    from ..samples.demo import demo_paths

    return open_viewer(demo_paths, args.goto, args.screenshot)
