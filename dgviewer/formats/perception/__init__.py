"""Unity Perception datasets: SOLO (``perception-solo``) and the legacy schema (``perception-legacy``).

See /work/shared/specs/perception-format.md for the formats. Both readers map
dataset → sequence (Scene) → sensor (Camera) → capture at a step (Datapoint);
datapoints add :meth:`~.datapoint.PerceptionDatapoint.metrics` and
:meth:`~.datapoint.PerceptionDatapoint.camera_model`.
"""
from .legacy import LegacyReader
from .solo import SoloReader

__all__ = ["SoloReader", "LegacyReader"]
