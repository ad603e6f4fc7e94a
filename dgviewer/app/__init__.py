"""The Qt viewer: a thin layer that asks core for data through a worker pool and draws it.

Importing this package runs :mod:`.qtapp` first, which pins pyqtgraph to PySide6 and sets the
options every widget here assumes (row-major images, no OpenGL: the offscreen platform has
none). Nothing in here knows a file format; it draws annotation types.
"""
from . import qtapp  # noqa: F401  (before any module here imports pyqtgraph)
