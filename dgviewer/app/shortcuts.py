"""Every keyboard shortcut in one table: the window builds its actions from it and ``?`` lists it.

Overlay toggle keys are not here: each reader declares them with its layers (``LayerSpec.key``)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core.layers import LayerCatalog
from ..core.model import MODALITIES

#: (action id, key sequence, menu text)
NAVIGATION = [
    ("next", "Right", "Next datapoint"),
    ("previous", "Left", "Previous datapoint"),
    ("next_camera", "PgDown", "First datapoint of next camera"),
    ("previous_camera", "PgUp", "First datapoint of previous camera"),
    ("next_scene", "Shift+PgDown", "First datapoint of next scene"),
    ("previous_scene", "Shift+PgUp", "First datapoint of previous scene"),
    ("goto_datapoint", "Ctrl+J", "Go to datapoint id…"),
]
VIEW = [
    ("fit", "Home", "Fit image to window"),
    ("one_to_one", "0", "Zoom 1:1 (one image pixel per screen pixel)"),
    ("labels", "I", "Labels (point indices, box classes) on visible layers"),
    ("goto_landmark", "Ctrl+G", "Go to landmark…"),
    ("depth_auto", "A", "Depth: auto range"),
    ("grid", "T", "Thumbnail grid"),
]
FILE = [
    ("open", "Ctrl+O", "Open folder…"),
    ("open_url", "Ctrl+Shift+O", "Open URL…"),
    ("reload", "F5", "Reload from disk"),
    ("save_png", "Ctrl+S", "Save view as PNG…"),
    ("filter", "Ctrl+F", "Filter datapoints"),
    ("quit", "Ctrl+Q", "Quit"),
]
#: Review decisions on the current datapoint (saved at once, beside the dataset).
REVIEW = [
    ("review_pass", "P", "Pass"),
    ("review_fail", "F", "Fail"),
    ("review_flag", "R", "Flag with a reason…"),
    ("review_clear", "Backspace", "Clear the decision"),
    ("next_unreviewed", "N", "Next unreviewed datapoint"),
]
#: Undo stays out of the review bar's buttons: it changes the last decided datapoint, not the current one.
REVIEW_UNDO = [("review_undo", "Ctrl+Z", "Undo the last decision")]
#: Sequences (HIC frames, Perception steps); Space is free: review keys are letters and Backspace.
PLAYBACK = [
    ("play", "Space", "Play / pause the sequence"),
    ("slower", "[", "Slower playback"),
    ("faster", "]", "Faster playback"),
]
HELP = [("shortcuts", "?", "Keyboard shortcuts")]


def modality_keys() -> list[tuple[str, str]]:
    """(key, modality): 1–7 in the switcher's order."""
    return [(str(i + 1), m) for i, m in enumerate(MODALITIES)]


def help_html(layers: LayerCatalog) -> str:
    """The shortcut sheet; overlay keys are those the open dataset's readers declare."""
    rows = []

    def section(title, items):
        rows.append(f"<tr><td colspan=2><b>{title}</b></td></tr>")
        rows.extend(f"<tr><td><code>{k}</code></td><td>{t}</td></tr>" for k, t in items)

    section("Datapoints", [(k, t) for _, k, t in NAVIGATION])
    section("Playback", [(k, t) for _, k, t in PLAYBACK])
    section("Modalities", modality_keys())
    section("Review", [(k, t) for _, k, t in REVIEW + REVIEW_UNDO])
    section("Overlays", [(k, t) for k, t, _ in layers.toggles()])
    section("View", [(k, t) for _, k, t in VIEW] + [("wheel / drag", "zoom / pan")])
    section("Thumbnail grid", [("click", "make a datapoint current"), ("Enter / double-click", "open it on the canvas"),
                               ("Ctrl+wheel", "thumbnail size")])
    section("File", [(k, t) for _, k, t in FILE] + [(k, t) for _, k, t in HELP])
    return "<table cellspacing=4>" + "".join(rows) + "</table>"


class ShortcutsDialog(QDialog):
    def __init__(self, layers: LayerCatalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        label = QLabel(help_html(layers))
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setMargin(8)
        # The sheet is taller than a laptop screen: it scrolls, and the dialog stays on the screen.
        scroll = QScrollArea()
        scroll.setWidget(label)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        height = label.sizeHint().height() + 4
        if screen is not None:
            height = min(height, int(screen.availableGeometry().height() * 0.8))
        bar = scroll.verticalScrollBar().sizeHint().width()
        self.resize(label.sizeHint().width() + bar + 4, height)
