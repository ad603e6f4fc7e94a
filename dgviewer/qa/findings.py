"""What a check reports (:class:`Finding`) and the catalogue of checks with their stable names."""
from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass

#: error: the data is wrong (``dgviewer validate`` exits 1); info: worth knowing, not wrong (e.g. coverage).
ERROR, INFO = "error", "info"
SEVERITIES = (ERROR, INFO)


@dataclass(frozen=True)
class Check:
    name: str
    severity: str
    description: str
    images: bool = False  # needs decoded pixels: runs only with --images


#: Every check by its stable name (used in reports, ``finding=`` filters and ``--checks``).
CHECKS: dict[str, Check] = {c.name: c for c in (
    Check("missing-file", ERROR, "a file the dataset lists or the format requires is absent"),
    Check("unreadable-file", ERROR, "a file exists but cannot be decoded (truncated, corrupt, empty)"),
    Check("json-invalid", ERROR, "a JSON file is not valid JSON or does not follow the format"),
    Check("layout", ERROR, "the folder structure is not what the format expects (the reader skipped something)"),
    Check("image-size", ERROR, "an image's size differs from the camera's resolution"),
    Check("landmark-nan", ERROR, "landmark / keypoint coordinates that are NaN or infinite"),
    Check("landmark-visible-outside", ERROR, "a landmark / keypoint marked visible lies outside the image"),
    Check("reprojection", ERROR, "3D landmarks do not project onto their 2D points through the camera"),
    Check("face-box", ERROR, "the face bounding box disagrees with the dense landmarks' extent"),
    Check("gaze-origin", ERROR, "a gaze ray does not start at its eye (cornea apex away from the eyeball centre "
                                "or off its optical axis)"),
    Check("gaze-target", ERROR, "a visual axis does not point at the gaze target"),
    Check("box-outside", ERROR, "a 2D box extends outside the image"),
    Check("instance-unlabelled", ERROR, "an instance id that no annotation or legend gives a label"),
    Check("unknown-definition", ERROR, "an annotation, metric or capture names a definition the dataset lacks"),
    Check("metric-unknown-capture", ERROR, "a metric names a capture (or annotation) that does not exist"),
    Check("seg-unknown-colour", ERROR, "segmentation pixels whose colour is not in the colour map", images=True),
    Check("seg-empty-mask", ERROR, "a segmentation image with nothing but background", images=True),
    Check("seg-unused-class", INFO, "a class of the colour map that no image of the dataset shows", images=True),
    Check("depth-invalid", ERROR, "depth pixels that are NaN, infinite or negative", images=True),
    Check("check-crashed", ERROR, "a check failed with an unexpected error on this datapoint (data it does not "
                                  "expect, or a dgviewer bug: please report it)"),
)}

#: Checks about a whole file: one finding per (check, file) per datapoint, whoever noticed it first.
FILE_CHECKS = frozenset({"missing-file", "unreadable-file", "json-invalid"})


@dataclass(frozen=True)
class Finding:
    """One thing wrong, where, and how to see it.

    ``layer`` names the overlay that shows the problem and ``modality`` the
    image to look at (the viewer switches to both when jumping to a finding);
    ``xy`` is the pixel (column, row) to centre on.
    """

    severity: str
    check: str
    datapoint: str | None  # None: about the dataset as a whole (or a file no datapoint uses)
    message: str
    file: str | None = None
    layer: str | None = None
    xy: tuple[float, float] | None = None
    modality: str | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["xy"] = list(self.xy) if self.xy is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        xy = d.get("xy")
        return cls(d["severity"], d["check"], d.get("datapoint"), d["message"], d.get("file"), d.get("layer"),
                   tuple(xy) if xy is not None else None, d.get("modality"))


def finding(check: str, datapoint: str | None, message: str, **where) -> Finding:
    """A Finding with the check's catalogued severity."""
    xy = where.pop("xy", None)
    if xy is not None:
        xy = (round(float(xy[0]), 2), round(float(xy[1]), 2))
    return Finding(CHECKS[check].severity, check, datapoint, message, xy=xy, **where)


class Collector:
    """Findings of one datapoint, without the duplicates two routes to one broken file would give."""

    def __init__(self, datapoint: str | None):
        self.datapoint = datapoint
        self.items: list[Finding] = []
        self._keys: set = set()

    def add(self, check: str, message: str, **where) -> None:
        f = finding(check, self.datapoint, message, **where)
        key = (check, f.file) if check in FILE_CHECKS and f.file else (check, f.file, f.layer, message)
        if key not in self._keys:
            self._keys.add(key)
            self.items.append(f)

    def problem(self, file: str | None, message: str) -> None:
        """A problem the reader recorded (``dp.problems`` / ``ds.index_problems``), as a finding."""
        self.add(problem_check(file, message), message, file=file)


_METRIC_CAPTURE = re.compile(r"\bmetric\b.*\bcaptures?\b", re.IGNORECASE)


def problem_check(file: str | None, message: str) -> str:
    """The check a reader's problem belongs to, from what is (not) on disk and, last, its wording."""
    if file and not os.path.exists(file):
        return "missing-file"
    if _METRIC_CAPTURE.search(message):  # the legacy reader's metric records whose capture_id matches no capture
        return "metric-unknown-capture"
    if file and file.lower().endswith(".json") or "unexpected content" in message:
        return "json-invalid"
    if file and os.path.isfile(file):
        return "unreadable-file"
    return "layout"
