"""Skeleton edges for Datagen's keypoint sets, by label (see spec §6.6 and §6.8).

Edges are listed by label so a set with missing points just loses those edges.
"""
from __future__ import annotations


def _chain(labels: list[str], closed: bool = False) -> list[tuple[str, str]]:
    pairs = list(zip(labels, labels[1:]))
    return pairs + [(labels[-1], labels[0])] if closed else pairs


def _ibug(a: int, b: int, closed: bool = False) -> list[tuple[str, str]]:
    return _chain([str(i) for i in range(a, b + 1)], closed)


#: iBUG-68 contours: jaw, brows, nose bridge and base, eyes and lips (1-based labels).
IBUG68 = (
    _ibug(1, 17) + _ibug(18, 22) + _ibug(23, 27) + _ibug(28, 31) + _ibug(32, 36)
    + _ibug(37, 42, True) + _ibug(43, 48, True) + _ibug(49, 60, True) + _ibug(61, 68, True)
)


def _sides(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for a, b in pairs:
        for side in ("left", "right"):
            out.append((a.format(s=side), b.format(s=side)))
    return out


#: MediaPipe-Pose-33 connections with Datagen's HIC body names.
BODY = [("shoulder.left", "shoulder.right"), ("hip.left", "hip.right"), ("mouth.left", "mouth.right")] + _sides([
    ("shoulder.{s}", "elbow.{s}"), ("elbow.{s}", "wrist.{s}"), ("wrist.{s}", "thumb.{s}"),
    ("wrist.{s}", "pinky.{s}"), ("wrist.{s}", "index.{s}"), ("pinky.{s}", "index.{s}"),
    ("shoulder.{s}", "hip.{s}"), ("hip.{s}", "knee.{s}"), ("knee.{s}", "ankle.{s}"),
    ("ankle.{s}", "heel.{s}"), ("heel.{s}", "foot.{s}.index"), ("ankle.{s}", "foot.{s}.index"),
    ("nose", "eye.{s}.inner"), ("eye.{s}.inner", "eye.{s}.center"), ("eye.{s}.center", "eye.{s}.outer"),
    ("eye.{s}.outer", "ear.{s}"),
])

#: MediaPipe-Hands-21 connections (labels relative to one hand): finger chains plus the palm.
HAND = (
    [e for f in ("thumb", "index", "middle", "ring", "pinky")
     for e in _chain([f"finger.{f}.{j}" for j in (("cmc", "mcp", "ip", "tip") if f == "thumb" else ("mcp", "pip", "dip", "tip"))])]
    + _chain(["wrist", "finger.index.mcp", "finger.middle.mcp", "finger.ring.mcp", "finger.pinky.mcp", "wrist"])
    + [("wrist", "finger.thumb.cmc")]
)

FEET = _sides([("{s}.heel", "{s}.index"), ("{s}.heel", "{s}.pinky"), ("{s}.index", "{s}.pinky")])


def edges_for(labels: list[str], pairs: list[tuple[str, str]]) -> list[tuple[int, int]]:
    pos = {lab: i for i, lab in enumerate(labels)}
    return [(pos[a], pos[b]) for a, b in pairs if a in pos and b in pos]
