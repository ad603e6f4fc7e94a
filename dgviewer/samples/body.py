"""A walking person for Humans-in-Context samples: joints, limb ellipsoids and keypoints.

Body-local frame: like the head's (z up, facing −y, the subject's left is
+x), with the origin on the ground between the feet. Joint names follow
MediaPipe Pose, hands MediaPipe Hands (spec §6.8).
"""
from __future__ import annotations

import numpy as np

from ..core.rotation import rot_x
from .solids import Ellipsoid, unit

FINGERS = ("thumb", "index", "middle", "ring", "pinky")
FINGER_JOINTS = {"thumb": ("cmc", "mcp", "ip", "tip")} | {f: ("mcp", "pip", "dip", "tip") for f in FINGERS[1:]}
NOTCH = np.array([0.0, 0.0, 1.45])  # head root (suprasternal notch) height of a 1.75 m person


def _swing(top: np.ndarray, length: float, degrees: float) -> np.ndarray:
    """End of a segment hanging from ``top``, swung forward (toward −y) by ``degrees``."""
    return top + rot_x(-degrees) @ np.array([0.0, 0.0, -length])


def walking_joints(phase: float) -> dict[str, np.ndarray]:
    """Joint positions at a point of the gait cycle (radians); legs and arms swing in opposition."""
    j = {"notch": NOTCH}
    for side, s in (("right", -1.0), ("left", 1.0)):
        leg = 22.0 * np.sin(phase) * (1 if side == "right" else -1)
        arm = -leg * 0.8
        j[f"shoulder.{side}"] = np.array([s * 0.19, 0.0, 1.42])
        j[f"elbow.{side}"] = _swing(j[f"shoulder.{side}"], 0.29, arm)
        j[f"wrist.{side}"] = _swing(j[f"elbow.{side}"], 0.26, arm + 20.0)
        j[f"hip.{side}"] = np.array([s * 0.09, 0.0, 0.92])
        j[f"knee.{side}"] = _swing(j[f"hip.{side}"], 0.43, leg)
        j[f"ankle.{side}"] = _swing(j[f"knee.{side}"], 0.41, leg - 12.0 * max(0.0, -np.sin(phase) * s))
        j[f"heel.{side}"] = j[f"ankle.{side}"] + [0.0, 0.05, -0.055]
        j[f"foot_index.{side}"] = j[f"ankle.{side}"] + [s * 0.01, -0.15, -0.065]
        j[f"foot_pinky.{side}"] = j[f"ankle.{side}"] + [s * 0.045, -0.12, -0.065]
    return j


def hand_points(joints: dict, side: str) -> dict[str, np.ndarray]:
    """21 MediaPipe-Hands points of a relaxed hand: fingers hang on from the forearm, thumb forward."""
    wrist = joints[f"wrist.{side}"]
    along = unit(wrist - joints[f"elbow.{side}"])
    forward = unit(np.array([0.0, -1.0, 0.0]) - along[1] * along)  # thumb side
    palm = np.cross(along, forward) * (-1.0 if side == "right" else 1.0)  # toward the body
    points = {"wrist": wrist}
    spread = {"thumb": 0.025, "index": 0.025, "middle": 0.008, "ring": -0.009, "pinky": -0.025}
    lengths = {"thumb": (0.03, 0.035, 0.03, 0.025)} | {f: (0.09, 0.04, 0.025, 0.02) for f in FINGERS[1:]}
    for finger in FINGERS:
        p = wrist + spread[finger] * forward
        for joint, length in zip(FINGER_JOINTS[finger], lengths[finger]):
            direction = unit(along + (0.8 if finger == "thumb" else 0.0) * forward + 0.25 * palm)
            p = p + length * direction
            points[f"finger.{finger}.{joint}"] = p
    return points


def body_shapes(joints: dict, hands: dict) -> list[Ellipsoid]:
    """Torso, limbs, hands and shoes; the head (with its neck) is added by the caller."""
    between = Ellipsoid.between
    shapes = [
        Ellipsoid.make([0.0, 0.005, 1.2], [0.17, 0.11, 0.26], "shirt"),
        Ellipsoid.make([0.0, 0.005, 0.95], [0.165, 0.11, 0.12], "trousers"),
    ]
    for side in ("right", "left"):
        j = {name.split(".")[0]: p for name, p in joints.items() if name.endswith(f".{side}")}
        shapes += [
            between(j["shoulder"], j["elbow"], 0.05, "shirt"),
            between(j["elbow"], j["wrist"], 0.04, "hand"),
            between(j["wrist"], hands[side]["finger.middle.tip"], 0.04, "hand", overshoot=1.0, flat=0.5),
            between(j["hip"], j["knee"], 0.075, "trousers"),
            between(j["knee"], j["ankle"], 0.055, "trousers"),
            between(j["heel"], j["foot_index"], 0.045, "shoes", overshoot=1.1, flat=0.8),
        ]
    return shapes
