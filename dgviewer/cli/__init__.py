"""The ``dgviewer`` command line: :func:`main` and the subcommands it registers.

    dgviewer [PATH...] [--goto ID] [--screenshot OUT.png] open the viewer (the implied ``open`` command)
    dgviewer demo | --self-test | info | sample | validate | stats | review | render | find | diff   (see each module)

One registration convention: every module in :data:`COMMANDS` has NAME, HELP,
``add_arguments(parser)`` and ``run(args) -> int``. Exit status: what ``run`` returns; 1 for a
:class:`DgviewerError` (data that cannot be read, an unknown id); 2 for a usage error, an output
that cannot be written, or a window wanted where there is no display.
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys

from ..core.errors import DgviewerError
from . import demo, diff, find, info, render, review, sample, self_test, stats, validate, viewer
from .output import CannotWrite

#: The subcommands, in the order ``dgviewer --help`` lists them.
COMMANDS = (viewer, demo, self_test, info, sample, validate, stats, review, render, find, diff)
#: What ``dgviewer PATH...`` runs.
DEFAULT = viewer
#: Other spellings of a command: the one packaging checks and the README use.
ALIASES = {"--self-test": self_test.NAME}


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the ``chosen`` command gets its arguments (render's need Qt and every reader)."""
    from .. import __version__

    parser = argparse.ArgumentParser(prog="dgviewer", description="View and check synthetic human-centric datasets.")
    parser.add_argument("--version", action="version", version=f"dgviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        sp = sub.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        if command.NAME == chosen:
            command.add_arguments(sp)
        sp.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = [c.NAME for c in COMMANDS]
    if not argv:  # how a desktop menu entry starts it: an empty window with recent datasets and Open
        argv = [DEFAULT.NAME]
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    if argv and argv[0] not in names and not argv[0].startswith("-"):
        if _mistyped_command(argv[0]):
            close = difflib.get_close_matches(argv[0], names, n=1)
            build_parser().error(f"{argv[0]!r} is neither a command ({', '.join(names)}) nor an existing folder"
                                 + (f"; did you mean {close[0]!r}?" if close else ""))
        argv.insert(0, DEFAULT.NAME)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code = args.run(args)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at interpreter exit
        return code
    except CannotWrite as e:
        print(f"dgviewer: {e}", file=sys.stderr)
        return 2
    except DgviewerError as e:
        print(f"dgviewer: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `dgviewer info DS | head -1`: the reader left, which is no error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail again
        return 0


def _mistyped_command(word: str) -> bool:
    """A bare word that names nothing on disk is a command typed wrong; anything path-like stays a PATH."""
    return not os.path.exists(word) and not any(c in word for c in "/\\.:~")
