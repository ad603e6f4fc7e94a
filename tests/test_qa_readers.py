"""QA runs the checks a reader declares, found through the registry, plus the canonical ones every datapoint gets."""
from __future__ import annotations

import numpy as np
import pytest

import dgviewer
from dgviewer.core.annotations import Annotations, KeypointSet
from dgviewer.core.findings import ERROR, Check
from dgviewer.core.model import Datapoint, Scene
from dgviewer.formats.base import Reader
from dgviewer.formats.registry import register, unregister
from dgviewer.qa import CHECKS, run_checks

ODD = Check("points-odd", ERROR, "a point set with an odd number of points")


class _Points(Datapoint):
    def _annotations(self) -> Annotations:
        xy = np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, 5.0]])
        return Annotations([KeypointSet("points", "three", ["a", "b", "c"], xy)])


class SilentReader(Reader):
    """A format that declares no checks: its datapoints still get the canonical ones."""

    name = "points-silent"

    @classmethod
    def detect(cls, root: str) -> bool:
        return root.endswith("points")

    def index(self, ctx):
        scene = Scene("scene", ctx.dataset_name, path=ctx.root)
        cam = scene.camera("cam")
        dp = _Points(f"{ctx.dataset_name}/scene/cam/0", cam, "0", ())
        dp.format = self.name
        cam.add(dp)
        return [scene]


class CheckingReader(SilentReader):
    name = "points-checking"
    checks = (ODD,)

    @classmethod
    def check(cls, ctx) -> None:
        for ks in ctx.annotations.of_type(KeypointSet):
            if len(ks) % 2:
                ctx.out.add("points-odd", f"{ks.name} has {len(ks)} points", layer=ks.layer)


@pytest.fixture
def points(tmp_path):
    root = tmp_path / "points"
    root.mkdir()
    return root


@pytest.mark.parametrize("reader, checks", [(SilentReader, {"landmark-nan"}),
                                            (CheckingReader, {"landmark-nan", "points-odd"})])
def test_declared_and_canonical_checks_run(points, reader, checks):
    assert "points-odd" not in CHECKS
    register(reader)
    try:
        assert ("points-odd" in CHECKS) == bool(reader.checks)  # the catalogue is the registry's, live
        result = run_checks(dgviewer.load(points, format=reader.name))
        assert {f.check for f in result.findings} == checks
        assert result.counts().get("points-odd", 0) == (1 if reader.checks else 0)
    finally:
        unregister(reader)
    assert "points-odd" not in CHECKS
