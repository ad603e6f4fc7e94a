"""What a Datagen datapoint can be filtered by beyond its cheap index facts.

``lighting`` and ``spectrum`` come from the index; the actor's facts cost a
read of its actor_metadata.json, so they are read only when a filter asks for
one of them, and then all together; gaze angles and head distance also read
the camera's camera_metadata.json.
"""
from __future__ import annotations

import math
from typing import Collection

import numpy as np

#: Declared by the reader (key → description, for the filter help).
FACTS: dict[str, str] = {
    "lighting": "environment, time of day or background: indoor, outdoor, morning, night, hdri, ...",
    "spectrum": "visible or nir",
    "expression": "actor's facial expression", "intensity": "expression intensity", "age": "actor's age group",
    "gender": "actor's gender", "ethnicity": "actor's ethnicity", "identity": "actor's identity id",
    "eyelid": "eyelid closure level", "accessory": "glasses, mask, ...", "yaw": "head yaw (degrees)",
    "pitch": "head pitch (degrees)", "roll": "head roll (degrees)",
    "gaze_yaw": "gaze yaw in the camera frame (degrees, both eyes' visual axes averaged)",
    "gaze_pitch": "gaze pitch in the camera frame (degrees)",
    "distance": "camera to head distance (metres, to the point between the eyes)",
}
_ACTOR = frozenset(("expression", "intensity", "age", "gender", "ethnicity", "identity", "eyelid", "accessory",
                    "yaw", "pitch", "roll"))
#: Facts of the actor as this camera sees it: the camera file and the actor file.
_CAMERA = frozenset(("gaze_yaw", "gaze_pitch", "distance"))


def facts(dp, keys: Collection[str]) -> dict[str, list]:
    """The facts among ``keys``; any actor key brings every actor fact (one file read). DataError if unreadable."""
    out: dict[str, list] = {}
    if "lighting" in keys:
        out["lighting"] = [dp.meta[k] for k in ("environment", "time_of_day", "background") if k in dp.meta]
    if "spectrum" in keys:
        out["spectrum"] = ["nir" if str(dp.meta.get("image", dp.name)).startswith("infrared") else "visible"]
    if not _ACTOR.isdisjoint(keys):
        out.update(actor_facts(dp.actor_metadata))
    if not _CAMERA.isdisjoint(keys):
        out.update(camera_facts(dp.camera_model(), dp.actor_metadata))
    return out


def camera_facts(cam, actor) -> dict[str, list]:
    """Gaze angles (Datagen notebook 004, spec §4.4) and head distance seen from ``cam`` ([] where unknown)."""
    out: dict[str, list] = {k: [] for k in _CAMERA}
    if cam is None or actor is None or hasattr(actor, "identities"):  # HIC: several people, no gaze
        return out
    try:
        head = np.asarray(actor.head_metadata.head_six_dof.location, float).reshape(3)
        out["distance"] = [round(float(np.linalg.norm(head - cam.center)), 4)]
    except (AttributeError, TypeError, ValueError):
        pass
    try:
        axes = actor.eye_gaze.axis_directions
        g = sum(np.asarray(getattr(axes, eye).visual_axis_direction, float).reshape(3)
                for eye in ("right_eye", "left_eye"))
    except (AttributeError, TypeError, ValueError):
        return out
    x, y, z = cam.rotate(g)[0]
    across = math.hypot(x, z)
    if across > 0 and np.isfinite(across):
        out["gaze_yaw"] = [round(math.degrees(math.copysign(math.acos(max(-1.0, min(1.0, -z / across))), x)), 3)]
        out["gaze_pitch"] = [round(math.degrees(math.atan2(y, across)), 3)]
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
