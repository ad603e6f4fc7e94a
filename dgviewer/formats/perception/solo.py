"""Unity Perception SOLO datasets (1.0 and the pre-1.0 variants), spec §4.

Layout: ``metadata.json`` and three definition files at the root (or in
``metadata/``; all optional: an interrupted run has none), then
``sequence.<N>/step<K>.frame_data.json`` with the images beside them. The
index lists the sequence folders itself and reads each (small) frame file
once; folder and file numbers are trusted over the JSON's ``sequence`` and
``step`` fields and over ``totalFrames``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterator

from ...core import storage
from ...core.annotations import Annotations, Metric, RawAnnotation
from ...core.errors import DataError
from ...core.jsonio import parse_file, read_json
from ...core.model import Camera, Scene, unique_name
from ..base import IndexContext, Reader
from . import checks as _checks
from . import convert, definitions
from .datapoint import PerceptionDatapoint, metric_values
from .facts import SOLO_FACTS
from .files import DatasetFiles
from .geometry import camera_model, solo_matrix
from .layers import LAYERS
from .values import short_type, vec

_SEQUENCE = re.compile(r"sequence\.(\d+)")
_FRAME = re.compile(r"step(\d+)\.frame_data\.json")
_ROOT_FILES = ("metadata.json", "sensor_definitions.json", "annotation_definitions.json", "metric_definitions.json")
_METADATA_KEYS = ("perceptionVersion", "unityVersion", "totalFrames", "sensors", "annotators")
_SENSOR_KEYS = ("modality", "firstCaptureFrame", "captureTriggerMode", "simulationDeltaTime",
                "framesBetweenCaptures", "manualSensorsAffectTiming")


class SoloReader(Reader):
    name = "perception-solo"
    hint = "a Unity Perception SOLO metadata.json with sequence.N folders"
    layers = LAYERS
    facts = SOLO_FACTS
    checks = _checks.CHECKS
    check = staticmethod(_checks.check)
    check_dataset = staticmethod(_checks.check_dataset)


    @classmethod
    def detect(cls, root: str) -> bool:
        try:
            names = storage.listdir(root)
        except OSError:
            return False
        if "sensor_definitions.json" in names:
            return True
        if any(_SEQUENCE.fullmatch(n) and storage.isdir(os.path.join(root, n)) for n in names):
            return True
        for folder in (root, os.path.join(root, "metadata")):
            try:
                meta = read_json(os.path.join(folder, "metadata.json"))
            except DataError:
                continue
            if isinstance(meta, dict) and any(k in meta for k in _METADATA_KEYS):
                return True
        return False

    def index(self, ctx: IndexContext) -> Iterator[Scene]:
        files = DatasetFiles(ctx.root)
        defs = Definitions(ctx, files)
        wanted = None if ctx.only is None else {i.partition("/")[0] for i in ctx.only}  # "sequence.N" of ids
        sequences = sorted(
            (int(m.group(1)), n) for n in files.listing(ctx.root)
            if (m := _SEQUENCE.fullmatch(n)) and (wanted is None or f"sequence.{int(m.group(1))}" in wanted)
            and storage.isdir(os.path.join(ctx.root, n))
        )
        ctx.expected = len(sequences)
        for number, name in sequences:
            scene = _index_sequence(ctx, files, defs, number, os.path.join(ctx.root, name))
            if scene.cameras:
                yield scene


class Definitions(definitions.Definitions):
    """The root JSON files (or those in ``metadata/``), each optional."""

    def __init__(self, ctx: IndexContext, files: DatasetFiles):
        folder = ctx.root
        if not any(n in files.listing(folder) for n in _ROOT_FILES) and "metadata" in files.listing(folder):
            folder = os.path.join(folder, "metadata")  # Unity Simulation cloud runs put them there
        super().__init__(ctx, files, folder, definitions.SOLO_TABLES)
        metadata = _read(ctx, os.path.join(folder, "metadata.json"))
        self.metadata: dict = metadata if isinstance(metadata, dict) else {}
        self.sensors = self.table("sensor")
        self.annotations = self.table("annotation")
        self.metrics = self.table("metric")

    def template(self, annotation: dict) -> convert.Template | None:
        """A keypoint annotation's template: from its own definition first, else any with its templateId."""
        wanted = annotation.get("templateId")
        own = self.annotations.get(str(annotation.get("id")))
        for d in ([own] if own else []) + list(self.annotations.values()):
            for t in [d.get("template"), *(d.get("spec") or [])]:
                if isinstance(t, dict) and ("keypoints" in t or "key_points" in t):
                    if wanted is None or convert.pick(t, "templateId", "template_id") == wanted:
                        return convert.parse_template(t)
        return None


