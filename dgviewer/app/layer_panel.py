"""The layer panel: one row per overlay layer with visibility, opacity, marker size and labels."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QGridLayout, QLabel, QSlider, QVBoxLayout,
                               QWidget)

from .overlays.paint import RAY_LOOK
from .overlays.style import LayerStyle
from .session import Session


class _Row:
    def __init__(self, panel: LayerPanel, grid: QGridLayout, r: int, name: str, style: LayerStyle, tip: str,
                 image_layer: bool):
        self.name = name
        self.check = QCheckBox(name)
        self.check.setChecked(style.visible)
        self.check.setToolTip(tip)
        pix = QPixmap(10, 10)
        pix.fill(QColor(*style.color))
        self.check.setIcon(QIcon(pix))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(round(style.opacity * 100))
        self.opacity.setToolTip("opacity")
        self.opacity.setMinimumWidth(60)
        self.size = QDoubleSpinBox()
        self.size.setRange(1, 40)
        self.size.setSingleStep(1)
        self.size.setDecimals(0)
        self.size.setValue(style.marker_size)
        self.size.setToolTip("marker size (screen pixels; image pixels in exports)")
        self.labels = QCheckBox("#")
        self.labels.setChecked(style.labels)
        self.labels.setToolTip("index labels")
        for col, w in enumerate((self.check, self.opacity, self.size, self.labels)):
            grid.addWidget(w, r, col)
        # Only after addWidget: showing a widget that has no parent yet opens it as a window. Shown now,
        # not on the layout's next turn, so a screenshot taken when the datapoint is drawn has them.
        self.check.show()
        self.opacity.show()
        self.size.setVisible(not image_layer)
        self.labels.setVisible(not image_layer)
        changed = lambda *_: panel._row_changed(self)  # noqa: E731
        self.check.toggled.connect(changed)
        self.opacity.valueChanged.connect(changed)
        self.size.valueChanged.connect(changed)
        self.labels.toggled.connect(changed)

    def widgets(self):
        return (self.check, self.opacity, self.size, self.labels)

    def apply(self, style: LayerStyle) -> None:
        for w in self.widgets():
            w.blockSignals(True)
        self.check.setChecked(style.visible)
        self.opacity.setValue(round(style.opacity * 100))
        self.size.setValue(style.marker_size)
        self.labels.setChecked(style.labels)
        for w in self.widgets():
            w.blockSignals(False)


class LayerPanel(QWidget):
    """Rows appear for every layer of the open dataset seen so far; layers absent from the current datapoint
    are greyed. Edits go to the view state; its changes (a toggle key, a QA jump) come back as events."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.view = session.view
        self.rows: dict[str, _Row] = {}
        self._grid = QGridLayout()
        self._grid.setColumnStretch(1, 1)
        self._grid.setContentsMargins(6, 6, 6, 6)
        self._empty = QLabel("No overlays on this datapoint.")
        self._empty.setStyleSheet("color: gray")
        self.ray_key = QLabel()  # what the two gaze rays per eye are
        self.ray_key.setWordWrap(True)
        self.ray_key.setContentsMargins(6, 0, 6, 0)
        self.ray_key.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._empty)
        layout.addLayout(self._grid)
        layout.addWidget(self.ray_key)
        layout.addStretch(1)
        session.dataset_opened.connect(self._dataset_opened)
        session.updated.connect(self._current)
        self.view.events.styles.connect(self.refresh)

    def _dataset_opened(self, _dataset) -> None:
        """Rows are of the dataset open now, in its readers' order and colours."""
        self._rebuild([])
        self.set_present([])

    def _current(self) -> None:
        ann = self.session.cur.ann
        self.set_present(ann.annotations.layers if ann else [])
        kinds = {(name, r.kind) for name, pl in (ann.layers.items() if ann else ())
                 for r in pl.rays if r.kind in RAY_LOOK}
        self._show_ray_key(sorted(kinds, key=lambda nk: (nk[0], list(RAY_LOOK).index(nk[1]))))

    def _show_ray_key(self, kinds: list[tuple[str, str]]) -> None:
        """One line per ray kind drawn: its stroke in its colour, and what it means."""
        lines = []
        for name, kind in kinds:
            rgb, style, meaning = RAY_LOOK[kind]
            rgb = rgb or self.view.style(name).color
            stroke = "━━━" if style == Qt.PenStyle.SolidLine else "╍╍╍"
            lines.append(f'<span style="color: rgb{tuple(rgb)}">{stroke}</span> {name}: {meaning}')
        text = "<br>".join(lines)
        if text != self.ray_key.text():
            self.ray_key.setText(text)
        self.ray_key.setVisible(bool(lines))
        for name, row in self.rows.items():
            row.check.setToolTip("\n".join([self.view.layers.spec(name).description]
                                           + [RAY_LOOK[k][2] for n, k in kinds if n == name]))

    def set_present(self, layers: list[str]) -> None:
        order = self.view.layers.order(set(layers) | set(self.rows))
        if list(self.rows) != order:
            self._rebuild(order)
        for name, row in self.rows.items():
            for w in row.widgets():
                w.setEnabled(name in layers)
        self._empty.setVisible(not layers)

    def _rebuild(self, order: list[str]) -> None:
        for row in self.rows.values():
            for w in row.widgets():
                self._grid.removeWidget(w)
                w.hide()  # until deleteLater runs it would still paint, over the new row in its place
                w.deleteLater()
        self.rows = {}
        for r, name in enumerate(order):
            spec = self.view.layers.spec(name)
            self.rows[name] = _Row(self, self._grid, r, name, self.view.style(name), spec.description, spec.image)
        self._grid.activate()  # rows get their places now, not stacked at the origin until the next turn

    def refresh(self, *_) -> None:
        """Show the view state's styles."""
        for name, row in self.rows.items():
            row.apply(self.view.style(name))

    def _row_changed(self, row: _Row) -> None:
        self.view.set_style(row.name, visible=row.check.isChecked(), opacity=row.opacity.value() / 100.0,
                            marker_size=float(row.size.value()), labels=row.labels.isChecked())
