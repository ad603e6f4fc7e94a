"""The benchmarks' event-loop helpers. Where the GUI thread's stalls come from: a watcher thread samples the
GUI thread's stack while a heartbeat timer is late, then ``report()`` prints each stall over the threshold with
its commonest stacks. ``pump_until`` turns the event loop until a condition holds.

    watch = StallWatch(); watch.start()      # in the GUI thread, before the work to observe
    ...; watch.stop(); watch.report(50)

Samples are taken when the watcher gets the GIL: a stall spent in one long C call shows the frame after it.
"""
from __future__ import annotations

import collections
import sys
import threading
import time
import traceback

from PySide6.QtCore import QEventLoop, QTimer


def pump_until(cond, timeout: float = 60.0) -> None:
    """Run the event loop (as ``app.exec()`` does) until ``cond()``; TimeoutError after ``timeout`` seconds.

    A nested QEventLoop, not ``processEvents()`` in a loop: only a waiting loop tells the viewer it is idle
    (``aboutToBlock``), and background threads pause for it while it is not (core/courtesy.py), so a
    ``processEvents`` loop would measure a viewer whose threads never give way."""
    loop, end, late = QEventLoop(), time.perf_counter() + timeout, []

    def check() -> None:
        if cond():
            loop.quit()
        elif time.perf_counter() > end:
            late.append(True)
            loop.quit()

    poll = QTimer(interval=1)
    poll.timeout.connect(check)
    poll.start()
    QTimer.singleShot(0, check)
    loop.exec()
    poll.stop()
    if late:
        raise TimeoutError("viewer did not respond")


class StallWatch:
    def __init__(self, beat_ms: int = 5, late_ms: float = 25.0, depth: int = 7):
        self.main = threading.main_thread().ident
        self.late, self.depth = late_ms / 1000, depth
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        # (start, seconds, seconds of it the GUI thread ran, stacks): a stall the GUI thread did not run
        # through was spent waiting, for the GIL most often.
        self.stalls: list[tuple[float, float, float, collections.Counter]] = []
        self._beat = QTimer(interval=beat_ms)
        self._beat.timeout.connect(self._tick)
        self._stop = threading.Event()
        self._current: collections.Counter | None = None
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self._beat.start()
        self._thread.start()

    def stop(self) -> None:
        self._beat.stop()
        self._stop.set()
        self._thread.join()

    @property
    def longest_ms(self) -> float:
        return max((s for _, s, _, _ in self.stalls), default=0.0) * 1000

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if now - self.last > self.late and self._current is not None:
            self.stalls.append((self.last, now - self.last, cpu - self.last_cpu, self._current))
        self._current = None
        self.last, self.last_cpu = now, cpu

    def _watch(self) -> None:
        while not self._stop.wait(0.003):
            if time.perf_counter() - self.last > self.late:
                if self._current is None:
                    self._current = collections.Counter()
                self._current[self._stacks()] += 1

    def _stacks(self) -> str:
        frames = sys._current_frames()
        out = []
        for ident, frame in frames.items():
            if ident == threading.get_ident():
                continue
            stack = traceback.extract_stack(frame)[-self.depth:]
            name = "GUI" if ident == self.main else f"thread {ident % 10000}"
            out.append(f"  [{name}] " + " < ".join(f"{f.name}@{f.filename.rsplit('/', 1)[-1]}:{f.lineno}"
                                                      for f in reversed(stack)))
        return "\n".join(sorted(out, key=lambda s: not s.startswith("  [GUI]")))

    def report(self, over_ms: float = 50.0, top: int = 2) -> None:
        worst = sorted((s for s in self.stalls if s[1] * 1000 > over_ms), key=lambda s: -s[1])
        print(f"stalls over {over_ms:.0f} ms: {len(worst)} (longest {self.longest_ms:.0f} ms)")
        for _, seconds, cpu, stacks in worst[:8]:
            print(f"- {seconds * 1000:.0f} ms, the GUI thread running {cpu * 1000:.0f} ms of it; "
                  f"{sum(stacks.values())} samples")
            for stack, n in stacks.most_common(top):
                print(f" x{n}\n{stack}")
