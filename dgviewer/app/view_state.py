"""What the user chose to see, independent of which datapoint is shown (glue-style state object)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .display import DEPTH_COLORMAP, Look
from .overlays.style import LayerStyle, default_style, default_styles


@dataclass
class ViewState:
    modality: str = "visible"
    styles: dict[str, LayerStyle] = field(default_factory=default_styles)
    hidden_classes: set[str] = field(default_factory=set)  # segmentation classes switched off
    depth_levels: tuple[float, float] | None = None  # None: each image's auto range
    depth_colormap: str = DEPTH_COLORMAP

    def look(self, modality: str) -> Look:
        """How a metric image of ``modality`` is coloured now (the depth range applies to depth only)."""
        return Look(self.depth_colormap, self.depth_levels if modality == "depth" else None)

    def style(self, layer: str) -> LayerStyle:
        if layer not in self.styles:
            self.styles[layer] = default_style(layer)
        return self.styles[layer]
