"""How one overlay layer is drawn: the state the layer panel edits and the painter reads."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ...core.layers import LayerSpec


@dataclass(frozen=True)
class LayerStyle:
    visible: bool = False
    opacity: float = 1.0  # 0..1
    marker_size: float = 5.0  # diameter in screen pixels (export: image pixels)
    labels: bool = False  # index labels next to points
    color: tuple[int, int, int] = (255, 255, 255)

    def with_(self, **changes) -> LayerStyle:
        return replace(self, **changes)


def default_style(spec: LayerSpec) -> LayerStyle:
    """The style a layer starts with: what its reader declared."""
    return LayerStyle(visible=spec.visible, opacity=spec.opacity, marker_size=spec.marker_size, color=spec.color,
                      labels=spec.labels)
