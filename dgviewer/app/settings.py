"""Persistent user settings (QSettings): recent datasets, window layout, cache budget, review advance."""
from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QSettings

from ..core.cache import DEFAULT_BYTES

MAX_RECENT = 10


class Settings:
    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "dgviewer", "dgviewer")

    def recent(self) -> list[list[str]]:
        """Recently opened datasets, newest first; each entry is the list of folders opened together."""
        try:
            value = json.loads(self.q.value("recent", "[]"))
        except (TypeError, ValueError):
            return []
        return [list(map(str, e)) for e in value if isinstance(e, list) and e]

    def add_recent(self, paths: list[str]) -> None:
        entries = [paths] + [e for e in self.recent() if e != paths]
        self.q.setValue("recent", json.dumps(entries[:MAX_RECENT]))

    def clear_recent(self) -> None:
        self.q.setValue("recent", "[]")

    @property
    def cache_bytes(self) -> int:
        try:
            return max(64 << 20, int(self.q.value("cache/bytes", DEFAULT_BYTES)))
        except (TypeError, ValueError):
            return DEFAULT_BYTES

    @cache_bytes.setter
    def cache_bytes(self, value: int) -> None:
        self.q.setValue("cache/bytes", int(value))

    @property
    def advance_after_review(self) -> bool:
        """Whether a pass, fail or flag moves on to the next datapoint (on unless switched off)."""
        return str(self.q.value("review/advance", "true")).lower() not in ("false", "0")

    @advance_after_review.setter
    def advance_after_review(self, on: bool) -> None:
        self.q.setValue("review/advance", "true" if on else "false")

    def window_layout(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self.q.value("window/geometry"), self.q.value("window/state")

    def save_window_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)
        self.q.sync()
