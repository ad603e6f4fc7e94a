"""A synthetic Unity Perception dataset, in SOLO or legacy layout.

    write_perception_sample("/tmp/solo", format="solo")      # or format="legacy"

Two sequences of the world in :mod:`.perception_scene`, seen by two cameras
at different rates: "front" (perspective, every 2 s) and "top" (orthographic,
every 3 s), so captures fall at 0, 2, 3, 4, 6, 8, 9 s, one step per distinct
time. Each capture has its RGB image, 2D and 3D boxes, keypoints with a
skeleton (some occluded, two absent), semantic and instance segmentation, a
custom annotation (the near crate's position) and metrics: object counts per
capture, a custom light-position metric per step and the scenario iteration
and random seed. SOLO adds depth and normal EXRs and writes it the way 1.0
does (empty lists left out, "Isometric" for orthographic); the legacy layout
is 0.x's (``Dataset<guid>/``, ``RGB<guid>/``, chunked captures files, an ego
rig carrying both cameras, a capture-less first sequence holding the seed).
"""
from __future__ import annotations

import os
import uuid

import numpy as np

from ..core.rotation import quat_axis, quat_conj, quat_matrix, quat_mul
from .files import new_folder, write_exr, write_json, write_png
from .perception_scene import (KEYPOINTS, LABELS, SEMANTIC, SKELETON, Camera, Capture, hue_rgb, instance_color, look,
                               render, world_at)

SEQUENCES = 2
HORIZON = 9.0  # simulated seconds per sequence
SOLO_TYPE = "type.unity.com/unity.solo."
TEMPLATE_ID = "4a7b253a-334e-460c-bc81-3f4e2c4871c0"
# The built-in labelers' default legacy definition ids (spec §3.5) and two custom ones.
BOX2D_ID, BOX3D_ID = "f9f22e05-443f-4602-a422-ebe4ea9b55cb", "0bfbe00d-00fa-4555-88d1-471b58449f5c"
SEMANTIC_ID, INSTANCE_ID = "12f94d8d-5425-4deb-9b21-5e53ad957d66", "1ccebeb4-5886-41ff-8fe0-f911fa8cbcdf"
KEYPOINT_ID, TARGET_ID = "8b3ef246-daa7-4dd5-a0e8-a943f6e7f8c2", "c0b4a22c-0420-4d9f-bafc-954b8f7b35a7"
COUNT_ID, ITERATION_ID = "51da3c27-369d-4929-aea6-d01614635ce2", "db1b258e-d1d0-41b6-8751-16f601a2e230"
SEED_ID, LIGHT_ID = "14adb394-46c0-47e8-a3f0-99e754483b76", "1f6bff46-f884-4cc5-a878-db987278fe35"


def write_perception_sample(out: str, format: str = "solo", size: int = 256, seed: int = 0) -> str:
    """Write the sample into the new or empty folder ``out`` (images ``size`` × 3/4·``size``); return ``out``."""
    if format not in ("solo", "legacy"):
        raise ValueError(f"format must be 'solo' or 'legacy', not {format!r}")
    if size < 32:
        raise ValueError("size must be at least 32 pixels")
    new_folder(out)
    cameras = sample_cameras(size)
    (_write_solo if format == "solo" else _write_legacy)(out, cameras, seed)
    return out


def sample_cameras(size: int) -> list[Camera]:
    width, height = size, size * 3 // 4
    front = Camera("front", np.array([0.0, 1.3, -2.0]), look(8), width, height, "perspective",
                   fov=50, lens_shift=(0.12, -0.08), delta=2.0, description="Perspective camera at eye height, lens shifted")
    pitch, target = 70.0, np.array([-0.3, 0.5, 3.0])
    top = Camera("top", target - 8 * quat_matrix(look(pitch))[:, 2], look(pitch), width, height, "orthographic",
                 ortho_size=2.2, delta=3.0, description="Orthographic camera looking down")
    return [front, top]


