"""One eye: an eyeball sphere with a corneal cap, aimed at a gaze target.

The cornea is a smaller sphere through the limbus (the iris circle) whose
apex lies ``APEX`` in front of the centre of rotation. Seen from outside,
the cap is where iris and pupil show, so the written iris circle is
exactly the rendered iris boundary, and the pupil circle lies in the
plane the renderer uses to colour the pupil.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.rotation import rotation_about
from .solids import TOP, Ellipsoid, unit

EYEBALL_RADIUS = 0.012
APEX = 0.0134  # centre of rotation → apex of the cornea, metres
PUPIL_SETBACK = 0.0004  # the pupil sits this far behind the limbus plane, as in real data
KAPPA = 4.0  # degrees between the visual and optical axes, turned temporally
CIRCLE_POINTS = 12


@dataclass(frozen=True)
class Eye:
    side: str  # the subject's "left" or "right"
    center: np.ndarray  # centre of rotation
    visual: np.ndarray  # unit, from the centre toward the gaze target
    optical: np.ndarray  # unit, the anatomical axis through the cornea apex
    up: np.ndarray  # unit, the head's up direction made orthogonal to ``optical``
    iris_radius: float
    pupil_radius: float

    @staticmethod
    def aimed(side, center, target, head_up, iris_radius=0.006, pupil_radius=0.002) -> "Eye":
        center = np.asarray(center, dtype=float)
        visual = unit(np.asarray(target, dtype=float) - center)
        # Temporal turn: the right eye's optical axis points further to the
        # subject's right (-x) than its visual axis, the left eye's to +x.
        optical = rotation_about(head_up, -KAPPA if side == "right" else KAPPA) @ visual
        up = unit(head_up - (head_up @ optical) * optical)
        return Eye(side, center, visual, optical, up, float(iris_radius), float(pupil_radius))

    def moved(self, rotation, translation) -> "Eye":
        return Eye(self.side, rotation @ self.center + translation, rotation @ self.visual,
                   rotation @ self.optical, rotation @ self.up, self.iris_radius, self.pupil_radius)

    @property
    def limbus_depth(self) -> float:
        """Distance from the centre to the iris (limbus) plane."""
        return float(np.sqrt(EYEBALL_RADIUS**2 - self.iris_radius**2))

    @property
    def cornea(self) -> tuple[float, float]:
        """(distance of the corneal sphere's centre along the axis, its radius)."""
        a, r = self.limbus_depth, self.iris_radius
        d0 = (APEX**2 - r**2 - a**2) / (2 * (APEX - a))
        return d0, APEX - d0

    def along(self, distance: float) -> np.ndarray:
        return self.center + distance * self.optical

    @property
    def apex(self) -> np.ndarray:
        return self.along(APEX)

    @property
    def iris_center(self) -> np.ndarray:
        return self.along(self.limbus_depth)

    @property
    def pupil_center(self) -> np.ndarray:
        return self.along(self.limbus_depth - PUPIL_SETBACK)

    @property
    def cornea_center(self) -> np.ndarray:
        return self.along(self.cornea[0])

    def circle(self, center: np.ndarray, radius: float) -> np.ndarray:
        """12 points, starting at the top and turning toward the subject's left.

        Seen from the front that is clockwise on screen, as in real data.
        """
        left = np.cross(self.up, self.optical)
        phi = 2 * np.pi * np.arange(CIRCLE_POINTS) / CIRCLE_POINTS
        return center + radius * (np.cos(phi)[:, None] * self.up + np.sin(phi)[:, None] * left)

    @property
    def iris_circle(self) -> np.ndarray:
        return self.circle(self.iris_center, self.iris_radius)

    @property
    def pupil_circle(self) -> np.ndarray:
        return self.circle(self.pupil_center, self.pupil_radius)

    def shapes(self) -> list[Ellipsoid]:
        d0, rc = self.cornea
        return [
            Ellipsoid.make(self.center, [EYEBALL_RADIUS] * 3, "eyeball", TOP, self.side),
            Ellipsoid.make(self.along(d0), [rc] * 3, "cornea", TOP, self.side),
        ]

    def in_pupil(self, origins: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        """Whether rays cross the pupil plane inside the pupil (no refraction)."""
        p0 = self.pupil_center
        denom = dirs @ self.optical
        t = ((p0 - origins) @ self.optical) / np.where(np.abs(denom) > 1e-12, denom, 1e-12)
        hit = origins + t[:, None] * dirs
        return np.linalg.norm(hit - p0, axis=1) < self.pupil_radius
