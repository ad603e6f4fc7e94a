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


class FactChart(pg.PlotWidget):
    picked = Signal(str, str)  # key, filter terms

    def __init__(self, dist: Distribution, parent=None):
        super().__init__(parent, background="w")
        self.dist = dist
        self.rows: list[str] = []  # bar charts: the value of each row, top first (then "other")
        self.region: pg.LinearRegionItem | None = None
        item = self.getPlotItem()
        item.setMouseEnabled(False, False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setTitle(f"{dist.key}  <span style='color:#888'>({dist.datapoints - dist.missing} of "
                      f"{dist.datapoints})</span>", size="9pt", color="#222")
        for axis in ("left", "bottom"):
            item.getAxis(axis).setTextPen("#444")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if dist.kind == "counts":
            self._bars(item)
        else:
            self._histogram(item)
        self.scene().sigMouseClicked.connect(self._clicked)

    def _bars(self, item) -> None:
        d = self.dist
        self.rows = list(d.counts)
        counts = list(d.counts.values()) + ([d.other] if d.other else [])
        labels = self.rows + (["(other values)"] if d.other else [])
        ys = list(range(len(counts)))
        item.addItem(pg.BarGraphItem(x0=0, y=ys, height=0.75, width=counts, brush=BAR_COLOR, pen=None))
        for y, n in zip(ys, counts):
            text = pg.TextItem(str(n), color="#333", anchor=(0, 0.5))
            text.setPos(n, y)
            item.addItem(text)
        short = [v if len(v) <= _LABEL_CHARS else v[:_LABEL_CHARS - 1] + "…" for v in labels]
        item.getAxis("left").setTicks([list(zip(ys, short))])
        item.getAxis("bottom").hide()
        item.invertY(True)
        item.setYRange(-0.6, len(counts) - 0.4, padding=0)
        item.setXRange(0, max(counts, default=1) * 1.15, padding=0)
        self.setFixedHeight(40 + ROW_PX * len(counts))

    def _histogram(self, item) -> None:
        d = self.dist
        item.addItem(pg.BarGraphItem(x0=d.edges[:-1], x1=d.edges[1:], y0=0, height=d.bins, brush=BAR_COLOR,
                                     pen=pg.mkPen("w")))
        lo, hi = d.edges[0], d.edges[-1]
        self.region = pg.LinearRegionItem((lo, hi), bounds=(lo, hi), brush=(255, 160, 0, 40))
        self.region.setToolTip("Drag an edge or the band: the filter keeps that range")
        self.region.sigRegionChangeFinished.connect(self._range_chosen)
        item.addItem(self.region)
        item.setXRange(lo, hi, padding=0.02)
        item.setYRange(0, max(d.bins, default=1) * 1.05, padding=0)
        self.setFixedHeight(HISTOGRAM_PX)

    def row_point(self, row: int) -> QPointF:
        """Where a bar row sits in widget coordinates (its middle, a little in from the axis)."""
        vb = self.getPlotItem().getViewBox()
        counts = list(self.dist.counts.values())
        return self.mapFromScene(vb.mapViewToScene(QPointF(counts[row] / 2, row)))

    def _clicked(self, event) -> None:
        if self.dist.kind != "counts" or event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        row = round(vb.mapSceneToView(event.scenePos()).y())
        if 0 <= row < len(self.rows):  # the "other" row stands for no single value
            self.picked.emit(self.dist.key, equal_term(self.dist.key, self.rows[row]))

    def _range_chosen(self, region) -> None:
        lo, hi = region.getRegion()
        self.picked.emit(self.dist.key, range_terms(self.dist.key, lo, hi))
