"""Exposure, white balance and local contrast, set from the face.

White balance is a skin-tone-aware grey world. Grey world assumes the
scene averages to grey; here it is taken over the *near-grey* pixels of the
crop outside the face only (low saturation: walls, shirts, backdrops under a
tinted light), so a strongly coloured wall does not count. Skin is the
check: on the London set (studio light, correct white balance, a wide range
of skin tones) the mean skin colour has a Lab hue of 33-61 deg and a chroma
of 10-22, and skin tone mostly changes lightness, not hue. So:

1. the grey-world correction (half strength) is applied only as far as it
   does not push the skin's colour further out of that range;
2. whatever part of the skin's colour still lies *outside* the range is then
   removed; a skin colour inside it is left alone whatever its tone.

Both are per-channel gains in linear light (a von Kries adaptation) that keep
the skin's luminance, clamped to :data:`GAIN_LIMIT`.

Exposure is gentle and needs two agreeing signs: skin darker than
:data:`SKIN_L_RANGE` *and* a scene whose highlights are short of white. Dark
skin in a well-exposed scene (bright shirt, bright backdrop) is therefore
left alone, while a dim frame is lifted, part of the way, by a gamma curve
(which cannot clip) clamped to :data:`GAMMA_RANGE`.

Colour and exposure together are one 256-entry lookup table per channel, so
the full-resolution image is touched once, in uint8, by ``cv2.LUT``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

HUE_RANGE = (38.0, 60.0)  # degrees, Lab hue of the mean skin colour treated as cast-free
CHROMA_RANGE = (10.0, 22.0)  # Lab chroma of the mean skin colour treated as cast-free
SKIN_L_RANGE = (45.0, 78.0)  # Lab lightness of the mean skin colour left as it is
GREY_WORLD_STRENGTH = 0.5  # grey world is only an assumption: go half way at most
GREY_SATURATION = 0.3  # (max - min) / max of a pixel that may be a grey thing under tinted light
GREY_MIN_LEVEL = 40  # darker pixels are mostly noise
GREY_MIN_SHARE = 0.02  # grey world needs at least this share of near-grey pixels
GREY_WORLD_STEPS = (1.0, 0.75, 0.5, 0.25)  # fractions of it tried, strongest first
GREY_WORLD_SLACK = 0.5  # how much further out of range (degrees + chroma units) the skin may go
EXPOSURE_STRENGTH = 0.6  # fraction of the way towards SKIN_L_RANGE
HIGHLIGHT_PERCENTILE = 99.0  # the scene's "white": lifting stops when this reaches HIGHLIGHT_TARGET
HIGHLIGHT_TARGET = 0.96
GAIN_LIMIT = 1.25  # no channel gain beyond this factor either way
GAMMA_RANGE = (0.75, 1.2)  # exposure curve limits (< 1 brightens)
CLAHE_CLIP = 1.3  # low clip: gentle local contrast
CLAHE_TILES = (4, 4)  # large tiles: shapes the light, not the skin texture
CONTRAST_AMOUNT = 0.25  # blend of the CLAHE result into the luma
CONTRAST_SCALE = 4  # local contrast is worked out at 1/4 size (see local_contrast)

_LUMA = np.array([0.2126, 0.7152, 0.0722])  # Rec. 709 / sRGB luminance weights


def srgb_decode(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded 0..1 -> linear light 0..1."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def srgb_encode(x: np.ndarray) -> np.ndarray:
    """Linear light 0..1 -> sRGB-encoded 0..1."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * x ** (1 / 2.4) - 0.055)


_DECODE = srgb_decode(np.arange(256) / 255.0)  # uint8 -> linear light, by table


def lab_of_linear(rgb_linear: np.ndarray) -> np.ndarray:
    """Lab (L 0..100) of one linear RGB colour."""
    px = srgb_encode(rgb_linear).astype(np.float32).reshape(1, 1, 3)
    return cv2.cvtColor(px, cv2.COLOR_RGB2Lab).reshape(3).astype(np.float64)


def linear_of_lab(lab: np.ndarray) -> np.ndarray:
    px = np.asarray(lab, dtype=np.float32).reshape(1, 1, 3)
    return srgb_decode(cv2.cvtColor(px, cv2.COLOR_Lab2RGB).reshape(3))


def _towards(v: float, lo: float, hi: float, strength: float = 1.0) -> float:
    return v + strength * (min(max(v, lo), hi) - v)


