"""Checks of Unity Perception captures (SOLO and legacy), spec perception-format.md.

Per capture: boxes inside the image, instances with labels, annotations and
sensors that name existing definitions, plus the shared landmark and image
checks. Per dataset: metrics that name existing captures, annotations and
definitions. Missing files and metrics naming unknown legacy captures are
found by the reader while indexing and arrive as its problems.
"""
from __future__ import annotations

import os

from ..core.annotations import Box2D
from ..core.errors import DataError
from ..core.jsonio import read_json
from . import common
from .findings import Collector, Finding, finding

#: Definition tables by kind: (file name, key of its list), SOLO and legacy.
_SOLO_DEFS = {"annotation": ("annotation_definitions.json", "annotationDefinitions"),
              "metric": ("metric_definitions.json", "metricDefinitions"),
              "sensor": ("sensor_definitions.json", "sensorDefinitions")}
_LEGACY_DEFS = {"annotation": ("annotation_definitions.json", "annotation_definitions"),
                "metric": ("metric_definitions.json", "metric_definitions"),
                "sensor": ("sensors.json", "sensors")}


def check(dp, s: common.Settings, out: Collector, facts: dict) -> None:
    cam = dp.camera_model()
    ann = dp.annotations()
    common.landmarks(ann, cam, out, s)
    if cam is not None:
        _boxes(ann, cam.width, cam.height, out)
    capture = dp.metadata().get("capture")
    if isinstance(capture, dict):
        annotations = [a for a in capture.get("annotations") or [] if isinstance(a, dict)]
        _labels(annotations, out)
        _definitions(dp, capture, annotations, out)
        facts["record"] = dp.record_file()
        facts["annotation_ids"] = [str(a["id"]) for a in annotations if a.get("id") is not None]
    common.image_sizes(dp, cam, out)
    if s.images:
        common.pixels(dp, ann, out, facts)


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


def definitions(dp, kind: str) -> set[str] | None:
    """Ids of the dataset's ``kind`` definitions, or None when its definition file is absent."""
    record = dp.record_file()
    if dp.format == "perception-solo":
        root = os.path.dirname(os.path.dirname(record))  # <root>/sequence.N/stepK.frame_data.json
        name, key = _SOLO_DEFS[kind]
        candidates = [os.path.join(root, name), os.path.join(root, "metadata", name)]
    else:
        name, key = _LEGACY_DEFS[kind]
        candidates = [os.path.join(os.path.dirname(record), name)]
    for path in candidates:
        if os.path.isfile(path):
            try:
                table = read_json(path).get(key)
            except (DataError, AttributeError):
                return None  # an unreadable definition file is the reader's problem, not every reference's
            return {str(d.get("id")) for d in table if isinstance(d, dict)} if isinstance(table, list) else None
    return None


def _definitions(dp, capture: dict, annotations: list[dict], out: Collector) -> None:
    solo = dp.format == "perception-solo"
    known = definitions(dp, "annotation")
    if known is not None:
        for a in annotations:
            ref = a.get("id") if solo else a.get("annotation_definition")
            if ref is not None and str(ref) not in known:
                out.add("unknown-definition", f"annotation names definition {ref!r}, which annotation_definitions "
                        "does not define", file=dp.record_file())
    sensors = definitions(dp, "sensor")
    sensor = capture.get("id") if solo else (capture.get("sensor") or {}).get("sensor_id")
    if sensors is not None and sensor is not None and str(sensor) not in sensors:
        table = (_SOLO_DEFS if solo else _LEGACY_DEFS)["sensor"][0]
        out.add("unknown-definition", f"capture names sensor {sensor!r}, which {table} does not define",
                file=dp.record_file())


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
    known = definitions(dp, "metric")
    out = []
    for m in frame.get("metrics") or []:
        if not isinstance(m, dict):
            continue
        name = m.get("id")
        if m.get("sensorId") not in (None, "") and str(m["sensorId"]) not in sensors:
            out.append(finding("metric-unknown-capture", dp.id, f"metric {name!r} names sensor {m['sensorId']!r}, "
                               "which has no capture in this frame", file=frame_path))
        if m.get("annotationId") not in (None, "") and str(m["annotationId"]) not in annotations:
            out.append(finding("metric-unknown-capture", dp.id, f"metric {name!r} names annotation "
                               f"{m['annotationId']!r}, which no capture of this frame has", file=frame_path))
        if known is not None and name is not None and str(name) not in known:
            out.append(finding("unknown-definition", dp.id, f"metric {name!r} is not in metric_definitions",
                               file=frame_path))
    return out


def _legacy_metrics(dp, folder: str, annotation_ids: set[str]) -> list[Finding]:
    known = definitions(dp, "metric")
    out = []
    for name in sorted(n for n in os.listdir(folder) if n.startswith("metrics_") and n.endswith(".json")):
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
                out.append(finding("unknown-definition", None, f"metric {i} names definition {ref!r}, which "
                                   "metric_definitions does not define", file=path))
            ann = m.get("annotation_id")
            if ann is not None and str(ann) not in annotation_ids:
                out.append(finding("metric-unknown-capture", None, f"metric {i} names annotation {ann!r}, which no "
                                   "capture holds", file=path))
    return out
