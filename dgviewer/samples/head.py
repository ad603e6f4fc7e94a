"""A face-like head built from ellipsoids, in the head's local frame.

Local frame = the world frame of an unrotated actor (spec §4.1): metres,
z up, the face looks toward −y, the subject's left is +x, and the origin is
the head root (the suprasternal notch). Proportions follow the landmark
positions of real Datagen samples: eyes at z ≈ 0.175, chin at z ≈ 0.055,
top of the head at z ≈ 0.28.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.rotation import rot_y, rot_z
from .eyes import Eye
from .solids import SUB, TOP, Ellipsoid

EYE_CENTERS = {"right": np.array([-0.0325, -0.024, 0.175]), "left": np.array([0.0325, -0.024, 0.175])}
LIPS_Z = 0.101  # where the lips meet when the mouth is closed
HEAD_CENTER = np.array([0.0, 0.02, 0.165])  # roughly the middle of the head, for framing


@dataclass(frozen=True)
class Expression:
    """Shape changes an expression makes, at full intensity."""

    brow_raise: float = 0.0  # metres, + up
    brow_tilt: float = 0.0  # degrees, + lowers the inner ends (frown)
    mouth_open: float = 0.0  # metres between the lips
    smile: float = 0.0  # relative widening of the mouth

    def scaled(self, k: float) -> "Expression":
        return Expression(self.brow_raise * k, self.brow_tilt * k, self.mouth_open * k, self.smile * k)


# The request's expression names (datagen_protocol ExpressionName).
EXPRESSIONS = {
    "none": Expression(),
    "happiness": Expression(0.001, 0.0, 0.004, 0.25),
    "sadness": Expression(0.002, -8.0, 0.0, -0.08),
    "surprise": Expression(0.007, 0.0, 0.014, 0.0),
    "fear": Expression(0.005, -6.0, 0.008, 0.05),
    "anger": Expression(-0.003, 10.0, 0.0, 0.0),
    "disgust": Expression(-0.002, 6.0, 0.003, -0.05),
    "contempt": Expression(0.0, 0.0, 0.0, 0.12),
    "mouth_open": Expression(0.001, 0.0, 0.018, 0.0),
}


def brow_frame(side: str, tilt: float) -> np.ndarray:
    """Brows follow the forehead round to the temples and tilt with the expression."""
    s = -1.0 if side == "right" else 1.0
    return rot_z(s * 22.0) @ rot_y(s * (tilt - 6.0))


def face_shapes(ex: Expression) -> list[Ellipsoid]:
    """Skin, hair, nose, lips, brows, ears, neck and the cavities, without eyes."""
    E = Ellipsoid.make
    drop = ex.mouth_open  # the jaw drops by the mouth opening
    widen = 1.0 + ex.smile
    shapes = [
        E([0, 0.055, 0.185], [0.076, 0.105, 0.095], "skin"),  # cranium
        E([0, 0.063, 0.199], [0.079, 0.106, 0.09], "hair"),
        E([0, 0.0, 0.125 - 0.5 * drop], [0.066, 0.055, 0.075], "skin"),  # jaw and cheeks
        E([0, -0.032, 0.068 - drop], [0.022, 0.014, 0.017], "skin"),  # chin
        Ellipsoid.between([0, -0.041, 0.19], [0, -0.068, 0.146], 0.0075, "nose", flat=1.3),  # bridge
        E([0, -0.068, 0.14], [0.0095, 0.011, 0.011], "nose"),  # tip
        E([-0.011, -0.056, 0.132], [0.0065, 0.0065, 0.0055], "nose"),  # alae
        E([0.011, -0.056, 0.132], [0.0065, 0.0065, 0.0055], "nose"),
        E([0, -0.055, LIPS_Z + 0.0045], [0.022 * widen, 0.0065, 0.0048], "lips_top"),
        E([0, -0.053, LIPS_Z - 0.005 - drop], [0.019 * widen, 0.007, 0.0052], "lips_bottom"),
        E([0, 0.025, 0.02], [0.05, 0.052, 0.12], "neck"),
    ]
    for side, s in (("right", -1.0), ("left", 1.0)):
        brow_z = 0.197 + ex.brow_raise
        shapes += [
            E([s * 0.035, -0.039, brow_z], [0.022, 0.0055, 0.0036], "eyebrow", side=side, frame=brow_frame(side, ex.brow_tilt)),
            E([s * 0.079, 0.055, 0.14], [0.008, 0.016, 0.026], "ear", side=side, frame=rot_z(-s * 30.0)),
            E(EYE_CENTERS[side] + [0, -0.013, -0.0005], [0.0155, 0.011, 0.0068], "eyelid", SUB, side),
        ]
    if ex.mouth_open > 0.002:
        gap = ex.mouth_open
        shapes += [
            E([0, -0.05, LIPS_Z - gap / 2], [0.021 * widen, 0.014, gap / 2 + 0.002], "mouth_interior", SUB),
            E([0, -0.046, LIPS_Z + 0.001], [0.02 * widen, 0.006, 0.0045], "teeth_top", TOP),
        ]
    return shapes


@dataclass(frozen=True)
class Head:
    """Head shapes and eyes in the local frame."""

    expression: Expression
    eyes: tuple[Eye, Eye]  # right, left
    shapes: tuple[Ellipsoid, ...]

    @staticmethod
    def build(expression: Expression, gaze_target, iris_radius=0.006, pupil_radius=0.002) -> "Head":
        up = np.array([0.0, 0.0, 1.0])
        eyes = tuple(Eye.aimed(side, EYE_CENTERS[side], gaze_target, up, iris_radius, pupil_radius)
                     for side in ("right", "left"))
        shapes = face_shapes(expression) + [s for eye in eyes for s in eye.shapes()]
        return Head(expression, eyes, tuple(shapes))

    @staticmethod
    def eye_midpoint() -> np.ndarray:
        return (EYE_CENTERS["right"] + EYE_CENTERS["left"]) / 2
