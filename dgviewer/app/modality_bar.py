"""The bar above the canvas: modality buttons (keys 1–7), depth range and colormap, fit and 1:1."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton,
                               QToolButton, QWidget)

from ..core.display import COLORMAPS
from ..core.model import MODALITIES
from .shortcuts import modality_keys


class ModalityBar(QWidget):
    modality_chosen = Signal(str)
    depth_range_changed = Signal(object)  # (lo, hi) or None for auto
    colormap_chosen = Signal(str)
    fit_clicked = Signal()
    one_to_one_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        keys = {m: k for k, m in modality_keys()}
        for m in MODALITIES:
            b = QToolButton(text=m)
            b.setCheckable(True)
            b.setToolTip(f"{m} ({keys[m]})")
            b.clicked.connect(lambda _=False, m=m: self.modality_chosen.emit(m))
            self.group.addButton(b)
            self.buttons[m] = b
            layout.addWidget(b)
        layout.addSpacing(12)
        self.depth_box = QWidget()
        depth = QHBoxLayout(self.depth_box)
        depth.setContentsMargins(0, 0, 0, 0)
        self.depth_lo, self.depth_hi = QDoubleSpinBox(), QDoubleSpinBox()
        for box in (self.depth_lo, self.depth_hi):
            box.setRange(0.0, 1e6)
            box.setDecimals(3)
            box.setSingleStep(0.01)
            box.setSuffix(" m")
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._range_edited)
        self.auto = QPushButton("Auto")
        self.auto.setToolTip("Auto range: 1st–99th percentile of this image (A)")
        self.auto.clicked.connect(lambda: self.depth_range_changed.emit(None))
        self.cmap = QComboBox()
        self.cmap.addItems(COLORMAPS)
        self.cmap.currentTextChanged.connect(self.colormap_chosen)
        for w in (QLabel("depth"), self.depth_lo, QLabel("–"), self.depth_hi, self.auto, self.cmap):
            depth.addWidget(w)
        layout.addWidget(self.depth_box)
        layout.addStretch(1)
        fit, one = QPushButton("Fit"), QPushButton("1:1")
        fit.setToolTip("Fit image to window (F)")
        one.setToolTip("One image pixel per screen pixel (0)")
        fit.clicked.connect(self.fit_clicked)
        one.clicked.connect(self.one_to_one_clicked)
        layout.addWidget(fit)
        layout.addWidget(one)
        # Clicking the bar must leave keyboard focus on the canvas, where arrows navigate.
        for w in (*self.buttons.values(), self.auto, self.cmap, fit, one):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.depth_box.hide()

    def set_offered(self, modalities: set[str]) -> None:
        """Show buttons only for modalities some datapoint of the dataset has."""
        for m, b in self.buttons.items():
            b.setVisible(m in modalities)

    def set_available(self, modalities, current: str) -> None:
        for m, b in self.buttons.items():
            b.setEnabled(m in modalities)
            b.setChecked(m == current)
        self.depth_box.setVisible(current == "depth")

    def show_depth_range(self, lo: float, hi: float) -> None:
        for box, v in ((self.depth_lo, lo), (self.depth_hi, hi)):
            box.blockSignals(True)
            box.setValue(v)
            box.blockSignals(False)

    def _range_edited(self) -> None:
        lo, hi = self.depth_lo.value(), self.depth_hi.value()
        if hi > lo:
            self.depth_range_changed.emit((lo, hi))
