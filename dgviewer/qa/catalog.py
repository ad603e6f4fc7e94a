"""``CHECKS``: every check by its stable name, as the format registry lists them now (used in reports,
``finding=`` filters, ``--checks`` and the QA panel)."""
from __future__ import annotations

from typing import Iterator, Mapping

from ..core.findings import Check
from ..formats.registry import check_catalog


class _Catalog(Mapping[str, Check]):
    """A live view of :func:`dgviewer.formats.registry.check_catalog`: readers registered later are in it."""

    def __getitem__(self, name: str) -> Check:
        return check_catalog()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(check_catalog())

    def __len__(self) -> int:
        return len(check_catalog())

    def __repr__(self) -> str:
        return f"CHECKS({', '.join(self)})"


CHECKS: Mapping[str, Check] = _Catalog()
