"""The compare view: 2 or 4 linked panes in place of the canvas.

Modes: the modalities of the current datapoint side by side; or the same datapoint in two versions of
the dataset (``dgviewer A --compare B``): A | B, a swipe divider, an onion skin, and the difference
(|A − B| as a colour map, keypoint displacements as arrows, a summary). Zoom, pan, crosshair and the
hover readout are shared by every pane; navigation in the main tree drives them all.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QSlider, QToolButton,
                               QVBoxLayout, QWidget)

from ...core.display import UNREGISTERED
from ...core.model import MODALITIES
from ..probe import format_value, probe_text, probe_values
from ..session import Session
from .difference import Difference
from .other import OtherVersion
from .pane import Pane

#: (mode, button text, needs the other version)
MODES = (("modalities", "Modalities", False), ("side", "A | B", True), ("swipe", "Swipe", True),
         ("onion", "Onion skin", True), ("difference", "Difference", True))


class CompareView(QWidget):
    active_changed = Signal(bool)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.other = OtherVersion(session, self)
        self.difference = Difference()
        self.mode = "modalities"
        self.active = False
        self.panes = [Pane() for _ in range(4)]
        self._linking = False
        self._hover: tuple[float, float] | None = None
        self._build()
        for pane in self.panes:
            pane.canvas.view.sigRangeChanged.connect(lambda *_, p=pane: self._link(p))
            pane.canvas.hovered.connect(self.hover)
        session.current_changed.connect(self._current_changed)
        session.updated.connect(self.draw)
        session.dataset_opened.connect(self._dataset_opened)
        session.view.events.modality.connect(lambda *_: self._follow())
        session.view.events.styles.connect(self._restyle)
        for signal in (session.view.events.hidden_classes, session.view.events.depth_levels,
                       session.view.events.depth_colormap):
            signal.connect(lambda *_: self.draw())
        self.other.opened.connect(self._other_opened)
        self.other.failed.connect(self._other_failed)
        self.other.updated.connect(self.draw)

    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QToolButton] = {}
        for mode, text, _ in MODES:
            b = QToolButton(text=text)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
            self.group.addButton(b)
            self.buttons[mode] = b
            bar.addWidget(b)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.opacity.setMaximumWidth(120)
        self.opacity.setToolTip("opacity of B over A")
        self.opacity.valueChanged.connect(lambda _: self.draw())
        bar.addWidget(self.opacity)
        self.versions = QLabel()
        self.versions.setMinimumWidth(1)  # long folder names are clipped, never widen the window
        bar.addWidget(self.versions, 1)
        pick = QToolButton(text="Compare with…")
        pick.clicked.connect(self.ask_and_compare)
        close = QToolButton(text="Single view")
        close.clicked.connect(self.close_compare)
        bar.addWidget(pick)
        bar.addWidget(close)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        for i, pane in enumerate(self.panes):
            self.grid.addWidget(pane, i // 2, i % 2)
        self.readout = QLabel()
        self.readout.setStyleSheet("font-family: monospace;")
        self.readout.setMinimumWidth(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addLayout(self.grid, 1)
        layout.addWidget(self.readout)
        self._enable_buttons()

    # -- what is compared -------------------------------------------------------------------
    def show_modalities(self) -> None:
        self.set_mode("modalities")

    def compare_with(self, path: str) -> None:
        """Open the other version at ``path`` and show A | B (the panes say so while it is indexed)."""
        self.other.open(path)
        self.versions.setText(f"B: {path} (opening…)")
        self.set_mode("side")

    def ask_and_compare(self) -> None:
        start = self.session.paths[0] if self.session.paths else ""
        path = QFileDialog.getExistingDirectory(self, "Compare with dataset folder", start)
        if path:
            self.compare_with(path)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.buttons[mode].setChecked(True)
        self.opacity.setVisible(mode == "onion")
        n = self._pane_count()
        for i, pane in enumerate(self.panes):
            pane.setVisible(i < n)
        if not self.active:
            self.active = True
            self.active_changed.emit(True)
            self._follow()
        self.draw()
        self._link(self.panes[0])

    def close_compare(self) -> None:
        if self.active:
            self.active = False
            self.active_changed.emit(False)

    def _pane_count(self) -> int:
        if self.mode == "modalities":
            return max(1, len(self._modalities()))
        return 2 if self.mode == "side" else 1

    def _modalities(self) -> list[str]:
        dp = self.session.cur.dp
        return [m for m in MODALITIES if dp is not None and m in dp.modalities and m not in UNREGISTERED][:4]

    def _enable_buttons(self) -> None:
        for mode, _, needs_other in MODES:
            self.buttons[mode].setEnabled(not needs_other or self.other.dataset is not None)

    def _other_opened(self, _dataset) -> None:
        self._show_versions()
        self._enable_buttons()
        self.draw()

    def _dataset_opened(self, _dataset) -> None:
        if self.other.dataset is not None:
            self._show_versions()
        self._current_changed(None)

    def _show_versions(self) -> None:
        self.versions.setText(f"A: {' + '.join(self.session.paths)}   B: {self.other.path}")
        self.versions.setToolTip(self.versions.text())

    def _other_failed(self, message: str) -> None:
        self.versions.setText(f"B could not be opened: {message.splitlines()[0]}")
        self._enable_buttons()
        self.session.status.emit(f"Could not open the dataset to compare with: {message}", 10000)
        if self.mode != "modalities":
            self.set_mode("modalities")

    # -- following the session ---------------------------------------------------------------
    def _current_changed(self, _dp) -> None:
        if self.active:
            if self.mode == "modalities":
                self.set_mode("modalities")  # the pane count follows the datapoint's modalities
            self._follow()

    def _follow(self) -> None:
        if self.active and self.other.dataset is not None:
            self.other.follow(self.session.cur.dp)

    def _restyle(self, *_) -> None:
        for pane in self.panes:
            pane.canvas.restyle(self.session.view)
        self._follow()  # a class layer switched on needs B's segmentation image
        self.draw()

    def shutdown(self) -> None:
        self.other.shutdown()

    def fit(self) -> None:
        """Fit the first pane's picture; the linked panes follow."""
        self.panes[0].canvas.fit()

    def one_to_one(self) -> None:
        self.panes[0].canvas.one_to_one()

    # -- drawing ------------------------------------------------------------------------------
    def draw(self) -> None:
        if not self.active or self.session.cur.dp is None:
            return
        if self.mode == "modalities":
            self._draw_modalities()
        else:
            self._draw_versions()
        self._show_readout()

    def _draw_modalities(self) -> None:
        cur, view = self.session.cur, self.session.view
        legends = cur.legends()
        layers = cur.ann.layers if cur.ann is not None else {}
        for pane, m in zip(self.panes, self._modalities()):
            img = cur.images.get(m)
            pane.title.setText(m)
            if img is None and ("img", m) not in cur.errors:
                continue  # still decoding: the previous picture stays
            pane.show(img, legends.get(m), view, cur.errors.get(("img", m), ""))
            pane.canvas.set_overlays(layers, view)
            pane.set_other(None, None, view, None)
            pane.set_arrows(None)
            pane.set_summary("")

    def _draw_versions(self) -> None:
        s, b = self.session, self.other.cur
        cur, view, m = s.cur, s.view, s.modality
        a_img, b_img = cur.images.get(m), b.images.get(m)
        a_legend, b_legend = cur.legends().get(m), b.legends().get(m)
        a_layers = cur.ann.layers if cur.ann is not None and m not in UNREGISTERED else {}
        b_layers = b.ann.layers if b.ann is not None and m not in UNREGISTERED else {}
        first, second = self.panes[0], self.panes[1]
        if a_img is None and ("img", m) not in cur.errors:
            return  # A still decoding
        b_message = self._b_message(m)
        if self.mode == "side":
            first.title.setText(f"A: {m}")
            first.show(a_img, a_legend, view, cur.errors.get(("img", m), ""))
            first.canvas.set_overlays(a_layers, view)
            second.title.setText(f"B: {m}")
            if b_img is not None or b_message:
                second.show(b_img, b_legend, view, b_message)
                second.canvas.set_overlays(b_layers, view)
            for pane in (first, second):
                pane.set_other(None, None, view, None)
                pane.set_arrows(None)
                pane.set_summary("")
            return
        first.set_summary("")
        first.set_arrows(None)
        if self.mode in ("swipe", "onion"):
            first.title.setText(f"A: {m} (left) | B (right)" if self.mode == "swipe" else f"B over A: {m}")
            first.show(a_img, a_legend, view, cur.errors.get(("img", m), "") or b_message)
            first.canvas.set_overlays(a_layers, view)
            first.set_other(b_img, b_legend, view, self.mode, self.opacity.value() / 100)
            return
        first.set_other(None, None, view, None)
        first.canvas.set_overlays({}, view)
        if b_img is None and not b_message:
            return  # B still decoding: the previous difference stays until it arrives
        if b_message or a_img is None:
            first.title.setText(f"|A − B| of {m}")
            first.show(None, None, view, b_message or cur.errors.get(("img", m), ""))
            return
        registered = m not in UNREGISTERED  # keypoints belong to the camera image, not to an environment map
        result = self.difference.of(m, a_img, b_img, cur.ann if registered else None, b.ann if registered else None,
                                    view.look("difference"))
        top = result.image.levels[1] if result.image is not None else 0
        first.title.setText(f"|A − B| of {m}, colour map over 0 … {top:.6g}")
        first.show(result.image, None, view, result.message)
        first.set_arrows(result.arrows)
        first.set_summary(result.summary)

    def _b_message(self, m: str) -> str:
        """Why B shows nothing for the current datapoint ("" when it shows, or will once decoded)."""
        if self.other.dataset is None:
            return "Opening the other version…" if self.other.path is None else ""
        b = self.other.cur
        if b.dp is None:
            dp = self.session.cur.dp
            return f"Not in B: {dp.id.split('/', 1)[-1]}" if dp is not None else ""
        if m not in b.dp.modalities:
            return f"B has no {m} image"
        return b.errors.get(("img", m), "")

    # -- linked zoom, pan, crosshair and readout -------------------------------------------------
    def _link(self, source: Pane) -> None:
        if self._linking or not self.active or not source.isVisible() or source.canvas.image_shape is None:
            return  # a hidden or empty pane's default range is no one's zoom
        self._linking = True
        try:
            # The same centre and magnification everywhere (panes can differ by a pixel in size).
            view = source.canvas.view
            rect = view.viewRect()
            scale = rect.width() / max(view.size().width(), 1.0)  # image pixels per screen pixel
            c = rect.center()
            for pane in self.panes:
                if pane is not source and pane.isVisible():
                    size = pane.canvas.view.size()
                    hw, hh = scale * size.width() / 2, scale * size.height() / 2
                    pane.canvas.view.setRange(xRange=(c.x() - hw, c.x() + hw), yRange=(c.y() - hh, c.y() + hh),
                                              padding=0)
        finally:
            self._linking = False

    def hover(self, col: float, row: float) -> None:
        """The cursor is over image point (col, row) of one pane (NaN: it left): every pane's crosshair."""
        self._hover = None if math.isnan(col) else (col, row)
        for pane in self.panes:
            pane.set_crosshair(col, row)
        self._show_readout()

    def _show_readout(self) -> None:
        cur = self.session.cur
        if self._hover is None or cur.dp is None:
            self.readout.setText("")
            return
        col, row = self._hover
        if self.mode == "modalities":
            text = probe_text(col, row, probe_values(cur.images, cur.legends(), col, row))
        else:
            m = self.session.modality
            parts = []
            for name, current in (("A", cur), ("B", self.other.cur)):
                values = dict(probe_values({m: current.images[m]}, current.legends(), col, row)) \
                    if m in current.images else {}
                parts.append(f"{name} {m}: {values.get(m, '—')}")
            if self.mode == "difference" and self.difference.image is not None:
                parts.append(f"|A-B|: {format_value('difference', self.difference.value_at(col, row))}")
            text = "   ".join([f"col {int(math.floor(col))}, row {int(math.floor(row))}"] + parts)
        self.readout.setText(text)
