"""Perception annotation values → the canonical drawable items of core/annotations.py.

SOLO writes camelCase keys (``instanceId``, ``origin``), the legacy format
snake_case (``instance_id``, ``x``); the 1.0 legacy endpoint mixes both. Each
builder here accepts either spelling, so both readers share them. A builder
raises ValueError/KeyError/TypeError on a malformed value; the datapoint turns
that into a problem and keeps the annotation raw.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core.annotations import Box2D, Box3D, KeypointSet, SegClass, SegmentationLegend
from ...core.camera import CameraModel
from .geometry import box_corners, local_to_world, unity_to_cv
from .values import ident, rgba, vec

#: SOLO annotation ``@type`` short names → what dgviewer makes of them: a layer
#: name for drawables, a modality name for image-only annotations.
SOLO_KINDS = {
    "BoundingBox2DAnnotation": "boxes",
    "BoundingBox3DAnnotation": "boxes3d",
    "KeypointAnnotation": "skeleton",
    "SemanticSegmentationAnnotation": "segmentation",
    "InstanceSegmentationAnnotation": "instances",
    "DepthAnnotation": "depth",
    "NormalAnnotation": "normals",
    "PixelPositionAnnotation": "pixel_position",
}

#: Kinds whose data is an image file, and the modality that file becomes.
IMAGE_KINDS = {
    "segmentation": "segmentation",
    "instances": "instance",
    "depth": "depth",
    "normals": "normals",
    "pixel_position": "pixel_position",
}


def pick(d: dict, *keys, default=None):
    """The first of ``keys`` present in ``d`` (camelCase / snake_case spellings)."""
    for k in keys:
        if k in d:
            return d[k]
    return default


def values_of(annotation: dict, key: str = "values") -> list:
    """An annotation's list; Perception 1.0 leaves the key out when the list is empty (spec §4.8)."""
    v = annotation.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        raise ValueError(f"'{key}' is not a list")
    return v


def label_names(annotations: list[dict]) -> dict:
    """instance id → label name, from every annotation of a capture that names one.

    Keypoint values carry only a label id, so their sets are named from this.
    """
    out: dict = {}
    for a in annotations:
        if not isinstance(a, dict):
            continue
        for key in ("values", "instances"):
            items = a.get(key)
            if not isinstance(items, list):
                continue
            for v in items:
                if isinstance(v, dict):
                    iid = ident(pick(v, "instanceId", "instance_id"))
                    name = pick(v, "labelName", "label_name")
                    if iid is not None and isinstance(name, str):
                        out.setdefault(iid, name)
    return out


def boxes2d(values: list) -> list[Box2D]:
    out = []
    for v in values:
        if "origin" in v:
            x, y = vec(v["origin"], 2)
            w, h = vec(v["dimension"], 2)
        else:
            x, y, w, h = (float(v[k]) for k in ("x", "y", "width", "height"))
        out.append(Box2D(
            layer="boxes",
            label=str(pick(v, "labelName", "label_name", default="")),
            x0=x, y0=y, x1=x + w, y1=y + h,  # whole pixels; the right edge is x + w (spec §5.2)
            instance_id=ident(pick(v, "instanceId", "instance_id")),
            label_id=ident(pick(v, "labelId", "label_id")),
        ))
    return out


def boxes3d(values: list, cam: CameraModel) -> list[Box3D]:
    """Boxes given in the camera-local frame, projected through the capture's matrix.

    Corners behind a perspective camera project to NaN; the canvas skips edges touching them.
    """
    out = []
    for v in values:
        corners = unity_to_cv(box_corners(v["translation"], v["size"], v["rotation"]))
        out.append(Box3D(
            layer="boxes3d",
            label=str(pick(v, "labelName", "label_name", default="")),
            corners_xy=cam.project_camera(corners),
            corners_xyz=corners,
            instance_id=ident(pick(v, "instanceId", "instance_id")),
            label_id=ident(pick(v, "labelId", "label_id")),
        ))
    return out


@dataclass
class Template:
    """A keypoint template: point names and colours by index, skeleton edges."""

    id: str
    name: str
    labels: list[str]
    colors: list[tuple] | None
    edges: list[tuple[int, int]] = field(default_factory=list)
    edge_colors: list[tuple] | None = None


#: More keypoints than any skeleton has (COCO 17, a Datagen dense face 478): a larger index is damage.
MAX_KEYPOINTS = 10_000


