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

from dataclasses import dataclass, field

from ..core.cache import ByteCache
from ..core.layers import LayerSpec
from ..core.model import Problem, Scene


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

    def index(self, ctx: IndexContext) -> list[Scene]:
        """The scenes of ``ctx.root``; raise NotADatasetError when it turns out not to be one."""
        raise NotImplementedError
