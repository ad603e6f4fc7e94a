"""Unity Perception legacy datasets ("Synthetic Dataset Schema" 0.0.1 and 0.0.2), spec §3.

The JSON lives in ``Dataset<guid>/`` (flat at the root in trimmed copies):
optional definition tables, then captures and metrics chunked into
``captures_NNN.json`` / ``metrics_NNN.json``, concatenated in number order and
read once. Image names are relative to the run folder (the parent of the JSON
folder), falling back to the root. Captures are grouped by ``sequence_id``,
named ``sequence.<i>`` in order of first appearance (the simulation's order;
the UUID stays in ``meta["sequence_id"]``), then by sensor, ordered by step.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict
from typing import Iterator

from ...core import storage
from ...core.annotations import Annotations, Metric, RawAnnotation
from ...core.errors import DataError
from ...core.imaging import image_size
from ...core.jsonio import read_json, read_list
from ...core.model import Camera, Scene, unique_name
from ...core.rotation import quat_mul
from ..base import IndexContext, Reader
from . import checks as _checks
from . import convert
from .datapoint import PerceptionDatapoint, metric_values
from .definitions import LEGACY_TABLES, Definitions
from .facts import LEGACY_FACTS
from .files import DatasetFiles, is_image
from .geometry import camera_model, legacy_matrix
from .layers import LAYERS
from .values import floats, short_type

_CAPTURES = re.compile(r"captures_(\d+)\.json")
_METRICS = re.compile(r"metrics_(\d+)\.json")

#: Default definition ids of the built-in labelers (0.x; users can override them).
_KNOWN_IDS = {
    "f9f22e05-443f-4602-a422-ebe4ea9b55cb": "boxes",
    "0bfbe00d-00fa-4555-88d1-471b58449f5c": "boxes3d",
    "12f94d8d-5425-4deb-9b21-5e53ad957d66": "segmentation",
    "1ccebeb4-5886-41ff-8fe0-f911fa8cbcdf": "instances",
    "8b3ef246-daa7-4dd5-a0e8-a943f6e7f8c2": "skeleton",
}
#: Definition names (0.x) and string ids (0.10+ endpoint), lower-cased without spaces.
#: Exact names only: the DatasetCapture example's "Target bounding box" is a custom Vector3.
_KNOWN_NAMES = {
    "boundingbox": "boxes", "2dboundingbox": "boxes", "boundingbox2d": "boxes",
    "boundingbox3d": "boxes3d", "3dboundingbox": "boxes3d",
    "semanticsegmentation": "segmentation", "instancesegmentation": "instances",
    "keypoints": "skeleton", "keypoint": "skeleton",
}


class LegacyReader(Reader):
    name = "perception-legacy"
    hint = "Unity Perception legacy captures_*.json"
    layers = LAYERS
    facts = LEGACY_FACTS
    checks = _checks.CHECKS
    check = staticmethod(_checks.check)
    check_dataset = staticmethod(_checks.check_dataset)


    @classmethod
    def detect(cls, root: str) -> bool:
        # A Dataset<guid> folder holds the JSON, but its image paths start at its parent: that is the dataset.
        if os.path.basename(storage.normpath(root)).startswith("Dataset") and cls.detect(os.path.dirname(root)):
            return False
        return bool(_json_folders(root))

    def index(self, ctx: IndexContext) -> Iterator[Scene]:
        # A run's captures are grouped into sequences across all its chunk files: each run is read whole.
        files = DatasetFiles(ctx.root)
        folders = _json_folders(ctx.root)
        for folder in folders:
            # Several runs in one folder keep their sequences apart by the JSON folder's name.
            prefix = "" if len(folders) == 1 else storage.relpath(folder, ctx.root).replace(os.sep, "/") + "/"
            yield from _Run(ctx, files, folder, prefix).index()


def _json_folders(root: str) -> list[str]:
    """Folders holding ``captures_*.json``: the root itself (flat copies) or its ``Dataset*`` children."""
    try:
        names = sorted(storage.listdir(root))
    except OSError:
        return []
    if any(_CAPTURES.fullmatch(n) for n in names):
        return [root]
    out = []
    for n in names:
        sub = os.path.join(root, n)
        if n.startswith("Dataset") and storage.isdir(sub):
            try:
                if any(_CAPTURES.fullmatch(m) for m in storage.listdir(sub)):
                    out.append(sub)
            except OSError:
                pass
    return out


def _numbered(folder_names, pattern) -> list[str]:
    found = sorted((int(m.group(1)), n) for n in folder_names if (m := pattern.fullmatch(n)))
    return [n for _, n in found]


def _key(name) -> str:
    return re.sub(r"[\s_\-]+", "", str(name).lower())


class _Run:
    """One simulation run's JSON folder: its definitions, captures and metrics."""

    def __init__(self, ctx: IndexContext, files: DatasetFiles, folder: str, prefix: str):
        self.ctx, self.files, self.folder, self.prefix = ctx, files, folder, prefix
        self.unreadable: set[str] = set()  # record lists with a file that failed to parse
        run_folder = os.path.dirname(folder) if folder != files.root else None
        self.bases = [b for b in (run_folder, files.root) if b and files.inside(b)]
        self.definitions = Definitions(ctx, files, folder, LEGACY_TABLES)
        self.sensors = self.definitions.table("sensor")
        self.metrics = _RunMetrics()

    # -- reading --------------------------------------------------------------
    def _rows(self, path: str, key: str) -> list[tuple[int, dict]]:
        try:
            table = read_list(path, key)
        except DataError as e:
            self.ctx.problem(e.file, e.message)
            self.unreadable.add(key)
            return []
        return [(i, r) for i, r in enumerate(table) if isinstance(r, dict)]

    def _records(self, pattern, key):
        for name in _numbered(self.files.listing(self.folder), pattern):
            path = os.path.join(self.folder, name)
            for i, r in self._rows(path, key):
                yield path, i, r

    # -- what an annotation is ------------------------------------------------
    def definition(self, annotation: dict) -> dict:
        return self.definitions.table("annotation").get(str(annotation.get("annotation_definition")), {})

    def kind(self, annotation: dict) -> str | None:
        """A layer / modality name (see convert.SOLO_KINDS), or None for custom and unknown annotations."""
        if "@type" in annotation:  # 0.10+ endpoint writes depth, normals and custom types SOLO-style
            return convert.SOLO_KINDS.get(short_type(annotation["@type"]))
        did = str(annotation.get("annotation_definition"))
        kind = _KNOWN_IDS.get(did) or _KNOWN_NAMES.get(_key(self.definition(annotation).get("name", did)))
        filename = annotation.get("filename")
        if kind in convert.IMAGE_KINDS and filename is not None and not is_image(filename):
            return None  # e.g. a LIDAR point-cloud "semantic segmentation"
        return kind

    def name_of(self, annotation: dict) -> str:
        return str(self.definition(annotation).get("name") or annotation.get("annotation_definition") or annotation.get("@type") or "annotation")

    # -- index ----------------------------------------------------------------
    def index(self) -> list[Scene]:
        sequences: dict[str, dict[str, list]] = {}
        for path, i, rec in self._records(_CAPTURES, "captures"):
            sensor = rec.get("sensor") if isinstance(rec.get("sensor"), dict) else {}
            sequences.setdefault(str(rec.get("sequence_id")), {}).setdefault(str(sensor.get("sensor_id")), []).append((path, i, rec))
        by_capture: dict[str, LegacyDatapoint] = {}
        by_annotation: dict[str, LegacyDatapoint] = {}
        steps: set[tuple[str, int]] = set()
        scenes = []
        for number, (seq, sensors) in enumerate(sequences.items()):
            scene = Scene(f"{self.prefix}sequence.{number}", self.ctx.dataset_name, path=self.folder,
                          meta={"sequence": number, "sequence_id": seq})
            for sid in [s for s in self.sensors if s in sensors] + [s for s in sensors if s not in self.sensors]:
                camera = scene.camera(sid, path=self.folder, meta=self._sensor_meta(sid))
                used: set[str] = set()
                for path, i, rec in sorted(sensors[sid], key=lambda e: _step(e[2])):
                    dp = self._datapoint(camera, number, seq, path, i, rec, used)
                    camera.add(dp)
                    by_capture.setdefault(str(rec.get("id")), dp)
                    for a in rec.get("annotations") or []:
                        if isinstance(a, dict) and a.get("id") is not None:
                            by_annotation.setdefault(str(a["id"]), dp)
                    steps.add((seq, dp.meta["step"]))
            scenes.append(scene)
        self._link_metrics(by_capture, by_annotation, steps, set(sequences))
        return scenes

    def _sensor_meta(self, sensor_id: str) -> dict:
        d = self.sensors.get(sensor_id, {})
        return {k: d[k] for k in ("modality", "description", "ego_id") if d.get(k) not in (None, "")}

    def _datapoint(self, camera: Camera, number: int, seq: str, path: str, index: int, rec: dict, used: set[str]):
        wanted = [("visible", rec["filename"])] if is_image(rec.get("filename")) else []
        layers: list[str] = []
        for a in rec.get("annotations") or []:
            if not isinstance(a, dict):
                continue
            kind = self.kind(a)
            if kind in convert.IMAGE_KINDS:
                if a.get("filename") is not None:
                    wanted.append((convert.IMAGE_KINDS[kind], a["filename"]))
                if kind in ("segmentation", "instances"):
                    layers.append(kind)
            elif kind is not None:
                if a.get("values"):
                    layers.append(kind)
            else:
                layers.append(self.name_of(a))
        found: dict[str, str] = {}
        problems = []
        for modality, name in wanted:
            r = self.files.resolve(name, self.bases)
            if r.exists:
                found.setdefault(modality, r.path)
            else:
                problems.append((r.path or path, f"{modality}: {r.error}"))
        step = _step(rec)
        meta = {
            "sequence": number,
            "sequence_id": seq,
            "step": step,
            "timestamp": float(rec["timestamp"]) if isinstance(rec.get("timestamp"), (int, float)) else None,
            "sensor": camera.name,
            "capture_id": rec.get("id"),
            "annotations": list(dict.fromkeys(layers)),
        }
        try:
            meta["position"], meta["rotation"] = _world_pose(rec)
        except ValueError as e:
            problems.append((path, f"capture {rec.get('id')}: no usable pose: {e}"))
        ego = rec.get("ego")
        if isinstance(ego, dict) and ego.get("ego_id") is not None:
            meta["ego"] = ego["ego_id"]
        dp_id = unique_name(f"{self.ctx.dataset_name}/{self.prefix}sequence.{number}/{camera.name}/step{step}", used)
        dp = LegacyDatapoint(dp_id, camera, f"step{step}", found, meta, self.ctx.cache, path, index, self)
        for file, message in problems:
            dp.add_problem(file, message)
        return dp

    def _link_metrics(self, by_capture, by_annotation, steps, sequences) -> None:
        """Each metric record goes to the narrowest thing it names that exists: capture, step, sequence, else the whole run."""
        m = self.metrics
        orphans: dict[str, list] = defaultdict(list)  # metrics file → capture ids it names but nothing holds
        for path, i, rec in self._records(_METRICS, "metrics"):
            cap, ann = rec.get("capture_id"), rec.get("annotation_id")
            dp = by_capture.get(str(cap)) if cap is not None else None
            if dp is None and ann is not None:
                dp = by_annotation.get(str(ann))
            if dp is not None:
                m.capture[dp.id].append(("annotation" if ann is not None else "capture", rec))
                continue
            if cap is not None:
                orphans[path].append(cap)
            seq, step = str(rec.get("sequence_id")), rec.get("step")
            if (seq, step) in steps:
                m.step[(seq, step)].append(("step", rec))
            elif seq in sequences:
                m.sequence[seq].append(("sequence", rec))
            else:  # a sequence without captures: Perception reports run-wide values (random seed) there
                m.simulation.append(("simulation", rec))
        if "captures" not in self.unreadable:  # else the unreadable captures file already explains them
            for path, ids in orphans.items():
                self.ctx.problem(path, f"{len(ids)} metric record(s) name captures no captures file holds "
                                       f"(first: {ids[0]}); shown with their step or sequence instead",
                                 check="metric-unknown-capture")


