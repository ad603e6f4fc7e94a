"""The segmentation legend: exact class colours from the metadata, per-class show/hide, pixel counts."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLineEdit, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ..core.annotations import SegmentationLegend
from ..core.display import UNKNOWN_CLASS_RGB, PreparedImage, class_rgb8
from .session import Session

NOT_IN_LEGEND = "(colour not in legend)"


class LegendPanel(QWidget):
    """The legend of the current datapoint's segmentation; unchecking a class hides it (``view.hidden_classes``)."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.legend: SegmentationLegend | None = None
        self._key = None
        self._shown = None  # (legend, segmentation image) listed
        self.search = QLineEdit(placeholderText="Filter classes")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Class", "Pixels"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        # Class names share long prefixes ("human_…"): the name column takes the room the counts leave,
        # elided in the middle; the full name and the stored colour show on hover.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        show_all, hide_all = QPushButton("Show all"), QPushButton("Hide all")
        buttons = QHBoxLayout()
        buttons.addWidget(show_all)
        buttons.addWidget(hide_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        self.search.textChanged.connect(self._apply_search)
        self.tree.itemChanged.connect(self._item_changed)
        show_all.clicked.connect(lambda: self._set_all(False))
        hide_all.clicked.connect(lambda: self._set_all(True))
        session.dataset_opened.connect(lambda _: self._follow(None, None))
        session.updated.connect(self._current)
        session.view.events.hidden_classes.connect(self._show_hidden)

    def _current(self) -> None:
        """The legend of the modality on screen, else the segmentation's, else any."""
        legends = self.session.cur.legends()
        lg = legends.get(self.session.modality) or legends.get("segmentation") or next(iter(legends.values()), None)
        self._follow(lg, self.session.cur.images.get(lg.modality) if lg else None)

    def _follow(self, lg: SegmentationLegend | None, seg: PreparedImage | None) -> None:
        if self._shown is None or self._shown[0] is not lg or self._shown[1] is not seg:  # most updates are for others
            self._shown = (lg, seg)
            self.set_legend(lg, seg)

    @property
    def hidden(self) -> frozenset[str]:
        return self.session.view.hidden_classes

    def entries(self) -> list[str]:
        """Class names listed, in legend order (the unknown-colour row excluded)."""
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())
                if self.tree.topLevelItem(i).text(0) != NOT_IN_LEGEND]

    def set_legend(self, legend: SegmentationLegend | None, seg: PreparedImage | None) -> None:
        dtype = None if legend is None else seg.raw.dtype if seg is not None else stored_dtype(legend)
        key = None if legend is None else (tuple((c.name, tuple(c.color)) for c in legend.classes), str(dtype))
        self.legend = legend
        self.tree.blockSignals(True)
        if key != self._key:
            self._key = key
            self.tree.clear()
            if legend is not None:
                for c in legend.classes:
                    self.tree.addTopLevelItem(self._row(c.name, class_rgb8(c.color, dtype), str(tuple(c.color))))
                self.tree.addTopLevelItem(self._row(NOT_IN_LEGEND, UNKNOWN_CLASS_RGB, ""))
        self._set_counts(seg)
        self.tree.blockSignals(False)
        self._apply_search()

    def _row(self, name: str, rgb, stored: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name, ""])
        item.setToolTip(0, name if name == NOT_IN_LEGEND else f"{name}\nstored colour {stored}")
        pix = QPixmap(14, 14)
        pix.fill(QColor(*rgb))
        item.setIcon(0, QIcon(pix))
        if name != NOT_IN_LEGEND:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked if name in self.hidden else Qt.CheckState.Checked)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
        return item

    def _set_counts(self, seg: PreparedImage | None) -> None:
        counts = seg.class_counts if seg is not None else None
        total = seg.labels.size if seg is not None and seg.labels is not None else 0
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            n = int(counts[i]) if counts is not None and i < len(counts) else None
            item.setText(1, "" if n is None else f"{n}" if n == 0 else f"{n}  ({100.0 * n / total:.1f}%)")
            if item.text(0) == NOT_IN_LEGEND:
                item.setHidden(not n)
            else:
                item.setForeground(0, QColor(140, 140, 140) if n == 0 else self.palette().text().color())

    def _apply_search(self) -> None:
        text = self.search.text().lower()
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.text(0) != NOT_IN_LEGEND:
                item.setHidden(bool(text) and text not in item.text(0).lower())

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        name = item.text(0)
        shown = item.checkState(0) == Qt.CheckState.Checked
        self.session.view.hidden_classes = self.hidden - {name} if shown else self.hidden | {name}

    def _set_all(self, hide: bool) -> None:
        names = {self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())
                 if self.tree.topLevelItem(i).text(0) != NOT_IN_LEGEND and not self.tree.topLevelItem(i).isHidden()}
        self.session.view.hidden_classes = self.hidden | names if hide else self.hidden - names

    def _show_hidden(self, hidden: frozenset[str], *_) -> None:
        """Check boxes as the view state says (a class hidden here, or every class shown for a new dataset)."""
        self.tree.blockSignals(True)
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.text(0) != NOT_IN_LEGEND:
                item.setCheckState(0, Qt.CheckState.Unchecked if item.text(0) in hidden else Qt.CheckState.Checked)
        self.tree.blockSignals(False)


def stored_dtype(legend: SegmentationLegend) -> str:
    """The image type a legend's colours are stored in, before its image arrives: 8-bit (RGBA Perception
    legends) when every component fits, else 16-bit (Datagen). Read as 16-bit, 8-bit colours swatch black."""
    return "uint8" if all(0 <= v <= 255 for c in legend.classes for v in c.color) else "uint16"
