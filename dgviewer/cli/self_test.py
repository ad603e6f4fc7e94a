"""``dgviewer --self-test [--screenshot OUT.png]`` (or ``self-test``): the real window over the sample.

Exit status 1 on any failure.
"""
from __future__ import annotations

NAME = "self-test"
HELP = "step through the built-in sample in the real window; non-zero on any failure"


def add_arguments(parser) -> None:
    parser.add_argument("--screenshot", metavar="OUT.png", help="where to save the final screenshot")


def run(args) -> int:
    from ..app.self_test import run_self_test

    return run_self_test(args.screenshot)
