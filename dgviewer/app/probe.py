"""The pixel probe: the true stored value under the cursor in every loaded modality."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QLabel, QWidget

from ..core.annotations import SegmentationLegend
from ..core.display import UNREGISTERED, PreparedImage
from ..core.model import MODALITIES
from .session import Session


def _order(modality: str) -> int:
    return MODALITIES.index(modality) if modality in MODALITIES else len(MODALITIES)


def probe_values(images: dict[str, PreparedImage], legends: dict[str, SegmentationLegend],
                 col: float, row: float) -> list[tuple[str, str]]:
    """[(modality, text)] for the pixel at image coordinates (col, row), in switcher order."""
    c, r = int(math.floor(col)), int(math.floor(row))
    out = []
    for modality in sorted(images, key=_order):
        img = images[modality]
        if modality in UNREGISTERED or not (0 <= r < img.height and 0 <= c < img.width):
            continue
        out.append((modality, format_value(modality, img.raw[r, c], legends.get(modality))))
    return out


def format_value(modality: str, value, legend: SegmentationLegend | None = None) -> str:
    v = np.asarray(value)
    if modality == "depth":
        d = float(v.reshape(-1)[0])
        return "background" if not math.isfinite(d) else f"{d:.4f} m"
    if modality == "pixel_position":
        if not np.isfinite(v).all():
            return "background"
        return "(" + ", ".join(f"{x:+.4f}" for x in v[:3]) + f") m, |{float(np.linalg.norm(v[:3])):.4f}| m"
    if modality == "normals":
        if not np.isfinite(v).all():
            return "background"
        return "(" + ", ".join(f"{x:+.3f}" for x in v[:3]) + ")"
    text = _tuple(v)
    if legend is not None:
        cls = legend.lookup(v)
        text += f" {cls.name}" if cls else " (not in legend)"
    return text


def _tuple(v: np.ndarray) -> str:
    vals = v.reshape(-1).tolist()
    if v.dtype.kind == "f":
        parts = [f"{x:.4g}" for x in vals]
    else:
        parts = [str(int(x)) for x in vals]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def probe_text(col: float, row: float, values: list[tuple[str, str]]) -> str:
    head = f"col {int(math.floor(col))}, row {int(math.floor(row))}"
    return "   ".join([head] + [f"{m}: {t}" for m, t in values])


class ProbeLabel(QLabel):
    """The status-bar readout; it follows the current datapoint, so it is never of the previous one."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._at: tuple[float, float] | None = None  # image point under the cursor
        self.setStyleSheet("font-family: monospace;")
        self.setMinimumWidth(1)  # a long readout is clipped, never widens the window
        session.current_changed.connect(lambda _: self._show())
        session.updated.connect(self._show)

    def hover(self, col: float, row: float) -> None:
        """The cursor is over image point (col, row); NaN when it left the image."""
        self._at = None if col != col else (col, row)
        self._show()

    def _show(self) -> None:
        cur = self.session.cur
        text = ""
        if self._at is not None and cur.dp is not None:
            col, row = self._at
            text = probe_text(col, row, probe_values(cur.images, cur.legends(), col, row))
        if text != self.text():
            self.setText(text)
