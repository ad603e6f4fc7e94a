"""Index a Datagen dataset folder from directory listings and environment.json only (spec §1–§2)."""
from __future__ import annotations

import os
import sys
from typing import Iterator

from ...core import storage
from ...core.errors import DataError, NotADatasetError
from ...core.jsonio import parse_file
from ...core.model import Scene
from ...core.sorting import sorted_in_steps
from ..base import IndexContext
from .datapoint import DatagenDatapoint, Folder, modalities_of

SCENE_PREFIXES = ("scene_", "environment_", "datapoint_")

#: Files every identities camera folder is expected to hold (any of each tuple).
IDENTITY_EXPECTED = (
    ("camera_metadata.json",), ("depth.exr",), ("normal_maps.exr",),
    ("semantic_segmentation.png", "semantic_segmentation.exr"), ("face_bounding_box.json",),
    ("key_points", "standard_keypoints.json"),
)
HIC_EXPECTED = (("camera_metadata.json",), ("depth.exr",), ("key_points",))

SCENE_EXPECTED = (("actor_metadata.json",), ("semantic_segmentation_metadata.json",))


def listing(path: str, ctx: IndexContext | None = None) -> tuple[frozenset[str], list[str]]:
    """(all names, sorted sub-folder names) of ``path``; empty when it cannot be listed (a problem on ``ctx``:
    an unreadable scene folder must not pass QA with its datapoints silently missing). Runs for every
    folder of a million-datapoint dataset: comprehensions, the directory entry's type (no stat), and one
    shared set for folders holding the same names."""
    try:
        with storage.scandir(path) as it:
            entries = [e for e in it if not e.name.startswith(".")]
    except OSError as e:
        _unlisted(path, ctx, e)
        return frozenset(), []
    try:  # interned: a million camera folders share one "camera"
        dirs = [sys.intern(e.name) for e in entries if e.is_dir()]
    except OSError:  # a link loop: it stays a name, so the file that should be there is reported
        dirs = [sys.intern(e.name) for e in entries if storage.entry_is_dir(e)]
    dirs.sort()
    return shared(frozenset([e.name for e in entries])), dirs


def names(path: str, ctx: IndexContext | None = None) -> frozenset[str]:
    """All names of ``path``, as :func:`listing` has them, without their types: for a folder whose sub-folders
    are not looked into (a camera's): no directory entry objects, 1.4 µs a folder less."""
    try:
        found = storage.listdir(path)
    except OSError as e:
        _unlisted(path, ctx, e)
        return frozenset()
    return shared(frozenset([n for n in found if n[:1] != "."]))


def _unlisted(path: str, ctx: IndexContext | None, e: OSError) -> None:
    if ctx is not None:
        ctx.problem(path, f"cannot list this folder ({e.strerror or e}): its datapoints are missing")


#: One instance of each equal value the index keeps per folder (file-name sets, environment entries):
#: a million identical camera folders share them. Cleared when it grows past SHARED_MAX.
_SHARED: dict = {}
SHARED_MAX = 1 << 14


def shared(key, value=None):
    """The value kept for ``key`` (hashable; ``key`` itself by default), kept on first use."""
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= SHARED_MAX:
            _SHARED.clear()
        found = _SHARED[key] = key if value is None else value
    return found


def scene_folders(root: str) -> list[str]:
    """Scene folder names of ``root``, unsorted (a million take a visible while to sort)."""
    try:
        return [n for n in storage.subfolders(root) if n.startswith(SCENE_PREFIXES)]
    except OSError:
        return []


def detect(root: str) -> bool:
    try:  # stops at the first scene folder: a root may hold a million
        with storage.scandir(root) as it:
            for e in it:
                if e.name.startswith(SCENE_PREFIXES) and storage.entry_is_dir(e):
                    return True
    except OSError:
        return False
    return storage.isdir(os.path.join(root, "frames")) and bool(_numbered(os.path.join(root, "frames")))


def _numbered(path: str) -> list[str]:
    return sorted((d for d in listing(path)[1] if d.isdigit()), key=int)


def index(ctx: IndexContext) -> Iterator[Scene]:
    root = ctx.root
    if ctx.only is not None:  # the scene folders the wanted ids name (the first part of their path)
        names = sorted({i.partition("/")[0] for i in ctx.only} & set(_existing(root, ctx.only)))
    else:
        names = scene_folders(root)
    if not names:
        if "frames" in listing(root)[1]:  # Jan-2022 HIC: frames/ directly under the root
            ctx.expected = 1
            yield _index_hic(ctx, root, ctx.dataset_name)
            return
        if ctx.only is not None:
            return
        raise NotADatasetError(root, "no scene_*, environment_* or datapoint_* folders")
    ctx.expected = len(names)
    kind = ctx.options.get("environment")
    if kind is None:
        kind = "hic" if all(storage.isdir(os.path.join(root, n, "frames")) for n in names) else "identities"
    build = _index_hic if kind == "hic" else _index_identities
    # The first scene in name order is shown while the others are sorted and listed.
    first = min(names)
    if ctx.wants(0):
        yield build(ctx, os.path.join(root, first), first)
    position = 0
    for n in sorted_in_steps(names):
        if n != first:
            position += 1
            wanted = ctx.wants(position)
            if wanted:
                yield build(ctx, os.path.join(root, n), n)
            elif wanted is None:
                return


def _existing(root: str, ids) -> list[str]:
    """Scene folders (of the right names) that the relative ``ids`` start with."""
    out = []
    for n in {i.partition("/")[0] for i in ids}:
        if n.startswith(SCENE_PREFIXES) and storage.isdir(os.path.join(root, n)):
            out.append(n)
    return out


