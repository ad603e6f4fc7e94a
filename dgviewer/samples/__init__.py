"""Synthetic sample datasets for tests, demos and benchmarks (Qt-free).

``write_sample(out, variant, size, seed)`` writes a deterministic Datagen
dataset of one format era; see :mod:`.datagen`.
"""
from .datagen import VARIANTS, write_sample

__all__ = ["VARIANTS", "write_sample"]
