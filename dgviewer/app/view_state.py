"""What the user chose to see, independent of which datapoint is shown (glue-style state object)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.display import DEPTH_COLORMAP, Look
from ..core.layers import LayerCatalog
from ..formats.registry import layer_catalog
from .overlays.style import LayerStyle, default_style


@dataclass
class ViewState:
    modality: str = "visible"
    #: The open dataset's layer declarations (every known reader's until one is open).
    layers: LayerCatalog = field(default_factory=layer_catalog)
    styles: dict[str, LayerStyle] = field(default_factory=dict)  # filled from ``layers`` on first use
    hidden_classes: set[str] = field(default_factory=set)  # segmentation classes switched off
    depth_levels: tuple[float, float] | None = None  # None: each image's auto range
    depth_colormap: str = DEPTH_COLORMAP

    def look(self, modality: str) -> Look:
        """How a metric image of ``modality`` is coloured now (the depth range applies to depth only)."""
        return Look(self.depth_colormap, self.depth_levels if modality == "depth" else None)

    def style(self, layer: str) -> LayerStyle:
        if layer not in self.styles:
            self.styles[layer] = default_style(self.layers.spec(layer))
        return self.styles[layer]

    def is_image_layer(self, layer: str) -> bool:
        return self.layers.spec(layer).image
