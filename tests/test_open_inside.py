"""A folder inside a dataset (scene, camera, frame, sequence, legacy Dataset<guid>) names the dataset to open."""
from __future__ import annotations

import glob
import os
import shutil

import pytest

import dgviewer
from dgviewer.core.errors import InsideDatasetError, NotADatasetError
from dgviewer.samples import write_sample
from dgviewer.samples.perception import write_perception_sample

from .conftest import CORPORA


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("inside")
    out = {}
    for variant in ("datapoint", "scene", "hic"):
        out[variant] = str(root / variant)
        write_sample(out[variant], variant=variant, size=64, seed=0)
    for fmt in ("solo", "legacy"):
        out[fmt] = str(root / fmt)
        write_perception_sample(out[fmt], format=fmt)
    return out


def _inner(root: str, pattern: str) -> str:
    found = sorted(p for p in glob.glob(os.path.join(root, pattern)) if os.path.isdir(p))
    assert found, f"no {pattern} under {root}"
    return found[0]


@pytest.mark.parametrize("variant, pattern, fmt", [
    ("datapoint", "datapoint_*", "datagen"),
    ("datapoint", "datapoint_*/camera", "datagen"),
    ("scene", "scene_*/camera_*", "datagen"),
    ("hic", "scene_*/frames/*", "datagen"),
    ("solo", "sequence.*", "perception-solo"),
    ("legacy", "Dataset*", "perception-legacy"),
])
def test_inner_folder_names_its_dataset(made, variant, pattern, fmt):
    inner = _inner(made[variant], pattern)
    with pytest.raises(InsideDatasetError) as e:
        dgviewer.load(inner)
    assert e.value.root == made[variant] and e.value.format == fmt
    assert "\n" not in str(e.value) and made[variant] in str(e.value)
    assert isinstance(e.value, NotADatasetError)  # callers that catch the general error keep working
    assert len(dgviewer.load(e.value.root)) > 0  # and what it names opens


def test_a_scene_folder_that_is_a_dataset_opens_alone(made, tmp_path):
    """A Humans-in-Context scene folder (frames/ inside) is a dataset of its own, copied out or not."""
    scene = _inner(made["hic"], "scene_*")
    assert len(dgviewer.load(scene)) == len(dgviewer.load(made["hic"]))
    alone = shutil.copytree(scene, tmp_path / "copied" / os.path.basename(scene))
    assert len(dgviewer.load(str(alone))) == len(dgviewer.load(made["hic"]))


def test_cli_info_on_an_inner_folder_says_which_folder_to_open(made, capsys):
    from dgviewer.cli import main

    inner = _inner(made["scene"], "scene_*/camera_*")
    assert main(["info", inner]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and made["scene"] in err[0] and "open that folder" in err[0]


@pytest.mark.parametrize("dataset, pattern", [
    ("datagen/2023-01_faces_ir", "datapoint_*/camera"),
    ("datagen/2023-01_hic_home_security", "scene_*/frames/*"),
    ("perception/solo_pysolotools-tests-solo", "sequence.*"),
    ("perception/legacy-mock_perception-docs-simrun", "Dataset*"),
])
def test_corpus_inner_folders(dataset, pattern):
    root = CORPORA / dataset
    if not root.is_dir():
        pytest.skip(f"corpus not available: {root}")
    with pytest.raises(InsideDatasetError) as e:
        dgviewer.load(_inner(str(root), pattern))
    assert e.value.root == str(root)


def test_nested_roots_are_refused_together(made):
    scene = _inner(made["hic"], "scene_*")  # a dataset in its own right, but inside another one
    with pytest.raises(NotADatasetError, match="nested"):
        dgviewer.load(made["hic"], scene)
    assert len(dgviewer.load(made["hic"], made["hic"])) == 2 * len(dgviewer.load(made["hic"]))
