"""The thumbnail grid (View ▸ Thumbnail grid, ``T``): the filtered datapoints as thumbnails in place of the picture.

panel: the widget and how it follows the session · model: the order as lines of cells · delegate: one
cell's painting and badges · thumbs: the memory cache and the requests to the worker pool ·
thumbnail: drawing one (worker thread) · disk: the on-disk cache in the user cache folder.
"""
from .panel import GridPanel

__all__ = ["GridPanel"]
