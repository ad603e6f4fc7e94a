"""The synthetic Datagen generator: layouts per era, and geometry that agrees across files.

Everything is read back with json / OpenCV / OpenEXR directly, not with
dgviewer's readers, so these tests pin the on-disk format itself.
"""
from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys

import numpy as np
import cv2
import OpenEXR
import pytest

from dgviewer.samples import VARIANTS, write_sample

SIZE = 256
IDENTITIES = ("datapoint", "scene", "environment", "earliest")
VERSIONED = ("datapoint", "scene")  # eras whose JSON files carry "version" and float 2D points


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Each variant generated once, lazily: variant -> dataset root."""
    roots = {}

    def get(variant):
        if variant not in roots:
            roots[variant] = write_sample(str(tmp_path_factory.mktemp(variant) / "ds"), variant, SIZE, seed=3)
        return roots[variant]
    return get


# --- reading helpers --------------------------------------------------------------------------

def load(path):
    with open(path) as f:
        return json.load(f)


def png(path):
    """(pixels in RGB(A) order, bit depth, channels in the file)."""
    with open(path, "rb") as f:
        data = f.read()
    depth, color_type = data[24], data[25]
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if channels >= 3:
        img = img[..., [2, 1, 0, 3][:channels]]  # OpenCV decodes BGR(A)
    return img, depth, channels


def exr(path):
    with OpenEXR.File(path) as f:
        channels = f.channels()
        names = [c.name for c in f.header()["channels"]]
        return channels["RGB"].pixels, names


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def camera_folders(root, variant):
    """(scene folder, camera folder) pairs of an identities dataset."""
    out = []
    for scene in sorted(os.listdir(root)):
        for cam in sorted(os.listdir(os.path.join(root, scene))):
            if os.path.isdir(os.path.join(root, scene, cam)):
                out.append((os.path.join(root, scene), os.path.join(root, scene, cam)))
    return out


class Cam:
    def __init__(self, folder):
        self.meta = load(os.path.join(folder, "camera_metadata.json"))
        self.K = np.array(self.meta["intrinsic_matrix"])
        self.E = np.array(self.meta["extrinsic_matrix"])
        self.size = int(self.meta["resolution_px"]["x"])

    def project(self, points):
        """World (N, 3) → (column, row) and camera Z."""
        c = np.asarray(points, dtype=float).reshape(-1, 3) @ self.E[:, :3].T + self.E[:, 3]
        uv = (c @ self.K.T)[:, :2] / c[:, 2:3]
        return uv, c[:, 2]


def xyz(d):
    return [d["x"], d["y"], d["z"]]


def leaves(tree):
    """Every keypoint leaf (a dict with global_3d) of a keypoint tree."""
    if "global_3d" in tree:
        yield tree
        return
    for value in tree.values():
        if isinstance(value, dict):
            yield from leaves(value)


def colors_of(tree):
    """Leaf colours of a nested segmentation map as (R, G, B) tuples."""
    if set(tree) == {"R", "G", "B"}:
        return {(tree["R"], tree["G"], tree["B"])}
    return set().union(*(colors_of(v) for k, v in tree.items() if isinstance(v, dict)))


def standard_points(folder, variant):
    """iBUG-68 (3D, row-first 2D, visible) of a camera folder in either keypoint version."""
    if variant in VERSIONED:
        std = load(os.path.join(folder, "key_points", "all_key_points.json"))["face"]["standard"]
        items = [std[f"{i:02d}"] for i in range(1, 69)]
        return (np.array([xyz(p["global_3d"]) for p in items]),
                np.array([[p["pixel_2d"]["x"], p["pixel_2d"]["y"]] for p in items]),
                np.array([p["is_visible"] == "true" for p in items]))
    std = load(os.path.join(folder, "standard_keypoints.json"))
    keys = [str(i) for i in range(1, 69)]
    return (np.array([std["keypoints_3d_coordinates"][k] for k in keys]),
            np.array([std["keypoints_2d_coordinates"][k] for k in keys]),
            np.array([std["is_visible"][k] for k in keys]))


# --- layouts ----------------------------------------------------------------------------------

V2_FILES = ["all_key_points.json", "ears_key_points.json", "face_dense_key_points.json",
            "face_standard_key_points.json", "head_key_points.json"]


def test_datapoint_layout(sample):
    root = sample("datapoint")
    assert sorted(os.listdir(root)) == [f"datapoint_{i:05d}" for i in range(1, 7)]
    common = ["actor_metadata.json", "datapoint_request.json", "semantic_segmentation_metadata.json"] + [
        f"camera/{f}" for f in ["camera_metadata.json", "depth.exr", "environment.json", "face_bounding_box.json",
                                "normal_maps.exr", "semantic_segmentation.png"]] + [f"camera/key_points/{f}" for f in V2_FILES]
    visible = sorted(common + ["camera/visible_spectrum_01.png", "camera/hdri_map.exr"])
    assert files_under(os.path.join(root, "datapoint_00001")) == visible
    assert files_under(os.path.join(root, "datapoint_00006")) == visible
    assert files_under(os.path.join(root, "datapoint_00005")) == sorted(
        common + ["camera/infrared_spectrum.png", "lights_metadata.json"])


@pytest.mark.parametrize("variant, prefix, cameras, images", [
    ("scene", "scene", ["camera_1", "camera_2", "camera_3"], ["visible_spectrum_01.png", "visible_spectrum_02.png"]),
    ("environment", "environment", ["camera_1", "camera_2"], ["visible_spectrum_01.png"]),
    ("earliest", "environment", ["camera"], ["visible_spectrum.png"]),
])
def test_multi_camera_layouts(sample, variant, prefix, cameras, images):
    root = sample(variant)
    assert sorted(os.listdir(root)) == [f"{prefix}_{i:05d}" for i in (1, 2)]
    scene = os.path.join(root, f"{prefix}_00001")
    scene_files = ["actor_metadata.json", "semantic_segmentation_metadata.json"]
    scene_files += [] if variant == "earliest" else ["lights_metadata.json"]
    assert sorted(f for f in os.listdir(scene) if f.endswith(".json")) == sorted(scene_files)
    assert sorted(d for d in os.listdir(scene) if os.path.isdir(os.path.join(scene, d))) == cameras
    per_camera = ["camera_metadata.json", "depth.exr", "environment.json", "face_bounding_box.json", "normal_maps.exr"]
    per_camera += images
    if variant == "scene":
        per_camera += ["semantic_segmentation.png"] + [f"key_points/{f}" for f in V2_FILES]
    else:
        per_camera += ["dense_keypoints.json", "standard_keypoints.json"]
        per_camera += ["semantic_segmentation.exr" if variant == "earliest" else "semantic_segmentation.png"]
    for cam in cameras:
        assert files_under(os.path.join(scene, cam)) == sorted(per_camera)


def test_hic_layout(sample):
    root = sample("hic")
    frames = os.path.join(root, "scene_00001", "frames")
    assert os.listdir(root) == ["scene_00001"]
    assert sorted(os.listdir(frames)) == ["001", "002", "003", "004"]
    expected = sorted(["actor_metadata.json", "camera_metadata.json", "center_of_geometry.json", "depth.exr",
                       "environment.json", "visible_spectrum.png"] + [f"key_points/{f}_key_points.json" for f in (
                           "all", "body", "eyes", "face_dense", "face_standard", "feet", "hands")])
    for frame in os.listdir(frames):
        cams = sorted(os.listdir(os.path.join(frames, frame)))
        assert cams == ["high_doorbell_camera", "media_dashboard_camera"]
        for cam in cams:
            assert files_under(os.path.join(frames, frame, cam)) == expected


# --- JSON conventions -------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_json_is_indented_with_three_spaces_and_versioned_per_era(sample, variant):
    root = sample(variant)
    paths = [os.path.join(root, p) for p in files_under(root) if p.endswith(".json")]
    for path in paths:
        with open(path) as f:
            text = f.read()
        doc = json.loads(text)
        assert text == json.dumps(doc, indent=3), path
        name = os.path.basename(path)
        hic_flat = variant == "hic" and name in ("environment.json", "center_of_geometry.json")
        unversioned = variant in ("environment", "earliest") or hic_flat
        if unversioned:
            assert "version" not in text, path
        else:
            assert doc["version"] in ("1.0.0", "1.1.0", "2.0.0"), path


# --- cameras ----------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_camera_metadata_is_self_consistent(sample, variant):
    root = sample(variant)
    for path in [p for p in files_under(root) if p.endswith("camera_metadata.json")]:
        cam = Cam(os.path.dirname(os.path.join(root, path)))
        m, K, E = cam.meta, cam.K, cam.E
        R, t = E[:, :3], E[:, 3]
        assert np.allclose(R @ R.T, np.eye(3), atol=1e-12)
        assert np.allclose(R[2], xyz(m["orientation"]["look_at_vector"]))
        assert np.allclose(-R[1], xyz(m["orientation"]["up_vector"]))
        assert np.allclose(t, -R @ xyz(m["location"]))
        assert K[0, 2] == K[1, 2] == cam.size / 2 and K[0, 0] == K[1, 1]
        sensor = m["sensor"]["sensor_width"]
        assert np.isclose(np.degrees(2 * np.arctan(cam.size / 2 / K[0, 0])), m["fov"]["horizontal"])
        if variant in VERSIONED or variant == "hic":
            assert m["version"] == "1.1.0"
            assert np.isclose(K[0, 0], m["focal_length"] * cam.size / sensor)
            if variant != "hic":
                assert m["focal_length"] == 50.0  # the platform keeps 50 mm and derives the sensor from the FOV
        else:
            assert "focal_length" not in m and sensor == 36.0
        assert m["camera_name"] == os.path.basename(os.path.dirname(os.path.join(root, path)))


# --- keypoints --------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["datapoint", "scene"])
def test_v2_keypoints_reproject_row_first_and_split_files_match(sample, variant):
    root = sample(variant)
    for _, folder in camera_folders(root, variant):
        cam = Cam(folder)
        kp = os.path.join(folder, "key_points")
        doc = load(os.path.join(kp, "all_key_points.json"))
        assert doc["version"] == "2.0.0"
        assert list(doc["face"]["standard"]) == [f"{i:02d}" for i in range(1, 69)]
        assert list(doc["face"]["dense"]) == [str(i) for i in range(468)]
        assert {k: len(v) for k, v in doc["head"].items()} == {"top": 12, "left": 24, "back": 21, "right": 24}
        assert {k: len(v) for k, v in doc["ear"].items()} == {"left": 55, "right": 55}
        all_leaves = list(leaves(doc))
        points = np.array([xyz(p["global_3d"]) for p in all_leaves])
        stored = np.array([[p["pixel_2d"]["x"], p["pixel_2d"]["y"]] for p in all_leaves])
        uv, _ = cam.project(points)
        assert np.abs(stored - uv[:, ::-1]).max() < 1e-3  # x = row, y = column
        assert {p["is_visible"] for p in all_leaves} == {"true", "false"}
        assert load(os.path.join(kp, "face_standard_key_points.json"))["face"]["standard"] == doc["face"]["standard"]
        assert load(os.path.join(kp, "face_dense_key_points.json"))["face"]["dense"] == doc["face"]["dense"]
        assert load(os.path.join(kp, "head_key_points.json"))["head"] == doc["head"]
        assert load(os.path.join(kp, "ears_key_points.json"))["ears"] == doc["ear"]


@pytest.mark.parametrize("variant", ["environment", "earliest"])
def test_v1_keypoints_are_int_row_first_with_json_booleans(sample, variant):
    root = sample(variant)
    for _, folder in camera_folders(root, variant):
        cam = Cam(folder)
        for name, keys in (("standard_keypoints.json", [str(i) for i in range(1, 69)]),
                           ("dense_keypoints.json", [str(i) for i in range(468)])):
            doc = load(os.path.join(folder, name))
            assert set(doc) == {"keypoints_3d_coordinates", "keypoints_2d_coordinates", "is_visible"}
            assert list(doc["keypoints_2d_coordinates"]) == keys
            stored = np.array([doc["keypoints_2d_coordinates"][k] for k in keys])
            assert stored.dtype.kind == "i"
            assert {type(v) for v in doc["is_visible"].values()} == {bool}
            uv, _ = cam.project([doc["keypoints_3d_coordinates"][k] for k in keys])
            assert np.abs(stored - uv[:, ::-1]).max() <= 0.5


def test_hic_keypoints_are_int_row_first_without_visibility(sample):
    root = sample("hic")
    frames = os.path.join(root, "scene_00001", "frames")
    for frame in sorted(os.listdir(frames)):
        for cam_name in sorted(os.listdir(os.path.join(frames, frame))):
            folder = os.path.join(frames, frame, cam_name)
            cam = Cam(folder)
            kp = os.path.join(folder, "key_points")
            doc = load(os.path.join(kp, "all_key_points.json"))
            assert list(doc) == ["version", "face", "body", "feet", "hand", "eye"]
            assert list(doc["face"]["standard"])[:2] == ["1", "2"] and len(doc["face"]["standard"]) == 68
            assert len(doc["face"]["dense"]) == 468
            assert len(list(leaves(doc["hand"]["left"]))) == 21
            assert set(doc["eye"]["right"]) == {"cornea", "pupil", "rotation", "iris"}
            all_leaves = list(leaves(doc))
            assert all(set(p) == {"global_3d", "pixel_2d"} for p in all_leaves)
            stored = np.array([[p["pixel_2d"]["x"], p["pixel_2d"]["y"]] for p in all_leaves])
            assert stored.dtype.kind == "i"
            uv, _ = cam.project([xyz(p["global_3d"]) for p in all_leaves])
            assert np.abs(stored - uv[:, ::-1]).max() <= 0.5
            body, hand = doc["body"], doc["hand"]
            assert body["wrist"]["left"] == hand["left"]["wrist"]  # shared points (spec §6.8)
            assert body["thumb"]["right"] == hand["right"]["finger"]["thumb"]["tip"]
            assert body["foot"]["left"]["index"] == doc["feet"]["left"]["index"]
            assert load(os.path.join(kp, "eyes_key_points.json"))["eyes"] == doc["eye"]
            assert load(os.path.join(kp, "hands_key_points.json"))["hands"] == doc["hand"]


def test_hic_center_of_geometry_is_column_first_with_camera_depth(sample):
    root = sample("hic")
    folder = os.path.join(root, "scene_00001", "frames", "002", "media_dashboard_camera")
    cam = Cam(folder)
    doc = load(os.path.join(folder, "center_of_geometry.json"))
    assert {v["semantic_name"] for v in doc.values()} == {"body", "parcel_bags", "mailbox_home", "trash_bin", None}
    for obj in doc.values():
        com = obj["center_of_mass"]
        uv, z = cam.project(xyz(com["global_3d"]))
        assert abs(com["pixel_2d"]["x"] - uv[0, 0]) <= 0.5 and abs(com["pixel_2d"]["y"] - uv[0, 1]) <= 0.5
        assert com["pixel_2d"]["depth"] == pytest.approx(z[0], abs=1e-9)


def test_hic_person_walks_and_cameras_stay(sample):
    frames = os.path.join(sample("hic"), "scene_00001", "frames")
    noses, numbers = [], []
    for frame in sorted(os.listdir(frames)):
        folder = os.path.join(frames, frame, "high_doorbell_camera")
        noses.append(xyz(load(os.path.join(folder, "key_points", "body_key_points.json"))["body"]["nose"]["global_3d"]))
        numbers.append(load(os.path.join(folder, "environment.json"))["frame_number"])
        assert load(os.path.join(folder, "camera_metadata.json")) == load(
            os.path.join(frames, "001", "high_doorbell_camera", "camera_metadata.json"))
        identities = load(os.path.join(folder, "actor_metadata.json"))["identities"]
        assert len(identities) == 1
    steps = np.linalg.norm(np.diff(noses, axis=0), axis=1)
    assert np.all((steps > 0.1) & (steps < 0.6))
    assert numbers == list(range(numbers[0], numbers[0] + 4))


# --- images agree with the metadata -----------------------------------------------------------

def _segmentation(folder):
    pixels, depth, channels = png(os.path.join(folder, "semantic_segmentation.png"))
    assert (depth, channels) == (16, 3)
    return pixels


@pytest.mark.parametrize("variant", ["datapoint", "scene", "environment"])
def test_segmentation_classes_sit_under_the_landmarks(sample, variant):
    root = sample(variant)
    seen_eyes, seen_noses = [], []
    for scene, folder in camera_folders(root, variant):
        seg = _segmentation(folder)
        smap = load(os.path.join(scene, "semantic_segmentation_metadata.json"))
        head = smap["human"]["head"]
        present = {tuple(c) for c in np.unique(seg.reshape(-1, 3), axis=0)}
        assert present <= colors_of(smap)
        assert len(present) >= 15
        cam = Cam(folder)
        p3, _, _ = standard_points(folder, variant)
        uv, _ = cam.project(p3)

        def color_at(col_row):
            return tuple(seg[int(col_row[1]), int(col_row[0])])
        # iBUG 31, the nose tip; in near-profile views it can sit on the silhouette, over background.
        if color_at(uv[30]) != (0, 0, 0):
            seen_noses.append(color_at(uv[30]) in colors_of(head["nose"]))
        # Where nothing hides the eye (the surface under the iris centre is the cornea, a few mm
        # in front of it), the class there is that eye's eyeball.
        actor = load(os.path.join(scene, "actor_metadata.json"))
        depth = exr(os.path.join(folder, "depth.exr"))[0][..., 0]
        for side in ("right", "left"):
            iris, z = cam.project(xyz(actor["center_of_iris_point"]["3d"][f"{side}_eye"]))
            if abs(depth[int(iris[0, 1]), int(iris[0, 0])] - z[0]) < 0.006:
                seen_eyes.append(color_at(iris[0]) == tuple(head["eye"][side]["eyeball"].values()))
        # The subject's right eye (iBUG 37, outer corner) appears left of the left eye's (46).
        assert uv[36, 0] < uv[45, 0]
    cameras = len(camera_folders(root, variant))
    assert all(seen_noses) and len(seen_noses) >= cameras * 2 / 3
    assert all(seen_eyes) and len(seen_eyes) >= cameras


def test_earliest_exr_segmentation_matches_the_flat_float_map(sample):
    root = sample("earliest")
    for scene, folder in camera_folders(root, "earliest"):
        seg, names = exr(os.path.join(folder, "semantic_segmentation.exr"))
        assert seg.dtype == np.float16 and names == ["B", "G", "R"]
        flat = load(os.path.join(scene, "semantic_segmentation_metadata.json"))
        assert all(isinstance(v, list) and len(v) == 3 for v in flat.values())
        present = {tuple(float(x) for x in c) for c in np.unique(seg.reshape(-1, 3), axis=0)}
        assert present <= {tuple(v) for v in flat.values()}
        uv, _ = Cam(folder).project(standard_points(folder, "earliest")[0])
        tip = seg[int(uv[30, 1]), int(uv[30, 0])].astype(float)
        assert list(tip) == flat["nose"]


@pytest.mark.parametrize("variant", IDENTITIES)
def test_depth_is_camera_z_at_visible_landmarks(sample, variant):
    root = sample(variant)
    half = variant != "datapoint"
    for _, folder in camera_folders(root, variant):
        depth, names = exr(os.path.join(folder, "depth.exr"))
        assert names == ["B", "G", "R"] and depth.dtype == (np.float16 if half else np.float32)
        assert np.array_equal(depth[..., 0], depth[..., 2])
        z_map = depth[..., 0].astype(float)
        assert z_map.max() == (65504.0 if half else 1e10)
        p3, _, visible = standard_points(folder, variant)
        assert visible.sum() > 30
        uv, z = Cam(folder).project(p3[visible])
        err = np.abs(z_map[uv[:, 1].astype(int), uv[:, 0].astype(int)] - z)
        assert np.median(err) < 0.002 and np.percentile(err, 80) < 0.01


@pytest.mark.parametrize("variant", ["datapoint", "scene"])
def test_normals_agree_with_the_depth_surface(sample, variant):
    """Decode per spec §4.5 and compare with normals from the depth map's own derivatives."""
    root = sample(variant)
    _, folder = camera_folders(root, variant)[0]
    cam = Cam(folder)
    depth = exr(os.path.join(folder, "depth.exr"))[0][..., 0].astype(float)
    enc = exr(os.path.join(folder, "normal_maps.exr"))[0].astype(float)
    hit = depth < 1e4
    assert np.all(enc[~hit] == 0)
    n = (2 * enc - 1) * [1, -1, -1]  # OpenCV camera frame
    assert np.allclose(np.linalg.norm(n[hit], axis=1), 1, atol=0.01)
    rows, cols = np.mgrid[0:cam.size, 0:cam.size]
    rays = np.stack([(cols + 0.5 - cam.K[0, 2]) / cam.K[0, 0], (rows + 0.5 - cam.K[1, 2]) / cam.K[1, 1],
                     np.ones_like(depth)], axis=-1)
    p = rays * depth[..., None]
    # d/d(row) × d/d(column) points toward the camera in the OpenCV frame (x right, y down).
    from_depth = np.cross(p[2:, 1:-1] - p[:-2, 1:-1], p[1:-1, 2:] - p[1:-1, :-2])
    from_depth /= np.linalg.norm(from_depth, axis=-1, keepdims=True)
    inner = hit[1:-1, 1:-1] & hit[1:-1, 2:] & hit[1:-1, :-2] & hit[2:, 1:-1] & hit[:-2, 1:-1]
    smooth = inner & (np.abs(depth[1:-1, 2:] - depth[1:-1, :-2]) < 0.005)
    cosine = np.sum(from_depth * n[1:-1, 1:-1], axis=-1)[smooth]
    assert np.median(cosine) > 0.97


