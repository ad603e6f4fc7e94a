"""Index a Datagen dataset folder from directory listings and environment.json only (spec §1–§2)."""
from __future__ import annotations

import os

from ...core import storage
from ...core.errors import DataError, NotADatasetError
from ...core.jsonio import read_json
from ...core.model import Scene
from ..base import IndexContext
from .datapoint import DatagenDatapoint, Folder

SCENE_PREFIXES = ("scene_", "environment_", "datapoint_")

#: Files every identities camera folder is expected to hold (any of each tuple).
IDENTITY_EXPECTED = (
    ("camera_metadata.json",), ("depth.exr",), ("normal_maps.exr",),
    ("semantic_segmentation.png", "semantic_segmentation.exr"), ("face_bounding_box.json",),
    ("key_points", "standard_keypoints.json"),
)
HIC_EXPECTED = (("camera_metadata.json",), ("depth.exr",), ("key_points",))

#: Annotation set reported by ``dgviewer info`` → files that provide it (found in any lookup folder).
ANNOTATION_FILES = {
    "keypoints": ("key_points", "standard_keypoints.json", "dense_keypoints.json"),
    "eyes_and_gaze": ("actor_metadata.json",),
    "bbox": ("face_bounding_box.json",),
    "segmentation": ("semantic_segmentation_metadata.json",),
    "centers": ("center_of_geometry.json",),
}
SCENE_EXPECTED = (("actor_metadata.json",), ("semantic_segmentation_metadata.json",))


def listing(path: str, ctx: IndexContext | None = None) -> tuple[frozenset[str], list[str]]:
    """(all names, sorted sub-folder names) of ``path``; empty when it cannot be listed (a problem on ``ctx``:
    an unreadable scene folder must not pass QA with its datapoints silently missing)."""
    names, dirs = set(), []
    try:
        with storage.scandir(path) as it:
            for e in it:
                if e.name.startswith("."):
                    continue
                names.add(e.name)
                try:  # inline: this loop runs for every file of a million-datapoint dataset
                    if e.is_dir():
                        dirs.append(e.name)
                except OSError:  # a link loop: it stays a name, so the file that should be there is reported
                    pass
    except OSError as e:
        if ctx is not None:
            ctx.problem(path, f"cannot list this folder ({e.strerror or e}): its datapoints are missing")
    return frozenset(names), sorted(dirs)


def scene_folders(root: str) -> list[str]:
    _, dirs = listing(root)
    return [d for d in dirs if d.startswith(SCENE_PREFIXES)]


def detect(root: str) -> bool:
    names, dirs = listing(root)
    return any(d.startswith(SCENE_PREFIXES) for d in dirs) or ("frames" in dirs and _numbered(os.path.join(root, "frames")))


def _numbered(path: str) -> list[str]:
    return sorted((d for d in listing(path)[1] if d.isdigit()), key=int)


def index(ctx: IndexContext) -> list[Scene]:
    root = ctx.root
    names = scene_folders(root)
    if not names:
        if "frames" in listing(root)[1]:  # Jan-2022 HIC: frames/ directly under the root
            return [_index_hic(ctx, root, ctx.dataset_name)]
        raise NotADatasetError(root, "no scene_*, environment_* or datapoint_* folders")
    kind = ctx.options.get("environment")
    paths = [os.path.join(root, n) for n in names]
    if kind is None:
        kind = "hic" if all(storage.isdir(os.path.join(p, "frames")) for p in paths) else "identities"
    if kind == "hic":
        return [_index_hic(ctx, p, n) for p, n in zip(paths, names)]
    return [_index_identities(ctx, p, n) for p, n in zip(paths, names)]


def _entries(ctx: IndexContext, env_path: str, default_image: str) -> list[dict] | None:
    """environment.json → list of entries (list form, or the flat early/HIC form with an implicit image)."""
    try:
        raw = read_json(env_path)
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
    return [e for e in entries if _plain_name(e.get("image_name"))]


def _plain_name(name) -> bool:
    """A file name of the camera folder (or none: the default image), not a path."""
    if name is None or name == "":
        return True
    return isinstance(name, str) and name not in (".", "..") and "/" not in name and os.sep not in name


