"""A progress bar on stderr for the long commands (validate, render)."""
from __future__ import annotations

import time
from typing import IO


class ProgressBar:
    """``[#####.....] 42% 4200/10000 3.1 s`` on a terminal, redrawn at most ten times a second; silent otherwise."""

    def __init__(self, stream: IO[str], label: str):
        self.stream, self.label = stream, label
        self.live = stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.live or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}% "
                          f"{done}/{total} {now - self.started:.1f} s")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()
