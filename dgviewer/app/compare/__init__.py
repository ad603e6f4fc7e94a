"""Linked compare views: the modalities of one datapoint, or one datapoint in two versions of a dataset."""
from .view import CompareView

__all__ = ["CompareView"]