def _missing(folder: Folder, expected) -> list[str]:
    """Paths of expected files that ``folder`` lacks."""
    return [os.path.join(folder.path, alts[0]) for alts in expected if not any(n in folder.names for n in alts)]


def _index_identities(ctx: IndexContext, scene_path: str, scene_name: str) -> Scene:
    scene = Scene(scene_name, ctx.dataset_name, scene_path)
    scene_names, cam_dirs = listing(scene_path, ctx)
    scene_folder = Folder(scene_path, scene_names)
    for cam_name in cam_dirs:
        cam_path = os.path.join(scene_path, cam_name)
        cam_names, _ = listing(cam_path, ctx)
        if "environment.json" not in cam_names:
            ctx.problem(cam_path, "camera folder without environment.json: skipped")
            continue
        entries = _entries(ctx, os.path.join(cam_path, "environment.json"), "visible_spectrum.png")
        if entries is None:
            continue
        folders = (Folder(cam_path, cam_names), scene_folder)
        camera = scene.camera(cam_name, cam_path)
        missing = _missing(folders[0], IDENTITY_EXPECTED) + _missing(scene_folder, SCENE_EXPECTED)
        for entry in entries:
            _add(ctx, camera, entry, folders, False, 0, missing)
    return scene


def _index_hic(ctx: IndexContext, scene_path: str, scene_name: str) -> Scene:
    scene = Scene(scene_name, ctx.dataset_name, scene_path)
    scene_folder = Folder(scene_path, listing(scene_path, ctx)[0])
    frames_path = os.path.join(scene_path, "frames")
    frames = _numbered(frames_path)
    if not frames:
        ctx.problem(frames_path, "no numbered frame folders")
    for i, frame in enumerate(frames, start=1):
        if int(frame) != i:
            ctx.problem(os.path.join(frames_path, frame), f"frame folders are not contiguous: expected {i:03d}")
        frame_path = os.path.join(frames_path, frame)
        frame_names, cam_dirs = listing(frame_path, ctx)
        frame_folder = Folder(frame_path, frame_names)
        for cam_name in cam_dirs:
            cam_path = os.path.join(frame_path, cam_name)
            cam_names, _ = listing(cam_path, ctx)
            folders = (Folder(cam_path, cam_names), frame_folder, scene_folder)
            camera = scene.camera(cam_name, os.path.join(frames_path, frames[0], cam_name))
            if "environment.json" in cam_names:
                entries = _entries(ctx, os.path.join(cam_path, "environment.json"), "visible_spectrum.png")
            else:
                ctx.problem(cam_path, "environment.json missing; assuming visible_spectrum.png")
                entries = [{"image_name": "visible_spectrum.png"}]
            for entry in entries or ():
                _add(ctx, camera, entry, folders, True, int(frame), _missing(folders[0], HIC_EXPECTED))
    return scene


def _annotation_names(folders, hic: bool) -> tuple[str, ...]:
    names = [a for a, files in ANNOTATION_FILES.items() if any(n in f.names for f in folders for n in files)]
    if hic and "eyes_and_gaze" in names:
        names[names.index("eyes_and_gaze")] = "actors"  # HIC actor files carry head poses, not eye points
    return tuple(names)


def _add(ctx, camera, entry: dict, folders, hic: bool, frame_num: int, missing: list[str]) -> None:
    image = str(entry.get("image_name") or "visible_spectrum.png")
    rel = storage.relpath(folders[0].path, ctx.root).replace(os.sep, "/")
    dp_id = f"{ctx.dataset_name}/{rel}/{image}" if rel != "." else f"{ctx.dataset_name}/{image}"
    dp = camera.add(DatagenDatapoint(dp_id, camera, image, entry, folders, hic, frame_num, ctx.cache))
    dp.meta["annotations"] = _annotation_names(folders, hic)
    if image not in folders[0].names:
        dp.add_problem(os.path.join(folders[0].path, image), "image listed in environment.json is missing")
    for path in missing:
        dp.add_problem(path, "expected file is missing")
