"""The viewer and ``validate`` see the same pictures: report thumbnails are the viewer's pixels, and the legend
and the seg-unknown-colour check flag the same colours (RGBA and half-float EXR segmentation)."""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import cv2
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage

import dgviewer
from dgviewer.app.legend import NOT_IN_LEGEND
from dgviewer.app.render import render_prepared
from dgviewer.cli import main
from dgviewer.core import jsonio
from dgviewer.core.display import colorize, colormap_lut, thumbnail
from dgviewer.core.imaging import read_exr
from dgviewer.qa import report, run_checks
from dgviewer.samples import write_sample
from dgviewer.samples.files import write_exr
from dgviewer.samples.perception import write_perception_sample

from .conftest import goto_and_wait

ROW = re.compile(r"'([^']+)'>.*?<td>([^<]+)<br><code>.*?<img alt=\"([^\"]*)\" src=\"data:image/png;base64,([^\"]+)\">")


def thumbnails(page: str) -> list[tuple[str, str, str, str]]:
    """(check, datapoint, modality, base64 PNG) of every finding row with a thumbnail."""
    return [m.groups() for row in page.split("<tr data-check=")[1:] if (m := ROW.match(row))]


def viewer_rgb(w, modality: str) -> np.ndarray:
    """What the window shows of ``modality`` (image only, at native size) as H×W×3 RGB."""
    img = w.session.cur.images[modality]
    legend = w.session.cur.legends().get(modality)
    q = render_prepared(img, legend, {}, {}, w.session.view, burn_legend=False).convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(q.constBits(), np.uint8, count=q.height() * q.bytesPerLine()).reshape(q.height(), -1)
    return rows[:, : 3 * q.width()].reshape(q.height(), q.width(), 3).copy()


def show(qtbot, w, dp_id: str, modality: str) -> None:
    if w.session.cur.dp is None or w.session.cur.dp.id != dp_id:
        goto_and_wait(qtbot, w, w.session.dataset.get(dp_id))
    if w.session.view.modality != modality:
        with qtbot.waitSignal(w.session.shown, timeout=20000):
            w.session.set_modality(modality)
    qtbot.waitUntil(lambda: modality in w.session.cur.images, timeout=20000)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> Path:
    """A faces sample with an unknown segmentation colour and invalid depth (image findings with a spot) and a
    visible image of the wrong size (an image finding without one)."""
    root = Path(write_sample(str(tmp_path_factory.mktemp("thumbs") / "faces"), variant="datapoint", size=96, seed=5))
    cam = root / "datapoint_00001" / "camera"
    seg = cv2.imread(str(cam / "semantic_segmentation.png"), cv2.IMREAD_UNCHANGED)
    seg[40:44, 50:53] = seg[80:90, 5:15] = (3, 2, 1)  # the second patch lies outside the circled spot
    cv2.imwrite(str(cam / "semantic_segmentation.png"), seg)
    ch = read_exr(str(cam / "depth.exr"))
    z = np.stack([ch[c] for c in "RGB"], axis=2)
    z[30, 20] = -1.0
    write_exr(str(cam / "depth.exr"), z)
    vis = next((root / "datapoint_00002" / "camera").glob("visible_spectrum*.png"))
    img = cv2.imread(str(vis), cv2.IMREAD_UNCHANGED)
    cv2.imwrite(str(vis), cv2.resize(img, (80, 96)))
    return root


