"""Landmark and box identity: the hover card text and "go to landmark N"."""
from __future__ import annotations

from ..core.annotations import Box2D, KeypointSet
from .overlays.prepare import PointGroup, PreparedLayer


def describe_point(kp: KeypointSet, i: int) -> str:
    d = kp.describe(i)
    lines = [f"{d['set']}  #{d['index']}  label {d['label']}",
             f"2D  col {d['column']:.2f}, row {d['row']:.2f}"]
    if "xyz" in d:
        lines.append("3D  (" + ", ".join(f"{v:.4f}" for v in d["xyz"]) + ")")
    if "visible" in d:
        lines.append("visible" if d["visible"] else "NOT visible (occluded or out of frame)")
    if "state" in d:
        lines.append(f"state {d['state']}")
    return "\n".join(lines)


def describe_box(box: Box2D) -> str:
    lines = [f"{box.layer}  {box.label or '(no label)'}"]
    if box.instance_id is not None:
        lines.append(f"instance {box.instance_id}")
    lines.append(f"x0 {box.x0:.1f}, y0 {box.y0:.1f}")
    lines.append(f"x1 {box.x1:.1f}, y1 {box.y1:.1f}")
    return "\n".join(lines)


def find_landmark(layers: dict[str, PreparedLayer], visible: list[str], text: str) -> tuple[PointGroup, int] | None:
    """``"31"``, ``"dense 1"`` or ``"ear.left 5"``: by label first, then by 0-based index.

    Without a set name, shown layers are searched first, in panel order.
    """
    words = text.split()
    if not words:
        return None
    want, where = words[-1], " ".join(words[:-1]).lower()
    names = [n for n in visible if n in layers] + [n for n in layers if n not in visible]
    groups = [g for n in names for g in layers[n].points
              if not where or where in n.lower() or where in g.source.name.lower()]
    for g in groups:
        if want in g.source.labels:
            return g, g.source.labels.index(want)
    if want.isdigit():
        for g in groups:
            if int(want) < len(g.source.labels):
                return g, int(want)
    return None
