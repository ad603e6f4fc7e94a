"""The one interface every format reader implements.

A reader recognises a folder (``detect``) and indexes it into Scene/Camera/
Datapoint nodes (``index``) from directory listings and small JSON only; its
Datapoint subclasses decode pixels and annotations on demand. It also
*declares* what the rest of the program needs to know about the format: its
overlay layers (look and toggle keys) and its filterable facts, so that a new
format needs no change outside its own package. Third-party readers plug in
through the ``dgviewer.formats`` entry-point group (or
:func:`dgviewer.formats.registry.register`) with a class of this shape.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..core.cache import ByteCache
from ..core.layers import LayerSpec
from ..core.model import Problem, Scene

#: How far above an opened folder a dataset root is looked for (datapoint/camera/frame folders are 1–3 deep).
ENCLOSING_DEPTH = 4


@dataclass
class IndexContext:
    """What a reader gets while indexing one root folder."""

    root: str  # absolute path of the folder given to load()
    dataset_name: str  # unique display name of that folder; first part of every datapoint id
    cache: ByteCache
    options: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, file: str | None, message: str, datapoint: str | None = None) -> None:
        self.problems.append(Problem(datapoint, file, message))


class Reader:
    #: Short format name reported by ``dgviewer info`` ("datagen", "perception-solo", ...).
    name = ""
    #: What a folder of this format holds, for the message when a folder is no dataset at all.
    hint = ""
    #: The overlay layers its annotations use (see :mod:`dgviewer.core.layers`).
    layers: tuple[LayerSpec, ...] = ()
    #: Filterable facts: key → description for the filter help; its datapoints' ``facts()`` give the values
    #: (or their cheap ``meta`` does, under the same key).
    facts: dict[str, str] = {}

    @classmethod
    def detect(cls, root: str) -> bool:
        """True when ``root`` looks like a dataset of this format. Must be cheap."""
        raise NotImplementedError

    @classmethod
    def enclosing(cls, path: str) -> str | None:
        """The root of a dataset of this format that ``path`` lies inside, or None.

        Only a folder this reader does not detect is looked up (a camera or frame folder opened
        by mistake). Above the first dataset found, the walk goes on while folders are datasets
        too: a Humans-in-Context frame's scene folder reads as a dataset, and so does the
        dataset holding it. A scene folder opened on its own stays a dataset of its own.
        """
        if cls.detect(path):
            return None
        found, parent = None, os.path.normpath(path)
        for _ in range(ENCLOSING_DEPTH):
            parent, child = os.path.dirname(parent), parent
            if parent == child:
                break
            if cls.detect(parent):
                found = parent
            elif found:
                break
        return found

    def index(self, ctx: IndexContext) -> list[Scene]:
        """The scenes of ``ctx.root``; raise NotADatasetError when it turns out not to be one."""
        raise NotImplementedError
