"""Appearance: albedos, an equirectangular sky (``hdri_map.exr``), visible and NIR shading.

Shading is simple on purpose (Lambert + a specular glint on the eyes, no
shadows): the point of the visible image is to show recognisable parts in
the right places, not photorealism.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .render import Frame
from .solids import unit

HDRI_SHAPE = (128, 256)  # rows (latitude), columns (longitude)

SKIN_TONES = {  # linear RGB
    "african": (0.16, 0.085, 0.05), "south_asian": (0.32, 0.19, 0.11), "southeast_asian": (0.48, 0.32, 0.21),
    "hispanic": (0.45, 0.29, 0.18), "mediterranean": (0.52, 0.34, 0.23), "north_european": (0.68, 0.47, 0.37),
}

SCENE_ALBEDO = {  # linear RGB of parts that do not depend on the subject
    "eyeball": (0.78, 0.74, 0.7), "mouth_interior": (0.2, 0.04, 0.04), "teeth_top": (0.8, 0.77, 0.68),
    "ground": (0.3, 0.29, 0.27), "mailbox": (0.1, 0.12, 0.3), "trash_bin": (0.08, 0.2, 0.08),
    "lamp": (0.7, 0.7, 0.6), "parcel": (0.45, 0.3, 0.15), "shoes": (0.05, 0.05, 0.05),
}


@dataclass(frozen=True)
class Look:
    skin: tuple
    hair: tuple
    iris: tuple
    shirt: tuple = (0.2, 0.25, 0.45)
    trousers: tuple = (0.12, 0.12, 0.14)

    def albedo(self, label: str) -> np.ndarray:
        skin = np.array(self.skin)
        table = {
            "skin": skin, "nose": skin, "ear": skin, "neck": skin * 0.95, "hand": skin,
            "eyelid": skin * (1.0, 0.85, 0.85), "tear_duct": skin * (1.1, 0.6, 0.6),
            "lips_top": skin * (1.05, 0.6, 0.6), "lips_bottom": skin * (1.1, 0.62, 0.62),
            "hair": np.array(self.hair), "eyebrow": np.array(self.hair) * 0.8,
            "cornea": np.array(self.iris), "shirt": np.array(self.shirt), "trousers": np.array(self.trousers),
        }
        return table[label] if label in table else np.array(SCENE_ALBEDO[label])


# NIR reflectance: skin is bright, hair and pupils dark, irises fairly bright.
NIR_ALBEDO = {"hair": 0.25, "eyebrow": 0.2, "eyeball": 0.55, "cornea": 0.4, "mouth_interior": 0.1, "teeth_top": 0.6}
NIR_SKIN = 0.6


@dataclass(frozen=True)
class Lighting:
    sky: np.ndarray  # (128, 256, 3) float32 radiance, the equirectangular map
    rotation: float  # degrees the map is turned about world z
    sun: np.ndarray  # world unit vector toward the brightest light
    sun_color: np.ndarray
    ambient: np.ndarray


def _texel(dirs: np.ndarray, rotation: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular texel (row, col) of world directions; longitude 0 is +y."""
    d = unit(dirs)
    lon = np.arctan2(d[:, 0], d[:, 1]) + np.radians(rotation)
    lat = np.arcsin(np.clip(d[:, 2], -1, 1))
    h, w = HDRI_SHAPE
    col = np.floor((lon / (2 * np.pi) + 0.5) % 1.0 * w).astype(int) % w
    row = np.clip(np.floor((0.5 - lat / np.pi) * h).astype(int), 0, h - 1)
    return row, col


