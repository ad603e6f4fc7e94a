"""What a render run draws: the image under the overlays and every layer's style, the same for each datapoint."""
from __future__ import annotations

from dataclasses import dataclass

from ...core.errors import DgviewerError


@dataclass(frozen=True)
class Drawing:
    """The same for every datapoint of a run."""

    modality: str | None  # None: the viewer's choice (visible, else the datapoint's first image)
    layers: dict  # every layer name → LayerStyle; only the chosen ones are visible
    legend: bool = False
    #: Shrink markers on images smaller than MARKER_REFERENCE_PX (unless a size was asked for): at
    #: their on-screen size, markers cover a 128 px face.
    scale_markers: bool = True

    def styles_for(self, width: int, height: int) -> dict:
        scale = min(1.0, max(width, height) / MARKER_REFERENCE_PX)
        if not self.scale_markers or scale == 1.0:
            return self.layers
        return {k: s.with_(marker_size=max(1.0, s.marker_size * scale)) for k, s in self.layers.items()}


#: Image size at which markers keep the size they have on screen.
MARKER_REFERENCE_PX = 512


def layer_styles(catalog, overlays: str | None, labels: bool = False, opacity: float | None = None,
                 marker_size: float | None = None) -> dict:
    """A full layer → LayerStyle mapping: the named layers on and every other layer off.

    overlays: comma-separated layer names, "all", "none", or None for the viewer's defaults.
    render_annotated falls back to the viewer's defaults for layers it is not given, so all are given.
    """
    from ..overlays.style import default_style

    LAYERS = list(catalog)
    styles = {name: default_style(catalog.spec(name)) for name in LAYERS}
    if overlays is not None:
        names = {n.strip() for n in overlays.split(",") if n.strip()}
        if names == {"all"}:
            names = set(LAYERS)
        names.discard("none")
        unknown = sorted(names - set(LAYERS))
        if unknown:
            raise DgviewerError(f"unknown overlay {', '.join(unknown)}; choose from {', '.join(LAYERS)}, all, none")
        styles = {k: s.with_(visible=k in names) for k, s in styles.items()}
    changes = {"labels": True} if labels else {}
    if opacity is not None:
        changes["opacity"] = opacity
    if marker_size is not None:
        changes["marker_size"] = marker_size
    return {k: s.with_(**changes) for k, s in styles.items()}
