"""Landmarks on the head surface, in the head's local frame.

Each landmark starts as a *guide* near its anatomical place and is snapped
onto the rendered surface by casting a ray at the head (see
:func:`.solids.snap`): face points straight from the front, contour and
head points toward the middle of the head, ear points from the side. The
sets and their order follow spec §6.6: iBUG-68 (1-based, jaw from the
subject's right), 468 "dense" points with the MediaPipe indices Datagen's
notebooks use placed where those indices belong, and the head and ear sets.
"""
from __future__ import annotations

import numpy as np

from .head import EYE_CENTERS, LIPS_Z, Head
from .solids import snap, unit

FRONT = np.array([0.0, 1.0, 0.0])  # looking at the face from the front: rays travel toward +y
EYE_OPENING = (0.014, 0.006, 0.0055)  # half width, upper and lower half height of the eyelid guides


def _frontal(head: Head, xz) -> np.ndarray:
    xz = np.asarray(xz, dtype=float).reshape(-1, 2)
    guides = np.stack([xz[:, 0], np.zeros(len(xz)), xz[:, 1]], axis=1)
    return snap(head.shapes, guides, np.tile(FRONT, (len(xz), 1)))


def _radial(head: Head, center, dirs) -> np.ndarray:
    """Surface points met coming from far outside toward ``center`` along ``-dirs``."""
    dirs = unit(np.asarray(dirs, dtype=float).reshape(-1, 3))
    return snap(head.shapes, center + 0.3 * dirs, -dirs, reach=0.3)


