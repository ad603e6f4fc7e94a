"""The ``dgviewer`` command line.

    dgviewer PATH... [--goto ID] [--screenshot OUT.png]   open the viewer
    dgviewer demo [--screenshot OUT.png]                  open the built-in sample dataset
    dgviewer info PATH... [--json]                        what a dataset holds
    dgviewer sample OUT [--variant V] [--size N] [--seed S] [--format datagen|solo|legacy]
    dgviewer validate PATH... [--json OUT] [--html OUT] [--csv OUT] [--images]   (see cli_qa.py)
    dgviewer review status|export|merge ...
    dgviewer render PATH... --out DIR | --contact-sheet FILE [--goto ID] [--filter EXPR] [--overlays ...]  (see cli_render.py)
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from .core.errors import DgviewerError


def _cmd_info(args) -> int:
    from .formats.registry import load
    from .core.summary import format_text, summarize

    info = summarize(load(*args.paths))
    print(json.dumps(info, indent=2) if args.json else format_text(info))
    return 0


def _cmd_sample(args) -> int:
    if args.format == "datagen":
        from .samples import write_sample

        write_sample(args.out, variant=args.variant, size=args.size, seed=args.seed)
    else:
        from .samples.perception import write_perception_sample

        write_perception_sample(args.out, format=args.format, size=args.size, seed=args.seed)
    print(args.out)
    return 0


def _cmd_demo(args) -> int:
    from .samples.demo import demo_paths
    from .app.launch import run

    return run(demo_paths(), goto=args.goto, screenshot=args.screenshot)


def _cmd_self_test(args) -> int:
    from .app.self_test import run_self_test

    return run_self_test(args.screenshot)


def _cmd_open(args) -> int:
    from .app.launch import run

    return run(args.paths, goto=args.goto, screenshot=args.screenshot)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dgviewer", description="View and check synthetic human-centric datasets.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"dgviewer {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def gui_options(sp):
        sp.add_argument("--goto", metavar="DATAPOINT_ID", help="open at this datapoint")
        sp.add_argument("--screenshot", metavar="OUT.png", help="render the window to a PNG after loading and exit")

    sp = sub.add_parser("open", help="open dataset folders in the viewer (the default command)")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    gui_options(sp)
    sp.set_defaults(func=_cmd_open)

    sp = sub.add_parser("demo", help="open the built-in sample dataset in the viewer")
    gui_options(sp)
    sp.set_defaults(func=_cmd_demo)

    sp = sub.add_parser("self-test", help="step through the built-in sample in the real window; non-zero on any failure")
    sp.add_argument("--screenshot", metavar="OUT.png", help="where to save the final screenshot")
    sp.set_defaults(func=_cmd_self_test)

    sp = sub.add_parser("info", help="summarise dataset folders (scenes, cameras, modalities, problems)")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    sp.set_defaults(func=_cmd_info)

    sp = sub.add_parser("sample", help="write a deterministic synthetic dataset")
    sp.add_argument("out", metavar="OUT")
    sp.add_argument("--format", choices=("datagen", "solo", "legacy"), default="datagen")
    sp.add_argument("--variant", default="datapoint",
                    help="Datagen era: datapoint, scene, environment, earliest or hic (default datapoint)")
    sp.add_argument("--size", type=int, default=256, help="image width and height in pixels (default 256)")
    sp.add_argument("--seed", type=int, default=0)
    sp.set_defaults(func=_cmd_sample)

    from .cli_qa import add_commands

    add_commands(sub)
    from .cli_render import add_commands as add_render

    add_render(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    if argv and argv[0] == "--self-test":  # the spelling packaging checks use
        argv[0] = "self-test"
    # `dgviewer PATH...` is `dgviewer open PATH...`.
    if argv and argv[0] not in commands and not argv[0].startswith("-"):
        argv.insert(0, "open")
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except DgviewerError as e:
        print(f"dgviewer: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
