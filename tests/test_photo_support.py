"""Shared helpers of the photo tests (no tests here): the real face model and
real face photos, placed in camera-shaped scenes.

The London photos are square portraits with the face large in the frame; a
booth's still is 16:9 with room around the subject. ``in_scene`` places a
photo in such a frame: the photo, enlarged and blurred, fills the frame as
the background, and the photo itself sits on top at the chosen size and
place.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.camera.scripted import load_rgb  # noqa: F401 (re-exported for the photo tests)
from booth.photo.face import FaceGeometry
from booth.vision import FaceAnalyzer


@pytest.fixture(scope="module")
def analyzer(model_path: Path) -> Iterator[FaceAnalyzer]:
    with FaceAnalyzer(model_path, mode="image") as a:
        yield a


def in_scene(photo: np.ndarray, size: tuple[int, int] = (1600, 900), height: float = 0.9,
             centre: tuple[float, float] = (0.5, 0.5)) -> np.ndarray:
    """The photo at ``height`` x the frame height, centred at ``centre`` (fractions), cut by the frame edges."""
    fw, fh = size
    # Blurred far past recognition: the face model now looks for several faces, and a ghost of the
    # face in the background would be the largest one.
    small = cv2.GaussianBlur(cv2.resize(photo, (fw // 64, fh // 64), interpolation=cv2.INTER_AREA), (0, 0), 3.0)
    background = cv2.resize(small, (fw, fh), interpolation=cv2.INTER_LINEAR)
    ph = round(fh * height)
    pw = round(photo.shape[1] * ph / photo.shape[0])
    placed = cv2.resize(photo, (pw, ph), interpolation=cv2.INTER_CUBIC)
    x0, y0 = round(centre[0] * fw - pw / 2), round(centre[1] * fh - ph / 2)
    sx0, sy0 = max(0, -x0), max(0, -y0)
    dx0, dy0 = max(0, x0), max(0, y0)
    dx1, dy1 = min(fw, x0 + pw), min(fh, y0 + ph)
    scene = background.copy()
    scene[dy0:dy1, dx0:dx1] = placed[sy0:sy0 + dy1 - dy0, sx0:sx0 + dx1 - dx0]
    return scene


def geometry(analyzer: FaceAnalyzer, rgb: np.ndarray) -> FaceGeometry:
    """The face in an RGB image, in its pixels (the test fails without one)."""
    obs = analyzer.detect(rgb)
    assert obs is not None, "no face detected"
    return FaceGeometry.from_landmarks(obs.landmarks, (rgb.shape[1], rgb.shape[0]))