def test_visible_images_per_datapoint_kind(sample):
    root = sample("datapoint")
    for i in (1, 6):
        cam = os.path.join(root, f"datapoint_{i:05d}", "camera")
        rgba, bits, channels = png(os.path.join(cam, "visible_spectrum_01.png"))
        assert (bits, channels) == (16, 4)
        hit = exr(os.path.join(cam, "depth.exr"))[0][..., 0] < 1e9
        env = load(os.path.join(cam, "environment.json"))["environments"]
        if i == 6:
            assert env[0]["background"] == "transparent"
            assert np.array_equal(rgba[..., 3] == 65535, hit) and np.all(rgba[..., 3][~hit] == 0)
        else:
            assert env[0]["background"] == "hdri" and np.all(rgba[..., 3] == 65535)
        hdri, _ = exr(os.path.join(cam, "hdri_map.exr"))
        assert hdri.shape == (128, 256, 3) and hdri.dtype == np.float32
    nir = os.path.join(root, "datapoint_00005", "camera")
    grey, bits, channels = png(os.path.join(nir, "infrared_spectrum.png"))
    assert (bits, channels) == (8, 3)
    assert np.array_equal(grey[..., 0], grey[..., 1]) and np.array_equal(grey[..., 1], grey[..., 2])
    assert grey.max() > 100
    entry = load(os.path.join(nir, "environment.json"))["environments"][0]
    assert entry == {"image_name": "infrared_spectrum.png", "environment": "N/A", "time_of_day": "N/A", "background": "N/A"}
    lamp = load(os.path.join(root, "datapoint_00005", "lights_metadata.json"))["lights"]["infra_red_lamp_0001"]
    assert lamp["spectrum"] == "near_infrared" and lamp["type"] == "spot"


