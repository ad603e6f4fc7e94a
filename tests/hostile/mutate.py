"""Deterministic damaged copies of a dataset: the classes of issue #12.

    mutate(src, dst, seed) -> {"class": ..., "file": ..., "what": ...}

copies ``src`` to ``dst`` and damages one file of the copy, chosen with
``random.Random(seed)``; the class is ``CLASSES[seed % len(CLASSES)]`` so any
run of consecutive seeds covers every class evenly. ``sources(folder)`` lists
the datasets mutants are made from: generated samples of every variant and
the real corpora present beside the checkout.

    python -m tests.hostile.mutate SRC DST SEED
"""
from __future__ import annotations

import json
import os
import random
import shutil
import struct
import sys
import zlib
from typing import Any, Callable

from tests.conftest import CORPORA, copy_tree

CLASSES = ("json-type", "json-number", "json-deep", "truncate", "bomb", "special", "path", "delete", "empty")
DATAGEN_VARIANTS = ("datapoint", "scene", "environment", "earliest", "hic")
PERCEPTION_FORMATS = ("solo", "legacy")
#: Keys whose values are file paths inside metadata (Perception captures, Datagen environment entries).
PATH_KEYS = ("filename", "image_name")
_HOLE = "@@hostile@@"
_DEEP = 100_000


def sources(folder: str, size: int = 64, trim: int | None = None) -> list[str]:
    """Generated samples of every variant (written into ``folder`` once) and the corpora that exist.

    ``trim``: Datagen corpora are copied into ``folder`` with only their first ``trim`` datapoint,
    scene or environment folders (damage is per file; more folders only repeat it, at a cost).
    """
    from dgviewer.samples import write_sample
    from dgviewer.samples.perception import write_perception_sample

    out = []
    for variant in DATAGEN_VARIANTS:
        path = os.path.join(folder, f"datagen-{variant}")
        if not os.path.isdir(path):
            write_sample(path, variant=variant, size=size, seed=1)
        out.append(path)
    for fmt in PERCEPTION_FORMATS:
        path = os.path.join(folder, f"perception-{fmt}")
        if not os.path.isdir(path):
            write_perception_sample(path, format=fmt, size=size, seed=1)
        out.append(path)
    for family in ("datagen", "perception"):
        if not (CORPORA / family).is_dir():
            continue
        for corpus in sorted(p for p in (CORPORA / family).iterdir() if p.is_dir()):
            if trim is None or family != "datagen":
                out.append(str(corpus))
                continue
            path = os.path.join(folder, f"trimmed-{corpus.name}")
            if not os.path.isdir(path):
                keep = sorted(p.name for p in corpus.iterdir() if p.is_dir())[:trim]
                shutil.copytree(corpus, path, copy_function=shutil.copyfile,
                                ignore=lambda d, names: [n for n in names if d == str(corpus)
                                                         and os.path.isdir(os.path.join(d, n)) and n not in keep])
            out.append(path)
    return out


def mutate(src: str, dst: str, seed: int) -> dict:
    """Copy ``src`` to ``dst`` and damage one file; the description says which class, file and how."""
    copy_tree(src, dst)  # type: ignore[arg-type]
    rng = random.Random(seed)
    files = _data_files(dst)
    start = seed % len(CLASSES)
    for k in range(len(CLASSES)):  # a class with nothing to damage here falls to the next one
        cls = CLASSES[(start + k) % len(CLASSES)]
        applies, damage = _MUTATORS[cls]
        candidates = [f for f in files if applies(os.path.join(dst, f))]
        if candidates:
            rel = rng.choice(candidates)
            what = damage(os.path.join(dst, rel), rng, dst)
            return {"class": cls, "file": rel, "what": what}
    raise ValueError(f"{src}: no file to damage")


def _data_files(root: str) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        out.extend(os.path.relpath(os.path.join(dirpath, f), root) for f in sorted(filenames) if not f.endswith(".txt"))
    return out


# -- JSON ---------------------------------------------------------------------------------------------
def _is_json(path: str) -> bool:
    return path.endswith(".json")