def _eye_ring(side: str, n_lid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(outer corner, upper lid outer→inner, inner corner, lower lid outer→inner) as (x, z)."""
    c = EYE_CENTERS[side]
    out = -1.0 if side == "right" else 1.0  # direction of the outer corner along x
    a, b_up, b_low = EYE_OPENING
    theta = np.pi * np.arange(1, n_lid + 1) / (n_lid + 1)
    x = c[0] + out * a * np.cos(theta)
    upper = np.stack([x, c[2] + b_up * np.sin(theta)], axis=1)
    lower = np.stack([x, c[2] - b_low * np.sin(theta)], axis=1)
    return np.array([c[0] + out * a, c[2]]), upper, np.array([c[0] - out * a, c[2]]), lower


def _lips(head: Head) -> tuple[np.ndarray, np.ndarray]:
    """Outer (49–60) and inner (61–68) lip guides as (x, z)."""
    w = 1.0 + head.expression.smile
    z, drop = LIPS_Z, head.expression.mouth_open
    outer = [(-0.023 * w, z), (-0.016 * w, z + 0.006), (-0.007 * w, z + 0.0088), (0.0, z + 0.008),
             (0.007 * w, z + 0.0088), (0.016 * w, z + 0.006), (0.023 * w, z),
             (0.016 * w, z - 0.0065 - drop), (0.008 * w, z - 0.0095 - drop), (0.0, z - 0.01 - drop),
             (-0.008 * w, z - 0.0095 - drop), (-0.016 * w, z - 0.0065 - drop)]
    inner = [(-0.019 * w, z - drop / 2), (-0.008 * w, z + 0.001), (0.0, z + 0.001), (0.008 * w, z + 0.001),
             (0.019 * w, z - drop / 2), (0.008 * w, z - 0.001 - drop), (0.0, z - 0.001 - drop),
             (-0.008 * w, z - 0.001 - drop)]
    return np.array(outer), np.array(inner)


def _jaw(head: Head) -> np.ndarray:
    """iBUG 1–17, from in front of the right ear round the chin to the left."""
    phi = np.pi * np.arange(17) / 16
    s = np.sin(phi)
    guides = np.stack([-0.077 * np.cos(phi), 0.025 - 0.08 * s**1.2,
                       0.165 - 0.108 * s - head.expression.mouth_open * s**2], axis=1)
    center = np.array([0.0, 0.02, 0.14])
    return _radial(head, center, guides - center)


def _brows(head: Head) -> np.ndarray:
    """iBUG 18–22 (right, outer→inner) and 23–27 (left, inner→outer) along each brow."""
    brows = sorted((s for s in head.shapes if s.label == "eyebrow"), key=lambda s: s.center[0])
    along = np.array([-0.9, -0.45, 0.0, 0.45, 0.9])
    guides = [b.center + np.outer(along * b.radii[0], b.frame[:, 0]) for b in brows]
    return _frontal(head, np.concatenate(guides)[:, [0, 2]])


def standard_68(head: Head) -> np.ndarray:
    """iBUG-68 points in order: row 0 is point 1."""
    nose = [(0.0, 0.186), (0.0, 0.172), (0.0, 0.158), (0.0, 0.14),
            (-0.016, 0.130), (-0.008, 0.129), (0.0, 0.129), (0.008, 0.129), (0.016, 0.130)]
    eyes = []
    for side in ("right", "left"):
        corner_out, upper, corner_in, lower = _eye_ring(side, 2)
        # Right eye starts at the outer corner, left eye at the inner one (iBUG order).
        first, second = (corner_out, corner_in) if side == "right" else (corner_in, corner_out)
        up, low = (upper, lower[::-1]) if side == "right" else (upper[::-1], lower)
        eyes += [first, *up, second, *low]
    outer, inner = _lips(head)
    points = _frontal(head, np.concatenate([nose, eyes, outer, inner]))
    return np.concatenate([_jaw(head), _brows(head), points])


def _named_dense(head: Head, standard: np.ndarray) -> dict[int, np.ndarray]:
    """MediaPipe face-mesh indices with a known meaning (spec §6.6)."""
    named = {1: standard[30], 152: standard[8], 61: standard[48], 291: standard[54], 0: standard[51],
             17: standard[57], 13: standard[62], 14: standard[66], 78: standard[60], 308: standard[64]}
    lids = {"right": (33, [246, 161, 160, 159, 158, 157, 173], 133, [7, 163, 144, 145, 153, 154, 155]),
            "left": (263, [466, 388, 387, 386, 385, 384, 398], 362, [249, 390, 373, 374, 380, 381, 382])}
    for side, (i_out, i_up, i_in, i_low) in lids.items():
        corner_out, upper, corner_in, lower = _eye_ring(side, 7)
        pts = _frontal(head, np.concatenate([[corner_out], upper, [corner_in], lower]))
        named.update(zip([i_out, *i_up, i_in, *i_low], pts))
    named.update(zip([168, 6], _frontal(head, [(0.0, 0.195), (0.0, 0.178)])))
    center = np.array([0.0, 0.04, 0.16])
    named.update(zip([10, 234, 454], _radial(head, center, np.array(
        [[0.0, -0.06, 0.09], [-0.08, -0.01, -0.005], [0.08, -0.01, -0.005]]))))
    return named


def _spiral_face(count: int) -> np.ndarray:
    """``count`` (x, z) spread evenly over the face oval, avoiding eye openings and the lip line."""
    golden = np.pi * (3 - np.sqrt(5))
    total = count
    while True:
        k = np.arange(total)
        r = np.sqrt((k + 0.5) / total)
        xz = np.stack([0.068 * r * np.cos(k * golden), 0.155 + 0.095 * r * np.sin(k * golden)], axis=1)
        keep = (np.abs(xz[:, 0]) > 0.028) | (np.abs(xz[:, 1] - LIPS_Z) > 0.012)
        for c in EYE_CENTERS.values():
            keep &= ((xz[:, 0] - c[0]) / 0.016) ** 2 + ((xz[:, 1] - c[2]) / 0.008) ** 2 > 1
        if keep.sum() >= count:
            return xz[keep][:count]
        total += count - int(keep.sum())


def dense_468(head: Head, standard: np.ndarray) -> np.ndarray:
    named = _named_dense(head, standard)
    rest = [i for i in range(468) if i not in named]
    xz = _spiral_face(len(rest))
    center = np.array([0.0, 0.05, 0.155])
    guides = np.stack([xz[:, 0], np.full(len(xz), -0.06), xz[:, 1]], axis=1)
    named.update(zip(rest, _radial(head, center, guides - center)))
    return np.array([named[i] for i in range(468)])


def _head_sets(head: Head) -> dict[str, np.ndarray]:
    """Points over the skull seen from the top, the sides and the back."""
    def sph(az, el):  # azimuth from +x toward +y, elevation from the xy plane; degrees
        az, el = np.radians(az), np.radians(el)
        return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)
    top = np.concatenate([sph(np.arange(4) * 90 + 45, np.full(4, 75)), sph(np.arange(8) * 45, np.full(8, 55))])
    az, el = np.meshgrid([-10, 15, 40, 65], [-45, -25, -5, 15, 35, 55])
    left = sph(az.ravel(), el.ravel())
    right = left * [-1, 1, 1]
    az, el = np.meshgrid(np.arange(45, 136, 15), [-30, 0, 30])
    back = sph(az.ravel(), el.ravel())
    center = np.array([0.0, 0.05, 0.18])
    return {f"head.{name}": _radial(head, center, dirs)
            for name, dirs in (("top", top), ("left", left), ("back", back), ("right", right))}


def _ear(head: Head, side: str) -> np.ndarray:
    """55 points on the outer face of an ear: three rings and the centre."""
    ear = next(s for s in head.shapes if s.label == "ear" and s.side == side)
    out = ear.frame[:, 0] * (1.0 if side == "left" else -1.0)
    pts = [np.zeros(2)]
    for frac, n in ((0.9, 24), (0.65, 18), (0.4, 12)):
        theta = 2 * np.pi * np.arange(n) / n
        pts += list(frac * np.stack([np.cos(theta), np.sin(theta)], axis=1))
    yz = np.array(pts) * ear.radii[1:]
    guides = ear.center + yz[:, :1] * ear.frame[:, 1] + yz[:, 1:] * ear.frame[:, 2]
    return snap(head.shapes, guides, np.tile(-out, (len(guides), 1)), reach=0.1)


def head_landmarks(head: Head) -> dict[str, np.ndarray]:
    """Every landmark set of an identities head, keyed "standard", "dense", "head.top", "ear.left", ..."""
    standard = standard_68(head)
    sets = {"standard": standard, "dense": dense_468(head, standard)}
    sets.update(_head_sets(head))
    sets.update({f"ear.{side}": _ear(head, side) for side in ("left", "right")})
    return sets
