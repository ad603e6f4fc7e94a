"""What a Datagen datapoint can be filtered by beyond its cheap index facts.

``lighting`` and ``spectrum`` come from the index; the actor's facts cost a
read of its actor_metadata.json, so they are read only when a filter asks for
one of them, and then all together.
"""
from __future__ import annotations

from typing import Collection

#: Declared by the reader (key → description, for the filter help).
FACTS: dict[str, str] = {
    "lighting": "environment, time of day or background: indoor, outdoor, morning, night, hdri, ...",
    "spectrum": "visible or nir",
    "expression": "actor's facial expression", "intensity": "expression intensity", "age": "actor's age group",
    "gender": "actor's gender", "ethnicity": "actor's ethnicity", "identity": "actor's identity id",
    "eyelid": "eyelid closure level", "accessory": "glasses, mask, ...", "yaw": "head yaw (degrees)",
    "pitch": "head pitch (degrees)", "roll": "head roll (degrees)",
}
_ACTOR = frozenset(("expression", "intensity", "age", "gender", "ethnicity", "identity", "eyelid", "accessory",
                    "yaw", "pitch", "roll"))


def facts(dp, keys: Collection[str]) -> dict[str, list]:
    """The facts among ``keys``; any actor key brings every actor fact (one file read). DataError if unreadable."""
    out: dict[str, list] = {}
    if "lighting" in keys:
        out["lighting"] = [dp.meta[k] for k in ("environment", "time_of_day", "background") if k in dp.meta]
    if "spectrum" in keys:
        out["spectrum"] = ["nir" if str(dp.meta.get("image", dp.name)).startswith("infrared") else "visible"]
    if not _ACTOR.isdisjoint(keys):
        out.update(actor_facts(dp.actor_metadata))
    return out


def actor_facts(actor) -> dict[str, list]:
    """Every actor key, from the SDK view of the actor file ([] where it has no value, or there is no file)."""
    out: dict[str, list] = {k: [] for k in _ACTOR}
    if actor is None:
        return out
    if hasattr(actor, "identities"):  # HIC: several identities per frame, labels only
        ids = list(actor.identities)
        out.update(age=[a.identity_label.age for a in ids], gender=[a.identity_label.gender for a in ids],
                   ethnicity=[a.identity_label.ethnicity for a in ids], identity=[a.identity_id for a in ids])
        return out

    def put(key, get):
        try:
            value = get()
        except (AttributeError, KeyError, TypeError):
            return
        if value is not None:
            out[key] = value if isinstance(value, list) else [value]

    put("expression", lambda: actor.face_expression.name)
    put("intensity", lambda: actor.face_expression.intensity_level)
    put("age", lambda: actor.identity_label.age)
    put("gender", lambda: actor.identity_label.gender)
    put("ethnicity", lambda: actor.identity_label.ethnicity)
    put("identity", lambda: actor.identity_id)
    put("eyelid", lambda: actor.eyelid_closure_intensity_level)
    put("accessory", lambda: [str(getattr(a, "type", "")).lower() for a in getattr(actor, "accessories", None) or []])
    for angle in ("yaw", "pitch", "roll"):
        put(angle, lambda angle=angle: getattr(actor.head_metadata.head_rotation, angle))
    return out


#: Annotation set reported by ``dgviewer info`` → files that provide it (found in any lookup folder).
ANNOTATION_FILES = {
    "keypoints": ("key_points", "standard_keypoints.json", "dense_keypoints.json"),
    "eyes_and_gaze": ("actor_metadata.json",),
    "bbox": ("face_bounding_box.json",),
    "segmentation": ("semantic_segmentation_metadata.json",),
    "centers": ("center_of_geometry.json",),
}


def annotation_names(folders, hic: bool) -> tuple[str, ...]:
    """The annotation sets ``dgviewer info`` reports for a datapoint looking up files in ``folders``."""
    found = [a for a, files in ANNOTATION_FILES.items() if any(n in f.names for f in folders for n in files)]
    if hic and "eyes_and_gaze" in found:
        found[found.index("eyes_and_gaze")] = "actors"  # HIC actor files carry head poses, not eye points
    return tuple(found)