def _entries(ctx: IndexContext, env_path: str, default_image: str) -> list[dict] | None:
    """environment.json → list of entries (list form, or the flat early/HIC form with an implicit image)."""
    try:
        raw = parse_file(env_path)  # read once: the index keeps what it needs
    except DataError as e:
        ctx.problem(env_path, e.message)
        return None
    if isinstance(raw, dict) and isinstance(raw.get("environments"), list):
        entries = [e for e in raw["environments"] if isinstance(e, dict)]
    elif isinstance(raw, dict):
        entries = [{k: v for k, v in raw.items() if k != "version"}]
        entries[0].setdefault("image_name", default_image)
    else:
        ctx.problem(env_path, "expected an object")
        return None
    for e in entries:
        if not _plain_name(e.get("image_name")):  # a path would open a file elsewhere, perhaps outside the dataset
            ctx.problem(env_path, f"image_name {e.get('image_name')!r} is not a file name in the camera folder: "
                                  "entry skipped")
    return [_shared_entry(e) for e in entries if _plain_name(e.get("image_name"))]


def _shared_entry(entry: dict) -> dict:
    """Equal entries (flat ones: strings and numbers) share one dict; datapoints only read them."""
    try:
        return shared(("environment", *entry.items()), entry)
    except TypeError:  # a nested value: kept as it is
        return entry


def _plain_name(name) -> bool:
    """A file name of the camera folder (or none: the default image), not a path."""
    if name is None or name == "":
        return True
    return isinstance(name, str) and name not in (".", "..") and "/" not in name and os.sep not in name


def _missing(folder: Folder, expected) -> list[str]:
    """Paths of expected files that ``folder`` lacks."""
    key = ("missing", folder.names, expected)
    names = _SHARED.get(key)
    if names is None:
        names = shared(key, tuple(alts[0] for alts in expected if not any(n in folder.names for n in alts)))
    return [os.path.join(folder.path, n) for n in names]


def _index_identities(ctx: IndexContext, scene_path: str, scene_name: str) -> Scene:
    scene = Scene(scene_name, ctx.dataset_name, scene_path)
    scene.files, cam_dirs = listing(scene_path, ctx)
    scene_folder = Folder(scene_path, scene.files)
    for cam_name in cam_dirs:
        cam_path = os.path.join(scene_path, cam_name)
        cam_names = names(cam_path, ctx)
        if "environment.json" not in cam_names:
            ctx.problem(cam_path, "camera folder without environment.json: skipped")
            continue
        entries = _entries(ctx, os.path.join(cam_path, "environment.json"), "visible_spectrum.png")
        if entries is None:
            continue
        folders = (Folder(cam_path, cam_names), scene_folder)
        camera = scene.camera(cam_name, cam_path)
        camera.files = cam_names  # the datapoints' folders (they keep none of their own)
        missing = _missing(folders[0], IDENTITY_EXPECTED) + _missing(scene_folder, SCENE_EXPECTED)
        for entry in entries:
            _add(ctx, camera, entry, folders, False, 0, missing, f"{scene_name}/{cam_name}")
    return scene


def _index_hic(ctx: IndexContext, scene_path: str, scene_name: str) -> Scene:
    scene = Scene(scene_name, ctx.dataset_name, scene_path)
    scene_folder = Folder(scene_path, names(scene_path, ctx))
    frames_path = os.path.join(scene_path, "frames")
    frames = _numbered(frames_path)
    if not frames:
        ctx.problem(frames_path, "no numbered frame folders")
    base = storage.relpath(frames_path, ctx.root).replace(os.sep, "/")
    for i, frame in enumerate(frames, start=1):
        if int(frame) != i:
            ctx.problem(os.path.join(frames_path, frame), f"frame folders are not contiguous: expected {i:03d}")
        frame_path = os.path.join(frames_path, frame)
        frame_names, cam_dirs = listing(frame_path, ctx)
        frame_folder = Folder(frame_path, frame_names)
        for cam_name in cam_dirs:
            cam_path = os.path.join(frame_path, cam_name)
            cam_names = names(cam_path, ctx)
            folders = (Folder(cam_path, cam_names), frame_folder, scene_folder)
            camera = scene.camera(cam_name, os.path.join(frames_path, frames[0], cam_name))
            if "environment.json" in cam_names:
                entries = _entries(ctx, os.path.join(cam_path, "environment.json"), "visible_spectrum.png")
            else:
                ctx.problem(cam_path, "environment.json missing; assuming visible_spectrum.png")
                entries = [{"image_name": "visible_spectrum.png"}]
            for entry in entries or ():
                _add(ctx, camera, entry, folders, True, int(frame), _missing(folders[0], HIC_EXPECTED),
                     f"{base}/{frame}/{cam_name}")
    return scene


def _add(ctx, camera, entry: dict, folders, hic: bool, frame_num: int, missing: list[str], rel: str) -> None:
    image = str(entry.get("image_name") or "visible_spectrum.png")
    dp_id = f"{ctx.dataset_name}/{rel}/{image}" if rel != "." else f"{ctx.dataset_name}/{image}"
    key = ("modalities", image, *(f.names for f in folders))
    modalities = _SHARED.get(key)
    if modalities is None:
        modalities = shared(key, modalities_of(image, folders))
    dp = camera.add(DatagenDatapoint(dp_id, camera, image, entry, folders if hic else None, hic, frame_num,
                                     ctx.cache, modalities))
    if image not in folders[0].names:
        dp.add_problem(os.path.join(folders[0].path, image), "image listed in environment.json is missing")
    for path in missing:
        dp.add_problem(path, "expected file is missing")
