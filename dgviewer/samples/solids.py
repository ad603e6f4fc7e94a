"""Ellipsoids and a ray caster for solids built from them.

A subject is a list of shapes, each with a *role*:

* ``ADD``: part of the body (skin, nose, lips, ...), merged by union;
* ``SUB``: carved out of the ``ADD`` union (eye sockets, the open mouth);
  the carved wall becomes visible surface with the carving shape's label;
* ``TOP``: added after carving (eyeballs, corneas, teeth), so it shows inside
  a cavity.

Rays are ``origin + t * direction``. Directions are deliberately not
normalised: camera rays have a camera-frame z of 1, so ``t`` *is* the
camera Z that ``depth.exr`` stores.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ADD, SUB, TOP = "add", "sub", "top"


def unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def frame_along(axis: np.ndarray, up=(0.0, 0.0, 1.0)) -> np.ndarray:
    """Orthonormal frame (columns) whose first column is ``axis``."""
    a = unit(axis)
    helper = np.asarray(up, dtype=float)
    if abs(a @ helper) > 0.95:
        helper = np.array([1.0, 0.0, 0.0]) if abs(a[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    b = unit(np.cross(helper, a))
    return np.stack([a, b, np.cross(a, b)], axis=1)


@dataclass(frozen=True)
class Ellipsoid:
    center: np.ndarray  # (3,)
    frame: np.ndarray  # (3, 3), columns are the local axes in the parent frame
    radii: np.ndarray  # (3,)
    label: str  # material / segmentation part, e.g. "skin", "eyeball"
    role: str = ADD
    side: str | None = None  # "left"/"right"; None: split by the sign of local x

    @staticmethod
    def make(center, radii, label, role=ADD, side=None, frame=None) -> "Ellipsoid":
        f = np.eye(3) if frame is None else np.asarray(frame, dtype=float)
        return Ellipsoid(np.asarray(center, dtype=float), f, np.asarray(radii, dtype=float), label, role, side)

    @staticmethod
    def between(a, b, radius, label, role=ADD, side=None, overshoot=1.15, flat=1.0) -> "Ellipsoid":
        """A limb-like ellipsoid whose long axis runs from ``a`` to ``b``."""
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        half = overshoot * np.linalg.norm(b - a) / 2
        return Ellipsoid((a + b) / 2, frame_along(b - a), np.array([half, radius, radius * flat]), label, role, side)

    def moved(self, rotation: np.ndarray, translation: np.ndarray) -> "Ellipsoid":
        """The same ellipsoid after ``p -> rotation·p + translation``."""
        return Ellipsoid(rotation @ self.center + translation, rotation @ self.frame, self.radii,
                         self.label, self.role, self.side)

    def local(self, p: np.ndarray) -> np.ndarray:
        """Points in the unit-sphere coordinates of this ellipsoid."""
        return ((p - self.center) @ self.frame) / self.radii

    def span(self, origins: np.ndarray, dirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ray parameters where each ray enters and leaves; ``(inf, -inf)`` for a miss.

        ``origins`` is one point (3,) shared by all rays, as for a camera, or (N, 3).
        """
        o = self.local(origins)
        d = (dirs @ self.frame) / self.radii
        a = np.einsum("ij,ij->i", d, d)
        if o.ndim == 1:
            b, c = d @ o, o @ o - 1.0
        else:
            b, c = np.einsum("ij,ij->i", o, d), np.einsum("ij,ij->i", o, o) - 1.0
        disc = b * b - a * c
        hit = disc > 0
        root = np.sqrt(np.where(hit, disc, 0.0))
        t_in = np.where(hit, (-b - root) / a, np.inf)
        t_out = np.where(hit, (-b + root) / a, -np.inf)
        return t_in, t_out

    def normal(self, p: np.ndarray) -> np.ndarray:
        """Outward unit normals at surface points (N, 3)."""
        return unit((self.local(p) / self.radii) @ self.frame.T)

    def on_left(self, p: np.ndarray) -> np.ndarray:
        """True where a point lies on the subject's left (+x of a centred part)."""
        if self.side is not None:
            return np.full(len(p), self.side == "left")
        return self.local(p)[:, 0] > 0

    @property
    def volume(self) -> float:
        return 4.0 / 3.0 * np.pi * float(np.prod(self.radii))


