"""Errors with one clear line for a person: which file, which key, what is wrong."""
from __future__ import annotations


class DgviewerError(Exception):
    """Base class for every error dgviewer raises on purpose."""


class NotADatasetError(DgviewerError):
    """A folder no reader recognises."""

    def __init__(self, path: str, why: str = ""):
        self.path = path
        msg = f"{path}: not a dataset folder dgviewer can read"
        super().__init__(msg + (f" ({why})" if why else ""))


class InsideDatasetError(NotADatasetError):
    """A folder inside a dataset (a scene, camera or sequence folder) opened instead of the dataset."""

    def __init__(self, path: str, root: str, format: str):
        self.root = root  # the dataset folder to open instead
        self.format = format
        DgviewerError.__init__(self, f"{path}: a folder inside the {format} dataset {root}; open that folder")
        self.path = path


class DataError(DgviewerError):
    """A file that exists (or should) but cannot be used."""

    def __init__(self, file: str, message: str, key: str | None = None):
        self.file = file
        self.key = key
        self.message = message
        where = f"{file} [{key}]" if key else file
        super().__init__(f"{where}: {message}")

    @property
    def detail(self) -> str:
        """What is wrong, with the key but not the file: the message of a problem filed under the file."""
        return f"{self.message}: {self.key}" if self.key else self.message