def test_scene_lightings_differ(sample):
    folder = os.path.join(sample("scene"), "scene_00001", "camera_2")
    one, bits, channels = png(os.path.join(folder, "visible_spectrum_01.png"))
    two, _, _ = png(os.path.join(folder, "visible_spectrum_02.png"))
    assert (bits, channels) == (16, 3)
    hit = exr(os.path.join(folder, "depth.exr"))[0][..., 0] < 1e4
    assert np.abs(one[hit].astype(float) - two[hit]).mean() > 1000
    names = [e["image_name"] for e in load(os.path.join(folder, "environment.json"))["environments"]]
    assert names == ["visible_spectrum_01.png", "visible_spectrum_02.png"]


def test_earliest_environment_is_flat(sample):
    folder = os.path.join(sample("earliest"), "environment_00001", "camera")
    assert set(load(os.path.join(folder, "environment.json"))) == {"time_of_day", "environment", "background"}
    _, bits, channels = png(os.path.join(folder, "visible_spectrum.png"))
    assert (bits, channels) == (16, 3)


@pytest.mark.parametrize("variant", IDENTITIES)
def test_face_box_is_rounded_extent_of_dense_points(sample, variant):
    root = sample(variant)
    for _, folder in camera_folders(root, variant):
        if variant in VERSIONED:
            dense = load(os.path.join(folder, "key_points", "face_dense_key_points.json"))["face"]["dense"]
            rows_cols = Cam(folder).project([xyz(p["global_3d"]) for p in dense.values()])[0][:, ::-1]
        else:
            dense = load(os.path.join(folder, "dense_keypoints.json"))["keypoints_3d_coordinates"]
            rows_cols = Cam(folder).project(list(dense.values()))[0][:, ::-1]
        box = load(os.path.join(folder, "face_bounding_box.json"))
        lo, hi = np.round(rows_cols.min(axis=0)), np.round(rows_cols.max(axis=0))
        assert [box["min_x"], box["min_y"], box["max_x"], box["max_y"]] == [lo[0], lo[1], hi[0], hi[1]]
        assert 0 < box["min_x"] < box["max_x"] < SIZE and 0 < box["min_y"] < box["max_y"] < SIZE


