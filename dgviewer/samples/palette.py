"""Surface parts, their segmentation classes and colours.

A *part* is ``(label, side)``: the label of the shape that was hit and the
subject's side of the hit (None for unsided parts). Parts map onto the
classes of ``semantic_segmentation_metadata.json``. The uint16 colours are
the Datagen platform's fixed palette, the same in every real sample.
"""
from __future__ import annotations

import numpy as np

BACKGROUND = ("background", None)

# Nested class tree in the key order of real datapoint-era files; leaves are (R, G, B).
SEGMENTATION_TREE = {
    "human": {"head": {
        "hair": (4384, 1699, 55003),
        "eyebrow": {"right": (4241, 48855, 61452), "left": (25890, 62289, 62077)},
        "eye": {
            "left": {"eyeball": (65036, 35253, 58649), "tear_duct": (34327, 19882, 46768), "eyelid": (52594, 303, 33189)},
            "right": {"eyeball": (9488, 53408, 21751), "tear_duct": (4195, 21866, 38595), "eyelid": (61585, 56473, 45546)},
        },
        "mouth": {
            "teeth": {"bottom": (56124, 29399, 39367), "top": (29528, 21170, 7322)},
            "lips": {
                "top": {"left": (58222, 23071, 11009), "right": (35538, 21858, 35678)},
                "bottom": {"left": (60167, 35896, 35807), "right": (7346, 20603, 45223)},
            },
            "interior": (40260, 6791, 10197),
            "gums": {"top": (30375, 54288, 35256), "bottom": (49584, 25641, 61743)},
            "tongue": (45705, 61178, 36197),
        },
        "neck": {"left": (38693, 46071, 10081), "right": (18268, 6851, 56303)},
        "skin": {"left": (9114, 4994, 13827), "right": (44166, 8762, 45533)},
        "nose": {"left": (25984, 22567, 16578), "right": (54652, 54478, 51619)},
        "ear": {"left": (25594, 22703, 49163), "right": (4027, 30928, 11794)},
    }},
    "background": (0, 0, 0),
}


def nested_map() -> dict:
    """The tree as written to JSON: leaves become ``{"R", "G", "B"}``."""
    def convert(node):
        if isinstance(node, tuple):
            return dict(zip("RGB", node))
        return {k: convert(v) for k, v in node.items()}
    return convert(SEGMENTATION_TREE)


def class_path(part: tuple[str, str | None]) -> tuple[str, ...] | None:
    """Path in the class tree of a part, or None for parts with no class (body, ground)."""
    label, side = part
    head = {
        "skin": ("skin", side), "hair": ("hair",), "eyebrow": ("eyebrow", side),
        "eyelid": ("eye", side, "eyelid"), "tear_duct": ("eye", side, "tear_duct"),
        "eyeball": ("eye", side, "eyeball"), "cornea": ("eye", side, "eyeball"),
        "nose": ("nose", side), "lips_top": ("mouth", "lips", "top", side),
        "lips_bottom": ("mouth", "lips", "bottom", side), "mouth_interior": ("mouth", "interior"),
        "teeth_top": ("mouth", "teeth", "top"), "ear": ("ear", side), "neck": ("neck", side),
    }
    if part == BACKGROUND:
        return ("background",)
    if label not in head:
        return None
    return ("human", "head") + head[label]


def uint16_color(part) -> tuple[int, int, int]:
    node = SEGMENTATION_TREE
    for key in class_path(part):
        node = node[key]
    return node


# Jan-2022 flat map: one float colour per class, as stored in a HALF EXR.
# Names follow the real file (eyebrows, scalp, head, eye_left, tearduct_right,
# Mouth_geo, Teeth_up_geo, nose, right_ear, upper_lip); eyelids were skin then.
FLAT_CLASSES = {
    "eyebrows": (0.4, 0.4, 0.4), "scalp": (0.8, 0.2, 0.1), "head": (0.9, 0.7, 0.5),
    "eye_left": (0.1, 0.9, 0.3), "eye_right": (0.1, 0.5, 0.9),
    "tearduct_left": (0.6, 0.1, 0.6), "tearduct_right": (0.3, 0.1, 0.7),
    "Mouth_geo": (0.5, 0.05, 0.05), "Teeth_up_geo": (0.95, 0.95, 0.8),
    "nose": (0.7, 0.4, 0.2), "left_ear": (0.2, 0.6, 0.6), "right_ear": (0.6, 0.6, 0.2),
    "upper_lip": (0.9, 0.2, 0.4), "lower_lip": (0.7, 0.1, 0.3), "neck": (0.3, 0.3, 0.8),
    "background": (0.0, 0.0, 0.0),
}


def flat_class(part) -> str | None:
    label, side = part
    if part == BACKGROUND:
        return "background"
    return {
        "skin": "head", "eyelid": "head", "hair": "scalp", "eyebrow": "eyebrows",
        "eyeball": f"eye_{side}", "cornea": f"eye_{side}", "tear_duct": f"tearduct_{side}",
        "mouth_interior": "Mouth_geo", "teeth_top": "Teeth_up_geo", "nose": "nose",
        "ear": f"{side}_ear", "lips_top": "upper_lip", "lips_bottom": "lower_lip", "neck": "neck",
    }.get(label)


def flat_map() -> dict:
    """Flat colour map with values exactly as a HALF EXR stores them."""
    return {name: [float(np.float16(c)) for c in rgb] for name, rgb in FLAT_CLASSES.items()}
