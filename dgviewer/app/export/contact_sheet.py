"""A render sink: rendered datapoints as thumbnails with their ids on one grid (``dgviewer render --contact-sheet``)."""
from __future__ import annotations

import math
import os
from typing import Callable

from ...core.errors import DgviewerError
from .png import save_png

#: Largest contact sheet side in pixels (an 8192² RGB sheet is 200 MB in memory), and the smallest
#: thumbnail it shrinks to before refusing.
SHEET_MAX_SIDE = 8192
MIN_THUMB = 48


def _nothing() -> None:
    pass


def _sheet_metrics(thumb: int) -> tuple[int, int, int]:
    """(font pixel size, label height: two lines, title band height) for a thumbnail size."""
    font_px = int(min(14, max(9, thumb / 18)))
    return font_px, 2 * round(1.3 * font_px) + 4, 2 * font_px + ContactSheet.GAP


class ContactSheet:
    """Thumbnails with their ids on a near-square grid, painted as they arrive; failed cells say why."""

    GAP = 6

    def __init__(self, path: str, ids: list[str], thumb: int, title: str | None = None):
        from PySide6.QtGui import QColor, QImage

        self.path, self.n = path, len(ids)
        self.cols = math.ceil(math.sqrt(len(ids)))
        self.rows = math.ceil(len(ids) / self.cols)
        self.thumb = self._fit(thumb)
        self.font_px, self.label_h, self.top = _sheet_metrics(self.thumb)
        self.slot = {dp_id: i for i, dp_id in enumerate(ids)}
        self.prefix = _common_prefix(ids)
        w, h = self._size(self.thumb)
        self.sheet = QImage(w, h, QImage.Format.Format_RGB32)
        self.sheet.fill(QColor(24, 24, 26))
        self._text(self.GAP, 0, w - 2 * self.GAP, self.top, title or f"{self.prefix}  {self.n} datapoints".strip(), bold=True)

    def _size(self, thumb: int) -> tuple[int, int]:
        _, label_h, top = _sheet_metrics(thumb)
        return self.cols * (thumb + self.GAP) + self.GAP, top + self.rows * (thumb + label_h + self.GAP)

    def _fit(self, thumb: int) -> int:
        """The requested thumbnail size, shrunk until the sheet fits SHEET_MAX_SIDE."""
        while thumb >= MIN_THUMB:
            if max(self._size(thumb)) <= SHEET_MAX_SIDE:
                return thumb
            thumb -= 8
        raise DgviewerError(f"{self.n} datapoints do not fit one contact sheet; narrow them with --filter or --goto")

    def _cell(self, dp_id: str) -> tuple[int, int]:
        i = self.slot[dp_id]
        return (self.GAP + (i % self.cols) * (self.thumb + self.GAP),
                self.top + (i // self.cols) * (self.thumb + self.label_h + self.GAP))

    def _text(self, x, y, w, h, text, color=(230, 230, 230), bold=False, lines=1) -> None:
        """Text wrapped at "/" and spaces into ``w``; longer than ``lines`` lines, its middle is elided."""
        from PySide6.QtCore import QRect, Qt
        from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

        p = QPainter(self.sheet)
        font = QFont(p.font())
        font.setPixelSize(self.font_px)
        font.setBold(bold)
        p.setFont(font)
        p.setPen(QColor(*color))
        fm = QFontMetrics(font)
        text = fm.elidedText(text, Qt.TextElideMode.ElideMiddle, lines * w - 2 * fm.averageCharWidth())
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        p.drawText(QRect(x, y, w, h), int(flags), text.replace("/", "/\u200b"))  # zero-width space: may break here
        p.end()

    def _label(self, dp_id: str, color=(230, 230, 230)) -> None:
        x, y = self._cell(dp_id)
        self._text(x, y + self.thumb + 2, self.thumb, self.label_h, dp_id[len(self.prefix):] or dp_id, color, lines=2)

    def add(self, dp, image) -> Callable[[], None]:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QPainter

        # Up or down to the cell: a 128 px face fills a 256 px cell like a 1024 px one does.
        small = image.scaled(self.thumb, self.thumb, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        x, y = self._cell(dp.id)
        p = QPainter(self.sheet)
        p.drawImage(x + (self.thumb - small.width()) // 2, y + self.thumb - small.height(), small)  # on its label
        p.end()
        self._label(dp.id)
        return _nothing

    def missing(self, dp, why: str) -> None:
        x, y = self._cell(dp.id)
        self._text(x + 4, y + 4, self.thumb - 8, self.thumb - 8, why, color=(255, 120, 110), lines=8)
        self._label(dp.id, color=(255, 120, 110))

    def finish(self) -> str:
        save_png(self.path, self.sheet)
        return self.path


def _common_prefix(ids: list[str]) -> str:
    """The folders every id shares (up to and including a "/"), dropped from the thumbnail labels."""
    prefix = os.path.commonprefix(ids) if len(ids) > 1 else ids[0].rsplit("/", 1)[0] + "/"
    return prefix[: prefix.rfind("/") + 1]
