"""Datagen faces/identities (every era) and Humans-in-Context datasets."""
from __future__ import annotations

from ..base import IndexContext, Reader
from . import checks as _checks
from . import index as _index
from .facts import FACTS
from .layers import LAYERS


class DatagenReader(Reader):
    name = "datagen"
    listing_cache = True  # a million datapoints take minutes to list, three stats each to check
    parallel_listing = True
    hint = "Datagen scene_*/environment_*/datapoint_* folders"
    layers = LAYERS
    facts = FACTS
    checks = _checks.CHECKS
    check = staticmethod(_checks.check)
    check_dataset = staticmethod(_checks.check_dataset)

    @classmethod
    def detect(cls, root: str) -> bool:
        return _index.detect(root)

    def index(self, ctx: IndexContext):
        return _index.index(ctx)

