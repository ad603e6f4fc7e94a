"""The small interface every format reader implements.

A reader recognises a folder (``detect``) and indexes it into Scene/Camera/
Datapoint nodes (``index``) from directory listings and small JSON only; its
Datapoint subclasses decode pixels and annotations on demand. Third-party
readers plug in through the ``dgviewer.formats`` entry-point group with a
class of this shape.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.cache import ByteCache
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

    @classmethod
    def detect(cls, root: str) -> bool:
        """True when ``root`` looks like a dataset of this format. Must be cheap."""
        raise NotImplementedError

    def index(self, ctx: IndexContext) -> list[Scene]:
        """The scenes of ``ctx.root``; raise NotADatasetError when it turns out not to be one."""
        raise NotImplementedError
