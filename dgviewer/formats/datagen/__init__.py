"""Datagen faces/identities (every era) and Humans-in-Context datasets."""
from __future__ import annotations

from ..base import IndexContext, Reader
from . import index as _index


class DatagenReader(Reader):
    name = "datagen"

    @classmethod
    def detect(cls, root: str) -> bool:
        return _index.detect(root)

    def index(self, ctx: IndexContext):
        return _index.index(ctx)
