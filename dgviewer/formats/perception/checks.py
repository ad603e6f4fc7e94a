"""Checks of Unity Perception captures (SOLO and legacy), spec perception-format.md.

Per capture: boxes inside the image, instances with labels, annotations and
sensors that name existing definitions (the tables the reader read while
indexing, :mod:`.definitions`); the runner adds the canonical landmark, image
and pixel checks against the capture's camera. Per dataset: metrics that name
existing captures, annotations and definitions. Missing files and metrics
naming unknown legacy captures are found by the reader while indexing and
arrive as its problems.
"""
from __future__ import annotations

import os

from ...core import storage
from ...core.annotations import Box2D
from ...core.checks import CheckContext
from ...core.errors import DataError
from ...core.findings import ERROR, Check, Collector, Finding
from ...core.fsio import regular_file
from ...core.jsonio import read_json

BOX_OUTSIDE = Check("box-outside", ERROR, "a 2D box extends outside the image")
UNKNOWN_DEFINITION = Check("unknown-definition", ERROR,
                           "an annotation, metric or capture names a definition the dataset lacks")
METRIC_UNKNOWN_CAPTURE = Check("metric-unknown-capture", ERROR,
                               "a metric names a capture (or annotation) that does not exist")
#: What the Perception readers declare.
CHECKS = (BOX_OUTSIDE, UNKNOWN_DEFINITION, METRIC_UNKNOWN_CAPTURE)


def check(c: CheckContext) -> None:
    dp, out = c.dp, c.out
    c.camera = dp.camera_model()
    if c.camera is not None:
        _boxes(c.annotations, c.camera.width, c.camera.height, out)
    capture = dp.metadata().get("capture")
    if isinstance(capture, dict):
        annotations = [a for a in capture.get("annotations") or [] if isinstance(a, dict)]
        _labels(annotations, out)
        _definitions(dp, capture, annotations, out)
        _referenced_files(dp, capture, annotations, out)
        c.facts["record"] = dp.record_file()
        c.facts["annotation_ids"] = [str(a["id"]) for a in annotations if a.get("id") is not None]


