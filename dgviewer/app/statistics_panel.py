"""The Statistics panel: a chart per fact of the open dataset (or of the filtered datapoints), clickable.

The distributions are computed on the loader's one-off worker (:func:`dgviewer.core.statistics.summarize`,
with the open dataset's shared facts cache), only while the panel is on screen, and again after a
change settles; a newer request cancels an older one. A click on a bar or a dragged histogram range
refines the session's filter.
"""
from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core.filters import FilterError
from ..core.statistics import refine, summarize
from .fact_charts import FactChart
from .session import Session

#: A change (a decision, a filter) waits this long for the next one before the charts are recomputed.
SETTLE_MS = 300
_tokens = itertools.count(1)


class StatisticsPanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.charts: dict[str, FactChart] = {}
        self._token = 0  # of the computation whose result is wanted (0: none running)
        self._dirty = True
        self.filtered = QCheckBox("Only the datapoints the filter keeps")
        self.filtered.setChecked(True)
        self.summary = QLabel("Open a dataset to see how its facts spread.")
        self.summary.setStyleSheet("color: gray")
        self.summary.setWordWrap(True)
        self._inner = QWidget()
        self._charts_layout = QVBoxLayout(self._inner)
        self._charts_layout.setContentsMargins(0, 0, 0, 0)
        self._charts_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filtered)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        self._timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self.refresh)
        self._pending: list = []  # (key, distribution) still to draw
        self._build_timer = QTimer(self, singleShot=True, interval=0)
        self._build_timer.timeout.connect(self._build_next)
        self.filtered.toggled.connect(lambda _: self._changed(now=True))
        session.opening.connect(lambda _paths: self.cancel())  # the open waits on the same worker
        session.dataset_opened.connect(lambda _ds: self._changed(now=True))
        session.listed.connect(self._changed)  # counted again over every datapoint once the listing ends
        session.filter_changed.connect(lambda: self.filtered.isChecked() and self._changed())
        session.reviews_changed.connect(lambda _id: self._changed())
        session.findings_changed.connect(self._changed)
        session.loader.signals.done.connect(self._done)
        session.loader.signals.failed.connect(self._failed)

    def _changed(self, now: bool = False) -> None:
        self._dirty = True
        if self.isVisible():
            self._timer.start(0 if now else SETTLE_MS)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._timer.start(0)

    @property
    def ready(self) -> bool:
        """Every chart of the latest counts is drawn (none is being counted or built)."""
        return bool(self.charts) and not self._pending and not self._token and not self._timer.isActive()

    def cancel(self) -> None:
        """Stop wanting the running computation (it stops at its next check)."""
        self._token = 0

    def refresh(self) -> None:
        """Recompute the charts on a worker for the open dataset (or its filtered datapoints)."""
        data = self.session.data
        if data is None:
            return
        self._dirty = False
        token = self._token = next(_tokens)
        datapoints = list(data.order) if self.filtered.isChecked() else data.dataset.so_far()  # listed so far
        reviews, findings, facts, keys = data.reviews, data.findings, data.facts, data.dataset.fact_keys
        self.summary.setText(f"Counting over {len(datapoints)} datapoints …")
        self.session.loader.run_once(("stats", token), lambda: (len(datapoints), summarize(
            datapoints, keys, reviews=reviews, findings=findings, facts=facts, cancelled=lambda: self._token != token)))

    def _done(self, key, value) -> None:
        if key[0] != "stats" or key[1] != self._token or value[1] is None:
            return
        self._token = 0
        count, dists = value
        scope = "filtered" if self.filtered.isChecked() and self.session.data.filter_text else "all"
        self.summary.setText(f"{count} datapoints ({scope}). Click a bar or drag a range to filter.")
        self.show_distributions(dists)

    def _failed(self, key, message: str, _details: str) -> None:
        if key[0] == "stats" and key[1] == self._token:
            self._token = 0
            self.summary.setText(f"Could not count the facts: {message}")

    def show_distributions(self, dists: dict) -> None:
        """Replace the charts; they are built one per event-loop turn (each is a scene: ~10 ms)."""
        for chart in self.charts.values():
            self._charts_layout.removeWidget(chart)
            chart.deleteLater()
        self.charts = {}
        self._pending = list(dists.items())
        self._build_timer.start()

    def _build_next(self) -> None:
        if not self._pending:
            return
        key, dist = self._pending.pop(0)
        chart = FactChart(dist)
        chart.picked.connect(self._picked)
        self._charts_layout.insertWidget(self._charts_layout.count() - 1, chart)
        self.charts[key] = chart
        if self._pending:
            self._build_timer.start()

    def _picked(self, key: str, terms: str) -> None:
        data = self.session.data
        if data is None:
            return
        try:
            self.session.set_filter(refine(data.filter_text, key, terms))
        except FilterError as e:
            self.session.status.emit(str(e), 5000)