# --- eyes and gaze ----------------------------------------------------------------------------

@pytest.mark.parametrize("variant", IDENTITIES)
def test_eye_points_and_gaze_are_consistent(sample, variant):
    root = sample(variant)
    ints = variant not in VERSIONED
    for scene in sorted(os.listdir(root)):
        actor = load(os.path.join(root, scene, "actor_metadata.json"))
        cameras = sorted(d for d in os.listdir(os.path.join(root, scene)) if os.path.isdir(os.path.join(root, scene, d)))
        assert sorted(actor["center_of_rotation_point"]["2d"]) == cameras
        target = np.array(xyz(actor["eye_gaze"]["target_point"]["right_eye"]))
        assert actor["eye_gaze"]["target_point"]["left_eye"] == actor["eye_gaze"]["target_point"]["right_eye"]
        for side in ("right_eye", "left_eye"):
            center = np.array(xyz(actor["center_of_rotation_point"]["3d"][side]))
            axes = actor["eye_gaze"]["axis_directions"][side]["axis_directions"]
            visual, optical = np.array(xyz(axes["visual_axis_direction"])), np.array(xyz(axes["optical_axis_direction"]))
            assert np.allclose(visual, (target - center) / np.linalg.norm(target - center))
            assert 2 < np.degrees(np.arccos(visual @ optical)) < 6
            apex = np.array(xyz(actor["apex_of_cornea_point"]["3d"][side]))
            assert np.allclose(apex, center + 0.0134 * optical)
            iris_c = np.array(xyz(actor["center_of_iris_point"]["3d"][side]))
            circle = np.array([xyz(p) for p in actor["iris_circle"]["3d"][side]])
            assert len(circle) == 12
            assert np.allclose((circle - iris_c) @ optical, 0, atol=1e-12)
            radii = np.linalg.norm(circle - iris_c, axis=1)
            assert np.allclose(radii, radii[0]) and 0.005 < radii[0] < 0.007
            for cam_name in cameras:
                cam = Cam(os.path.join(root, scene, cam_name))
                for key in ("center_of_rotation_point", "apex_of_cornea_point", "center_of_iris_point",
                            "center_of_pupil_point"):
                    stored = actor[key]["2d"][cam_name][side]
                    uv = cam.project(xyz(actor[key]["3d"][side]))[0][0]
                    assert isinstance(stored["x"], int) == ints
                    assert abs(stored["x"] - uv[1]) <= (0.5 if ints else 1e-3)
                    assert abs(stored["y"] - uv[0]) <= (0.5 if ints else 1e-3)
                pupil = actor["pupil_circle"]["2d"][cam_name][side]
                uv = cam.project([xyz(p) for p in actor["pupil_circle"]["3d"][side]])[0]
                assert np.abs(np.array([[p["x"], p["y"]] for p in pupil]) - uv[:, ::-1]).max() <= (0.5 if ints else 1e-3)