def test_report_thumbnails_are_the_viewers_pixels(faulty, tmp_path, open_window, qtbot):
    page = tmp_path / "qa.html"
    assert main(["validate", str(faulty), "--images", "--html", str(page), "--quiet"]) == 1
    rows = thumbnails(page.read_text())
    result = run_checks(dgviewer.load(faulty), images=True)
    spot = {(f.check, f.datapoint): f.xy for f in result.findings}
    compared = set()
    w = open_window(str(faulty))
    for check, dp_id, modality, png in rows:
        dp_id = html.unescape(dp_id)
        shown = cv2.imdecode(np.frombuffer(base64.b64decode(png), np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
        show(qtbot, w, dp_id, modality)
        expected, scale = thumbnail(viewer_rgb(w, modality), report.THUMBNAIL_PX)
        assert shown.shape == expected.shape, (check, modality)
        keep = np.ones(shown.shape[:2], bool)
        xy = spot[(check, dp_id)]
        if xy is not None:  # the report circles the spot: compare everything else
            rows_, cols = np.indices(keep.shape)
            keep = np.hypot(cols - xy[0] * scale, rows_ - xy[1] * scale) > 10
        assert keep.mean() > 0.9
        np.testing.assert_array_equal(shown[keep], expected[keep], err_msg=f"{check} on {modality} of {dp_id}")
        compared.add(modality)
    assert compared >= {"visible", "segmentation", "depth"}


def plant(img: np.ndarray, colour) -> np.ndarray:
    out = img.copy()
    out[5:7, 9:13] = colour  # 8 pixels
    return out


def agree(qtbot, open_window, root, dp_id: str, planted: tuple) -> None:
    """Both the viewer (its class labels, legend row and probe lookup) and validate flag exactly ``planted``."""
    jsonio.clear()
    ds = dgviewer.load(root)
    dp = ds.get(dp_id)
    raw = dp.read("segmentation")
    result = run_checks(ds, images=True)
    unknown = [f for f in result.findings if f.check == "seg-unknown-colour"]
    assert [(f.datapoint, f.xy) for f in unknown] == [(dp_id, (9.5, 5.5))], [f.message for f in result.findings]
    assert f"1 colour(s) absent from the map cover 8 pixel(s) (first {planted}" in unknown[0].message

    w = open_window(str(root), goto=dp_id)
    show(qtbot, w, dp_id, "segmentation")
    seg, legend = w.session.cur.images["segmentation"], w.session.cur.legends()["segmentation"]
    flagged = np.argwhere(seg.labels == len(legend.classes))
    assert sorted(map(tuple, flagged.tolist())) == [(r, c) for r in (5, 6) for c in range(9, 13)]
    assert {tuple(raw[r, c].tolist()) for r, c in flagged} == {planted}
    row = next(w.legend.tree.topLevelItem(i) for i in range(w.legend.tree.topLevelItemCount())
               if w.legend.tree.topLevelItem(i).text(0) == NOT_IN_LEGEND)
    assert not row.isHidden() and row.text(1).startswith("8 ")
    r, c = np.argwhere(seg.labels < len(legend.classes))[0]  # the probe names the class the labels give
    assert legend.lookup(raw[5, 9]) is None and legend.lookup(raw[r, c]) is legend.classes[seg.labels[r, c]]


def test_viewer_and_validate_agree_on_unknown_rgba_colours(tmp_path, open_window, qtbot):
    root = Path(write_perception_sample(str(tmp_path / "solo"), format="solo", size=64, seed=0))
    mask = root / "sequence.0" / "step0.front.semantic segmentation.png"
    img = cv2.imread(str(mask), cv2.IMREAD_UNCHANGED)  # BGRA
    b, g, r, _ = (int(v) for v in img[img[..., :3].any(axis=2)][0])
    cv2.imwrite(str(mask), plant(img, (b, g, r, 254)))  # a known class colour with another alpha: not that class
    dp_id = next(dp.id for dp in dgviewer.load(root) if dp.file("segmentation") == str(mask))
    agree(qtbot, open_window, root, dp_id, (r, g, b, 254))


def test_viewer_and_validate_agree_on_unknown_half_float_colours(tmp_path, open_window, qtbot):
    root = Path(write_sample(str(tmp_path / "earliest"), variant="earliest", size=64, seed=0))
    path = next(root.rglob("semantic_segmentation.exr"))
    ch = read_exr(str(path))
    img = np.stack([ch[c] for c in "RGB"], axis=2)
    known = img[img.any(axis=2)][0]
    odd = (known.astype(np.float16) + np.float16(2 ** -11)).astype(img.dtype)  # the next half-float colour
    write_exr(str(path), plant(img, odd))
    dp_id = next(dp.id for dp in dgviewer.load(root) if dp.file("segmentation") == str(path))
    agree(qtbot, open_window, root, dp_id, tuple(odd.astype(np.float32).tolist()))


def test_colorize_bins_as_pyqtgraph():
    rng = np.random.default_rng(0)
    values = rng.uniform(-1, 12, (64, 64)).astype(np.float32)
    values[0, :4] = (np.nan, 0.0, 10.0, 10.0 - 1e-6)
    levels = (0.5, 10.0)
    index = pg.functions.rescaleData(values, 256 / (levels[1] - levels[0]), levels[0], dtype=np.uint8, clip=(0, 255))
    expected = colormap_lut("turbo")[index]
    expected[np.isnan(values)] = 0
    np.testing.assert_array_equal(colorize(values, levels, "turbo"), expected)
    for name in ("turbo", "viridis", "magma"):  # the viewer's colour maps are pyqtgraph's of the same name
        np.testing.assert_array_equal(colormap_lut(name), pg.colormap.get(name).getLookupTable(nPts=256, alpha=True))
