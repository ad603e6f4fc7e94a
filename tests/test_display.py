"""The one display pipeline's colour → class key: exact, alpha-aware, half-float for EXR colours, black is background."""
from __future__ import annotations

import numpy as np

from dgviewer.core.annotations import SegClass, SegmentationLegend
from dgviewer.core.display import (BACKGROUND, UNKNOWN_CLASS_RGB, class_labels, class_lut, class_of, prepare_image,
                                   to_rgb8)


def legend(*colours) -> SegmentationLegend:
    return SegmentationLegend("segmentation", "segmentation", [SegClass(f"c{i}", c) for i, c in enumerate(colours)])


def test_rgba_colours_match_on_all_four_channels():
    lg = legend((255, 0, 0, 255), (0, 0, 0, 255))
    img = np.array([[[255, 0, 0, 255], [255, 0, 0, 254], [0, 0, 0, 255], [0, 0, 0, 0]]], np.uint8)
    # alpha 254 is another Perception instance (spec §5.4); black of any alpha is background, never unknown
    assert class_labels(img, lg).tolist() == [[0, 2, 1, 3]]
    assert class_of(lg, img[0, 0]).name == "c0" and class_of(lg, img[0, 1]) is None
    assert lg.lookup(img[0, 1]) is None and lg.lookup(img[0, 2]).name == "c1"


def test_float_colours_match_by_half_float_bits():
    lg = legend((0.39999, 0.2, 0.6))  # the earliest Datagen map: decimals of the half EXR's values
    stored = np.array([0.39999, 0.2, 0.6], np.float16).astype(np.float32)
    off = stored + np.float32(0.0004)  # the next half value: another colour
    img = np.stack([stored, off, np.zeros(3, np.float32), -np.zeros(3, np.float32)])[None]
    assert class_labels(img, lg).tolist() == [[0, 1, 2, 2]]


def test_the_first_class_of_a_colour_wins_and_the_lut_colours_every_label():
    lg = legend((1, 2, 3), (1, 2, 3), (9, 9, 9))
    img = np.array([[[1, 2, 3], [9, 9, 9], [5, 5, 5], [0, 0, 0]]], np.uint8)
    labels = class_labels(img, lg)
    assert labels.tolist() == [[0, 2, 3, 4]]
    lut = class_lut(lg, img.dtype, hidden={"c2"})
    assert lut[labels][0, :, :3].tolist() == [[1, 2, 3], [0, 0, 0], list(UNKNOWN_CLASS_RGB), [0, 0, 0]]
    assert class_lut(lg, img.dtype, overlay=True)[4, 3] == 0  # background is transparent over another image


def test_to_rgb8_composites_transparency_over_the_canvas_colour():
    rgba = np.array([[[10, 20, 30, 255], [10, 20, 30, 0]]], np.uint8)
    assert to_rgb8(prepare_image("visible", rgba)).tolist() == [[[10, 20, 30], list(BACKGROUND)]]
    depth = np.array([[1.0, np.nan]], np.float32)
    shown = to_rgb8(prepare_image("depth", depth))
    assert shown[0, 1].tolist() == list(BACKGROUND) and shown[0, 0].tolist() != list(BACKGROUND)
    gray16 = np.array([[0x1234, 0xFF00]], np.uint16)
    assert to_rgb8(prepare_image("infrared", gray16)).tolist() == [[[0x12] * 3, [0xFF] * 3]]
