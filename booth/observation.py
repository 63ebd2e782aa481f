"""What vision sees in one frame: the data the pure core (coach, photo) reads.

Kept free of mediapipe so the coach and its tests can import it anywhere.
Coordinates are in the un-mirrored camera image; the preview may be mirrored
for display only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in pixels of the analysed image."""

    x: float
    y: float
    w: float
    h: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass(frozen=True)
class Pose:
    """Head pose in degrees, from the face transformation matrix.

    Sign conventions are documented in :mod:`booth.vision`.
    """

    yaw: float
    pitch: float
    roll: float


@dataclass(frozen=True, eq=False)
class Observation:
    """One face seen in one frame."""

    timestamp: float  # seconds, the frame's timestamp
    image_size: tuple[int, int]  # (width, height) of the analysed image
    landmarks: np.ndarray  # (478, 3) float32: x, y normalised to the image, z relative
    blendshapes: Mapping[str, float]  # mediapipe's 52 blendshape scores, 0..1
    pose: Pose
    box: Box  # face box in pixels
    pupils: tuple[tuple[float, float], tuple[float, float]]  # iris centres, pixels, image-left first
    matrix: np.ndarray = field(repr=False)  # (4, 4) facial transformation matrix

    def points(self) -> np.ndarray:
        """Landmarks in pixels, (478, 2)."""
        w, h = self.image_size
        return self.landmarks[:, :2] * np.array([w, h], dtype=np.float32)
