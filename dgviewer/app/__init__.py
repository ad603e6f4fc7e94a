"""The Qt viewer: a thin layer that asks core for data through a worker pool and draws it.

Importing this package pins pyqtgraph to PySide6 and sets the options every
widget here assumes (row-major images, no OpenGL: the offscreen platform has
none). Nothing in here knows a file format; it draws annotation types.
"""
import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402

pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)  # overlays antialias themselves
