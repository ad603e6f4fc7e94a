"""Big Datagen layouts for the scale benchmarks, built once and reused.

    from layouts import datagen_layout          # benchmarks/ is the script's folder, so this import works
    root = datagen_layout(1_000_000)            # a dataset folder of 1M datapoints

    python benchmarks/layouts.py 100000 [--where DIR]   # build (or find) one and print its path

``datagen_layout(n, where=None) -> str`` returns a Datagen dataset folder holding ``n`` folders
``datapoint_NNNNN`` (identities era, one camera each), every file a hard link (``os.link``) to one
generated sample datapoint (``dgviewer sample --variant datapoint --size 256``; a copy of it per 50k datapoints, as ext4 allows
65000 links to a file): the tree is real, its bytes are stored a few times. Layouts live in ``where``, else ``$DGVIEWER_LAYOUTS``, else
``/tmp/dgviewer-layouts``, as ``datagen-<n>/``; a finished one is reused by every later run and
every process (it is built under another name and renamed when complete; a lock file makes a second
builder wait for the first). 1M datapoints take about 3M folders (inodes) and 12 GB of directory
blocks; building it takes minutes, once. Delete the folder to rebuild.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import sys
import time

DEFAULT_WHERE = "/tmp/dgviewer-layouts"
SIZE = 256  # image side of the template datapoint
#: ext4 allows 65000 links to one file: each block of this many datapoints links to its own copy.
LINKS_PER_COPY = 50_000


def datagen_layout(n: int, where: str | None = None) -> str:
    """The path of a Datagen dataset of ``n`` hard-linked datapoints under ``where`` (built on first use)."""
    base = os.path.abspath(where or os.environ.get("DGVIEWER_LAYOUTS") or DEFAULT_WHERE)
    os.makedirs(base, exist_ok=True)
    final = os.path.join(base, f"datagen-{n}")
    if os.path.isdir(final):
        return final
    with open(os.path.join(base, f"datagen-{n}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same layout
        if not os.path.isdir(final):
            partial = f"{final}.partial"
            shutil.rmtree(partial, ignore_errors=True)  # left by an interrupted build
            _build(base, partial, n)
            os.rename(partial, final)
    return final


def _template(base: str, n: int, block: int) -> str:
    """The generated datapoint folder the ``block``-th run of LINKS_PER_COPY datapoints of layout ``n`` links to."""
    from dgviewer.samples import write_sample

    sample = os.path.join(base, f"template-{SIZE}")
    if not os.path.isdir(sample):
        write_sample(sample + ".partial", variant="datapoint", size=SIZE, seed=0)
        os.rename(sample + ".partial", sample)
    first = sorted(d for d in os.listdir(sample) if d.startswith("datapoint_"))[0]
    copy = os.path.join(sample, f"links-{n}-{block}")
    if not os.path.isdir(copy):
        shutil.copytree(os.path.join(sample, first), copy + ".partial")
        os.rename(copy + ".partial", copy)
    return copy


def _build(base: str, root: str, n: int) -> None:
    # The template's tree as relative (folders, files), linked through directory descriptors so each
    # of the ~19 calls per datapoint resolves one name, not a whole path.
    template = _template(base, n, 0)
    folders, files = [], []
    for top, dirs, names in os.walk(template):
        rel = os.path.relpath(top, template)
        folders.extend(os.path.normpath(os.path.join(rel, d)) for d in sorted(dirs))
        files.extend(os.path.normpath(os.path.join(rel, f)) for f in sorted(names))
    os.makedirs(root)
    width = max(5, len(str(n)))
    src_fd = -1
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    t = time.perf_counter()
    try:
        for i in range(1, n + 1):
            if (i - 1) % LINKS_PER_COPY == 0:
                if src_fd >= 0:
                    os.close(src_fd)
                src_fd = os.open(_template(base, n, (i - 1) // LINKS_PER_COPY), os.O_RDONLY | os.O_DIRECTORY)
            name = f"datapoint_{i:0{width}d}"
            os.mkdir(name, dir_fd=root_fd)
            dst_fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=root_fd)
            try:
                for d in folders:
                    os.mkdir(d, dir_fd=dst_fd)
                for f in files:
                    os.link(f, f, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
            finally:
                os.close(dst_fd)
            if i % 100_000 == 0:
                print(f"layouts: {i}/{n} datapoints linked ({time.perf_counter() - t:.0f} s)", file=sys.stderr)
    finally:
        if src_fd >= 0:
            os.close(src_fd)
        os.close(root_fd)


def main() -> None:
    ap = argparse.ArgumentParser(description="build (or find) a big hard-linked Datagen layout; print its path")
    ap.add_argument("n", type=int, help="number of datapoints")
    ap.add_argument("--where", help=f"cache folder (default $DGVIEWER_LAYOUTS or {DEFAULT_WHERE})")
    args = ap.parse_args()
    print(datagen_layout(args.n, args.where))


if __name__ == "__main__":
    main()
