"""The checks every datapoint gets, on the canonical model: landmarks, image files and sizes, pixels; and what a reader's own
checks get (:class:`CheckContext`).

Each function adds to a :class:`~.findings.Collector`; none raises on bad
data (a broken file is a finding, not an error). The runner (:mod:`dgviewer.qa`)
calls the datapoint's reader's ``check`` first (which may set the camera these
checks judge positions and sizes against), then :func:`canonical`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import storage
from .annotations import Annotations, KeypointSet, SegmentationLegend
from .camera import CameraModel
from .display import UNREGISTERED, class_labels, key_channels
from .errors import DataError
from .findings import CORE_CHECKS, Collector, Finding
from .fsio import regular_file
from .imagefile import check_structure
from .imaging import exr_single, image_size

#: A point this far (px) beyond the image edge still counts as inside: integer coordinates are rounded.
OUTSIDE_TOLERANCE = 0.5


@dataclass(frozen=True)
class Settings:
    images: bool = False  # decode pixels for the image checks
    reprojection_px: float = 1.0  # 3D → 2D disagreement allowed (integer 2D data is off by up to 0.5)
    face_box_px: float = 1.0  # face box vs the dense landmarks' extent (the box is their rounded min/max)
    gaze_degrees: float = 2.0  # visual axis vs the direction to the gaze target


class CheckContext:
    """One datapoint under check: what a reader's ``check`` reads (``dp``, ``settings``, ``annotations``) and fills
    (findings in ``out``, picklable ``facts`` for its ``check_dataset``, the ``camera`` of the canonical checks)."""

    def __init__(self, dp, settings: Settings, out: Collector):
        self.dp = dp
        self.settings = settings
        self.out = out
        self.facts: dict = {}
        self.camera: CameraModel | None = None  # None: landmark positions and image sizes are not judged
        self._annotations: Annotations | None = None

    @property
    def annotations(self) -> Annotations:
        """The datapoint's annotations, converted once for every check."""
        if self._annotations is None:
            self._annotations = self.dp.annotations()
        return self._annotations


def canonical(c: CheckContext) -> None:
    """The checks of the canonical model (and, with ``settings.images``, of the pixels)."""
    landmarks(c.annotations, c.camera, c.out, c.settings)
    image_files(c.dp, c.camera, c.out, crc=c.settings.images)
    if c.settings.images:
        pixels(c.dp, c.annotations, c.out, c.facts)


def _where(ks: KeypointSet, i: int) -> str:
    return f"point {ks.labels[i]}" if i < len(ks.labels) else f"point #{i}"