def make_lighting(rng: np.random.Generator, evening: bool = False) -> Lighting:
    """A sky with a sun in front of the subject and a skyline; evening is low, warm and dim."""
    h, w = HDRI_SHAPE
    lat = (0.5 - (np.arange(h) + 0.5) / h) * np.pi
    lon = ((np.arange(w) + 0.5) / w - 0.5) * 2 * np.pi
    lat, lon = np.meshgrid(lat, lon, indexing="ij")
    rotation = float(rng.uniform(0, 360))
    # The face looks toward -y (world longitude 180°); keep the sun within 70° of that.
    sun_lon = np.radians(180 + rng.uniform(-70, 70))
    sun_lat = np.radians(rng.uniform(8, 20) if evening else rng.uniform(25, 55))
    zenith = np.array([0.15, 0.3, 0.75]) if not evening else np.array([0.12, 0.12, 0.3])
    horizon = np.array([0.75, 0.75, 0.72]) if not evening else np.array([0.9, 0.5, 0.3])
    up = np.clip(lat / (np.pi / 2), 0, 1)[..., None] ** 0.5
    sky = horizon * (1 - up) + zenith * up
    skyline = np.repeat(rng.uniform(0.0, 0.25, w // 8), 8)[None, :]  # building heights, radians
    sky = np.where((lat < skyline)[..., None], np.array([0.2, 0.19, 0.18]) * (1.0 if not evening else 0.4), sky)
    sky = np.where((lat < 0)[..., None], np.array([0.18, 0.16, 0.14]), sky)
    # World longitude = map longitude - rotation.
    map_lon = sun_lon + np.radians(rotation)
    cos_angle = np.sin(lat) * np.sin(sun_lat) + np.cos(lat) * np.cos(sun_lat) * np.cos(lon - map_lon)
    sun_color = np.array([1.0, 0.95, 0.85]) if not evening else np.array([1.0, 0.6, 0.35])
    sky = sky + sun_color * 60.0 * (cos_angle > np.cos(np.radians(3.0)))[..., None]
    sun = np.array([np.cos(sun_lat) * np.sin(sun_lon), np.cos(sun_lat) * np.cos(sun_lon), np.sin(sun_lat)])
    ambient = sky[lat > 0].clip(0, 1).mean(axis=0)
    strength = 1.4 if evening else 2.2
    return Lighting(sky.astype(np.float32), rotation, sun, sun_color * strength, ambient)


def _tone(x: np.ndarray) -> np.ndarray:
    """Linear radiance → display value in [0, 1] (Reinhard, then gamma 2.2)."""
    x = np.maximum(x, 0.0)
    return (x / (1.0 + x)) ** (1 / 2.2)


def _albedo_table(frame: Frame, albedo) -> np.ndarray:
    return np.array([albedo(label) if label != "background" else (0.0, 0.0, 0.0)
                     for label, _ in frame.parts])[frame.part]


def _cornea_pixels(frame: Frame, eye) -> np.ndarray:
    keys = [i for i, part in enumerate(frame.parts) if part == ("cornea", eye.side)]
    return np.flatnonzero(np.isin(frame.part, keys))


def _pupil_mask(frame: Frame, eyes) -> np.ndarray:
    """Pixels whose ray crosses a pupil through the cornea (no refraction)."""
    mask = np.zeros(len(frame.part), dtype=bool)
    for eye in eyes:
        m = _cornea_pixels(frame, eye)
        mask[m[eye.in_pupil(frame.camera.center, frame.dirs[m])]] = True
    return mask


def _iris_fibres(frame: Frame, eyes, color: np.ndarray) -> None:
    """Radial fibres and a dark limbal ring on each cornea."""
    for eye in eyes:
        m = _cornea_pixels(frame, eye)
        w = frame.points[m] - eye.iris_center
        phi = np.arctan2(w @ np.cross(eye.up, eye.optical), w @ eye.up)
        radial = np.linalg.norm(w - np.outer(w @ eye.optical, eye.optical), axis=1) / eye.iris_radius
        fibres = 0.75 + 0.25 * np.sin(24 * phi)
        ring = 1.0 - 0.6 * np.clip((radial - 0.8) / 0.2, 0, 1)
        color[m] *= (fibres * ring)[:, None]


def _hair_strands(frame: Frame, color: np.ndarray) -> None:
    m = np.flatnonzero(frame.mask("hair", "eyebrow"))
    p = frame.points[m]
    color[m] *= (0.8 + 0.2 * np.sin(900 * p[:, 0] + 300 * p[:, 2]))[:, None]


def _paving(frame: Frame, color: np.ndarray) -> None:
    """Half-metre paving slabs on the ground, so that distance reads in the image."""
    m = np.flatnonzero(frame.mask("ground"))
    slab = (np.floor(frame.points[m, 0] * 2) + np.floor(frame.points[m, 1] * 2)) % 2
    color[m] *= (0.85 + 0.15 * slab)[:, None]


def shade_visible(frame: Frame, look: Look, lighting: Lighting, eyes=()) -> np.ndarray:
    """Display RGB in [0, 1], (H, W, 3); the sky shows behind the subject."""
    albedo = _albedo_table(frame, look.albedo)
    _hair_strands(frame, albedo)
    _paving(frame, albedo)
    _iris_fibres(frame, eyes, albedo)
    albedo[_pupil_mask(frame, eyes)] = 0.01
    n = frame.normals
    facing = n @ lighting.sun
    sky_light = (0.55 + 0.45 * n[:, 2:3]) * lighting.ambient  # more light from above
    radiance = albedo * (sky_light + np.clip(facing, 0, None)[:, None] * lighting.sun_color)
    # A glint on wet parts, Blinn-Phong.
    wet = frame.mask("cornea", "eyeball", "lips_top", "lips_bottom") & (facing > 0)
    half = unit(unit(-frame.dirs) + lighting.sun)
    glint = np.clip(np.einsum("ij,ij->i", n, half), 0, 1) ** 80 * wet
    radiance += glint[:, None] * lighting.sun_color * 2.0
    row, col = _texel(frame.dirs, lighting.rotation)
    background = np.minimum(lighting.sky[row, col], 4.0)
    return frame.image(_tone(np.where(frame.hit[:, None], radiance, background)))


def shade_nir(frame: Frame, lamp: np.ndarray, axis: np.ndarray, beam_angle: float, eyes=()) -> np.ndarray:
    """Grey NIR image in [0, 1], (H, W): a spot lamp, inverse-square falloff, dark background.

    Exposure is set so a surface facing the lamp at the median hit distance
    reads about 0.8.
    """
    albedo = np.array([NIR_ALBEDO.get(label, NIR_SKIN) for label, _ in frame.parts])[frame.part]
    albedo[_pupil_mask(frame, eyes)] = 0.02
    hit = frame.hit
    to_lamp = lamp - frame.points[hit]
    dist2 = np.einsum("ij,ij->i", to_lamp, to_lamp)
    l = to_lamp / np.sqrt(dist2)[:, None]
    angle = np.degrees(np.arccos(np.clip(-l @ unit(axis), -1, 1)))
    spot = np.clip((beam_angle / 2 + 5 - angle) / 10, 0, 1)  # soft beam edge
    aim2 = float(np.median(frame.t[hit])) ** 2 if hit.any() else 1.0
    cosine = np.clip(np.einsum("ij,ij->i", frame.normals[hit], l), 0, 1)
    value = np.zeros(len(hit))
    value[hit] = albedo[hit] * cosine * spot * aim2 / dist2 * 0.8 / NIR_SKIN
    return frame.image(value.clip(0, 1))