def _boxes(ann, width: int, height: int, out: Collector) -> None:
    for b in ann.by_layer("boxes"):
        if isinstance(b, Box2D) and (b.x0 < 0 or b.y0 < 0 or b.x1 > width or b.y1 > height):
            out.add("box-outside", f"box of {b.label or 'instance'} {b.instance_id} (columns {b.x0:g}–{b.x1:g}, "
                    f"rows {b.y0:g}–{b.y1:g}) extends outside the {width}x{height} image",
                    layer="boxes", xy=((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2), modality="visible")


def _pick(d: dict, *keys):
    return next((d[k] for k in keys if d.get(k) not in (None, "")), None)


def _labels(annotations: list[dict], out: Collector) -> None:
    """Instance ids that no annotation of the capture labels (by name or label id)."""
    seen, labelled = [], set()
    for a in annotations:
        for key in ("values", "instances"):
            items = a.get(key)
            for v in items if isinstance(items, list) else []:
                if not isinstance(v, dict):
                    continue
                iid = _pick(v, "instanceId", "instance_id")
                if iid is None:
                    continue
                seen.append((str(iid), str(a.get("id") or a.get("annotation_definition"))))
                if _pick(v, "labelName", "label_name", "labelId", "label_id") is not None:
                    labelled.add(str(iid))
    missing = list(dict.fromkeys((i, where) for i, where in seen if i not in labelled))
    if missing:
        ids = ", ".join(dict.fromkeys(i for i, _ in missing))
        out.add("instance-unlabelled", f"instance id(s) {ids} have no label in any annotation of the capture "
                f"(in {', '.join(dict.fromkeys(w for _, w in missing))})", layer="instances")


def _definitions(dp, capture: dict, annotations: list[dict], out: Collector) -> None:
    solo = dp.format == "perception-solo"
    known = dp.definitions.ids("annotation")
    if known is not None:
        for a in annotations:
            ref = a.get("id") if solo else a.get("annotation_definition")
            if ref is not None and str(ref) not in known:
                out.add("unknown-definition", f"annotation names definition {ref!r}, which annotation_definitions "
                        "does not define", file=dp.record_file())
    sensors = dp.definitions.ids("sensor")
    sensor = capture.get("id") if solo else (capture.get("sensor") or {}).get("sensor_id")
    if sensors is not None and sensor is not None and str(sensor) not in sensors:
        table = dp.definitions.files["sensor"]
        out.add("unknown-definition", f"capture names sensor {sensor!r}, which {table} does not define",
                file=dp.record_file())


def _referenced_files(dp, capture: dict, annotations: list[dict], out: Collector) -> None:
    """Files the capture and its annotations name besides the datapoint's images (a LIDAR point cloud) are
    regular files."""
    images = {dp.file(m) for m in dp.modalities}
    for d in [capture] + annotations:
        path = dp.referenced(d["filename"]) if d.get("filename") is not None else None
        if path is not None and path not in images:
            try:
                regular_file(path)
            except DataError as e:
                out.problem(e.file, e.message)


# -- dataset-wide ---------------------------------------------------------------
def check_dataset(datapoints: list, facts: dict[str, dict]) -> list[Finding]:
    """Metrics that name unknown captures, annotations or definitions (SOLO frames, legacy metrics files)."""
    out: list[Finding] = []
    first_of_record: dict[str, object] = {}
    annotation_ids: set[str] = set()
    for dp in datapoints:
        f = facts.get(dp.id) or {}
        if "record" in f:
            first_of_record.setdefault(f["record"], dp)
            annotation_ids.update(f["annotation_ids"])
    done: set[str] = set()
    for record, dp in first_of_record.items():
        if dp.format == "perception-solo":
            out.extend(_solo_frame_metrics(dp, record))
        elif os.path.dirname(record) not in done:
            done.add(os.path.dirname(record))
            out.extend(_legacy_metrics(dp, os.path.dirname(record), annotation_ids))
    return out


def _solo_frame_metrics(dp, frame_path: str) -> list[Finding]:
    try:
        frame = read_json(frame_path)
    except DataError:
        return []  # the reader records it
    captures = [c for c in frame.get("captures") or [] if isinstance(c, dict)]
    sensors = {str(c.get("id")) for c in captures}
    annotations = {str(a.get("id")) for c in captures for a in c.get("annotations") or [] if isinstance(a, dict)}
    known = dp.definitions.ids("metric")
    out = []
    for m in frame.get("metrics") or []:
        if not isinstance(m, dict):
            continue
        name = m.get("id")
        if m.get("sensorId") not in (None, "") and str(m["sensorId"]) not in sensors:
            out.append(Finding.of(METRIC_UNKNOWN_CAPTURE, dp.id, f"metric {name!r} names sensor {m['sensorId']!r}, "
                               "which has no capture in this frame", file=frame_path))
        if m.get("annotationId") not in (None, "") and str(m["annotationId"]) not in annotations:
            out.append(Finding.of(METRIC_UNKNOWN_CAPTURE, dp.id, f"metric {name!r} names annotation "
                               f"{m['annotationId']!r}, which no capture of this frame has", file=frame_path))
        if known is not None and name is not None and str(name) not in known:
            out.append(Finding.of(UNKNOWN_DEFINITION, dp.id, f"metric {name!r} is not in metric_definitions",
                               file=frame_path))
    return out


def _legacy_metrics(dp, folder: str, annotation_ids: set[str]) -> list[Finding]:
    known = dp.definitions.ids("metric")
    out = []
    for name in sorted(n for n in storage.listdir(folder) if n.startswith("metrics_") and n.endswith(".json")):
        path = os.path.join(folder, name)
        try:
            records = read_json(path).get("metrics")
        except (DataError, AttributeError):
            continue  # the reader records it
        for i, m in enumerate(records if isinstance(records, list) else []):
            if not isinstance(m, dict):
                continue
            ref = m.get("metric_definition")
            if known is not None and ref is not None and str(ref) not in known:
                out.append(Finding.of(UNKNOWN_DEFINITION, None, f"metric {i} names definition {ref!r}, which "
                                   "metric_definitions does not define", file=path))
            ann = m.get("annotation_id")
            if ann is not None and str(ann) not in annotation_ids:
                out.append(Finding.of(METRIC_UNKNOWN_CAPTURE, None, f"metric {i} names annotation {ann!r}, which no "
                                   "capture holds", file=path))
    return out
