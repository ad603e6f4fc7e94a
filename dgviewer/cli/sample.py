"""``dgviewer sample OUT [--format datagen|solo|legacy] [--variant V] [--size N] [--seed S]``: a synthetic dataset."""
from __future__ import annotations

NAME = "sample"
HELP = "write a deterministic synthetic dataset"


def add_arguments(parser) -> None:
    parser.add_argument("out", metavar="OUT")
    parser.add_argument("--format", choices=("datagen", "solo", "legacy"), default="datagen")
    parser.add_argument("--variant", default="datapoint",
                        help="Datagen era: datapoint, scene, environment, earliest or hic (default datapoint)")
    parser.add_argument("--size", type=int, default=256, help="image width and height in pixels (default 256)")
    parser.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    if args.format == "datagen":
        from ..samples import write_sample

        write_sample(args.out, variant=args.variant, size=args.size, seed=args.seed)
    else:
        from ..samples.perception import write_perception_sample

        write_perception_sample(args.out, format=args.format, size=args.size, seed=args.seed)
    print(args.out)
    return 0
