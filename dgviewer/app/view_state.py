"""What the user chose to see, independent of which datapoint is shown: an evented state object.

Every field emits ``view.events.<field>(new, old)`` when it is assigned a different
value, and panels, the canvas and the session bind to those events instead of
being re-synced by hand. Fields are replaced, never mutated in place (``styles``
through :meth:`ViewState.set_style`, ``hidden_classes`` as a new frozenset), so
every change is seen.

Why psygnal: it is Qt-free, so the state and the session that owns it run and are
tested headless (no QApplication, no event loop: callbacks run synchronously); it is
already a dependency, and its evented dataclass is the glue-style "state object with
callbacks by name" in a few lines. glue's echo is the alternative; it would add a
dependency that brings its own Qt glue for what psygnal does here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from psygnal import evented

from ..core.display import DEPTH_COLORMAP, Look
from ..core.layers import LayerCatalog
from ..formats.registry import layer_catalog
from .overlays.style import LayerStyle, default_style


@evented
@dataclass
class ViewState:
    modality: str = "visible"
    #: The open dataset's layer declarations (every known reader's until one is open).
    layers: LayerCatalog = field(default_factory=layer_catalog)
    #: Styles the user changed; any other layer is drawn as its reader declared (``style``).
    styles: dict[str, LayerStyle] = field(default_factory=dict)
    hidden_classes: frozenset[str] = frozenset()  # segmentation classes switched off
    depth_levels: tuple[float, float] | None = None  # None: each image's auto range
    depth_colormap: str = DEPTH_COLORMAP

    def look(self, modality: str) -> Look:
        """How a metric image of ``modality`` is coloured now (the depth range applies to depth only)."""
        return Look(self.depth_colormap, self.depth_levels if modality == "depth" else None)

    def style(self, layer: str) -> LayerStyle:
        style = self.styles.get(layer)
        return style if style is not None else default_style(self.layers.spec(layer))

    def set_style(self, layer: str, **changes) -> None:
        self.set_styles({layer: self.style(layer).with_(**changes)})

    def set_styles(self, styles: dict[str, LayerStyle]) -> None:
        """Change several layers' styles at once (one event)."""
        self.styles = {**self.styles, **styles}

    def follow_dataset(self, layers: LayerCatalog) -> None:
        """A dataset opened: its readers' layers with their declared styles, every class shown, auto depth range."""
        self.layers = layers
        self.styles = {}
        self.hidden_classes = frozenset()
        self.depth_levels = None

    def unless_bare(self, present) -> None:
        """A dataset's first annotations: when none of their layers is on, switch on their point and box
        layers (not the translucent segmentation ones), so a dataset whose layers start off does not open bare."""
        if present and not any(self.style(n).visible for n in present):
            self.set_styles({n: self.style(n).with_(visible=True) for n in present if not self.layers.spec(n).image})