def _read(ctx: IndexContext, path: str):
    if not storage.isfile(path):
        return None
    try:
        return read_json(path)
    except DataError as e:
        ctx.problem(e.file, e.message)
        return None


@dataclass
class _Capture:
    step: int
    frame_path: str
    index: int | None  # position in the frame's captures; None when the frame file is unreadable
    frame: dict | None
    capture: dict
    error: str | None = None


def _index_sequence(ctx: IndexContext, files: DatasetFiles, defs: Definitions, number: int, folder: str) -> Scene:
    scene = Scene(f"sequence.{number}", ctx.dataset_name, path=folder, meta={"sequence": number})
    frames = sorted((int(m.group(1)), n) for n in files.listing(folder) if (m := _FRAME.fullmatch(n)))
    by_sensor: dict[str, list[_Capture]] = {}
    broken: list[tuple[int, str, DataError]] = []
    for step, name in frames:
        path = os.path.join(folder, name)
        try:
            frame = parse_file(path)
            if not isinstance(frame, dict):
                raise DataError(path, "frame file is not a JSON object")
        except DataError as e:
            broken.append((step, path, e))
            continue
        captures = frame.get("captures")
        for i, capture in enumerate(captures if isinstance(captures, list) else []):
            if isinstance(capture, dict):
                by_sensor.setdefault(str(capture.get("id")), []).append(_Capture(step, path, i, frame, capture))
    # A truncated frame file (an interrupted run) still shows the RGB images written for its step.
    for step, path, error in broken:
        placed = False
        for sensor in dict.fromkeys([*defs.sensors, *by_sensor]):
            rgb = f"step{step}.{sensor}.png"
            if rgb in files.listing(folder):
                by_sensor.setdefault(sensor, []).append(_Capture(step, path, None, None, {"filename": rgb}, error.message))
                placed = True
        if not placed:
            ctx.problem(error.file, error.message)
    for sensor in [s for s in defs.sensors if s in by_sensor] + [s for s in by_sensor if s not in defs.sensors]:
        camera = scene.camera(sensor, path=folder, meta=_sensor_meta(defs.sensors.get(sensor)))
        used: set[str] = set()
        for c in sorted(by_sensor[sensor], key=lambda c: c.step):
            camera.add(_datapoint(ctx, files, defs, camera, number, c, used))
    return scene


def _sensor_meta(definition: dict | None) -> dict:
    d = definition or {}
    meta = {k: d[k] for k in _SENSOR_KEYS if k in d}
    description = d.get("description", d.get("definition"))  # pre-1.0 wrote "definition"
    if description:
        meta["description"] = description
    return meta


def _datapoint(ctx: IndexContext, files: DatasetFiles, defs: Definitions, camera: Camera, sequence: int,
               c: _Capture, used: set[str]) -> SoloDatapoint:
    wanted: list[tuple[str, object]] = []
    if c.capture.get("filename") is not None:
        wanted.append(("visible", c.capture["filename"]))
    layers: list[str] = []
    for a in c.capture.get("annotations") or []:
        if not isinstance(a, dict):
            continue
        kind = convert.SOLO_KINDS.get(short_type(a.get("@type", "")))
        if kind in convert.IMAGE_KINDS:
            if a.get("filename") is not None:
                wanted.append((convert.IMAGE_KINDS[kind], a["filename"]))
            if kind in ("segmentation", "instances"):
                layers.append(kind)  # its legend is drawable even without values
        elif kind is not None:
            if a.get("values"):
                layers.append(kind)
        else:
            layers.append(short_type(a.get("@type") or a.get("id") or "annotation"))
    found: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for modality, name in wanted:
        r = files.resolve(name, [os.path.dirname(c.frame_path)])
        if r.exists:
            found.setdefault(modality, r.path)
        else:
            problems.append((r.path or c.frame_path, f"{modality}: {r.error}"))
    if c.error:
        problems.append((c.frame_path, c.error))
    frame = c.frame or {}
    meta = {
        "sequence": sequence,
        "step": c.step,
        "frame": frame.get("frame"),
        "timestamp": _seconds(frame.get("timestamp")),  # absent before 1.0
        "sensor": camera.name,
        "annotations": list(dict.fromkeys(layers)),
    }
    for key in ("position", "rotation"):
        if key in c.capture:
            meta[key] = c.capture[key]
    dp_id = unique_name(f"{ctx.dataset_name}/sequence.{sequence}/{camera.name}/step{c.step}", used)
    dp = SoloDatapoint(dp_id, camera, f"step{c.step}", found, meta, ctx.cache, c.frame_path, c.index, defs)
    for file, message in problems:
        dp.add_problem(file, message)
    return dp


