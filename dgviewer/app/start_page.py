"""What the window shows before a dataset is open: an Open button, the recent datasets, and what happened.

``dgviewer`` with no folder (how a desktop menu entry starts it) opens here instead of exiting.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from .session import Session

_PATHS_ROLE = Qt.ItemDataRole.UserRole


class StartPage(QWidget):
    open_clicked = Signal()
    recent_chosen = Signal(list)  # the folders of a recent entry

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel("<h2>dgviewer</h2>Open a Datagen or Unity Perception dataset folder "
                       "(or drop one on this window).")
        title.setWordWrap(True)
        button = QPushButton("Open folder…  (Ctrl+O)")
        button.clicked.connect(self.open_clicked)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recent = QListWidget()
        self.recent.itemActivated.connect(lambda item: self.recent_chosen.emit(item.data(_PATHS_ROLE)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        for w in (title, button, self.state, QLabel("Recent datasets (double-click or Enter to open):"), self.recent):
            layout.addWidget(w)
        session.opening.connect(lambda paths: self._say("Opening " + ", ".join(paths) + " …"))
        session.open_failed.connect(lambda message: self._say(f"Could not open the dataset.\n{message}", error=True))

    def set_recent(self, entries: list[list[str]]) -> None:
        self.recent.clear()
        for paths in entries:
            item = QListWidgetItem(" + ".join(os.path.basename(p) or p for p in paths))
            item.setToolTip("\n".join(paths))
            item.setData(_PATHS_ROLE, paths)
            self.recent.addItem(item)

    def _say(self, text: str, error: bool = False) -> None:
        self.state.setStyleSheet("color: #d33" if error else "color: gray")
        self.state.setText(text)