def test_datapoint_request_matches_the_metadata(sample):
    root = sample("datapoint")

    def rot(axis, deg):
        c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
        i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
        m = np.eye(3)
        m[i, i] = m[j, j] = c
        m[i, j], m[j, i] = -s, s
        return m
    base = np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]])
    for i in range(1, 7):
        folder = os.path.join(root, f"datapoint_{i:05d}")
        request = load(os.path.join(folder, "datapoint_request.json"))
        assert request["version"] == "1.0.0" and len(request["datapoints"]) == 1
        dp = request["datapoints"][0]
        assert set(dp) == {"human", "camera", "accessories", "background", "lights"}
        cam = Cam(os.path.join(folder, "camera"))
        ext = dp["camera"]["extrinsic_params"]
        r = ext["rotation"]
        assert np.allclose(xyz(ext["location"]), xyz(cam.meta["location"]))
        assert np.allclose(rot("z", r["roll"]) @ rot("x", -r["pitch"]) @ rot("y", -r["yaw"]) @ base, cam.E[:, :3])
        assert dp["camera"]["intrinsic_params"]["fov_horizontal"] == cam.meta["fov"]["horizontal"]
        actor = load(os.path.join(folder, "actor_metadata.json"))
        head = dp["human"]["head"]
        assert head["rotation"] == actor["head_metadata"]["head_rotation"]
        r_head = rot("x", head["rotation"]["pitch"]) @ rot("z", head["rotation"]["yaw"]) @ rot("y", head["rotation"]["roll"])
        assert np.allclose(r_head @ [0, -1, 0], xyz(actor["head_metadata"]["head_six_dof"]["look_at_vector"]))
        centers = [xyz(actor["center_of_rotation_point"]["3d"][s]) for s in ("right_eye", "left_eye")]
        gaze = head["eyes"]["target_of_gaze"]
        target = np.mean(centers, axis=0) + gaze["distance"] * r_head @ xyz(gaze["direction"])
        assert np.allclose(target, xyz(actor["eye_gaze"]["target_point"]["right_eye"]))
        nir = i == 5
        assert dp["camera"]["intrinsic_params"]["wavelength"] == ("nir" if nir else "visible")
        assert (dp["background"] is None) == nir
        assert [light["light_type"] for light in dp["lights"]] == (["nir"] if nir else [])
        if i == 6:
            assert dp["background"]["transparent"] is True