def _seconds(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class SoloDatapoint(PerceptionDatapoint):
    format = "perception-solo"

    def __init__(self, id, camera, name, files, meta, cache, frame_path: str, index: int | None, defs: Definitions):
        super().__init__(id, camera, name, files, meta, cache, defs)
        self._frame_path = frame_path
        self._index = index

    def record_file(self) -> str:
        return self._frame_path

    def referenced(self, name) -> str | None:
        if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name:
            return None  # SOLO names files of the frame's folder; the index reported any other name
        path = os.path.join(os.path.dirname(self._frame_path), name)
        return path if storage.lexists(path) else None

    def _frame(self) -> dict:
        frame = read_json(self._frame_path)
        if not isinstance(frame, dict):
            raise DataError(self._frame_path, "frame file is not a JSON object")
        return frame

    def _capture(self) -> dict:
        if self._index is None:
            self._frame()  # raises the reason the index could not read it
        try:
            return self._frame()["captures"][self._index]
        except (KeyError, IndexError, TypeError):
            raise DataError(self._frame_path, f"capture {self._index} is gone from the frame file") from None

    def _camera_model(self):
        c = self._capture()
        width, height = (int(round(v)) for v in vec(c["dimension"], 2))
        return camera_model(solo_matrix(c["matrix"]), width, height, c.get("projection"), c.get("position"), c.get("rotation"))

    def _kinds(self) -> list[tuple[str | None, dict]]:
        return [(convert.SOLO_KINDS.get(short_type(str(a.get("@type", "")))), a)
                for a in self._capture().get("annotations") or [] if isinstance(a, dict)]

    def _convert(self, out: Annotations) -> None:
        capture = self._capture()
        kinds = self._kinds()
        labels = convert.label_names([a for _, a in kinds])
        pose = (capture["position"], capture["rotation"]) if "position" in capture and "rotation" in capture else None
        for kind, a in kinds:
            type_ = str(a.get("@type", ""))
            name = str(a.get("id", short_type(type_)))
            if kind == "boxes":
                self.guarded(out, name, type_, a, lambda: convert.boxes2d(convert.values_of(a)))
            elif kind == "boxes3d":
                self.guarded(out, name, type_, a, lambda: self._boxes3d(a))
            elif kind == "skeleton":
                self.guarded(out, name, type_, a, lambda: convert.keypoint_sets(
                    convert.values_of(a), self.definitions.template(a), labels, pose))
            elif kind == "segmentation":
                self.guarded(out, name, type_, a, lambda: [convert.semantic_legend(convert.values_of(a, "instances"))])
            elif kind == "instances":
                self.guarded(out, name, type_, a, lambda: [convert.instance_legend(convert.values_of(a, "instances"), labels)])
            elif kind is None:  # custom or unknown: shown as raw JSON
                out.add(RawAnnotation(name=name, type=type_, values=a))

    def _mine(self, metric) -> bool:
        """A frame metric concerns this capture unless it names another sensor (pre-1.0: null, 1.0: "")."""
        return isinstance(metric, dict) and (metric.get("sensorId") or "") in ("", self.meta["sensor"])

    def _metrics(self) -> list[Metric]:
        out = []
        for m in self._frame().get("metrics") or []:
            if not self._mine(m):
                continue
            scope = "annotation" if m.get("annotationId") else "capture" if m.get("sensorId") else "step"
            name = str(m.get("id") or short_type(m.get("@type", "metric")))
            description = m.get("description") or self.definitions.metrics.get(name, {}).get("description") or ""
            out.append(Metric(name=name, scope=scope, values=metric_values(m), description=str(description)))
        return out

    def _metadata(self) -> dict:
        out = {"frame_file": self._frame_path, "sensor_definition": self.definitions.sensors.get(self.meta["sensor"])}
        try:
            frame = self._frame()
            out.update({k: v for k, v in frame.items() if k not in ("captures", "metrics")})
            out["capture"] = self._capture()
            out["metrics"] = [m for m in frame.get("metrics") or [] if self._mine(m)]
        except DataError as e:
            out["error"] = str(e)
        return out
