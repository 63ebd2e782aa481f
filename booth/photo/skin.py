"""Where the skin is, and gentle skin smoothing confined to it.

The mask is the face oval minus the eyes, brows and lips (each grown by a
margin), feathered inwards so its soft edge lies *inside* the skin: the
eyes, brows, lips and the hair beyond the oval get weight 0 and stay sharp. A colour gate (distance from the face's own median skin colour in
Lab) then keeps stray hair, beard and glasses out.

Everything is computed on the face region only, at a *working scale* where
the face is at most :data:`WORK_FACE_WIDTH` pixels wide: a mask is smooth
and blemishes are larger than that scale's pixels, so nothing is lost, and a
12 MP still costs no more than a preview frame. Smoothing is an
edge-preserving bilateral filter at that scale; only the *change* it makes
is enlarged back and blended into the full-resolution pixels, so the finest
texture (pores, grain) survives and the skin never looks plastic.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from booth.photo.face import FaceGeometry, region

WORK_FACE_WIDTH = 320  # pixels: the face's width at the working scale
FEATURE_MARGIN = {"left_eye": 0.05, "right_eye": 0.05, "left_brow": 0.03, "right_brow": 0.03, "lips": 0.03}
FEATHER = 0.03  # of the face width: the soft edge, kept inside the skin
COLOUR_GATE = 3.0  # skin within this many (robust) standard deviations of the median colour
SMOOTH_STRENGTH = 0.7  # fraction of the filter's change applied on full skin
SMOOTH_DIAMETER = 0.025  # of the face width: the filter's neighbourhood
SMOOTH_SIGMA_COLOR = 22.0  # uint8 levels: edges stronger than this survive the filter


@dataclass(frozen=True)
class FaceRegion:
    """The face's part of an image, seen at the working scale."""

    x: int  # the region in the image, full-resolution pixels
    y: int
    w: int
    h: int
    scale: float  # working pixels per image pixel (<= 1)
    face_width: float  # the face's width at the working scale
    mask: np.ndarray  # float32 0..1, working scale: how much each pixel is skin
    core: np.ndarray  # bool, working scale: surely skin (for statistics)

    def slices(self) -> tuple[slice, slice]:
        return slice(self.y, self.y + self.h), slice(self.x, self.x + self.w)

    def small(self, image: np.ndarray) -> np.ndarray:
        """The region of an image at the working scale."""
        crop = image[self.slices()]
        if self.scale >= 1.0:
            return np.ascontiguousarray(crop)
        return cv2.resize(crop, self.mask.shape[::-1], interpolation=cv2.INTER_AREA)

    def skin_pixels(self, image: np.ndarray) -> np.ndarray:
        """(N, 3) uint8 pixels of the skin core, for statistics (sampled, not averaged: cheaper)."""
        crop = image[self.slices()]
        if self.scale < 1.0:
            crop = cv2.resize(crop, self.mask.shape[::-1], interpolation=cv2.INTER_NEAREST)
        return crop[self.core]


def face_region(image_shape: tuple[int, ...], face: FaceGeometry) -> FaceRegion | None:
    """The skin mask of a face in an image of that shape, or None if the face is not in it."""
    ih, iw = image_shape[:2]
    fw = max(face.width, 1.0)
    oval = face.points[list(region("oval"))]
    pad = FEATHER * fw
    x0 = int(max(np.floor(oval[:, 0].min() - pad), 0))
    y0 = int(max(np.floor(oval[:, 1].min() - pad), 0))
    x1 = int(min(np.ceil(oval[:, 0].max() + pad), iw))
    y1 = int(min(np.ceil(oval[:, 1].max() + pad), ih))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    scale = min(1.0, WORK_FACE_WIDTH / fw)
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    local = (face.shifted(x0, y0).points * scale).astype(np.float32)
    work = FaceGeometry.from_points(local)
    wf = work.width

    hard = np.zeros(size[::-1], np.uint8)
    cv2.fillConvexPoly(hard, work.hull("oval"), 255)
    for name, margin in FEATURE_MARGIN.items():
        # A convex feature grown by a disc of radius r: the hull filled, and its outline drawn 2r+1 thick.
        hull = work.hull(name)
        cv2.fillConvexPoly(hard, hull, 0)
        cv2.polylines(hard, [hull], True, 0, thickness=2 * max(1, round(margin * wf)) + 1)
    # Feathered inwards: blur, then map "half way" (the hard edge) to 0, so
    # the soft edge lies inside the skin and features and hair get nothing.
    r = max(1.0, FEATHER * wf)
    blurred = cv2.GaussianBlur(hard, (0, 0), r / 2).astype(np.float32) / 255.0
    mask = np.clip(blurred * 2.0 - 1.0, 0.0, 1.0)
    return FaceRegion(x0, y0, x1 - x0, y1 - y0, scale, wf, mask, blurred > 0.97)


def colour_gate(small_rgb: np.ndarray, core: np.ndarray) -> np.ndarray:
    """0..1 per pixel: how much its colour is like the face's own skin (Lab, robust spread)."""
    lab = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2Lab).astype(np.float32)
    skin = lab[core]
    if len(skin) < 16:
        return np.ones(core.shape, np.float32)
    median = np.median(skin, axis=0)
    mad = np.median(np.abs(skin - median), axis=0) * 1.4826 + np.array([4.0, 2.0, 2.0], np.float32)
    d2 = (((lab - median) / (COLOUR_GATE * mad)) ** 2).sum(axis=2)
    return np.exp(-d2).astype(np.float32)


def smooth_skin(image: np.ndarray, face: FaceRegion, strength: float = SMOOTH_STRENGTH) -> np.ndarray:
    """The image with the skin in ``face`` gently smoothed; nothing else changes."""
    small = face.small(image)
    weight = face.mask * colour_gate(small, face.core) * strength
    d = max(5, round(SMOOTH_DIAMETER * face.face_width)) | 1
    smoothed = cv2.bilateralFilter(small, d, SMOOTH_SIGMA_COLOR, d / 2)
    change = (smoothed.astype(np.float32) - small.astype(np.float32)) * weight[..., None]
    if face.scale < 1.0:
        change = cv2.resize(change, (face.w, face.h), interpolation=cv2.INTER_LINEAR)
    out = image.copy()
    target = out[face.slices()]
    target[...] = np.clip(target.astype(np.float32) + change, 0, 255).astype(np.uint8)
    return out