def landmarks(ann, cam: CameraModel | None, out: Collector, s: Settings) -> None:
    """NaN coordinates, visible points outside the image, and 3D points that miss their 2D position."""
    # Every set at once (a Datagen face has ~10): one numpy pass per test instead of one per set.
    sets = [ks for ks in ann.of_type(KeypointSet) if len(ks.xy)]
    if not sets:
        return
    bounds = np.cumsum([0] + [len(ks.xy) for ks in sets])
    xy = np.concatenate([ks.xy for ks in sets])
    xyz = np.concatenate([ks.xyz if ks.xyz is not None else np.zeros((len(ks.xy), 3)) for ks in sets])
    has_3d = np.repeat([ks.xyz is not None for ks in sets], np.diff(bounds))
    # Unity state 0 points have no position (written as 0, 0); Datagen has no state: every point is placed.
    placed = np.concatenate([ks.state > 0 if ks.state is not None else np.ones(len(ks.xy), bool) for ks in sets])
    visible = np.concatenate([ks.visible if ks.visible is not None else np.zeros(len(ks.xy), bool) for ks in sets])
    bad_xy = placed & ~np.isfinite(xy).all(axis=1)
    bad_xyz = placed & has_3d & ~np.isfinite(xyz).all(axis=1)
    usable = placed & has_3d & ~bad_xy & ~bad_xyz
    outside = np.zeros(len(xy), bool)
    err = np.zeros(len(xy))
    if cam is not None:
        x, y, t = xy[:, 0], xy[:, 1], OUTSIDE_TOLERANCE
        with np.errstate(invalid="ignore"):
            outside = visible & ((x < -t) | (y < -t) | (x > cam.width + t) | (y > cam.height + t))
        if usable.any():
            err[usable] = np.linalg.norm(cam.project(xyz[usable]) - xy[usable], axis=1)
        err[~np.isfinite(err)] = 0.0  # behind the camera: not judged
    far = err > s.reprojection_px
    for ks, a, b in zip(sets, bounds[:-1], bounds[1:]):
        if bad_xy[a:b].any() or bad_xyz[a:b].any():
            parts = [f"{n} {kind}" for n, kind in ((bad_xy[a:b].sum(), "2D"), (bad_xyz[a:b].sum(), "3D")) if n]
            first = int(np.flatnonzero(bad_xy[a:b] | bad_xyz[a:b])[0])
            out.add("landmark-nan", f"{ks.name}: {' and '.join(parts)} coordinates are NaN or infinite "
                    f"(first: {_where(ks, first)})", layer=ks.layer)
        if outside[a:b].any():
            i = int(np.flatnonzero(outside[a:b])[0])
            out.add("landmark-visible-outside",
                    f"{ks.name}: {outside[a:b].sum()} point(s) marked visible lie outside the {cam.width}x{cam.height} "
                    f"image (first: {_where(ks, i)} at {ks.xy[i, 0]:.1f}, {ks.xy[i, 1]:.1f})",
                    layer=ks.layer, xy=ks.xy[i], modality="visible")
        if far[a:b].any():
            i = int(np.argmax(err[a:b]))
            out.add("reprojection",
                    f"{ks.name}: {far[a:b].sum()} of {usable[a:b].sum()} points lie more than {s.reprojection_px:g} px "
                    f"from the projection of their 3D point (worst {err[a + i]:.1f} px, {_where(ks, i)})",
                    layer=ks.layer, xy=ks.xy[i], modality="visible")


def image_files(dp, cam: CameraModel | None, out: Collector, crc: bool = False) -> None:
    """Every image file: a whole regular file (PNG chunks to IEND, EXR chunk offsets within the file, JPEG to its
    end marker) whose header size is the camera resolution. No pixel is decoded; ``crc`` also checks PNG
    chunk checksums (with ``--images``: it reads every byte)."""
    for m in dp.modalities:
        path = dp.file(m)
        if path is None:
            continue
        try:
            check_structure(path, crc=crc)
            size = image_size(path)
        except DataError as e:
            out.problem(e.file, e.message)
            continue
        if size is not None and cam is not None and m not in UNREGISTERED and size != (cam.width, cam.height):
            out.add("image-size", f"{m} image is {size[0]}x{size[1]}, the camera renders {cam.width}x{cam.height}",
                    file=path, modality=m)


def pixels(dp, ann, out: Collector, facts: dict) -> None:
    """Decode every image; check depth values and segmentation colours. Records seen classes in ``facts``."""
    for m in dp.modalities:
        path = dp.file(m) or ""
        try:
            if m == "depth" and path.lower().endswith(".exr"):
                _depth(exr_single(path), path, out)
            else:
                dp.read(m)
        except DataError as e:
            out.problem(e.file, e.message)
    seen: dict = facts.setdefault("classes", {})
    for legend in ann.of_type(SegmentationLegend):
        if legend.modality not in dp.modalities:
            continue
        try:
            img = dp.read(legend.modality)
        except DataError:
            continue  # reported above
        if img is None:  # its file is missing: a problem the reader recorded
            continue
        _segmentation(img, legend, dp.file(legend.modality), out, seen)


def _depth(d: np.ndarray, path: str, out: Collector) -> None:
    with np.errstate(invalid="ignore"):
        kinds = {"NaN": np.isnan(d), "infinite": np.isinf(d), "negative": d < 0}
    bad = kinds["NaN"] | kinds["infinite"] | kinds["negative"]
    if bad.any():
        row, col = np.argwhere(bad)[0]
        what = ", ".join(f"{int(v.sum())} {k}" for k, v in kinds.items() if v.any())
        out.add("depth-invalid", f"depth has {what} pixel(s) (first at column {col}, row {row})",
                file=path, xy=(col + 0.5, row + 0.5), modality="depth")


