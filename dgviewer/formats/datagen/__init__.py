"""Datagen faces/identities (every era) and Humans-in-Context datasets."""
from __future__ import annotations

from ..base import IndexContext, Reader
from . import index as _index
from .facts import FACTS
from .layers import LAYERS


class DatagenReader(Reader):
    name = "datagen"
    hint = "Datagen scene_*/environment_*/datapoint_* folders"
    layers = LAYERS
    facts = FACTS

    @classmethod
    def detect(cls, root: str) -> bool:
        return _index.detect(root)

    def index(self, ctx: IndexContext):
        return _index.index(ctx)
