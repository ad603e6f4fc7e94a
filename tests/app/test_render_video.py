"""``dgviewer render --video``: one file per camera with every frame, the overlays drawn where the metadata
says in each frame (issue #15)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import dgviewer
from dgviewer.cli import main

MAGENTA = np.array([255, 0, 255])  # the centres-of-geometry layer's colour
#: Largest per-channel difference from the layer colour over a 7 px marker's central 3×3: measured up to 5.4 for
#: H.264 (yuv420p halves the chroma resolution) and 0 for the GIF palette; the picture around it is far from magenta.
TOLERANCE = 24


@pytest.fixture(scope="module")
def hic(tmp_path_factory) -> str:
    from dgviewer.samples import write_sample

    return write_sample(str(tmp_path_factory.mktemp("hic") / "hic"), variant="hic", size=256, seed=0)


def _colour_at(frame: np.ndarray, xy) -> np.ndarray:
    c, r = (int(round(v)) for v in xy)
    return frame[r - 1:r + 2, c - 1:c + 2].reshape(-1, 3).mean(axis=0)


def _is_marker(frame, xy) -> bool:
    return bool(np.abs(_colour_at(frame, xy) - MAGENTA).max() <= TOLERANCE)


@pytest.mark.parametrize("ext", [".mp4", ".gif"])
def test_one_video_per_camera_with_each_frame_drawn_where_the_metadata_says(hic, tmp_path, ext, capsys):
    import imageio.v3 as iio

    out = str(tmp_path / f"clip{ext}")
    assert main(["render", hic, "--video", out, "--fps", "4", "--overlays", "centers", "--marker-size", "7"]) == 0
    ds = dgviewer.load(hic)
    cameras = {dp.camera_node for dp in ds}
    names = sorted(os.listdir(tmp_path))
    assert names == sorted(f"clip__scene_00001__{c.name}{ext}" for c in cameras)  # nothing partial left behind
    assert "4 frames" in capsys.readouterr().err
    cam = next(c for c in cameras if c.name == "media_dashboard_camera")  # its person walks ~28 px a frame
    frames = iio.imread(str(tmp_path / f"clip__scene_00001__{cam.name}{ext}"), index=None,
                        **({"plugin": "pyav"} if ext == ".mp4" else {}))
    frames = frames[..., :3]
    dps = cam.datapoints
    assert len(frames) == len(dps) == 4 and frames.shape[1:3] == (256, 256)
    centres = [dp.annotations().keypoint_set("center_of_geometry").xy for dp in dps]
    for k, frame in enumerate(frames):
        walker = centres[k][0]
        assert _is_marker(frame, walker), (k, _colour_at(frame, walker))
        for j in range(len(frames)):  # where the walker is in the other frames: no marker in this one
            other = centres[j][0]
            if j != k and np.linalg.norm(centres[k] - other, axis=1).min() > 10:
                assert not _is_marker(frame, other), (k, j)


def test_video_refuses_an_unknown_extension_and_draws_nothing(hic, tmp_path, capsys):
    assert main(["render", hic, "--video", str(tmp_path / "clip.avi")]) == 1
    assert ".mp4 or .gif" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