def _load(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except ValueError:  # not JSON after all: damage it as a whole
        return None


def _nodes(tree: Any) -> list[tuple[tuple, Any]]:
    """(path, value) for every node, the root included."""
    out, stack = [], [((), tree)]
    while stack:
        path, v = stack.pop()
        out.append((path, v))
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        stack.extend((path + (k,), c) for k, c in items)
    out.sort(key=lambda n: [str(p) for p in n[0]])
    return out


def _pick(rng: random.Random, nodes: list) -> tuple[tuple, Any]:
    """A node at a depth drawn uniformly: a uniform node would almost always be a keypoint coordinate."""
    depths = sorted({len(p) for p, _ in nodes})
    depth = rng.choice(depths)
    return rng.choice([n for n in nodes if len(n[0]) == depth])


def _set(tree: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = tree
    for k in path[:-1]:
        parent = parent[k]
    parent[path[-1]] = value
    return tree


def _write(path: str, tree: Any, hole: str | None = None) -> None:
    text = json.dumps(tree)
    if hole is not None:
        text = text.replace(json.dumps(_HOLE), hole, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _where(path: tuple) -> str:
    return "/".join(str(p) for p in path) or "(top level)"


def _wrong_type(path: str, rng: random.Random, root: str) -> str:
    tree = _load(path)
    node, value = _pick(rng, _nodes(tree))
    if not node and rng.random() < 0.5:
        new: Any = [tree]  # a list at the top level where an object is
    elif isinstance(value, bool) or value is None:
        new = rng.choice(["yes", {}, [1]])
    elif isinstance(value, (int, float)):
        new = rng.choice([str(value), None, {}, [value]])
    elif isinstance(value, str):
        new = rng.choice([7, None, [], {"x": 1}])
    elif isinstance(value, list):
        new = rng.choice([{"0": value[0] if value else 1}, "text", None, 3])
    else:
        new = rng.choice([list(value.values()), "text", None, 3])
    _write(path, _set(tree, node, new))
    return f"{_where(node)}: {type(value).__name__} -> {json.dumps(new)[:40]}"


def _huge_number(path: str, rng: random.Random, root: str) -> str:
    tree = _load(path)
    nodes = _nodes(tree)
    numbers = [n for n in nodes if isinstance(n[1], (int, float)) and not isinstance(n[1], bool)]
    node, _ = _pick(rng, numbers or nodes)
    literal = rng.choice(["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1" + "0" * 400,
                          "-9223372036854775809", "1e308"])
    _write(path, _set(tree, node, _HOLE), literal)
    return f"{_where(node)} -> {literal[:24]}"


def _deep(path: str, rng: random.Random, root: str) -> str:
    tree = _load(path)
    node, _ = _pick(rng, _nodes(tree))
    if rng.random() < 0.5:
        text, shape = "[" * _DEEP + "]" * _DEEP, "lists"
    else:
        text, shape = '{"a":' * _DEEP + "1" + "}" * _DEEP, "objects"
    _write(path, _set(tree, node, _HOLE), text)
    return f"{_where(node)} -> {_DEEP} nested {shape}"


def _has_path_key(path: str) -> bool:
    if not path.endswith(".json"):
        return False
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return any(f'"{k}"' in text for k in PATH_KEYS)


def _escape(path: str, rng: random.Random, root: str) -> str:
    """A path in metadata that leaves the dataset, to a valid copy of the file (reading it is the bug)."""
    tree = _load(path)
    nodes = [n for n in _nodes(tree) if n[0] and n[0][-1] in PATH_KEYS and isinstance(n[1], str)]
    node, value = rng.choice(nodes)
    outside = root.rstrip(os.sep) + ".outside"
    os.makedirs(outside, exist_ok=True)
    target = os.path.join(outside, os.path.basename(value) or "file")
    original = _resolve(root, path, value)
    if original and not os.path.exists(target):
        shutil.copyfile(original, target)
    new = target if rng.random() < 0.5 else "../" * 16 + target.lstrip(os.sep)
    _write(path, _set(tree, node, new))
    return f"{_where(node)} -> {'absolute' if new.startswith(os.sep) else '..'} path outside the dataset"


def _resolve(root: str, json_path: str, value: str) -> str | None:
    for base in (os.path.dirname(json_path), root):
        p = os.path.join(base, value)
        if os.path.isfile(p):
            return p
    return None


# -- images and files ---------------------------------------------------------------------------------
def _truncatable(path: str) -> bool:
    return path.endswith((".json", ".png", ".exr")) and os.path.getsize(path) > 1


def _truncate(path: str, rng: random.Random, root: str) -> str:
    size = os.path.getsize(path)
    cut = rng.randrange(1, size)
    with open(path, "r+b") as f:
        f.truncate(cut)
    return f"cut at byte {cut} of {size}"


def _is_image(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(8)
    return head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\x76\x2f\x31\x01")


def _bomb(path: str, rng: random.Random, root: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\x89PNG"):
        w, h = rng.choice([(60000, 60000), (0x7FFFFFFF, 1), (1, 0x7FFFFFFF), (100000, 100000)])
        ihdr = b"IHDR" + struct.pack(">II", w, h) + data[24:29]
        data = data[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]
        what = f"PNG IHDR claims {w}x{h} (valid CRC)"
    else:
        key = b"dataWindow\0box2i\0"
        at = data.index(key) + len(key) + 4
        box = rng.choice([(0, 0, 59999, 59999), (-(2 ** 31), -(2 ** 31), 2 ** 31 - 1, 2 ** 31 - 1),
                          (0, 0, 2 ** 30, 0), (0, 0, 0, 2 ** 30)])
        data = data[:at] + struct.pack("<4i", *box) + data[at + 16:]
        what = f"EXR dataWindow {box}"
    with open(path, "wb") as f:
        f.write(data)
    return what


def _special(path: str, rng: random.Random, root: str) -> str:
    kind = rng.choice(["fifo", "/dev/zero", "/dev/urandom", "folder", "link loop"])
    os.remove(path)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        os.mkdir(path)
    elif kind == "link loop":
        os.symlink(os.path.basename(path), path)
    else:
        os.symlink(kind, path)
    return f"replaced by {'a symlink to ' if kind.startswith('/') else 'a '}{kind}"


def _delete(path: str, rng: random.Random, root: str) -> str:
    os.remove(path)
    return "deleted"


def _empty(path: str, rng: random.Random, root: str) -> str:
    open(path, "wb").close()
    return "emptied"


_MUTATORS: dict[str, tuple[Callable[[str], bool], Callable[[str, random.Random, str], str]]] = {
    "json-type": (_is_json, _wrong_type),
    "json-number": (_is_json, _huge_number),
    "json-deep": (_is_json, _deep),
    "truncate": (_truncatable, _truncate),
    "bomb": (_is_image, _bomb),
    "special": (os.path.isfile, _special),
    "path": (_has_path_key, _escape),
    "delete": (os.path.isfile, _delete),
    "empty": (os.path.isfile, _empty),
}


if __name__ == "__main__":  # pragma: no cover - a tool for reproducing one mutant by hand
    print(json.dumps(mutate(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
