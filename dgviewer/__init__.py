"""dgviewer: view and check synthetic human-centric datasets (Datagen, Unity Perception).

    import dgviewer
    ds = dgviewer.load("/data/faces", "/data/more")   # like the Datagen SDK's dg.load
    for dp in ds: ...
"""
from .core.errors import DataError, DgviewerError, NotADatasetError
from .formats.registry import load
from .core.model import Camera, Datapoint, Dataset, Problem, Scene

__version__ = "0.1.0"  # the one version string (pyproject.toml reads it)
__all__ = ["load", "Dataset", "Scene", "Camera", "Datapoint", "Problem",
           "DgviewerError", "DataError", "NotADatasetError", "__version__"]
