"""Overlay drawing: annotations → prepared primitives (worker thread) → QPainter (canvas and export alike)."""
from .prepare import PreparedLayer, prepare_layers
from .style import LayerStyle, default_style

__all__ = ["PreparedLayer", "prepare_layers", "LayerStyle", "default_style"]
