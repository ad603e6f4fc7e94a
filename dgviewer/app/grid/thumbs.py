"""The grid's thumbnails: a bounded memory cache on the GUI thread, filled by the session's worker pool.

Only the rows on screen are asked for: each request replaces the grid's queue in the pool (its own
group, so the canvas's jobs stay queued), and rows scrolled away are dropped before they start. A
change of look (overlays, modality, colours, size) starts a new generation: results of the previous
one are dropped when they arrive.
"""
from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ...core.model import Datapoint
from ..session import Session
from .disk import ThumbDisk
from .thumbnail import ThumbSpec, make_thumbnail

#: Bytes of thumbnails held in memory: ~1200 at 160 px, a dozen screens of them.
MEMORY_BYTES = 96 << 20
#: Below every job of the canvas (the current datapoint and its neighbours come first).
PRIORITY = 0
GROUP = "grid"


class Thumbnails(QObject):
    arrived = Signal(object)  # the Datapoint whose thumbnail (or failure) is in

    def __init__(self, session: Session, disk: ThumbDisk | None = None, memory_bytes: int = MEMORY_BYTES,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.disk = disk if disk is not None else ThumbDisk()
        self.memory_bytes = memory_bytes
        self.spec: ThumbSpec | None = None
        self.made = 0  # thumbnails that arrived from the workers (for the benchmark)
        self._generation = 0
        self._items: OrderedDict[str, QImage | str] = OrderedDict()  # id → thumbnail, or why there is none
        self._bytes = 0
        self._asked: dict[str, Datapoint] = {}  # the datapoints of the last request, by id
        session.loader.signals.done.connect(self._done)
        session.loader.signals.failed.connect(self._failed)

    def set_spec(self, spec: ThumbSpec) -> bool:
        """Draw thumbnails with ``spec`` from now on; True when that changes them (the old ones are dropped)."""
        if spec == self.spec:
            return False
        self.spec = spec
        self.clear()
        return True

    def clear(self) -> None:
        """Drop every thumbnail held and every request queued (another dataset, another look)."""
        self._generation += 1
        self._items.clear()
        self._bytes = 0
        self._asked = {}
        self.session.loader.focus([], GROUP)

    def get(self, dp: Datapoint) -> QImage | str | None:
        """The thumbnail of ``dp``, or a message saying why it has none, or None while it is not made."""
        item = self._items.get(dp.id)
        if item is not None:
            self._items.move_to_end(dp.id)
        return item

    def request(self, dps: list[Datapoint]) -> None:
        """Make the thumbnails of ``dps`` (those on screen, in the order to make them) that are not held;
        earlier requests not among them are dropped."""
        spec, disk, generation = self.spec, self.disk, self._generation
        wanted = [dp for dp in dps if dp.id not in self._items] if spec is not None else []
        self._asked = {dp.id: dp for dp in wanted}
        self.session.loader.focus([(("thumb", dp.id, generation), lambda dp=dp: make_thumbnail(dp, spec, disk),
                                    PRIORITY) for dp in wanted], GROUP)

    def _done(self, key: tuple, value) -> None:
        if key[0] == "thumb" and key[2] == self._generation:
            self.made += 1
            self._store(key[1], value if value is not None else "no image")

    def _failed(self, key: tuple, message: str, _details: str) -> None:
        if key[0] == "thumb" and key[2] == self._generation:
            self._store(key[1], message)

    def _store(self, dp_id: str, item: QImage | str) -> None:
        old = self._items.pop(dp_id, None)
        self._bytes -= _size(old)
        self._items[dp_id] = item
        self._bytes += _size(item)
        while self._bytes > self.memory_bytes and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= _size(dropped)
        dp = self._asked.get(dp_id)
        if dp is not None:  # else scrolled away since (its job was running): kept, nothing to repaint
            self.arrived.emit(dp)


def _size(item) -> int:
    return item.sizeInBytes() if isinstance(item, QImage) else 0 if item is None else 64
