"""What a check reports (:class:`Finding`), the checks every format shares, and one datapoint's findings.

Format-free: the checks of the canonical model are declared here; each
reader declares the checks it adds (``Reader.checks``) and
:func:`dgviewer.formats.registry.check_catalog` lists them all.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Mapping

from . import storage

#: error: the data is wrong (``dgviewer validate`` exits 1); info: worth knowing, not wrong (e.g. coverage).
ERROR, INFO = "error", "info"
SEVERITIES = (ERROR, INFO)


@dataclass(frozen=True)
class Check:
    name: str  # stable: used in reports, ``finding=`` filters and ``--checks``
    severity: str
    description: str
    images: bool = False  # needs decoded pixels: runs only with --images


#: The checks of the canonical model (and of files and crashes), which every datapoint gets.
CORE_CHECKS: tuple[Check, ...] = (
    Check("missing-file", ERROR, "a file the dataset lists or the format requires is absent"),
    Check("unreadable-file", ERROR, "a file exists but cannot be decoded (truncated, corrupt, empty)"),
    Check("json-invalid", ERROR, "a JSON file is not valid JSON or does not follow the format"),
    Check("layout", ERROR, "the folder structure is not what the format expects (the reader skipped something)"),
    Check("image-size", ERROR, "an image's size differs from the camera's resolution"),
    Check("landmark-nan", ERROR, "landmark / keypoint coordinates that are NaN or infinite"),
    Check("landmark-visible-outside", ERROR, "a landmark / keypoint marked visible lies outside the image"),
    Check("reprojection", ERROR, "3D landmarks do not project onto their 2D points through the camera"),
    Check("instance-unlabelled", ERROR, "an instance id that no annotation or legend gives a label"),
    Check("seg-unknown-colour", ERROR, "segmentation pixels whose colour is not in the colour map", images=True),
    Check("seg-empty-mask", ERROR, "a segmentation image with nothing but background", images=True),
    Check("seg-unused-class", INFO, "a class of the colour map that no image of the dataset shows", images=True),
    Check("depth-invalid", ERROR, "depth pixels that are NaN, infinite or negative", images=True),
    Check("check-crashed", ERROR, "a check failed with an unexpected error on this datapoint (data it does not "
                                  "expect, or a dgviewer bug: please report it)"),
)

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

    @classmethod
    def of(cls, check: Check, datapoint: str | None, message: str, **where) -> Finding:
        """A finding of ``check``, with its severity; ``xy`` rounded to hundredths of a pixel."""
        xy = where.pop("xy", None)
        if xy is not None:
            xy = (round(float(xy[0]), 2), round(float(xy[1]), 2))
        return cls(check.severity, check.name, datapoint, message, xy=xy, **where)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["xy"] = list(self.xy) if self.xy is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        xy = d.get("xy")
        return cls(d["severity"], d["check"], d.get("datapoint"), d["message"], d.get("file"), d.get("layer"),
                   tuple(xy) if xy is not None else None, d.get("modality"))


class Collector:
    """Findings of one datapoint by check name, without the duplicates two routes to one broken file would give.

    ``checks`` are the checks it may report (a name outside them is a bug, and raises KeyError).
    """

    def __init__(self, datapoint: str | None, checks: Mapping[str, Check]):
        self.datapoint = datapoint
        self.checks = checks
        self.items: list[Finding] = []
        self._keys: set = set()

    def add(self, check: str, message: str, **where) -> None:
        f = Finding.of(self.checks[check], self.datapoint, message, **where)
        key = (check, f.file) if check in FILE_CHECKS and f.file else (check, f.file, f.layer, message)
        if key not in self._keys:
            self._keys.add(key)
            self.items.append(f)

    def problem(self, file: str | None, message: str, check: str | None = None) -> None:
        """A problem the reader recorded (``dp.problems`` / ``ds.index_problems``), as a finding of the check the
        reader named, else of the file check that what is (not) on disk says."""
        self.add(check or problem_check(file, message), message, file=file)


def problem_check(file: str | None, message: str) -> str:
    """The file check a reader's problem belongs to, from what is (not) on disk and, last, its wording."""
    if file and not storage.exists(file):
        return "missing-file"
    if file and file.lower().endswith(".json") or "unexpected content" in message:
        return "json-invalid"
    if file and storage.isfile(file):
        return "unreadable-file"
    return "layout"
