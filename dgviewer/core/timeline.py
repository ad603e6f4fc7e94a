"""A scene's capture timeline: which camera captured at which step and simulated time.

Sensors running at different rates make an irregular pattern. With
Perception's example of two sensors every 2 and every 3 time units, the
captures fall at 0, 2, 3, 4, 6, 8, 9, …; each distinct time is one step, and a
step holds one or both sensors. The GUI draws one lane per camera and puts a
clickable tick at each capture.

Format-neutral: it reads only datapoint ``meta["step"]`` (int) and
``meta["timestamp"]`` (seconds, or None when the data has none, as in pre-1.0
SOLO). Datapoints without a step (Datagen) are left out.

    tl = capture_timeline(scene)
    for camera, ticks in tl.lanes.items():
        for tick in ticks:
            draw(tl.position(tick), camera, on_click=tick.datapoint)
"""
from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def steps(self) -> list[int]:
        """Every step at least one camera captured in, ascending."""
        return sorted({t.step for lane in self.lanes.values() for t in lane})

    @property
    def uses_time(self) -> bool:
        """True when every capture has a time, so the axis can be simulated seconds rather than steps."""
        ticks = [t for lane in self.lanes.values() for t in lane]
        return bool(ticks) and all(t.time is not None for t in ticks)

    def position(self, tick: Tick) -> float:
        """Where ``tick`` sits on the axis: its time when :attr:`uses_time`, else its step."""
        return float(tick.time) if self.uses_time else float(tick.step)

    def at_step(self, step: int) -> list[Tick]:
        """The captures taken together at ``step`` (one per camera that captured then)."""
        return [t for lane in self.lanes.values() for t in lane if t.step == step]


def capture_timeline(scene: Scene) -> Timeline:
    lanes: dict[str, list[Tick]] = {}
    for camera in scene.cameras:
        ticks = []
        for dp in camera:
            step = dp.meta.get("step")
            if isinstance(step, int) and not isinstance(step, bool):
                time = dp.meta.get("timestamp")
                ticks.append(Tick(camera.name, step, float(time) if isinstance(time, (int, float)) else None, dp))
        if ticks:
            lanes[camera.name] = sorted(ticks, key=lambda t: t.step)
    return Timeline(lanes)
