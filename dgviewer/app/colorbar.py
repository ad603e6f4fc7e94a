"""The depth colour key beside the canvas: the colormap in use, its range in metres, near at the bottom."""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QLinearGradient, QPainter
from PySide6.QtWidgets import QWidget

from ..core.display import colormap_lut

BAR_W, PAD, TICKS, GAP = 14, 8, 5, 8  # GAP: tick to text, so a tick never reads as a minus sign


def metres(v: float) -> str:
    return f"{v:.3g} m"


class DepthColorbar(QWidget):
    """Shown while a depth image is on screen; follows the view state's colormap and range."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.colormap = "gray"
        self.levels = (0.0, 1.0)
        self.hide()

    def show_look(self, colormap: str, levels: tuple[float, float]) -> None:
        self.colormap, self.levels = colormap, (float(levels[0]), float(levels[1]))
        self.setToolTip(f"depth, {self.colormap}: {metres(self.levels[0])} (bottom) to {metres(self.levels[1])} (top)")
        self.updateGeometry()
        self.update()
        self.show()

    def labels(self) -> list[str]:
        """Tick labels, bottom (near) to top (far)."""
        lo, hi = self.levels
        return [metres(lo + (hi - lo) * k / (TICKS - 1)) for k in range(TICKS)]

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(PAD + BAR_W + GAP + max(fm.horizontalAdvance(t) for t in self.labels()) + PAD, 200)

    def bar_rect(self) -> QRectF:
        fm = QFontMetrics(self.font())
        return QRectF(PAD, PAD + fm.height() / 2, BAR_W, max(10, self.height() - 2 * PAD - fm.height()))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(30, 30, 30))
        bar = self.bar_rect()
        lut = colormap_lut(self.colormap)
        grad = QLinearGradient(bar.bottomLeft(), bar.topLeft())  # far values at the top
        for k in range(0, 256, 15):
            grad.setColorAt(k / 255, QColor(*(int(v) for v in lut[k][:3])))
        grad.setColorAt(1.0, QColor(*(int(v) for v in lut[255][:3])))
        p.fillRect(bar, grad)
        p.setPen(QColor(235, 235, 235))
        fm = QFontMetrics(self.font())
        for k, text in enumerate(self.labels()):
            y = bar.bottom() - bar.height() * k / (TICKS - 1)
            p.drawLine(int(bar.right()), int(y), int(bar.right()) + 3, int(y))
            p.drawText(QRectF(bar.right() + GAP, y - fm.height() / 2, self.width(), fm.height()),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        p.end()
