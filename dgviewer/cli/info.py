"""``dgviewer info PATH... [--json]``: what dataset folders hold (scenes, cameras, modalities, problems)."""
from __future__ import annotations

NAME = "info"
HELP = "summarise dataset folders (scenes, cameras, modalities, problems)"


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args) -> int:
    from ..core import jsonio
    from ..core.summary import format_text, summarize
    from ..formats.registry import load

    info = summarize(load(*args.paths))
    print(jsonio.dumps(info, indent=2) if args.json else format_text(info))
    return 0