# --- the API ----------------------------------------------------------------------------------

def test_output_is_byte_for_byte_deterministic(tmp_path):
    for variant in VARIANTS:
        a = write_sample(str(tmp_path / variant / "a"), variant, 64, seed=11)
        b = write_sample(str(tmp_path / variant / "b"), variant, 64, seed=11)
        assert files_under(a) == files_under(b)
        match, mismatch, errors = filecmp.cmpfiles(a, b, files_under(a), shallow=False)
        assert not mismatch and not errors, (variant, mismatch)


def test_seed_changes_the_subject(tmp_path):
    a = write_sample(str(tmp_path / "a"), "earliest", 64, seed=1)
    b = write_sample(str(tmp_path / "b"), "earliest", 64, seed=2)
    path = os.path.join("environment_00001", "actor_metadata.json")
    assert load(os.path.join(a, path))["identity_id"] != load(os.path.join(b, path))["identity_id"]


def test_write_sample_checks_its_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown variant"):
        write_sample(str(tmp_path / "x"), "solo")
    with pytest.raises(ValueError, match="size"):
        write_sample(str(tmp_path / "y"), "datapoint", size=8)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_sample(str(busy), "earliest", 64)
    assert os.listdir(busy) == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert write_sample(str(empty), "earliest", 64) == str(empty)
    assert VARIANTS == ("datapoint", "scene", "environment", "earliest", "hic")


def test_generator_does_not_import_qt():
    code = "import sys, dgviewer.samples; print([m for m in sys.modules if m.startswith(('PySide', 'PyQt', 'pyqtgraph'))])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