def schedule(cameras: list[Camera]) -> list[tuple[float, list[Camera]]]:
    """(time, cameras capturing then) per step: one step per distinct capture time."""
    times = sorted({k * c.delta for c in cameras for k in range(int(HORIZON // c.delta) + 1)})
    return [(t, [c for c in cameras if abs(t / c.delta - round(t / c.delta)) < 1e-9]) for t in times]


def _sequence_seed(seed: int, sequence: int) -> int:
    return seed * 1000 + sequence


# -- files: Perception writes JSON indented by 2 and PNGs at OpenCV's default level
def _json(path: str, value) -> None:
    write_json(path, value, indent=2)


def _png(path: str, rgba: np.ndarray) -> None:
    write_png(path, rgba, level=None)


def _floats(v) -> list[float]:
    return [round(float(x), 6) for x in v]


def _template_colors() -> list[tuple[int, int, int, int]]:
    return [(*hue_rgb(i / len(KEYPOINTS)), 255) for i in range(len(KEYPOINTS))]


def _counts(cap: Capture) -> dict[str, int]:
    counts = {label: 0 for label in LABELS}
    for _, label in cap.present:
        counts[label] += 1
    return counts


# -- SOLO -------------------------------------------------------------------------
def _write_solo(out: str, cameras: list[Camera], seed: int) -> None:
    steps = schedule(cameras)
    frame = 2  # Unity's first captured frame number in real data
    for seq in range(SEQUENCES):
        folder = os.path.join(out, f"sequence.{seq}")
        for step, (t, capturing) in enumerate(steps):
            world = world_at(t, _sequence_seed(seed, seq))
            captures, metrics = [], []
            for cam in capturing:
                cap = render(world, cam)
                captures.append(_solo_capture(folder, step, cam, cap, world))
                metrics.append(_solo_metric("ObjectCountMetric", "ObjectCount", cam.id, "Counts of labeled objects with visible pixels",
                                            values=[{"labelId": LABELS[k], "labelName": k, "count": n} for k, n in _counts(cap).items()]))
            if step == 0:  # 1.0 reports both at the first step of every sequence
                metrics.append(_solo_metric("GenericMetric", "scenario_iteration", "", "Iteration information for dataset sequences", value=seq))
                metrics.append(_solo_metric("GenericMetric", "random-seed", "", "The random seed of the simulation", value=seed))
            metrics.append({"@type": "LightMetric", "id": "lightMetric1", "sensorId": "", "annotationId": "",
                            "description": "The world-space position of the light", "values": _floats(world.light)})
            _json(os.path.join(folder, f"step{step}.frame_data.json"),
                  {"frame": frame, "sequence": seq, "step": step, "timestamp": t, "captures": captures, "metrics": metrics})
            frame += 1
    _solo_definitions(out, cameras, seed, frame - 2)


def _solo_metric(type_: str, id_: str, sensor: str, description: str, **body) -> dict:
    return {"@type": SOLO_TYPE + type_, "id": id_, "sensorId": sensor, "annotationId": "", "description": description, **body}


def _with_values(annotation: dict, key: str, values: list) -> dict:
    """Perception 1.0 creates a list key only when the first element is added (spec §4.8)."""
    if values:
        annotation[key] = values
    return annotation


def _solo_capture(folder: str, step: int, cam: Camera, cap: Capture, world) -> dict:
    stem = f"step{step}.{cam.id}"
    dimension = [float(cam.width), float(cam.height)]
    _png(os.path.join(folder, f"{stem}.png"), cap.rgb)
    _png(os.path.join(folder, f"{stem}.semantic segmentation.png"), cap.semantic)
    _png(os.path.join(folder, f"{stem}.instance segmentation.png"), cap.instance)
    zero = np.zeros_like(cap.depth)
    write_exr(os.path.join(folder, f"{stem}.Depth.exr"), np.dstack([cap.depth, zero, zero]), alpha=True)  # metres in R
    write_exr(os.path.join(folder, f"{stem}.Normal.exr"), cap.normals, alpha=True)

    def ann(type_, id_, description, **body):
        return {"@type": SOLO_TYPE + type_, "id": id_, "sensorId": cam.id, "description": description, **body}

    boxes = [{"instanceId": b["instance"], "labelId": LABELS[b["label"]], "labelName": b["label"],
              "origin": [float(b["x"]), float(b["y"])], "dimension": [float(b["w"]), float(b["h"])]} for b in cap.boxes]
    boxes3d = [{"instanceId": b["instance"], "labelId": LABELS[b["label"]], "labelName": b["label"],
                "translation": _floats(b["translation"]), "size": _floats(b["size"]), "rotation": _floats(b["rotation"]),
                "velocity": [0.0, 0.0, 0.0], "acceleration": [0.0, 0.0, 0.0]} for b in cap.boxes3d]
    keypoints = [{"instanceId": k["instance"], "labelId": LABELS["Character"], "pose": "walking",
                  "keypoints": [{"index": i, "location": [x, y], "cameraCartesianLocation": list(xyz), "state": s}
                                for i, (x, y, s, xyz) in enumerate(k["points"])]} for k in cap.keypoints]
    instances = [{"instanceId": iid, "labelId": LABELS[label], "labelName": label, "color": list(instance_color(iid))}
                 for iid, label in cap.present]
    labels_present = sorted({label for _, label in cap.present})
    semantic = [{"labelName": label, "pixelValue": list(SEMANTIC[label])} for label in labels_present]
    near = world.crates[1]
    return {
        "@type": SOLO_TYPE + "RGBCamera", "id": cam.id, "description": cam.description,
        "position": _floats(cam.position), "rotation": _floats(cam.rotation),
        "velocity": [0.0, 0.0, 0.0], "acceleration": [0.0, 0.0, 0.0],
        "filename": f"{stem}.png", "imageFormat": "Png", "dimension": dimension,
        "projection": "Perspective" if cam.projection == "perspective" else "Isometric",
        "matrix": _floats(cam.P.T.reshape(-1)),  # column by column, like a serialised float3x3
        "annotations": [
            _with_values(ann("BoundingBox2DAnnotation", "bounding box", "2D boxes of visible labeled objects"), "values", boxes),
            _with_values(ann("BoundingBox3DAnnotation", "bounding box 3D", "3D boxes of labeled objects"), "values", boxes3d),
            _with_values(ann("KeypointAnnotation", "keypoints", "Keypoints of visible people", templateId=TEMPLATE_ID), "values", keypoints),
            _with_values(ann("InstanceSegmentationAnnotation", "instance segmentation", "One colour per object",
                             imageFormat="Png", dimension=dimension, filename=f"{stem}.instance segmentation.png"), "instances", instances),
            _with_values(ann("SemanticSegmentationAnnotation", "semantic segmentation", "One colour per label",
                             imageFormat="Png", dimension=dimension, filename=f"{stem}.semantic segmentation.png"), "instances", semantic),
            ann("DepthAnnotation", "Depth", "Distance along the camera axis", measurementStrategy="Depth",
                imageFormat="Exr", dimension=dimension, filename=f"{stem}.Depth.exr"),
            ann("NormalAnnotation", "Normal", "Surface normals in camera space", imageFormat="Exr", dimension=dimension,
                filename=f"{stem}.Normal.exr"),
            {"@type": "targetPosDef", "id": "target1", "sensorId": cam.id,
             "description": "The position of the target in the camera's local space",
             "position": _floats(cam.to_local(near.center)[0])},
        ],
    }


def _solo_definitions(out: str, cameras: list[Camera], seed: int, frames: int) -> None:
    colors = _template_colors()
    spec = [{"label_id": i, "label_name": k} for k, i in LABELS.items()]
    annotation_defs = [
        {"@type": SOLO_TYPE + "BoundingBox2DAnnotation", "id": "bounding box", "description": "2D boxes", "spec": spec},
        {"@type": SOLO_TYPE + "BoundingBox3DAnnotation", "id": "bounding box 3D", "description": "3D boxes", "spec": spec},
        {"@type": SOLO_TYPE + "KeypointAnnotation", "id": "keypoints", "description": "Keypoints", "template": {
            "templateId": TEMPLATE_ID, "templateName": "Coco",
            "keypoints": [{"label": k, "index": i, "color": list(colors[i])} for i, k in enumerate(KEYPOINTS)],
            "skeleton": [{"joint1": a, "joint2": b, "color": list(colors[b])} for a, b in SKELETON]}},
        {"@type": SOLO_TYPE + "InstanceSegmentationAnnotation", "id": "instance segmentation", "description": "Instances", "spec": spec},
        {"@type": SOLO_TYPE + "SemanticSegmentationAnnotation", "id": "semantic segmentation", "description": "Labels"},
        {"@type": SOLO_TYPE + "DepthAnnotation", "id": "Depth", "description": "Depth"},
        {"@type": SOLO_TYPE + "NormalAnnotation", "id": "Normal", "description": "Normals"},
        {"@type": "targetPosDef", "id": "target1", "description": "The position of the target in the camera's local space"},
    ]
    metric_defs = [
        {"@type": SOLO_TYPE + "ObjectCountMetric", "id": "ObjectCount", "description": "Counts of labeled objects"},
        {"@type": SOLO_TYPE + "GenericMetric", "id": "scenario_iteration", "description": "Iteration information for dataset sequences"},
        {"@type": SOLO_TYPE + "GenericMetric", "id": "random-seed", "description": "The random seed of the simulation"},
        {"@type": "LightMetric", "id": "lightMetric1", "description": "The world-space position of the light"},
    ]
    sensors = [{"@type": SOLO_TYPE + "RGBCamera", "id": c.id, "modality": "camera", "description": c.description,
                "firstCaptureFrame": 0.0, "captureTriggerMode": "Scheduled", "simulationDeltaTime": c.delta,
                "framesBetweenCaptures": 0, "manualSensorsAffectTiming": False} for c in cameras]
    _json(os.path.join(out, "metadata.json"), {
        "unityVersion": "none (dgviewer synthetic sample)", "perceptionVersion": "1.0.0",
        "renderPipeline": "dgviewer numpy ray caster", "simulationStartTime": "1/1/2024 12:00:00 PM",
        "scenarioRandomSeed": seed, "scenarioActiveRandomizers": [], "totalFrames": frames,
        "totalSequences": SEQUENCES, "sensors": [c.id for c in cameras],
        "annotators": [{"name": d["id"], "type": d["@type"]} for d in annotation_defs],
        "metricCollectors": [d["id"] for d in metric_defs], "simulationEndTime": "1/1/2024 12:00:01 PM",
    })
    _json(os.path.join(out, "sensor_definitions.json"), {"sensorDefinitions": sensors})
    _json(os.path.join(out, "annotation_definitions.json"), {"annotationDefinitions": annotation_defs})
    _json(os.path.join(out, "metric_definitions.json"), {"metricDefinitions": metric_defs})


# -- legacy -------------------------------------------------------------------------
CAPTURES_PER_FILE = 10  # Perception flushes 150; small here so the sample has several chunks


def _write_legacy(out: str, cameras: list[Camera], seed: int) -> None:
    rng = np.random.default_rng(seed)

    def guid() -> str:
        return str(uuid.UUID(bytes=rng.bytes(16), version=4))

    json_dir = os.path.join(out, f"Dataset{guid()}")
    folders = {(c.id, kind): f"{kind}{guid()}" for c in cameras for kind in ("RGB", "SemanticSegmentation", "InstanceSegmentation")}
    sensor_ids = {c.id: guid() for c in cameras}
    ego_id = guid()
    ego_t, ego_q = np.array([0.0, 0.0, -1.0]), quat_axis("y", 10.0)  # a rig carrying both cameras
    captures, metrics = [], []
    # Perception 0.x reports the seed in a sequence of its own, before the first iteration.
    metrics.append({"capture_id": None, "annotation_id": None, "sequence_id": guid(), "step": 0,
                    "metric_definition": SEED_ID, "values": [seed]})
    frame = 2
    for seq in range(SEQUENCES):
        sequence_id = guid()
        for step, (t, capturing) in enumerate(schedule(cameras)):
            world = world_at(t, _sequence_seed(seed, seq))
            if step == 0:
                metrics.append({"capture_id": None, "annotation_id": None, "sequence_id": sequence_id, "step": 0,
                                "metric_definition": ITERATION_ID, "values": [{"iteration": seq}]})
            metrics.append({"capture_id": None, "annotation_id": None, "sequence_id": sequence_id, "step": step,
                            "metric_definition": LIGHT_ID, "values": [dict(zip("xyz", _floats(world.light)))]})
            for cam in capturing:
                cap = render(world, cam)
                names = {kind: f"{folders[(cam.id, kind)]}/{prefix}_{frame}.png" for kind, prefix in
                         (("RGB", "rgb"), ("SemanticSegmentation", "segmentation"), ("InstanceSegmentation", "Instance"))}
                _png(os.path.join(out, names["RGB"]), cap.rgb)
                _png(os.path.join(out, names["SemanticSegmentation"]), cap.semantic)
                _png(os.path.join(out, names["InstanceSegmentation"]), cap.instance)
                capture_id = guid()
                captures.append({
                    "id": capture_id, "sequence_id": sequence_id, "step": step, "timestamp": t,
                    "sensor": {"sensor_id": sensor_ids[cam.id], "ego_id": ego_id, "modality": "camera",
                               # 0.x: offset from the ego in world axes, rotation relative to the ego (spec §3.4)
                               "translation": _floats(cam.position - ego_t),
                               "rotation": _floats(quat_mul(cam.rotation, quat_conj(ego_q))),
                               "camera_intrinsic": [_floats(col) for col in cam.P.T], "projection": cam.projection},
                    "ego": {"ego_id": ego_id, "translation": _floats(ego_t), "rotation": _floats(ego_q),
                            "velocity": None, "acceleration": None},
                    "filename": names["RGB"], "format": "PNG",
                    "annotations": _legacy_annotations(guid, cap, cam, world, names),
                })
                metrics.append({"capture_id": capture_id, "annotation_id": None, "sequence_id": sequence_id, "step": step,
                                "metric_definition": COUNT_ID,
                                "values": [{"label_id": LABELS[k], "label_name": k, "count": n} for k, n in _counts(cap).items()]})
            frame += 1
    for n in range(0, len(captures), CAPTURES_PER_FILE):
        _json(os.path.join(json_dir, f"captures_{n // CAPTURES_PER_FILE:03d}.json"),
              {"version": "0.0.1", "captures": captures[n:n + CAPTURES_PER_FILE]})
    _json(os.path.join(json_dir, "metrics_000.json"), {"version": "0.0.1", "metrics": metrics})
    _legacy_definitions(json_dir, cameras, sensor_ids, ego_id)


def _xyz(v) -> dict:
    return dict(zip("xyzw", _floats(v)))


def _legacy_annotations(guid, cap: Capture, cam: Camera, world, names: dict) -> list[dict]:
    return [
        {"id": guid(), "annotation_definition": BOX2D_ID, "values": [
            {"label_id": LABELS[b["label"]], "label_name": b["label"], "instance_id": b["instance"],
             "x": float(b["x"]), "y": float(b["y"]), "width": float(b["w"]), "height": float(b["h"])} for b in cap.boxes]},
        {"id": guid(), "annotation_definition": BOX3D_ID, "values": [
            {"label_id": LABELS[b["label"]], "label_name": b["label"], "instance_id": b["instance"],
             "translation": _xyz(b["translation"]), "size": _xyz(b["size"]), "rotation": _xyz(b["rotation"]),
             "velocity": _xyz([0, 0, 0]), "acceleration": _xyz([0, 0, 0])} for b in cap.boxes3d]},
        {"id": guid(), "annotation_definition": KEYPOINT_ID, "values": [
            {"label_id": LABELS["Character"], "instance_id": k["instance"], "template_guid": TEMPLATE_ID, "pose": "walking",
             "keypoints": [{"index": i, "x": x, "y": y, "state": s} for i, (x, y, s, _) in enumerate(k["points"])]}
            for k in cap.keypoints]},
        {"id": guid(), "annotation_definition": SEMANTIC_ID, "filename": names["SemanticSegmentation"]},
        {"id": guid(), "annotation_definition": INSTANCE_ID, "filename": names["InstanceSegmentation"], "values": [
            {"instance_id": iid, "color": dict(zip("rgba", instance_color(iid)))} for iid, _ in cap.present]},
        # A custom Vector3 annotation, as in Perception's DatasetCapture example.
        {"id": guid(), "annotation_definition": TARGET_ID, "values": [_floats(cam.to_local(world.crates[1].center)[0])]},
    ]


def _legacy_definitions(json_dir: str, cameras: list[Camera], sensor_ids: dict, ego_id: str) -> None:
    spec = [{"label_id": i, "label_name": k} for k, i in LABELS.items()]
    colors = [{c: round(v / 255, 6) for c, v in zip("rgba", rgba)} for rgba in _template_colors()]
    _json(os.path.join(json_dir, "annotation_definitions.json"), {"version": "0.0.1", "annotation_definitions": [
        {"id": BOX2D_ID, "name": "bounding box", "description": "2D boxes", "format": "json", "spec": spec},
        {"id": BOX3D_ID, "name": "bounding box 3D", "description": "3D boxes", "format": "json", "spec": spec},
        {"id": SEMANTIC_ID, "name": "semantic segmentation", "description": "Labels", "format": "PNG", "spec": [
            {"label_name": k, "pixel_value": {c: round(v / 255, 6) for c, v in zip("rgba", SEMANTIC[k])}} for k in LABELS]},
        {"id": INSTANCE_ID, "name": "instance segmentation", "description": "Instances", "format": "PNG", "spec": spec},
        {"id": KEYPOINT_ID, "name": "keypoints", "description": "Keypoints", "format": "json", "spec": [{
            "template_id": TEMPLATE_ID, "template_name": "Coco",
            "key_points": [{"label": k, "index": i, "color": colors[i]} for i, k in enumerate(KEYPOINTS)],
            "skeleton": [{"joint1": a, "joint2": b, "color": colors[b]} for a, b in SKELETON]}]},
        {"id": TARGET_ID, "name": "Target position", "description": "The near crate's centre in camera space", "format": "json"},
    ]})
    _json(os.path.join(json_dir, "metric_definitions.json"), {"version": "0.0.1", "metric_definitions": [
        {"id": COUNT_ID, "name": "object count", "description": "Counts of labeled objects", "spec": spec},
        {"id": ITERATION_ID, "name": "scenario_iteration", "description": "Iteration information for dataset sequences"},
        {"id": SEED_ID, "name": "random-seed", "description": "The random seed of the simulation"},
        {"id": LIGHT_ID, "name": "Light position", "description": "The world-space position of the light"},
    ]})
    _json(os.path.join(json_dir, "sensors.json"), {"version": "0.0.1", "sensors": [
        {"id": sensor_ids[c.id], "ego_id": ego_id, "modality": "camera", "description": c.description} for c in cameras]})
    _json(os.path.join(json_dir, "egos.json"), {"version": "0.0.1", "egos": [{"id": ego_id, "description": "camera rig"}]})
