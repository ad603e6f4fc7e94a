"""Values shaped like the ``datagen-tech`` SDK's (1.10.6) textual attributes.

Notebooks written against ``dg.load`` read ``dp.camera_metadata.intrinsic_matrix``,
``dp.actor_metadata.face_expression.name``, ``dp.keypoints.face.standard.coords_2d``
and so on; these builders give the same names and the same value conventions
(vectors as numpy arrays, 2D points row-first as stored). The canonical,
drawable model is built separately in ``canonical.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .keypoints import Points

_VECTOR_KEYS = ({"x", "y", "z"}, {"x", "y"})


class Record:
    """An attribute bag; ``dir()`` lists its fields (tab completion)."""

    def __init__(self, _type: str = "Record", **fields: Any):
        self.__dict__["_type"] = _type
        self.__dict__.update(fields)

    def __dir__(self):
        return [k for k in self.__dict__ if k != "_type"]

    def __getitem__(self, key):
        return self.__dict__[key]

    def __eq__(self, other):
        return isinstance(other, Record) and self.__dir__() == other.__dir__() and all(
            np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
            for a, b in zip((self.__dict__[k] for k in self.__dir__()), (other.__dict__[k] for k in other.__dir__()))
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if k != "_type")
        return f"{self._type}({inner})"


def vector(v) -> np.ndarray | None:
    """{x,y,z} / [..] / {"0":..} → float array (the SDK accepts all three)."""
    if v is None:
        return None
    if isinstance(v, dict):
        keys = ("x", "y", "z") if "z" in v else ("x", "y") if "x" in v else sorted(v, key=int)
        return np.array([float(v[k]) for k in keys])
    return np.asarray(v, dtype=float)


def generic(obj: Any, name: str = "Record") -> Any:
    """JSON → Records, with vectors as arrays; keys that are not identifiers stay a dict."""
    if isinstance(obj, dict):
        if set(obj) in _VECTOR_KEYS and all(isinstance(v, (int, float)) for v in obj.values()):
            return vector(obj)
        fields = {k: generic(v, k) for k, v in obj.items() if k != "version"}
        if all(k.isidentifier() for k in fields):
            return Record(name, **fields)
        return fields
    if isinstance(obj, list):
        return [generic(v, name) for v in obj]
    return obj


def camera_metadata(raw: dict) -> Record:
    sensor = raw.get("sensor") or {}
    orient = raw.get("orientation") or {}
    fov = raw.get("fov") or {}
    return Record(
        "CameraMetadata",
        camera_name=raw.get("camera_name"),
        camera_type=raw.get("camera_type"),
        focal_length=raw.get("focal_length"),
        sensor=Record("Sensor", width=sensor.get("sensor_width"), height=sensor.get("sensor_height")),
        resolution_px=vector(raw.get("resolution_px")),
        aspect_px=vector(raw.get("aspect_px")),
        location=vector(raw.get("location")),
        orientation=Record("Orientation", look_at_vector=vector(orient.get("look_at_vector")), up_vector=vector(orient.get("up_vector"))),
        fov=Record("FOV", horizontal=fov.get("horizontal"), vertical=fov.get("vertical")),
        intrinsic_matrix=np.asarray(raw.get("intrinsic_matrix"), dtype=float),
        extrinsic_matrix=np.asarray(raw.get("extrinsic_matrix"), dtype=float),
    )


class Environment(Record):
    """One entry of environment.json; attributes are exactly its keys."""

    def __init__(self, entry: dict):
        super().__init__("Environment", **{k: v for k, v in entry.items() if k != "version"})

    @property
    def transparent_background(self) -> bool:
        return self.__dict__.get("background") == "transparent"

    def matches(self, **kw) -> bool:
        return all(self.__dict__.get(k) == v for k, v in kw.items())


class NestedSegment:
    """The segmentation colour map: attribute access walks it; a leaf gives its colour array."""

    def __init__(self, name: str, children: dict):
        self.name = name
        self.sub_segments = children

    def __getattr__(self, key: str):
        if key.startswith("__"):
            raise AttributeError(key)
        # A leaf is its colour array, an inner node a NestedSegment; the SDK gives None for an unknown name.
        return self.__dict__["sub_segments"].get(key)

    def __dir__(self):
        return list(self.sub_segments)

    def __repr__(self) -> str:
        return f"NestedSegment({self.name!r}, {list(self.sub_segments)})"


def segmentation(raw: dict, name: str = "root") -> NestedSegment:
    children = {}
    for k, v in raw.items():
        if k == "version":
            continue
        if isinstance(v, list):
            children[k] = np.asarray(v, dtype=float)
        elif isinstance(v, dict) and set(v) == {"R", "G", "B"}:
            children[k] = np.array([v["R"], v["G"], v["B"]])
        elif isinstance(v, dict):
            children[k] = segmentation(v, k)
    return NestedSegment(name, children)


def lights_metadata(raw: dict) -> Record:
    lights = raw.get("lights") or {}
    out = []
    for name, l in lights.items():
        o = l.get("orientation") or {}
        out.append(Record(
            "LightSource", name=name, brightness=l.get("brightness"), beam_angle=l.get("beam_angle"),
            location=vector(l.get("location")),
            orientation=Record("Orientation", look_at_vector=vector(o.get("look_at_vector")), up_vector=vector(o.get("up_vector"))),
            type=l.get("type"), falloff=l.get("falloff"), spectrum=l.get("spectrum"),
        ))
    return Record("LightsMetadata", lights=out)


_EYE_POINTS = ("center_of_rotation_point", "apex_of_cornea_point", "center_of_iris_point", "center_of_pupil_point",
               "iris_circle", "pupil_circle")


def _eye_values(v):
    if isinstance(v, list):
        return np.array([[float(p[k]) for k in (("x", "y", "z") if "z" in p else ("x", "y"))] for p in v])
    return vector(v)


def _per_eye(raw: dict) -> Record:
    coords_2d = [
        Record("Coord2DPerEye", camera_name=cam, right_eye=_eye_values(e.get("right_eye")), left_eye=_eye_values(e.get("left_eye")))
        for cam, e in (raw.get("2d") or {}).items()
    ]
    d3 = raw.get("3d") or {}
    return Record("EyePoint", coords_2d=coords_2d,
                  coords_3d=Record("Coord3D", right_eye=_eye_values(d3.get("right_eye")), left_eye=_eye_values(d3.get("left_eye"))))


def actor_metadata(raw: dict) -> Record:
    """Identities actor file → ActorMetadata (eye points per camera, gaze with the doubled nesting removed)."""
    fields: dict[str, Any] = {}
    for k, v in raw.items():
        if k == "version":
            continue
        if k in _EYE_POINTS:
            fields[k] = _per_eye(v)
        elif k == "eye_gaze":
            axes = v.get("axis_directions") or {}
            fields[k] = Record(
                "EyeGaze",
                axis_directions=Record("AxisDirections", **{
                    eye: generic((axes.get(eye) or {}).get("axis_directions", axes.get(eye)), "EyeAxes")
                    for eye in ("right_eye", "left_eye")
                }),
                target_point=generic(v.get("target_point"), "TargetPoint"),
                eye_gaze_direction_type=v.get("eye_gaze_direction_type"),
            )
        elif k == "face_expression":
            fields[k] = Record("FaceExpression", name=v.get("name"), intensity_level=int(v.get("intensity_level", 0)))
        elif k == "accessories":
            fields[k] = [generic(a, str(a.get("type", "accessory")).capitalize()) for a in v or []]
        else:
            fields[k] = generic(v, k)
    fields.setdefault("eyelid_closure_intensity_level", 5)
    return Record("ActorMetadata", **fields)


class Actors(Record):
    """HIC actor file: ``actors[uuid]`` and iteration over identities."""

    def __init__(self, raw: dict):
        ids = [Record("ActorMetadata", identity_id=uid, identity_label=Record(
                   "IdentityLabel", age=v.get("age"), ethnicity=v.get("ethnicity"), gender=v.get("gender")),
                   head_six_dof=generic(v.get("head_six_dof"), "HeadSixDof"))
               for uid, v in (raw.get("identities") or {}).items()]
        super().__init__("Actors", identities=ids)

    def __getitem__(self, uid):
        for a in self.identities:
            if a.identity_id == uid:
                return a
        raise KeyError(uid)

    def __iter__(self):
        return iter(self.identities)

    def __len__(self):
        return len(self.identities)


def face_bounding_box(raw: dict) -> Record:
    return Record("FaceBoundingBox", **{k: int(raw[k]) for k in ("min_x", "min_y", "max_x", "max_y") if k in raw})


def datapoint_request(raw: dict):
    """``datapoints[0]`` of datapoint_request.json, like the SDK."""
    items = raw.get("datapoints") or []
    return generic(items[0], "HumanDatapoint") if items else None


def keypoints(tree: dict, hic: bool) -> Record:
    """Keypoint tree → SDK Keypoints records; 2D stays row-first like the SDK."""

    def conv(node, name):
        if isinstance(node, Points):
            rc, xyz = (node.rc[0], node.xyz[0]) if node.single else (node.rc, node.xyz)
            if hic:
                return Record("Keypoint", name=name, coords_2d=rc, coords_3d=xyz)
            vis = node.visible if node.visible is not None else np.zeros(len(node.labels), bool)
            return Record("Keypoints", name=name, coords_2d=rc, coords_3d=xyz, is_visible=vis)
        fields = {k: conv(v, k) for k, v in node.items()}
        if all(k.isidentifier() for k in fields):
            return Record("Keypoints" if hic else "SceneKeypoints", **fields)
        return fields

    return conv(tree, "keypoints")


def center_of_geometry(raw: dict) -> dict:
    out = {}
    for name, v in raw.items():
        if name == "version":
            continue
        com = v.get("center_of_mass") or {}
        p2 = com.get("pixel_2d") or {}
        out[name] = Record("ObjectCenterOfGeometry", semantic_name=v.get("semantic_name"),
                           coords_2d=np.array([p2.get("x"), p2.get("y")], dtype=float),
                           coords_3d=vector(com.get("global_3d")))
    return out
