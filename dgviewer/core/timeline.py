"""A scene's capture timeline: which camera captured at which step and simulated time.

Sensors running at different rates make an irregular pattern. With
Perception's example of two sensors every 2 and every 3 time units, the
captures fall at 0, 2, 3, 4, 6, 8, 9, …; each distinct time is one step, and a
step holds one or both sensors. The GUI draws one lane per camera and puts a
clickable tick at each capture.

Format-neutral: it reads only datapoint ``meta["step"]`` (int; else
``meta["frame"]``, a sequence's frame number) and ``meta["timestamp"]``
(seconds, or None when the data has none, as in pre-1.0 SOLO). Datapoints
without either (single Datagen images) are left out.

    tl = capture_timeline(scene)
    for camera, ticks in tl.lanes.items():
        for tick in ticks:
            draw(tl.position(tick), camera, on_click=tick.datapoint)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .model import Datapoint, Scene


@dataclass(frozen=True)
class Tick:
    camera: str
    step: int
    time: float | None  # seconds since the sequence began
    datapoint: Datapoint


@dataclass(frozen=True)
class Timeline:
    #: Camera name → its captures in step order (cameras in the scene's order).
    lanes: dict[str, list[Tick]]

    # Each fact is computed once (cached): the widget asks for them per tick on every paint, and
    # recomputing them there made showing a 1,000-capture sequence take minutes.
    @cached_property
    def _by_step(self) -> dict[int, list[Tick]]:
        out: dict[int, list[Tick]] = {}
        for lane in self.lanes.values():
            for t in lane:
                out.setdefault(t.step, []).append(t)
        return dict(sorted(out.items()))

    @cached_property
    def steps(self) -> list[int]:
        """Every step at least one camera captured in, ascending."""
        return list(self._by_step)

    @cached_property
    def uses_time(self) -> bool:
        """True when every capture has a time, so the axis can be simulated seconds rather than steps."""
        ticks = [t for lane in self.lanes.values() for t in lane]
        return bool(ticks) and all(t.time is not None for t in ticks)

    @cached_property
    def span(self) -> tuple[float, float]:
        """The first and last position on the axis ((0, 1) for an empty timeline)."""
        positions = [self.position(t) for lane in self.lanes.values() for t in lane]
        return (min(positions), max(positions)) if positions else (0.0, 1.0)

    def position(self, tick: Tick) -> float:
        """Where ``tick`` sits on the axis: its time when :attr:`uses_time`, else its step."""
        return float(tick.time) if self.uses_time else float(tick.step)

    def at_step(self, step: int) -> list[Tick]:
        """The captures taken together at ``step`` (one per camera that captured then)."""
        return list(self._by_step.get(step, ()))


def capture_timeline(scene: Scene) -> Timeline:
    lanes: dict[str, list[Tick]] = {}
    for camera in scene.cameras:
        ticks = []
        for dp in camera:
            step = sequence_step(dp)
            if step is not None:
                time = dp.meta.get("timestamp")
                ticks.append(Tick(camera.name, step, float(time) if isinstance(time, (int, float)) else None, dp))
        if ticks:
            lanes[camera.name] = sorted(ticks, key=lambda t: t.step)
    return Timeline(lanes)


def sequence_step(dp: Datapoint) -> int | None:
    """Where ``dp`` sits in its sequence (its step, else its frame number), or None when it is no sequence's."""
    for key in ("step", "frame"):
        step = dp.meta.get(key)
        if isinstance(step, int) and not isinstance(step, bool):
            return step
    return None
