"""Thumbnails kept on disk in the user's cache folder, so a grid scrolled once fills at once the next time.

Keyed by the image file (path, size, modification time), the datapoint and everything that changes the
drawing (overlays, size, modality, colours): an edited file or another look is a new key, never a stale
picture. JPEG (quality 90): a 160 px thumbnail is ~6 kB, so the budget holds ~80k of them. When the
folder grows past its budget the least recently used files are removed. Nothing here imports Qt.
"""
from __future__ import annotations

import hashlib
import os
import threading

import cv2
import numpy as np

from ...core.errors import DataError
from ...core.fsio import atomic_write, read_bytes, remove_least_recent, user_cache_dir

#: Bytes of thumbnails kept on disk; pruning goes down to PRUNE_TO of it, so it runs seldom.
DISK_BYTES = 512 << 20
PRUNE_TO = 0.75
#: Part of every key: a change in how thumbnails are drawn or stored makes the old files unreachable.
VERSION = "1"
_MAX_FILE = 4 << 20  # a thumbnail file larger than this is not one of ours


def default_folder() -> str:
    return os.path.join(user_cache_dir(), "thumbnails")


class ThumbDisk:
    """``get``/``put`` BGR thumbnails by key, from any thread; failures to read or write only cost a redraw."""

    def __init__(self, folder: str | None = None, max_bytes: int = DISK_BYTES):
        self.folder = folder or default_folder()
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None  # bytes in the folder, counted at the first write
        self._pruning = False

    def key(self, path: str, dp_id: str, drawing: str) -> str | None:
        """The key of a thumbnail of the image file ``path``; None when the file cannot be stat'ed."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        text = "\0".join((VERSION, os.path.abspath(path), str(st.st_size), str(st.st_mtime_ns), dp_id, drawing))
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:40]

    def _file(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key + ".jpg")  # 256 subfolders: no folder of 100k files

    def get(self, key: str) -> np.ndarray | None:
        path = self._file(key)
        try:
            data = read_bytes(path, _MAX_FILE)
            os.utime(path)  # recently used: pruned last
        except (DataError, OSError):
            return None
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # None when damaged: redrawn

    def put(self, key: str, bgr: np.ndarray) -> None:
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
        path = self._file(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            atomic_write(path, data.tobytes())
        except OSError:  # a full or read-only cache folder: the thumbnail stays in memory only
            return
        with self._lock:
            if self._total is None:
                self._total = sum(size for _, size, _ in self._files())
            else:
                self._total += len(data)
            if self._total <= self.max_bytes or self._pruning:
                return
            self._pruning = True
        try:
            self.prune()
        finally:
            with self._lock:
                self._pruning = False

    def prune(self) -> None:
        """Remove the least recently used files until the folder holds PRUNE_TO of its budget."""
        total = remove_least_recent(self._files(), int(self.max_bytes * PRUNE_TO))
        with self._lock:
            self._total = total

    def _files(self) -> list[tuple[float, int, str]]:
        """(last use, size, path) of every file in the folder (temporaries of killed writers too)."""
        out = []
        try:
            subs = [e.path for e in os.scandir(self.folder) if e.is_dir(follow_symlinks=False)]
        except OSError:
            return out
        for sub in subs:
            try:
                entries = list(os.scandir(sub))
            except OSError:
                continue
            for e in entries:
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                out.append((st.st_mtime, st.st_size, e.path))
        return out
