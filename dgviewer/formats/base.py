"""The one interface every format reader implements.

A reader recognises a folder (``detect``) and indexes it into Scene/Camera/
Datapoint nodes (``index``) from directory listings and small JSON only; its
Datapoint subclasses decode pixels and annotations on demand. It also
*declares* what the rest of the program needs to know about the format: its
overlay layers (look and toggle keys), its QA checks and its filterable facts,
so that a new format needs no change outside its own package. Third-party
readers plug in through the ``dgviewer.formats`` entry-point group (or
:func:`dgviewer.formats.registry.register`) with a class of this shape.

QA checks
    Every datapoint gets the checks of the canonical model
    (:mod:`dgviewer.core.checks`: landmarks, image sizes, pixels, files). A
    reader adds its own by declaring them in ``checks`` (name, severity,
    description: the catalogue reports, filters and the QA panel list) and
    implementing ``check``, which the QA runner calls on each datapoint
    before the canonical checks, with a :class:`~dgviewer.core.checks.CheckContext`:
    it adds findings to ``ctx.out`` by check name (its own or the core ones),
    may set ``ctx.camera`` (what the canonical checks judge landmark positions
    and image sizes against; None leaves them unjudged) and may leave
    picklable ``ctx.facts`` for ``check_dataset``, which runs once per dataset
    on the reader's datapoints for checks across them. A reader's problems
    (``Datapoint.add_problem`` / ``IndexContext.problem``) become findings too:
    of the ``check`` they name, else of the file check what is on disk says.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from ..core import storage
from ..core.cache import ByteCache
from ..core.listing_helpers import Share
from ..core.layers import LayerSpec
from ..core.model import Datapoint, Problem, Scene

if TYPE_CHECKING:  # the QA vocabulary is loaded by QA, not by every `import dgviewer`
    from ..core.checks import CheckContext
    from ..core.findings import Check, Finding

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
    #: Relative ids (``<path to the camera folder>/<image>``, without the dataset name) of the datapoints
    #: wanted, when only those are (``load(only=...)``): a reader may then list just the scenes holding
    #: them. None: the whole folder.
    only: frozenset[str] | None = None
    #: How many scenes the reader expects to yield, once it knows (a progress bar's total); None: unknown.
    expected: int | None = None
    #: Which scenes of its order this lister builds, when helper processes share the listing (see
    #: :meth:`wants`); None: all.
    share: Share | None = None

    def problem(self, file: str | None, message: str, datapoint: str | None = None, check: str | None = None) -> None:
        self.problems.append(Problem(datapoint, file, message, check))

    def wants(self, position: int) -> bool | None:
        """Whether to build the scene at ``position`` (0, 1, ... in the reader's order, the same in every
        process) of a reader with ``parallel_listing``: True build it, False skip it, None stop listing
        (core/listing_helpers.py)."""
        return True if self.share is None else self.share.wants(position)


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
    #: The QA checks it adds to the canonical ones (see "QA checks" above).
    checks: tuple[Check, ...] = ()
    #: Its listings of local folders may be kept and served again while their files are unchanged
    #: (core/listing_cache.py): only for an index that lists folders with ``storage.scandir``/``listdir``/
    #: ``isdir``, reads files with ``jsonio.parse_file`` and builds picklable scenes.
    listing_cache = False
    #: A big folder's first listing may be shared with helper processes (core/listing_helpers.py), forked copies
    #: of the index going on from where it stands: only for an index that kept listings allow, and asks
    #: ``ctx.wants(position)`` before it builds each scene of its order.
    parallel_listing = False

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
        found, parent = None, storage.normpath(path)
        for _ in range(ENCLOSING_DEPTH):
            parent, child = os.path.dirname(parent), parent
            if parent == child:
                break
            if cls.detect(parent):
                found = parent
            elif found:
                break
        return found

    def index(self, ctx: IndexContext) -> Iterator[Scene]:
        """Yield the scenes of ``ctx.root``, each complete, as they are listed (a generator: the viewer shows
        the first while the rest is listed). Raise NotADatasetError, before the first scene, when it turns
        out not to be a dataset. May set ``ctx.expected`` and may honour ``ctx.only``."""
        raise NotImplementedError

    @classmethod
    def check(cls, ctx: CheckContext) -> None:
        """This format's own checks of one datapoint (see "QA checks" above); the default has none."""

    @classmethod
    def check_dataset(cls, datapoints: list[Datapoint], facts: dict[str, dict]) -> list[Finding]:
        """Checks across this reader's ``datapoints`` once each was checked; ``facts[dp.id]`` is its ``ctx.facts``."""
        return []
