"""Shrinking an image to fit a box: one rule for the camera, vision and the review screen."""

from __future__ import annotations

import cv2
import numpy as np


def fit_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled to fit inside ``box``, aspect kept (never enlarged)."""
    w, h = size
    scale = min(box[0] / w, box[1] / h, 1.0)
    return (max(1, round(w * scale)), max(1, round(h * scale)))


def fit_image(image: np.ndarray, box: tuple[int, int]) -> np.ndarray:
    """``image`` shrunk (INTER_AREA) to fit inside ``box``; ``image`` itself when it already fits."""
    h, w = image.shape[:2]
    size = fit_size((w, h), box)
    if size == (w, h):
        return image
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
