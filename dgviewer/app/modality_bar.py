"""The bar above the canvas: modality buttons (keys 1–7), depth range and colormap, fit and 1:1."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout,
                               QWidget)

from ..core.display import COLORMAPS
from ..core.model import MODALITIES
from .session import Session
from .shortcuts import modality_keys


class ModalityBar(QWidget):
    """Choices go to the session's view state; the buttons follow the current datapoint."""

    fit_clicked = Signal()
    one_to_one_clicked = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        view = session.view
        # Two rows: the depth controls get their own under the buttons, so showing depth does not widen
        # the bar (and with it the window's least width) past a laptop screen.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(4, 2, 4, 2)
        rows.setSpacing(2)
        layout = QHBoxLayout()
        rows.addLayout(layout)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        keys = {m: k for k, m in modality_keys()}
        for m in MODALITIES:
            b = QToolButton(text=m)
            b.setCheckable(True)
            b.setToolTip(f"{m} ({keys[m]})")
            b.clicked.connect(lambda _=False, m=m: session.set_modality(m) or self.follow())
            self.group.addButton(b)
            self.buttons[m] = b
            layout.addWidget(b)
        self.depth_box = QWidget()
        depth = QHBoxLayout(self.depth_box)
        depth.setContentsMargins(0, 0, 0, 0)
        self.depth_lo, self.depth_hi = QDoubleSpinBox(), QDoubleSpinBox()
        for box in (self.depth_lo, self.depth_hi):
            box.setRange(0.0, 99999.0)  # the widest value sets the box's width, and so the window's least width
            box.setDecimals(3)
            box.setSingleStep(0.01)
            box.setSuffix(" m")
            box.setKeyboardTracking(False)
            box.setMaximumWidth(96)
            box.valueChanged.connect(self._range_edited)
        self.auto = QToolButton(text="Auto")
        self.auto.setToolTip("Auto range: 1st–99th percentile of this image (A)")
        self.auto.clicked.connect(lambda: setattr(view, "depth_levels", None))
        self.cmap = QComboBox()
        self.cmap.addItems(COLORMAPS)
        self.cmap.currentTextChanged.connect(lambda name: setattr(view, "depth_colormap", name))
        self.depth_box.setToolTip("depth range shown by the colour map (metres)")
        for w in (self.depth_lo, QLabel("–"), self.depth_hi, self.auto, self.cmap):
            depth.addWidget(w)
        rows.addWidget(self.depth_box, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        fit, one = QToolButton(text="Fit"), QToolButton(text="1:1")  # compact: the bar must fit a laptop screen
        fit.setToolTip("Fit image to window (Home)")
        one.setToolTip("One image pixel per screen pixel (0)")
        fit.clicked.connect(self.fit_clicked)
        one.clicked.connect(self.one_to_one_clicked)
        layout.addWidget(fit)
        layout.addWidget(one)
        # Clicking the bar must leave keyboard focus on the canvas, where arrows navigate.
        for w in (*self.buttons.values(), self.auto, self.cmap, fit, one):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.depth_box.hide()
        session.modalities_found.connect(self.set_offered)
        session.current_changed.connect(lambda _: self.follow())
        session.updated.connect(self.follow)
        view.events.depth_levels.connect(lambda *_: self.follow())  # "Auto" shows the image's own range

    def set_offered(self, modalities: set[str]) -> None:
        """Show buttons only for modalities some datapoint of the dataset has."""
        for m, b in self.buttons.items():
            b.setVisible(m in modalities)

    def follow(self) -> None:
        """The current datapoint's modalities, the one on screen checked, its depth range."""
        cur, current = self.session.cur, self.session.modality
        for m, b in self.buttons.items():
            b.setEnabled(cur.dp is not None and m in cur.dp.modalities)
            b.setChecked(m == current)
        self.depth_box.setVisible(current == "depth")
        img = cur.images.get(current)
        if current == "depth" and img is not None:
            self.show_depth_range(*(self.session.view.depth_levels or img.levels))

    def show_depth_range(self, lo: float, hi: float) -> None:
        for box, v in ((self.depth_lo, lo), (self.depth_hi, hi)):
            box.blockSignals(True)
            box.setValue(v)
            box.blockSignals(False)

    def _range_edited(self) -> None:
        lo, hi = self.depth_lo.value(), self.depth_hi.value()
        if hi > lo:
            self.session.view.depth_levels = (lo, hi)
