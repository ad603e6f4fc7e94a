"""What a Unity Perception capture can be filtered by.

Sequence, step, sensor and the rest come from the index (``Datapoint.meta``);
``label`` and ``objects`` need the capture's annotation values, which the
index does not keep: they are read from the capture's JSON record (through
the per-path JSON cache) when a filter first asks for one of them.
"""
from __future__ import annotations

from .convert import pick

#: Declared by both readers (key → description, for the filter help).
FACTS: dict[str, str] = {
    "label": "a label the capture's boxes, keypoints or segmentation name: label=Crate",
    "objects": "number of 2D boxes: objects>=3",
    "boxes3d": "number of 3D boxes", "skeletons": "number of keypoint skeletons (people, animals)",
    "sequence": "sequence number", "step": "step within the sequence", "sensor": "sensor id",
    "timestamp": "seconds since the sequence began",
    "annotations": "what the capture annotates: boxes, boxes3d, skeleton, segmentation, instances or a custom type",
}
SOLO_FACTS = {**FACTS, "frame": "frame number of the simulation"}
LEGACY_FACTS = {**FACTS, "sequence_id": "the sequence's UUID", "capture_id": "the capture's UUID", "ego": "ego id"}
#: The facts that need the capture's record, in the groups one call gives together.
_LABELS, _COUNTS = frozenset(("label", "objects")), frozenset(("boxes3d", "skeletons"))
RECORD_FACTS = _LABELS | _COUNTS


def record_facts(annotations: list[tuple[str | None, dict]], keys=_LABELS) -> dict[str, list]:
    """``label`` and ``objects``, and the 3D box and skeleton counts when ``keys`` asks for one, from a capture's
    (kind, annotation) pairs.

    Labels are the names its values and segmentation entries carry (a keypoint value carries only an
    instance id: its label is found when a box of the same instance names it); malformed lists count as empty.
    """
    labels: dict[str, None] = {}
    counts = {"boxes": 0, "boxes3d": 0, "skeleton": 0}
    for kind, a in annotations:
        for key in ("values", "instances"):
            items = a.get(key)
            if not isinstance(items, list):
                continue
            if kind in counts and key == "values":
                counts[kind] += len(items)
            for v in items:
                name = pick(v, "labelName", "label_name") if isinstance(v, dict) else None
                if isinstance(name, str):
                    labels[name] = None
    out = {"label": list(labels), "objects": [counts["boxes"]]} if not _LABELS.isdisjoint(keys) else {}
    if not _COUNTS.isdisjoint(keys):
        out.update(boxes3d=[counts["boxes3d"]], skeletons=[counts["skeleton"]])
    return out
