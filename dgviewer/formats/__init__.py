"""Format readers. Built-in ones are listed here; others come from the
``dgviewer.formats`` entry-point group."""
from __future__ import annotations

import importlib

#: "module:Class" of the built-in readers, tried in this order.
BUILTIN = [
    "dgviewer.formats.datagen:DatagenReader",
    "dgviewer.formats.perception:SoloReader", "dgviewer.formats.perception:LegacyReader",
]


def _load(spec: str):
    module, _, cls = spec.partition(":")
    return getattr(importlib.import_module(module), cls)


def readers() -> list:
    """Reader classes: built-ins first, then plug-ins."""
    found = [_load(s) for s in BUILTIN]
    try:
        from importlib.metadata import entry_points

        for ep in entry_points(group="dgviewer.formats"):
            if ep.value not in BUILTIN:
                found.append(ep.load())
    except Exception:  # a broken plug-in must not stop built-in formats from opening
        pass
    return found