_UNUSED = next(c for c in CORE_CHECKS if c.name == "seg-unused-class")
_UNREADABLE = next(c for c in CORE_CHECKS if c.name == "unreadable-file")
_IMAGE_EXTENSIONS = (".png", ".exr", ".jpg", ".jpeg")


def dataset_files(roots: list[str], listed: set[str], named: set[str]) -> list[Finding]:
    """What no datapoint's check meets: files in the dataset folders that are no regular file (a FIFO, a link to a
    device, a link loop) and images no datapoint lists that are not whole. ``listed``: the images datapoints list;
    ``named``: files findings already name (not reported twice)."""
    out = []
    for root in roots:
        for folder, dirs, files in storage.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = os.path.join(folder, name)
                if name.startswith(".") or path in named:
                    continue
                try:
                    regular_file(path)
                    if path not in listed and name.lower().endswith(_IMAGE_EXTENSIONS):
                        check_structure(path)
                except DataError as e:
                    out.append(Finding.of(_UNREADABLE, None, f"{storage.relpath(path, root)}: {e.message}", file=path))
    return out
_BACKGROUND_NAMES = ("background", "unlabeled", "unlabelled")


def _is_background(cls) -> bool:
    """Datagen's "background" class, Perception's "(unlabeled)" (0,0,0,255)."""
    return cls.name.rsplit(".", 1)[-1].strip("()").lower() in _BACKGROUND_NAMES


def _segmentation(img: np.ndarray, legend: SegmentationLegend, path: str | None, out: Collector, seen: dict) -> None:
    """Unknown colours and empty masks by the viewer's own class labels; the classes shown go into ``seen``."""
    n, nch = len(legend.classes), key_channels(img, legend)
    labels = class_labels(img, legend)
    counts = np.bincount(labels.ravel(), minlength=n + 2)
    # Each class's own colour, labelled like a pixel: where a class's pixels are counted (duplicates: the first).
    own = class_labels(np.array([c.color[:nch] for c in legend.classes], dtype=img.dtype)[None], legend)[0]
    for cls, label in zip(legend.classes, own.tolist()):
        if not _is_background(cls):  # an image full of objects has no background: that is no unused class
            key = (legend.modality, cls.name, tuple(cls.color))
            seen[key] = seen.get(key, False) or bool(label < n and counts[label])
    labelled = any(counts[i] and not _is_background(c) for i, c in enumerate(legend.classes))
    if counts[n]:
        flat = (img if img.ndim == 3 else img[..., None]).reshape(labels.size, -1)
        where = np.flatnonzero(labels.ravel() == n)
        colours = np.unique(flat[where, :nch], axis=0)
        row, col = divmod(int(where[0]), labels.shape[1])
        instances = legend.layer == "instances"
        out.add("instance-unlabelled" if instances else "seg-unknown-colour",
                f"{legend.modality}: {len(colours)} {'instance colour' if instances else 'colour'}(s) absent from the "
                f"map cover {int(counts[n])} pixel(s) (first {tuple(flat[where[0], :nch].tolist())} at column {col}, "
                f"row {row})", file=path, layer=legend.layer, xy=(col + 0.5, row + 0.5), modality=legend.modality)
    elif legend.layer == "segmentation" and not labelled:
        out.add("seg-empty-mask", f"{legend.modality}: no labelled pixel, only background",
                file=path, layer=legend.layer, modality=legend.modality)


def unused_classes(facts: dict[str, dict]) -> list[Finding]:
    """Classes of a colour map that no segmentation image of the dataset shows (``facts``: per datapoint)."""
    seen: dict[tuple, bool] = {}
    images: dict[tuple, int] = {}
    for f in facts.values():
        for key, shown in (f.get("classes") or {}).items():
            seen[key] = seen.get(key, False) or shown
            images[key] = images.get(key, 0) + 1
    return [Finding.of(_UNUSED, None, f"class {name!r} (colour {colour}) is in no {modality} image "
                       f"of the {images[(modality, name, colour)]} whose map lists it", layer="segmentation",
                       modality=modality)
            for (modality, name, colour), shown in seen.items() if not shown and modality == "segmentation"]
