"""Overlay layers as readers declare them: name, description, colour, default visibility, toggle key.

Every annotation item carries a ``layer`` name. What a layer looks like and
which key toggles it is declared by the reader that makes it (a
:class:`LayerSpec` in its ``layers``); :func:`dgviewer.formats.registry.load`
gathers the specs of the readers that opened a dataset into its
:class:`LayerCatalog`. The viewer, ``render`` and the QA report read only the
catalogue, so a new format's layers need no change outside its package. A
layer nobody declared still draws: on, in a colour of its own.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Mapping

#: Distinct, saturated colours for layers no reader declared (picked by a stable hash of the name).
_PALETTE = ((255, 99, 71), (60, 220, 120), (70, 170, 255), (255, 200, 40), (220, 100, 255),
            (0, 230, 230), (255, 140, 0), (180, 255, 60))


@dataclass(frozen=True)
class LayerSpec:
    name: str
    description: str = ""
    color: tuple[int, int, int] = (255, 255, 255)
    visible: bool = True  # on when a dataset opens
    marker_size: float = 5.0  # point diameter in screen pixels (image pixels in exports)
    key: str = ""  # toggle key; layers sharing a key toggle together
    group: str = ""  # what that key toggles, for menus and the shortcut sheet
    image: bool = False  # a translucent class image (segmentation), not points and lines
    opacity: float = 1.0
    labels: bool = False  # text labels (point indices, box classes) on when a dataset opens

    def with_(self, **changes) -> LayerSpec:
        return replace(self, **changes)


def fallback_spec(name: str) -> LayerSpec:
    color = _PALETTE[zlib.crc32(name.encode("utf-8")) % len(_PALETTE)]
    return LayerSpec(name, name, color=color, visible=True)


class LayerCatalog(Mapping[str, LayerSpec]):
    """Declared layers in declaration order; the first declaration of a name wins."""

    def __init__(self, specs: Iterable[LayerSpec] = ()):
        self._specs: dict[str, LayerSpec] = {}
        for s in specs:
            self._specs.setdefault(s.name, s)

    def __getitem__(self, name: str) -> LayerSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def spec(self, name: str) -> LayerSpec:
        """The declared spec, or a visible, coloured fallback for an undeclared layer."""
        return self._specs.get(name) or fallback_spec(name)

    def order(self, names: Iterable[str]) -> list[str]:
        """``names`` in catalogue order, undeclared ones last (sorted)."""
        names = set(names)
        return [n for n in self._specs if n in names] + sorted(names - set(self._specs))

    def toggles(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(key, what it toggles, layers) for every declared key, in declaration order."""
        out: dict[str, tuple[str, list[str]]] = {}
        for s in self._specs.values():
            if s.key:
                out.setdefault(s.key, (s.group or s.description, []))[1].append(s.name)
        return [(k, text, tuple(names)) for k, (text, names) in out.items()]

    def merged(self, other: Iterable[LayerSpec]) -> LayerCatalog:
        return LayerCatalog([*self._specs.values(), *other])
