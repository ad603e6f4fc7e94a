"""Ray-cast a list of shapes through a camera into per-pixel buffers.

A :class:`Frame` holds, for every pixel, the ray parameter of the first hit
(= camera Z), the hit point, the world normal and the surface *part*
(see :mod:`.palette`). Depth, normals and segmentation images are direct
read-outs of it, so they agree with each other and with any 3D point the
metadata places on the surface.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.camera import CameraModel
from .palette import BACKGROUND, class_path, flat_class, flat_map, uint16_color
from .solids import Ellipsoid, cast, surface_normals

CHUNK = 1 << 15  # rays cast at once; bounds memory at large sizes
TEAR_DUCT = 0.6  # inner fraction of an eye socket's width that counts as tear duct


@dataclass
class Frame:
    camera: CameraModel  # perspective
    dirs: np.ndarray  # (N, 3) world ray directions from the camera centre, camera-frame z = 1
    t: np.ndarray  # (N,) first-hit parameter = camera Z; inf for background
    points: np.ndarray  # (N, 3) hit points; unused where t is inf
    normals: np.ndarray  # (N, 3) world unit normals; zero for background
    part: np.ndarray  # (N,) index into ``parts``; 0 is the background
    parts: list  # [(label, side)], parts[0] == BACKGROUND

    @property
    def hit(self) -> np.ndarray:
        return np.isfinite(self.t)

    def mask(self, *labels: str) -> np.ndarray:
        """Pixels whose part has one of ``labels``."""
        return np.isin(self.part, [i for i, (label, _) in enumerate(self.parts) if label in labels])

    def image(self, values: np.ndarray) -> np.ndarray:
        """Reshape a per-pixel array to (H, W, ...)."""
        return values.reshape((self.camera.height, self.camera.width) + values.shape[1:])


def render(shapes, camera: CameraModel) -> Frame:
    """Cast one ray through the centre of every pixel of a perspective camera."""
    origin, dirs = camera.pixel_rays()
    t = np.full(len(dirs), np.inf)
    index = np.full(len(dirs), -1)
    # Cast each ray only at the clusters of shapes it passes near (and the unbounded ground).
    clusters, unbounded = _clusters(shapes)
    if len(clusters) > 62:
        raise ValueError("too many separate objects for the per-ray cluster bit mask")
    near = np.zeros(len(dirs), dtype=np.int64)
    for bit, (center, radius, _) in enumerate(clusters):
        near |= _passes_near(center, radius, origin, dirs).astype(np.int64) << bit
    for code in np.unique(near):
        group = sorted(unbounded + [k for bit, (_, _, ks) in enumerate(clusters) if code >> bit & 1 for k in ks])
        if not group:
            continue
        rays, members, ids = np.flatnonzero(near == code), [shapes[k] for k in group], np.array(group)
        for start in range(0, len(rays), CHUNK):
            sel = rays[start:start + CHUNK]
            t[sel], hit = cast(members, origin, dirs[sel])
            index[sel] = np.where(hit >= 0, ids[hit], -1)
    points = origin + np.where(np.isfinite(t), t, 0.0)[:, None] * dirs
    normals = surface_normals(shapes, points, index)
    parts, part = _parts(shapes, points, index)
    return Frame(camera, dirs, t, points, normals, part, parts)


def _clusters(shapes) -> tuple[list, list]:
    """Groups of ellipsoids whose bounding spheres touch, as (centre, radius, indices); and the other shapes."""
    spheres = {k: (s.center, float(s.radii.max())) for k, s in enumerate(shapes) if isinstance(s, Ellipsoid)}
    groups = []
    for k, (c, r) in spheres.items():
        touching = [g for g in groups if any(np.linalg.norm(c - spheres[j][0]) < r + spheres[j][1] for j in g)]
        merged = [k] + [j for g in touching for j in g]
        groups = [g for g in groups if g not in touching] + [merged]
    clusters = []
    for g in groups:
        center = np.mean([spheres[k][0] for k in g], axis=0)
        radius = max(np.linalg.norm(spheres[k][0] - center) + spheres[k][1] for k in g)
        clusters.append((center, radius, sorted(g)))
    return clusters, [k for k in range(len(shapes)) if k not in spheres]


def _passes_near(center, radius, origin, dirs) -> np.ndarray:
    """Rays that pass within ``radius`` of ``center`` (in front of the camera or around it)."""
    d = dirs / np.linalg.norm(dirs, axis=1, keepdims=True)
    along = d @ (center - origin)
    miss2 = np.sum((center - origin) ** 2) - along**2
    return (miss2 < radius**2) & (along > -radius)


def _parts(shapes, points, index):
    """Part of every hit: the shape's label and the subject's side of the hit."""
    parts, lookup = [BACKGROUND], {BACKGROUND: 0}
    part = np.zeros(len(index), dtype=np.int32)

    def assign(pixels, label, left):
        for is_left in (False, True):
            chosen = pixels[left == is_left]
            if len(chosen):
                key = (label, "left" if is_left else "right")
                if key not in lookup:
                    lookup[key] = len(parts)
                    parts.append(key)
                part[chosen] = lookup[key]

    for k in np.flatnonzero(np.bincount(index[index >= 0])):
        shape, m = shapes[k], np.flatnonzero(index == k)
        left = shape.on_left(points[m])
        if shape.label == "eyelid":
            # The socket wall toward the nose is the tear duct.
            toward_nose = shape.local(points[m])[:, 0] * (1.0 if shape.side == "right" else -1.0)
            duct = toward_nose > TEAR_DUCT
            assign(m[duct], "tear_duct", left[duct])
            assign(m[~duct], "eyelid", left[~duct])
        else:
            assign(m, shape.label, left)
    return parts, part


def depth_image(frame: Frame, background: float, dtype) -> np.ndarray:
    """Camera Z in all three channels, ``background`` where nothing is hit."""
    z = np.where(frame.hit, frame.t, background).astype(dtype)
    return frame.image(np.repeat(z[:, None], 3, axis=1))


def normal_image(frame: Frame, dtype) -> np.ndarray:
    """Camera-space normals encoded per spec §4.5: R=(x+1)/2, G=(y_up+1)/2, B=(1−z_fwd)/2."""
    n = frame.normals @ frame.camera.R.T  # OpenCV camera frame: x right, y down, z forward
    rgb = np.stack([(n[:, 0] + 1) / 2, (1 - n[:, 1]) / 2, (1 - n[:, 2]) / 2], axis=1)
    return frame.image(np.where(frame.hit[:, None], rgb, 0.0).astype(dtype))


def segmentation_image(frame: Frame) -> np.ndarray:
    """16-bit RGB class colours (nested palette)."""
    table = np.array([uint16_color(p) if class_path(p) else (0, 0, 0) for p in frame.parts], dtype=np.uint16)
    return frame.image(table[frame.part])


def flat_segmentation_image(frame: Frame) -> np.ndarray:
    """HALF float class colours of the Jan-2022 flat map."""
    colors = flat_map()
    table = np.array([colors.get(flat_class(p), (0.0, 0.0, 0.0)) for p in frame.parts], dtype=np.float16)
    return frame.image(table[frame.part])
