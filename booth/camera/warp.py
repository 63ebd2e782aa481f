"""Moving a few face landmarks in a photo, the pixels around them following: a smooth warp.

The moving landmarks get their displacement, every other landmark of the
face holds its pixels still, and a normalised Gaussian spread (a smooth field
through scattered points: a few lines of OpenCV rather than a thin-plate-spline
package) fills in the pixels between. OpenCV's remap then draws the photo
through the field. Used for the scripted subject's bigger smile
(:mod:`booth.camera.smile`) and its eyes turned aside (:mod:`booth.camera.gaze`).
"""

from __future__ import annotations

import cv2
import numpy as np


def landmark_field(points: np.ndarray, moves: np.ndarray, moving: np.ndarray, size: tuple[int, int], *,
                   spread: float, weight: float) -> np.ndarray:
    """HxWx2 float32 pixel displacements: ``moves`` (Nx2) at the ``moving`` points (N bools), nothing
    at the others, spread over ``spread`` pixels (a Gaussian's sigma); a moving point counts ``weight``
    times a still one (the still ones nearby damp it otherwise)."""
    w, h = size
    total = np.zeros((h, w, 2), np.float32)
    count = np.zeros((h, w), np.float32)
    for (x, y), m, on in zip(np.rint(points).astype(int), moves, moving):
        if 0 <= x < w and 0 <= y < h:
            k = weight if on else 1.0
            total[y, x] += k * m
            count[y, x] += k
    total = cv2.GaussianBlur(total, (0, 0), spread)
    count = cv2.GaussianBlur(count, (0, 0), spread)
    # Far from every face point the weight falls to nothing: no movement there (not the nearest point's).
    return total / np.maximum(count, 1e-3 * float(count.max()))[:, :, None]


def warped(image: np.ndarray, field: np.ndarray, amount: float) -> np.ndarray:
    """``image`` moved by ``amount`` times the field (its top-left part the field's size; the rest as it is)."""
    if amount == 0:
        return image
    h, w = field.shape[:2]
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    # remap looks each output pixel up in the source: backwards along the movement.
    out = image.copy()
    out[:h, :w] = cv2.remap(image[:h, :w], gx - amount * field[..., 0], gy - amount * field[..., 1],
                            cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out
