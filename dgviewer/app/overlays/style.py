"""How one overlay layer is drawn: the state the layer panel edits and the painter reads."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ...core.annotations import LAYERS

# Distinct, saturated colours that stay readable on skin, hair and dark backgrounds.
_COLORS: dict[str, tuple[int, int, int]] = {
    "standard": (0, 255, 128),
    "dense": (0, 200, 255),
    "head": (255, 170, 0),
    "ear": (255, 90, 200),
    "body": (255, 220, 0),
    "hands": (255, 120, 40),
    "feet": (180, 120, 255),
    "eyes": (0, 255, 255),
    "gaze": (255, 40, 40),
    "bbox": (255, 255, 255),
    "centers": (255, 0, 255),
    "boxes": (80, 255, 80),
    "boxes3d": (80, 200, 255),
    "skeleton": (255, 220, 0),
    "segmentation": (255, 255, 255),
    "instances": (255, 255, 255),
}
#: Layers shown when a dataset opens: what a reviewer checks first.
_ON_BY_DEFAULT = {"standard", "gaze", "body", "hands", "feet", "skeleton", "boxes"}
#: Translucent image layers start at this opacity so the image stays readable.
_IMAGE_LAYERS = {"segmentation", "instances"}


@dataclass(frozen=True)
class LayerStyle:
    visible: bool = False
    opacity: float = 1.0  # 0..1
    marker_size: float = 5.0  # diameter in screen pixels (export: image pixels)
    labels: bool = False  # index labels next to points
    color: tuple[int, int, int] = (255, 255, 255)

    def with_(self, **changes) -> LayerStyle:
        return replace(self, **changes)


def default_style(layer: str) -> LayerStyle:
    return LayerStyle(
        visible=layer in _ON_BY_DEFAULT,
        opacity=0.45 if layer in _IMAGE_LAYERS else 1.0,
        marker_size=3.0 if layer == "dense" else 5.0,
        color=_COLORS.get(layer, (255, 255, 255)),
    )


def default_styles() -> dict[str, LayerStyle]:
    return {name: default_style(name) for name in LAYERS}


def is_image_layer(layer: str) -> bool:
    return layer in _IMAGE_LAYERS