def _hue_arc(h: float) -> float:
    """Signed degrees from hue h to the nearer end of HUE_RANGE along the shorter arc (0 inside)."""
    lo, hi = HUE_RANGE
    if lo <= h <= hi:
        return 0.0
    return min((((edge - h + 180.0) % 360.0) - 180.0 for edge in (lo, hi)), key=abs)


def _skin_excess(rgb_linear: np.ndarray) -> float:
    """How far a mean skin colour lies outside the cast-free range (degrees of hue + chroma units)."""
    _, a, b = lab_of_linear(rgb_linear)
    chroma = math.hypot(a, b)
    return abs(_hue_arc(math.degrees(math.atan2(b, a)))) + abs(_towards(chroma, *CHROMA_RANGE) - chroma)


def _keep_luminance(gains: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return gains * (_LUMA @ colour) / max(float(_LUMA @ (gains * colour)), 1e-9)


@dataclass(frozen=True)
class Correction:
    """Per-channel linear gains (white balance), then a gamma (exposure)."""

    gains: tuple[float, float, float]
    gamma: float
    skin_lab: tuple[float, float, float]  # the skin as measured (diagnostics)

    def lut(self) -> np.ndarray:
        """(256, 1, 3) uint8 table for cv2.LUT."""
        v = srgb_decode(np.arange(256) / 255.0)[:, None] * np.array(self.gains)[None, :]
        # A soft knee instead of a hard clip where a gain > 1 would push past white.
        knee = 0.9
        over = v > knee
        v[over] = knee + (1 - knee) * np.tanh((v[over] - knee) / (1 - knee))
        out = srgb_encode(v) ** self.gamma
        return np.clip(np.round(out * 255), 0, 255).astype(np.uint8).reshape(256, 1, 3)

    @property
    def identity(self) -> bool:
        return self.gamma == 1.0 and self.gains == (1.0, 1.0, 1.0)


NO_CORRECTION = Correction((1.0, 1.0, 1.0), 1.0, (math.nan, math.nan, math.nan))


def _near_grey(pixels: np.ndarray) -> np.ndarray:
    """Which (N, 3) uint8 pixels could be grey things under a tinted light: low saturation, not dark."""
    hi = pixels.max(axis=1).astype(np.int16)
    lo = pixels.min(axis=1).astype(np.int16)
    return (hi >= GREY_MIN_LEVEL) & (hi - lo <= GREY_SATURATION * hi)


def _white_balance(skin: np.ndarray, scene: np.ndarray | None) -> np.ndarray:
    """Gains (linear RGB) from the skin's mean colour and the mean colour of the near-grey scene."""
    gains = np.ones(3)
    if scene is not None and np.all(scene > 1e-4):
        grey = (np.full(3, _LUMA @ scene) / scene) ** GREY_WORLD_STRENGTH
        before = _skin_excess(skin)
        for t in GREY_WORLD_STEPS:
            g = _keep_luminance(grey**t, skin)
            if _skin_excess(g * skin) <= before + GREY_WORLD_SLACK:
                gains = g
                break
    # Whatever the skin still has outside its range is a cast.
    lab = lab_of_linear(gains * skin)
    chroma, hue = math.hypot(lab[1], lab[2]), math.degrees(math.atan2(lab[2], lab[1]))
    t_hue, t_chroma = math.radians(hue + _hue_arc(hue)), _towards(chroma, *CHROMA_RANGE)
    target = linear_of_lab(np.array([lab[0], t_chroma * math.cos(t_hue), t_chroma * math.sin(t_hue)]))
    gains = gains * target / np.maximum(gains * skin, 1e-9)
    return np.clip(_keep_luminance(gains, skin), 1 / GAIN_LIMIT, GAIN_LIMIT)


def _exposure(skin_linear: np.ndarray, highlight: float | None) -> float:
    """The gamma for the skin (linear colour) in a scene whose highlights are at ``highlight`` (encoded 0..1)."""
    L = lab_of_linear(skin_linear)[0]
    t_L = _towards(L, *SKIN_L_RANGE, EXPOSURE_STRENGTH)
    y0 = float(srgb_encode(_LUMA @ skin_linear))
    y1 = float(srgb_encode(linear_of_lab(np.array([t_L, 0.0, 0.0]))[1]))
    if not (0.0 < y0 < 1.0 and 0.0 < y1 < 1.0) or abs(t_L - L) < 1e-6:
        return 1.0
    gamma = math.log(y1) / math.log(y0)
    if gamma < 1.0:  # brightening: only as far as the scene's highlights have room
        room = 1.0 if highlight is None or highlight >= HIGHLIGHT_TARGET else (
            math.log(HIGHLIGHT_TARGET) / math.log(max(highlight, 1e-3)))
        gamma = max(gamma, room)
    return float(np.clip(gamma, *GAMMA_RANGE))


def plan_correction(skin: np.ndarray, scene: np.ndarray | None = None) -> Correction:
    """The colour and exposure correction for a face.

    ``skin``: (N, 3) RGB uint8 skin pixels. ``scene``: (M, 3) RGB uint8
    pixels of the picture around the face (None = judge by the skin alone).
    """
    skin = np.asarray(skin).reshape(-1, 3)
    if len(skin) == 0:
        return NO_CORRECTION
    skin_mean = _DECODE[skin].mean(axis=0)
    if _LUMA @ skin_mean < 1e-4:  # a black "face": nothing to measure a colour or a level from
        return NO_CORRECTION
    grey_mean = highlight = None
    if scene is not None and len(scene):
        scene = np.asarray(scene).reshape(-1, 3)
        scene_linear = _DECODE[scene]
        greyish = _near_grey(scene)
        if greyish.mean() >= GREY_MIN_SHARE:
            grey_mean = scene_linear[greyish].mean(axis=0)
    gains = _white_balance(skin_mean, grey_mean)
    if scene is not None and len(scene):
        # A percentile commutes with the (monotonic) encoding: encode one number, not every pixel.
        luma = np.clip(scene_linear * gains, 0, 1) @ _LUMA
        highlight = float(srgb_encode(np.percentile(luma, HIGHLIGHT_PERCENTILE)))
    gamma = _exposure(gains * skin_mean, highlight)
    L, a, b = lab_of_linear(skin_mean)
    return Correction(
        tuple(round(float(g), 4) for g in gains),  # type: ignore[arg-type]
        round(gamma, 4),
        (round(float(L), 2), round(float(a), 2), round(float(b), 2)),
    )


def apply_correction(image: np.ndarray, correction: Correction) -> np.ndarray:
    """The corrected RGB uint8 image (one table lookup per pixel)."""
    if correction.identity:
        return image.copy()
    return cv2.LUT(image, correction.lut())


def local_contrast(image: np.ndarray, clip: float = CLAHE_CLIP, amount: float = CONTRAST_AMOUNT) -> np.ndarray:
    """Gentle local contrast: CLAHE on the luma, minus its broad brightness shift, blended.

    The change is worked out on the luma at a quarter of the size and
    enlarged: local contrast is about the shape of the light, not pores and
    sensor noise, which this leaves as they were (and it is 16 times less
    work). CLAHE also brightens or darkens whole areas (a mid-tone face on a
    bright backdrop comes out brighter); exposure is the exposure step's job,
    so that broad shift (the change blurred at the tile scale) is taken out
    and only the contrast is kept. The same change goes to R, G and B, which
    keeps the hue.

    The full-size image is read twice and written once: the change, offset
    by 128 into uint8, is enlarged straight into the interleaved RGB row
    layout (each channel samples the slowly varying change a third of a
    pixel apart, which cannot show) and added with one ``addWeighted``.
    """
    h, w = image.shape[:2]
    f = max(1, min(CONTRAST_SCALE, min(h, w) // 64))
    # INTER_AREA has a fast path for whole-number factors only: shrink a view cut to a multiple of f.
    sw, sh = w // f, h // f
    small = cv2.resize(image[:sh * f, :sw * f], (sw, sh), interpolation=cv2.INTER_AREA) if f > 1 else image
    luma = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    clahe = cv2.createCLAHE(clipLimit=clip, tileGridSize=CLAHE_TILES)
    delta = cv2.subtract(clahe.apply(luma), luma, dtype=cv2.CV_32F)
    # Blurred at half a tile: done on a small copy, a wide Gaussian is slow at any size worth keeping.
    dh, dw = delta.shape
    tiny = cv2.resize(delta, (max(1, dw // 8), max(1, dh // 8)), interpolation=cv2.INTER_AREA)
    tiny = cv2.GaussianBlur(tiny, (0, 0), max(tiny.shape) / (2 * max(CLAHE_TILES)))
    broad = cv2.resize(tiny, (dw, dh), interpolation=cv2.INTER_LINEAR)
    change = cv2.addWeighted(delta, amount, broad, -amount, 128.0)
    change = np.clip(np.round(change), 0, 255).astype(np.uint8)
    change = cv2.resize(change, (3 * w, h), interpolation=cv2.INTER_LINEAR)
    flat = np.ascontiguousarray(image).reshape(h, 3 * w)
    return cv2.addWeighted(flat, 1.0, change, 1.0, -128.0).reshape(h, w, 3)
