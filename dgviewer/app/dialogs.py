"""The window's small dialogs: open a URL, go to a datapoint or a landmark, save the view as PNG, the cache size.

Each takes the main window and talks to its session and picture; none keeps state of its own.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog

from ..core import storage
from .export.png import save_png


def open_url(w) -> None:
    """A dataset in object storage (or any fsspec URL); credentials come from the environment, never from here."""
    text, ok = QInputDialog.getText(w, "Open URL", "Dataset URL (s3://bucket/prefix, gs://…, https://…):")
    url = text.strip()
    if not ok or not url:
        return
    if not storage.is_url(url):
        w.statusBar().showMessage(f"Not a URL: {url!r} (use File ▸ Open folder for a folder)", 8000)
        return
    w.open_paths([url])


def goto_datapoint(w) -> None:
    if w.session.dataset is None:
        return
    text, ok = QInputDialog.getText(w, "Go to datapoint", "Datapoint id:")
    if ok and not w.session.goto_id(text):
        w.statusBar().showMessage(f"No datapoint with id {text.strip()!r}", 5000)


def goto_landmark(w) -> None:
    text, ok = QInputDialog.getText(w, "Go to landmark", "Landmark label or index, optionally after a set name\n"
                                                         "(31, dense 1, ear.left 5):")
    if ok and text.strip() and not w.picture.goto_landmark(text):
        w.statusBar().showMessage(f"No landmark {text.strip()!r} on this datapoint", 5000)


def save_view(w) -> None:
    """The view at the image's native size, written atomically where the user says."""
    image = w.picture.export_image()
    if image is None:
        w.statusBar().showMessage("Nothing to save yet", 3000)
        return
    default = w.session.cur.dp.id.replace("/", "_").rsplit(".", 1)[0] + f"_{w.session.modality}.png"
    path, _ = QFileDialog.getSaveFileName(w, "Save view as PNG", default, "PNG images (*.png)")
    if not path:
        return
    try:
        save_png(path, image)
    except OSError as e:
        w.statusBar().showMessage(f"Could not write {path}: {e.strerror or e}", 8000)
    else:
        w.statusBar().showMessage(f"Saved {path}", 5000)


def cache_size(w) -> None:
    cache = w.session.cache
    mb, ok = QInputDialog.getInt(w, "Cache size", "Decoded image cache (MB):", cache.max_bytes >> 20, 64, 1 << 20)
    if ok:
        cache.resize(mb << 20)
        w.settings.cache_bytes = mb << 20
