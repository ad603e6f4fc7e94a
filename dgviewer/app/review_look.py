"""How review decisions look: one glyph and colour per state, as tree icons and "✓12 ✗3 ⚑1" tallies."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from ..core.review import FAIL, FLAG, PASS

#: state → (glyph, colour) for icons, tallies and the review bar.
LOOK = {PASS: ("✓", QColor(70, 170, 90)), FAIL: ("✗", QColor(215, 70, 60)), FLAG: ("⚑", QColor(230, 160, 40))}


def state_icon(glyph: str, colour: QColor) -> QIcon:
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawEllipse(QPointF(16, 16), 14, 14)
    font = QFont()
    font.setPixelSize(20)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, glyph)
    p.end()
    return QIcon(pix)


def with_badge(icon: QIcon, badge: QIcon) -> QIcon:
    """``icon`` with ``badge`` over its lower right quarter-and-a-bit (both stay recognisable at 16 px)."""
    pix = icon.pixmap(32, 32)
    p = QPainter(pix)
    p.drawPixmap(14, 14, badge.pixmap(18, 18))
    p.end()
    return QIcon(pix)


def tally_text(counts: dict[str, int]) -> str:
    """"✓12 ✗3 ⚑1" for the states that occur ("" when nothing is reviewed)."""
    return " ".join(f"{LOOK[s][0]}{counts[s]}" for s in (PASS, FAIL, FLAG) if counts.get(s))