def parse_template(t: dict) -> Template:
    """SOLO ``template`` or one legacy keypoint ``spec`` entry."""
    points = pick(t, "keypoints", "key_points", default=[]) or []
    indices = [int(p["index"]) for p in points]
    if not all(0 <= i < MAX_KEYPOINTS for i in indices):  # the lists below are as long as the largest index
        raise ValueError(f"keypoint index outside 0..{MAX_KEYPOINTS - 1}")
    n = max(indices, default=-1) + 1
    labels = [str(i) for i in range(n)]
    colors: list = [(255, 255, 255, 255)] * n
    for i, p in zip(indices, points):
        labels[i] = str(p.get("label", i))
        if "color" in p:
            colors[i] = rgba(p["color"])
    edges, edge_colors = [], []
    for e in t.get("skeleton") or []:
        a, b = int(e["joint1"]), int(e["joint2"])
        if 0 <= a < n and 0 <= b < n:
            edges.append((a, b))
            edge_colors.append(rgba(e["color"]) if "color" in e else (255, 255, 255, 255))
    return Template(
        id=str(pick(t, "templateId", "template_id", default="")),
        name=str(pick(t, "templateName", "template_name", default="keypoints")),
        labels=labels, colors=colors, edges=edges, edge_colors=edge_colors,
    )


def keypoint_sets(values: list, template: Template | None, labels: dict, pose=None) -> list[KeypointSet]:
    """One set per annotated instance.

    State 0 points (not on the model, behind the camera or off-screen) are
    written at (0, 0) by Unity; they get NaN so nothing is drawn there.
    ``visible`` is state 2, as in Perception's own overlay. ``xyz`` is world,
    from the camera-space location when the data has it (1.0) and ``pose`` is
    the camera's world (position, rotation).
    """
    out = []
    for v in values:
        points = v.get("keypoints") or []
        n = max([int(p["index"]) + 1 for p in points] + [len(template.labels) if template else 0])
        xy = np.full((n, 2), np.nan)
        state = np.zeros(n, dtype=np.int64)
        cam_xyz = np.full((n, 3), np.nan)
        has_xyz = False
        for p in points:
            i = int(p["index"])
            state[i] = int(p.get("state", 2))
            if "location" in p:
                loc = vec(p["location"], 2)
            else:
                loc = np.array([float(p["x"]), float(p["y"])])
            if state[i] > 0:
                xy[i] = loc
            local = p.get("cameraCartesianLocation")
            if local is None and "camera_x" in p:
                local = [p["camera_x"], p["camera_y"], p["camera_z"]]
            if local is not None and state[i] > 0:
                cam_xyz[i] = vec(local)
                has_xyz = True
        iid = ident(pick(v, "instanceId", "instance_id"))
        label = labels.get(iid) or (template.name if template else "keypoints")
        xyz = None
        if has_xyz and pose is not None:
            xyz = local_to_world(cam_xyz, *pose)
        names = list(template.labels) + [str(i) for i in range(len(template.labels), n)] if template else [str(i) for i in range(n)]
        colors = list(template.colors) + [(255, 255, 255, 255)] * (n - len(template.colors)) if template and template.colors else None
        out.append(KeypointSet(
            layer="skeleton",
            name=f"{label} {iid}",
            labels=names,
            xy=xy,
            xyz=xyz,
            visible=state == 2,
            state=state,
            edges=list(template.edges) if template else [],
            edge_colors=list(template.edge_colors) if template and template.edge_colors else None,
            colors=colors,
        ))
    return out


def instance_legend(entries: list, labels: dict) -> SegmentationLegend:
    """Colour (all four channels: alpha is significant above id 1024) → instance and its label."""
    classes = []
    for e in entries:
        iid = ident(pick(e, "instanceId", "instance_id"))
        name = pick(e, "labelName", "label_name") or labels.get(iid) or f"instance {iid}"
        classes.append(SegClass(
            name=str(name),
            color=rgba(pick(e, "color", "instance_color")),
            label_id=ident(pick(e, "labelId", "label_id")),
            instance_id=iid,
        ))
    return SegmentationLegend(layer="instances", modality="instance", classes=_with_unlabeled(classes))


def semantic_legend(entries: list) -> SegmentationLegend:
    """SOLO per-frame ``instances`` ({labelName, pixelValue}) or a legacy definition ``spec``
    ({label_name, pixel_value}: float RGBA, or a grey level in the hand-written mock)."""
    classes = []
    for e in entries:
        value = pick(e, "pixelValue", "pixel_value")
        color = (int(value),) if isinstance(value, (int, float)) and not isinstance(value, bool) else rgba(value)
        classes.append(SegClass(
            name=str(pick(e, "labelName", "label_name", default="")),
            color=color,
            label_id=ident(pick(e, "labelId", "label_id")),
        ))
    return SegmentationLegend(layer="segmentation", modality="segmentation", classes=_with_unlabeled(classes))


#: What Perception writes where no labelled object is (spec §5.4), in every RGBA mask.
UNLABELED = (0, 0, 0, 255)


def _with_unlabeled(classes: list[SegClass]) -> list[SegClass]:
    """The RGBA legends plus the unlabeled colour, so background is named instead of flagged as unknown."""
    if classes and all(len(c.color) == 4 for c in classes) and all(c.color != UNLABELED for c in classes):
        classes = classes + [SegClass(name="(unlabeled)", color=UNLABELED)]
    return classes
