"""``dgviewer render``: the real command on generated samples, checked pixel by pixel against the annotations."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

import dgviewer
from dgviewer.cli import main
from dgviewer.app.export.contact_sheet import ContactSheet
from dgviewer.app.export.folder import output_name
from dgviewer.core.annotations import Box2D, Ray
from dgviewer.core.errors import DgviewerError
from dgviewer.core.display import to_u8

#: A drawn pixel differs from the bare image by at least this much in some channel.
CHANGED = 40


def render(path, out, *options) -> int:
    return main(["render", str(path), "--out", str(out), *options])


def read_rgb(path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert img is not None, path
    return img[..., ::-1].astype(int)


@pytest.fixture(scope="module")
def face(samples, tmp_path_factory, qapp):
    """The first sample face rendered bare and with single layers on: {overlays: RGB array}, plus the datapoint."""
    dp = dgviewer.load(samples["datapoint"])[0]
    root = tmp_path_factory.mktemp("face")
    out = {}
    for overlays in ("none", "standard", "gaze", "bbox"):
        assert render(samples["datapoint"], root / overlays, "--goto", dp.id, "--overlays", overlays) == 0
        out[overlays] = read_rgb(root / overlays / output_name(dp.id))
    return dp, out


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b).max(axis=2) >= CHANGED


def distance_map(shape, points=(), segments=()) -> np.ndarray:
    """Distance from every pixel centre to the nearest point or segment (image pixels, column,row)."""
    rows, cols = np.mgrid[: shape[0], : shape[1]] + 0.5
    best = np.full(shape[:2], np.inf)
    for x, y in points:
        best = np.minimum(best, np.hypot(cols - x, rows - y))
    for (x0, y0), (x1, y1) in segments:
        d = np.array([x1 - x0, y1 - y0])
        t = np.clip(((cols - x0) * d[0] + (rows - y0) * d[1]) / max(d @ d, 1e-12), 0, 1)
        best = np.minimum(best, np.hypot(cols - x0 - t * d[0], rows - y0 - t * d[1]))
    return best


def test_bare_render_is_the_image_at_native_size(face):
    dp, out = face
    raw = dp.read("visible")
    assert out["none"].shape[:2] == raw.shape[:2]  # no padding, no scaling
    shown = to_u8(raw)
    opaque = raw[..., 3] == raw[..., 3].max() if raw.shape[2] == 4 else np.ones(raw.shape[:2], bool)
    assert np.abs(out["none"][opaque] - shown[..., :3][opaque]).max() <= 1


def test_landmarks_cover_their_pixels_and_nothing_far_away(face):
    dp, out = face
    kp = dp.annotations().keypoint_set("face.standard")
    diff = changed(out["standard"], out["none"])
    shown = kp.xy[kp.visible]  # visible landmarks are filled markers (hidden ones are rings)
    inside = [(c, r) for c, r in shown if 0 <= c < diff.shape[1] and 0 <= r < diff.shape[0]]
    assert len(inside) > 40
    assert all(diff[int(r), int(c)] for c, r in inside)  # the pixel a landmark sits on is drawn over
    far = distance_map(diff.shape, kp.xy, kp.xy[np.asarray(kp.edges)] if kp.edges else ()) > 6
    assert far.mean() > 0.5 and not (out["standard"] != out["none"]).any(axis=2)[far].any()


def test_gaze_rays_are_drawn_along_their_projected_segments_only(face):
    dp, out = face
    rays = dp.annotations().of_type(Ray)
    assert rays
    diff = changed(out["gaze"], out["none"])
    for ray in rays:
        if ray.kind == "optical":  # dashed: only some of its pixels are drawn
            continue
        for t in np.linspace(0.1, 0.7, 12):  # short of the arrow head
            c, r = ray.start_xy + t * (ray.end_xy - ray.start_xy)
            assert diff[int(r), int(c)], (ray.name, t)
    far = distance_map(diff.shape, segments=[(r.start_xy, r.end_xy) for r in rays]) > 8
    assert not (out["gaze"] != out["none"]).any(axis=2)[far].any()


def test_face_box_edges_are_drawn_and_its_inside_is_untouched(face):
    dp, out = face
    (box,) = dp.annotations().of_type(Box2D)
    diff = changed(out["bbox"], out["none"])
    corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
    edges = list(zip(corners, corners[1:] + corners[:1]))
    for (x0, y0), (x1, y1) in edges:
        for t in np.linspace(0.05, 0.95, 15):
            c, r = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            assert diff[min(int(r), diff.shape[0] - 1), min(int(c), diff.shape[1] - 1)]
    far = distance_map(diff.shape, segments=edges) > 3
    far[: int(box.y0) + 1, : int(box.x0) + 60] = False  # the "face" label sits above the top-left corner
    assert not (out["bbox"] != out["none"]).any(axis=2)[far].any()


def test_one_png_per_datapoint_named_by_id_at_native_size(samples, tmp_path, qapp):
    ds = dgviewer.load(samples["scene"])
    assert render(samples["scene"], tmp_path) == 0
    names = sorted(os.listdir(tmp_path))
    assert names == sorted(output_name(dp.id) for dp in ds)
    for dp in ds:
        name = output_name(dp.id)
        assert "/" not in name and not name.endswith(".png.png")
        assert (name if dp.id.endswith(".png") else name[:-4]).replace("__", "/") == dp.id
        assert read_rgb(tmp_path / name).shape[:2] == dp.read("visible").shape[:2]


def test_goto_and_filter_select_datapoints(samples, tmp_path, qapp):
    ds = dgviewer.load(samples["scene"])
    cam = ds.scenes[0].cameras[1].name
    assert render(samples["scene"], tmp_path / "f", "--filter", f"camera={cam}") == 0
    assert sorted(os.listdir(tmp_path / "f")) == sorted(output_name(dp.id) for dp in ds if dp.camera_node.name == cam)
    assert render(samples["scene"], tmp_path / "g", "--goto", ds[3].id, "--goto", ds[0].id) == 0
    assert sorted(os.listdir(tmp_path / "g")) == sorted(output_name(dp.id) for dp in (ds[0], ds[3]))
    assert render(samples["scene"], tmp_path / "h", "--goto", "no/such/id") == 1
    assert render(samples["scene"], tmp_path / "h", "--filter", "finding=any") == 1  # needs a QA run
    assert render(samples["scene"], tmp_path / "h", "--overlays", "standard,nosuchlayer") == 1


def test_filter_by_review_decision(samples, tmp_path, qapp):
    from dgviewer.core.review import ReviewStore

    data = tmp_path / "data"
    shutil.copytree(samples["scene"], data)
    ds = dgviewer.load(str(data))
    ReviewStore.for_dataset(ds).mark_fail(ds[2].id, "landmark off the eye")
    assert render(data, tmp_path / "out", "--filter", "review=fail") == 0
    assert os.listdir(tmp_path / "out") == [output_name(ds[2].id)]


def test_missing_modality_is_skipped_only_when_asked_for(samples, tmp_path, qapp, capsys):
    ds = dgviewer.load(samples["datapoint"])
    lacking = [dp for dp in ds if "visible" not in dp.modalities]
    assert lacking  # the sample has an infrared-only camera
    assert render(samples["datapoint"], tmp_path / "default") == 0  # the viewer's choice: its infrared image
    assert len(os.listdir(tmp_path / "default")) == len(ds)
    assert render(samples["datapoint"], tmp_path / "visible", "--modality", "visible") == 0
    assert len(os.listdir(tmp_path / "visible")) == len(ds) - len(lacking)
    err = capsys.readouterr().err
    assert all(f"skipped {dp.id}: no visible" in err for dp in lacking)


def test_corrupt_datapoint_is_reported_and_skipped(samples, tmp_path, qapp, capsys):
    data = tmp_path / "data"
    shutil.copytree(samples["datapoint"], data)
    ds = dgviewer.load(str(data))
    bad = ds[1]
    png = bad.file("visible")
    with open(png, "r+b") as f:
        f.truncate(os.path.getsize(png) // 3)
    assert render(data, tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert f"failed {bad.id}:" in err and "corrupt PNG" in err
    assert sorted(os.listdir(tmp_path / "out")) == sorted(output_name(dp.id) for dp in ds if dp is not bad)


def test_contact_sheet(samples, tmp_path, qapp, monkeypatch):
    ds = dgviewer.load(samples["scene"])
    sheet = tmp_path / "sheet.png"
    assert main(["render", samples["scene"], "--contact-sheet", str(sheet), "--thumb-size", "96"]) == 0
    img = read_rgb(sheet)
    cols = int(np.ceil(np.sqrt(len(ds))))
    assert cols * 96 < img.shape[1] < cols * 96 + 100  # a grid of 96 px thumbnails with thin gaps
    assert img.shape[0] > (len(ds) // cols) * 96
    assert (img[60:100, 20:60] != img[0, 0]).any()  # the first thumbnail is painted
    # Thumbnails larger than the sheet can hold shrink to fit; beyond the smallest, the command refuses.
    monkeypatch.setattr("dgviewer.app.export.contact_sheet.SHEET_MAX_SIDE", 500)
    assert main(["render", samples["scene"], "--contact-sheet", str(sheet), "--thumb-size", "400"]) == 0
    assert 400 < max(read_rgb(sheet).shape[:2]) <= 500
    with pytest.raises(DgviewerError, match="do not fit"):
        ContactSheet(str(sheet), [f"d/{i}" for i in range(200)], 256)


def test_perception_boxes(tmp_path, qapp):
    from dgviewer.samples.perception import write_perception_sample

    data = write_perception_sample(str(tmp_path / "solo"), format="solo", size=160)
    dp = dgviewer.load(data)[0]
    for overlays in ("none", "boxes"):
        assert render(data, tmp_path / overlays, "--goto", dp.id, "--overlays", overlays) == 0
    bare, boxed = (read_rgb(tmp_path / o / output_name(dp.id)) for o in ("none", "boxes"))
    diff = changed(boxed, bare)
    boxes = dp.annotations().of_type(Box2D)
    assert boxes
    for b in boxes:  # the left and right edges, clear of the label above the box
        for r in np.linspace(b.y0 + 2, b.y1 - 2, 6):
            assert diff[int(r), min(int(b.x0), diff.shape[1] - 1)] and diff[int(r), min(int(b.x1), diff.shape[1] - 1)]


def test_subprocess_without_display(samples, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-m", "dgviewer", "render", samples["datapoint"], "--out", str(tmp_path),
                           "--overlays", "all", "--labels", "--legend"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "rendered 6, skipped 0, failed 0" in proc.stderr
    assert len(os.listdir(tmp_path)) == 6


def test_unwritable_output_is_one_line_and_exit_2(samples, tmp_path, qapp, capsys):
    (tmp_path / "file").write_text("")
    assert render(samples["datapoint"], tmp_path / "file" / "out") == 2
    assert main(["render", samples["datapoint"], "--contact-sheet", str(tmp_path / "nope" / "sheet.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("dgviewer: cannot write") == 2 and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["file"]


def test_render_leaves_no_temporaries(samples, tmp_path, qapp):
    assert render(samples["datapoint"], tmp_path, "--workers", "2") == 0
    assert os.listdir(tmp_path) and not [n for n in os.listdir(tmp_path) if not n.endswith(".png")]


def test_output_names_of_long_ids_fit_a_file_name():
    long_id = "ds/" + "/".join(["scene_with_a_very_long_name"] * 20) + "/visible_spectrum.png"
    name = output_name(long_id)
    assert len(name.encode()) <= 255 and name.endswith("visible_spectrum.png")
    assert output_name(long_id.replace("scene", "scane")) != name


def test_legend_sits_in_a_margin_and_never_covers_the_picture(tmp_path, qapp):
    from dgviewer.samples import write_sample

    data = str(tmp_path / "small")
    write_sample(data, variant="datapoint", size=128, seed=1)
    dp = dgviewer.load(data)[0]
    args = ("--goto", dp.id, "--overlays", "segmentation")
    assert render(data, tmp_path / "plain", *args) == 0
    assert render(data, tmp_path / "legend", *args, "--legend") == 0
    plain, legend = (read_rgb(tmp_path / o / output_name(dp.id)) for o in ("plain", "legend"))
    assert plain.shape == (128, 128, 3)
    assert legend.shape[1] > 128 + 40 and legend.shape[0] >= 128  # a margin wide enough to read names in
    np.testing.assert_array_equal(legend[:128, :128], plain)  # the picture is untouched
    assert changed(legend[:, 128:], np.zeros_like(legend[:, 128:])).any()  # and the margin holds the legend


def test_contact_sheet_scales_small_images_up_to_the_cell(tmp_path, qapp):
    from types import SimpleNamespace

    from PySide6.QtGui import QColor, QImage

    from dgviewer.app.export.contact_sheet import ContactSheet

    sheet = ContactSheet(str(tmp_path / "sheet.png"), ["ds/a.png", "ds/b.png"], thumb=256)
    small = QImage(128, 128, QImage.Format.Format_RGB32)
    small.fill(QColor(255, 0, 0))
    sheet.add(SimpleNamespace(id="ds/a.png"), small)
    x, y = sheet._cell("ds/a.png")
    for dx, dy in ((2, 2), (253, 253), (128, 128)):
        assert sheet.sheet.pixelColor(x + dx, y + dy).red() > 200


def test_markers_shrink_on_small_images_unless_a_size_is_asked_for():
    from dgviewer.app.export.drawing import Drawing
    from dgviewer.app.overlays.style import LayerStyle

    d = Drawing(None, {"standard": LayerStyle(visible=True, marker_size=5.0)})
    assert d.styles_for(128, 128)["standard"].marker_size == pytest.approx(1.25)
    assert d.styles_for(1024, 1024)["standard"].marker_size == 5.0
    assert Drawing(None, d.layers, scale_markers=False).styles_for(128, 128)["standard"].marker_size == 5.0
