"""One pyqtgraph chart per fact for the Statistics panel: bars for counts, a histogram with a range to drag.

A chart only draws a :class:`~dgviewer.core.statistics.Distribution` and says which filter terms the
user picked (``picked(key, terms)``): a click on a bar row is ``key=value``, a dragged range on a
histogram ``key>=a key<=b``.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal

from ..core.statistics import Distribution, equal_term, range_terms

ROW_PX = 18  # one bar row
HISTOGRAM_PX = 150
BAR_COLOR = (74, 144, 217)
_LABEL_CHARS = 22


class FactChart(pg.GraphicsLayoutWidget):
    """A view box with a left and a bottom axis (no PlotItem: its option menus would outlive the panel)."""

    picked = Signal(str, str)  # key, filter terms

    def __init__(self, dist: Distribution, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.dist = dist
        self.rows: list[str] = []  # bar charts: the value of each row, top first (then "other")
        self.region: pg.LinearRegionItem | None = None
        self.vb = pg.ViewBox(enableMenu=False, enableMouse=False)
        self.left = pg.AxisItem("left", linkView=self.vb, textPen="#444", pen="#999")
        self.bottom = pg.AxisItem("bottom", linkView=self.vb, textPen="#444", pen="#999")
        self.addLabel(f"{dist.key}  <span style='color:#888'>({dist.datapoints - dist.missing} of "
                      f"{dist.datapoints})</span>", row=0, col=1, size="9pt", color="#222")
        self.addItem(self.left, row=1, col=0)
        self.addItem(self.vb, row=1, col=1)
        self.addItem(self.bottom, row=2, col=1)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if dist.kind == "counts":
            self._bars(self.vb)
        else:
            self._histogram(self.vb)
        self.scene().sigMouseClicked.connect(self._clicked)

    def _bars(self, vb) -> None:
        d = self.dist
        self.rows = list(d.counts)
        counts = list(d.counts.values()) + ([d.other] if d.other else [])
        labels = self.rows + (["(other values)"] if d.other else [])
        ys = list(range(len(counts)))
        vb.addItem(pg.BarGraphItem(x0=0, y=ys, height=0.75, width=counts, brush=BAR_COLOR, pen=None))
        for y, n in zip(ys, counts):
            text = pg.TextItem(str(n), color="#333", anchor=(0, 0.5))
            text.setPos(n, y)
            vb.addItem(text)
        short = [v if len(v) <= _LABEL_CHARS else v[:_LABEL_CHARS - 1] + "…" for v in labels]
        self.left.setTicks([list(zip(ys, short))])
        self.bottom.hide()
        vb.invertY(True)
        vb.setYRange(-0.6, len(counts) - 0.4, padding=0)
        vb.setXRange(0, max(counts, default=1) * 1.15, padding=0)
        self.setFixedHeight(40 + ROW_PX * len(counts))

    def _histogram(self, vb) -> None:
        d = self.dist
        vb.addItem(pg.BarGraphItem(x0=d.edges[:-1], x1=d.edges[1:], y0=0, height=d.bins, brush=BAR_COLOR,
                                     pen=pg.mkPen("w")))
        lo, hi = d.edges[0], d.edges[-1]
        self.region = pg.LinearRegionItem((lo, hi), bounds=(lo, hi), brush=(255, 160, 0, 40))
        self.region.setToolTip("Drag an edge or the band: the filter keeps that range")
        self.region.sigRegionChangeFinished.connect(self._range_chosen)
        vb.addItem(self.region)
        vb.setXRange(lo, hi, padding=0.02)
        vb.setYRange(0, max(d.bins, default=1) * 1.05, padding=0)
        self.setFixedHeight(HISTOGRAM_PX)

    def row_point(self, row: int) -> QPointF:
        """Where a bar row sits in widget coordinates (its middle, a little in from the axis)."""
        counts = list(self.dist.counts.values())
        return self.mapFromScene(self.vb.mapViewToScene(QPointF(counts[row] / 2, row)))

    def _clicked(self, event) -> None:
        if self.dist.kind != "counts" or event.button() != Qt.MouseButton.LeftButton:
            return
        if not self.vb.sceneBoundingRect().contains(event.scenePos()):
            return
        row = round(self.vb.mapSceneToView(event.scenePos()).y())
        if 0 <= row < len(self.rows):  # the "other" row stands for no single value
            self.picked.emit(self.dist.key, equal_term(self.dist.key, self.rows[row]))

    def _range_chosen(self, region) -> None:
        lo, hi = region.getRegion()
        self.picked.emit(self.dist.key, range_terms(self.dist.key, lo, hi))
