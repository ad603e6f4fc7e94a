"""Paints one grid cell: the thumbnail (or why there is none), a label, and the review and QA badges."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ...core.findings import ERROR
from ..review_look import LOOK, state_icon
from .model import GridModel
from .thumbs import Thumbnails

PAD = 6  # around the thumbnail, in the cell
BADGE = 20  # badge height
_PLACEHOLDER, _LABEL, _FAILED = QColor(48, 50, 54), QColor(200, 200, 200), QColor(255, 120, 110)
_SELECTED = QColor(60, 110, 200)
#: Findings badge colour by worst severity, as the QA panel colours its rows.
_FINDING = {ERROR: QColor(215, 70, 60)}
_FINDING_OTHER = QColor(90, 140, 210)


class GridDelegate(QStyledItemDelegate):
    def __init__(self, model: GridModel, thumbs: Thumbnails, parent=None):
        super().__init__(parent)
        self.model, self.thumbs = model, thumbs
        self.size = 160  # thumbnail box side, logical pixels
        self.font = QFont()
        self.font.setPixelSize(11)
        self.metrics = QFontMetrics(self.font)
        self._badge_font = QFont(self.font)
        self._badge_font.setBold(True)
        self._icons = {state: state_icon(*look).pixmap(BADGE, BADGE) for state, look in LOOK.items()}
        self._labels: dict[str, str] = {}  # id → label elided to the cell width (eliding is a third of a paint)
        self._label_width = 0

    def cell_size(self) -> QSize:
        return QSize(self.size + 2 * PAD, self.size + 2 * PAD + self.metrics.height() + 2)

    def thumb_rect(self, cell: QRect) -> QRect:
        """The thumbnail's box in a cell (the picture is centred in it, its longer side filling it)."""
        return QRect(cell.x() + (cell.width() - self.size) // 2, cell.y() + PAD, self.size, self.size)

    def review_badge_rect(self, cell: QRect) -> QRect:
        box = self.thumb_rect(cell)
        return QRect(box.right() - BADGE - 2, box.top() + 3, BADGE, BADGE)

    def findings_badge_rect(self, cell: QRect, text: str) -> QRect:
        box = self.thumb_rect(cell)
        w = QFontMetrics(self._badge_font).horizontalAdvance(text) + 10
        return QRect(box.left() + 3, box.top() + 3, max(BADGE, w), BADGE)

    def sizeHint(self, option, index) -> QSize:
        return self.cell_size()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        dp = self.model.datapoint(index)
        if dp is None:
            return
        cell = option.rect
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(cell.adjusted(2, 2, -2, -2), _SELECTED)
        box = self.thumb_rect(cell)
        thumb = self.thumbs.get(dp)
        if isinstance(thumb, QImage):  # made at the screen's pixel density: its longer side fills the box
            scale = self.size / max(thumb.width(), thumb.height())
            w, h = thumb.width() * scale, thumb.height() * scale
            painter.drawImage(QRectF(box.x() + (box.width() - w) / 2, box.y() + (box.height() - h) / 2, w, h), thumb)
        else:
            painter.fillRect(box, _PLACEHOLDER)
            if thumb is not None:  # why it could not be made
                painter.setFont(self.font)
                painter.setPen(_FAILED)
                painter.drawText(box.adjusted(4, 4, -4, -4), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                                 "⚠ " + thumb.splitlines()[0][:160])
        painter.setFont(self.font)
        painter.setPen(_LABEL)
        label = QRect(cell.x() + PAD, box.bottom() + 2, cell.width() - 2 * PAD, self.metrics.height())
        painter.drawText(label, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                         self._elided(dp, label.width()))
        self._badges(painter, cell, dp)
        painter.restore()

    def _elided(self, dp, width: int) -> str:
        if width != self._label_width or len(self._labels) > 10_000:
            self._labels.clear()
            self._label_width = width
        text = self._labels.get(dp.id)
        if text is None:
            text = self._labels[dp.id] = self.metrics.elidedText(_label(dp), Qt.TextElideMode.ElideRight, width)
        return text

    def _badges(self, painter: QPainter, cell: QRect, dp) -> None:
        data = self.model.session.data
        if data is None:
            return
        icon = self._icons.get(data.review_state(dp))
        if icon is not None:
            painter.drawPixmap(self.review_badge_rect(cell), icon)
        findings = (data.findings or {}).get(dp.id)
        if findings:
            text = str(len(findings))
            worst = ERROR if any(f.severity == ERROR for f in findings) else findings[0].severity
            rect = self.findings_badge_rect(cell, text)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_FINDING.get(worst, _FINDING_OTHER))
            painter.drawRoundedRect(QRectF(rect), BADGE / 2, BADGE / 2)
            painter.setFont(self._badge_font)
            painter.setPen(QColor("white"))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)


def _label(dp) -> str:
    """Scene (and camera, when its scene has several) and the datapoint's name: what tells tiles apart."""
    scene, cam = dp.scene_node, dp.camera_node
    parts = [scene.name] + ([cam.name] if len(scene.cameras) > 1 else []) + [dp.label]
    return " · ".join(parts)