class _RunMetrics:
    """A run's metric records by what they belong to; lists are shared, not copied per datapoint."""

    def __init__(self):
        self.capture: dict[str, list] = defaultdict(list)
        self.step: dict[tuple, list] = defaultdict(list)
        self.sequence: dict[str, list] = defaultdict(list)
        self.simulation: list = []

    def of(self, dp: LegacyDatapoint) -> list[tuple[str, dict]]:
        seq, step = dp.meta["sequence_id"], dp.meta["step"]
        return [*self.capture.get(dp.id, ()), *self.step.get((seq, step), ()),
                *self.sequence.get(seq, ()), *self.simulation]


def _step(rec: dict) -> int:
    step = rec.get("step")
    return int(step) if isinstance(step, (int, float)) and not isinstance(step, bool) else 0


def _world_pose(rec: dict) -> tuple[list[float], list[float]]:
    """The sensor's world pose: p = ego.t + sensor.t and q = sensor.q · ego.q (0.x stores offsets in world axes, §3.4)."""
    sensor = rec.get("sensor") or {}
    ego = rec.get("ego") or {}
    t = floats(sensor.get("translation") or [0, 0, 0])
    q = floats(sensor.get("rotation") or [0, 0, 0, 1], 4)
    if ego.get("translation") is not None:
        t = [a + b for a, b in zip(floats(ego["translation"]), t)]
    if ego.get("rotation") is not None:
        q = quat_mul(q, floats(ego["rotation"], 4)).tolist()
    return t, q