@dataclass(frozen=True)
class Ground:
    """The half-space below ``z = height``, cut off at ``far`` metres of ray parameter."""

    label: str = "ground"
    height: float = 0.0
    far: float = 300.0
    role: str = ADD

    def span(self, origins, dirs):
        down = dirs[:, 2] < 0
        t = np.where(down, (self.height - origins[..., 2]) / np.where(down, dirs[:, 2], -1.0), np.inf)
        t = np.where(t < self.far, t, np.inf)
        return t, np.where(np.isfinite(t), np.inf, -np.inf)

    def normal(self, p):
        return np.tile([0.0, 0.0, 1.0], (len(p), 1))

    def on_left(self, p):
        return np.ones(len(p), dtype=bool)


def _inside(t: np.ndarray, t_in: np.ndarray, t_out: np.ndarray) -> np.ndarray:
    """For each ray, whether ``t`` lies strictly inside any of the given spans."""
    if len(t_in) == 0:
        return np.zeros(t.shape, dtype=bool)
    return ((t_in < t) & (t < t_out)).any(axis=0)


def cast(shapes, origins: np.ndarray, dirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First surface hit of each ray: ``(t, shape index)``, ``(inf, -1)`` for a miss.

    ``origins`` is one shared point (3,) or one per ray (N, 3).

    Only the validity checks that can change the minimum are made: an
    ``ADD`` entry is surface unless it lies in a cavity; a cavity wall
    (``SUB`` exit) is surface if it lies inside the body and in no other
    cavity; a ``TOP`` entry always is. A candidate hidden inside some other
    solid is never the minimum, because that solid's own entry comes first.
    """
    spans = [s.span(origins, dirs) for s in shapes]
    t_in = np.stack([s[0] for s in spans])
    t_out = np.stack([s[1] for s in spans])
    roles = np.array([s.role for s in shapes])
    add, sub = roles == ADD, roles == SUB
    cand = np.where(sub[:, None], t_out, t_in)
    cand = np.where(cand > 0, cand, np.inf)
    for k in np.flatnonzero(add):
        cand[k] = np.where(_inside(cand[k], t_in[sub], t_out[sub]), np.inf, cand[k])
    for k in np.flatnonzero(sub):
        ok = _inside(cand[k], t_in[add], t_out[add]) & ~_inside(cand[k], t_in[sub], t_out[sub])
        cand[k] = np.where(ok, cand[k], np.inf)
    index = np.argmin(cand, axis=0)
    t = np.take_along_axis(cand, index[None], axis=0)[0]
    return t, np.where(np.isfinite(t), index, -1)


def surface_normals(shapes, points: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Outward normals of the solid at hit points; a cavity wall faces into the cavity."""
    n = np.zeros_like(points)
    for k in np.flatnonzero(np.bincount(index[index >= 0])):
        m = index == k
        n[m] = shapes[k].normal(points[m]) * (-1.0 if shapes[k].role == SUB else 1.0)
    return n


def snap(shapes, points: np.ndarray, dirs: np.ndarray, reach: float = 0.5) -> np.ndarray:
    """Move points onto the first surface met when coming from outside along ``dirs``.

    Each ray starts ``reach`` metres before the point, so the result is the
    outermost surface along that line, whatever the guide point's depth.
    """
    d = unit(dirs)
    origins = points - reach * d
    t, index = cast(shapes, origins, d)
    if (index < 0).any():
        raise ValueError(f"{int((index < 0).sum())} landmark guide rays miss the subject")
    return origins + t[:, None] * d