class LegacyDatapoint(PerceptionDatapoint):
    format = "perception-legacy"

    def __init__(self, id, camera, name, files, meta, cache, captures_path: str, index: int, run: _Run):
        super().__init__(id, camera, name, files, meta, cache, run.definitions)
        self._path = captures_path
        self._index = index
        self._run = run

    def record_file(self) -> str:
        return self._path

    def referenced(self, name) -> str | None:
        r = self._run.files.resolve(name, self._run.bases)
        return r.path if r.exists else None

    def _record(self) -> dict:
        try:
            return read_json(self._path)["captures"][self._index]
        except (KeyError, IndexError, TypeError):
            raise DataError(self._path, f"capture {self._index} is gone from the captures file") from None

    def _camera_model(self):
        sensor = self._record().get("sensor") or {}
        if sensor.get("camera_intrinsic") is None or "visible" not in self._files:
            return None
        size = image_size(self._files["visible"])  # the legacy JSON has no image size
        if size is None or "position" not in self.meta:
            return None
        return camera_model(legacy_matrix(sensor["camera_intrinsic"]), *size, sensor.get("projection"),
                            self.meta["position"], self.meta["rotation"])

    def _kinds(self) -> list[tuple[str | None, dict]]:
        return [(self._run.kind(a), a) for a in self._record().get("annotations") or [] if isinstance(a, dict)]

    def _convert(self, out: Annotations) -> None:
        kinds = self._kinds()
        labels = convert.label_names([a for _, a in kinds])
        pose = (self.meta["position"], self.meta["rotation"]) if "position" in self.meta else None
        for kind, a in kinds:
            name = self._run.name_of(a)
            type_ = str(a.get("@type") or f"legacy:{a.get('annotation_definition')}")
            if kind == "boxes":
                self.guarded(out, name, type_, a, lambda: convert.boxes2d(convert.values_of(a)))
            elif kind == "boxes3d":
                self.guarded(out, name, type_, a, lambda: self._boxes3d(a))
            elif kind == "skeleton":
                self.guarded(out, name, type_, a, lambda: self._keypoints(a, labels, pose))
            elif kind == "segmentation":
                spec = self._run.definition(a).get("spec") or []
                self.guarded(out, name, type_, a, lambda: [convert.semantic_legend(spec)])
            elif kind == "instances":
                self.guarded(out, name, type_, a, lambda: [convert.instance_legend(convert.values_of(a), labels)])
            elif kind is None:
                out.add(RawAnnotation(name=name, type=type_, values=a))

    def _keypoints(self, a: dict, labels: dict, pose) -> list:
        """Each value names its template (``template_guid``) among the definition's spec entries."""
        templates = {str(convert.pick(t, "template_id", "templateId")): t
                     for t in self._run.definition(a).get("spec") or [] if isinstance(t, dict)}
        out = []
        for v in convert.values_of(a):
            t = templates.get(str(v.get("template_guid"))) or next(iter(templates.values()), None)
            out.extend(convert.keypoint_sets([v], convert.parse_template(t) if t else None, labels, pose))
        return out

    def _metrics(self) -> list[Metric]:
        out = []
        for scope, rec in self._run.metrics.of(self):
            did = str(rec.get("metric_definition"))
            d = self._run.definitions.table("metric").get(did, {})
            out.append(Metric(name=str(d.get("name") or did), scope=scope, values=metric_values(rec),
                              description=str(d.get("description") or "")))
        return out

    def _metadata(self) -> dict:
        out: dict = {"captures_file": self._path, "sequence_id": self.meta["sequence_id"]}
        try:
            rec = self._record()
        except DataError as e:
            return {**out, "error": str(e)}
        sensor = rec.get("sensor") or {}
        ego = rec.get("ego") or {}
        out["capture"] = rec
        out["world_pose"] = {"position": self.meta.get("position"), "rotation": self.meta.get("rotation")}
        out["sensor_definition"] = self._run.sensors.get(str(sensor.get("sensor_id")))
        out["ego_definition"] = self._run.definitions.table("ego").get(str(ego.get("ego_id")))
        out["metrics"] = [rec for _, rec in self._run.metrics.of(self)]
        return out
