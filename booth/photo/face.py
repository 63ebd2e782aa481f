"""Face geometry the photo steps share: landmark regions, eye line, chin and crown.

The crop, the retouch and the best-shot sharpness all need the same few
facts about a face in *full-resolution pixels*; they are derived here once,
from the normalised landmarks, so that every step agrees on them.

mediapipe's mesh stops at the upper forehead, so the crown (top of the head,
hair included) is estimated: on the London set (plain background, so the top
of the hair can be measured) eye-to-crown is 1.02 x eye-to-chin at the
median (10-90 %: 0.91-1.20). The crown is therefore placed one eye-to-chin
length above the eyes, along the face's own up direction so a tilted head
keeps a sensible crown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from booth.vision import IRIS_CENTRES  # cheap: mediapipe loads only when a FaceAnalyzer is made

CHIN = 152  # mediapipe's chin landmark
CROWN_RATIO = 1.0  # eye-to-crown / eye-to-chin (see the module docstring)

# Names of mediapipe's FaceLandmarksConnections groups used here.
_REGIONS = {
    "oval": ("FACE_LANDMARKS_FACE_OVAL",),
    "eyes": ("FACE_LANDMARKS_LEFT_EYE", "FACE_LANDMARKS_RIGHT_EYE"),
    "brows": ("FACE_LANDMARKS_LEFT_EYEBROW", "FACE_LANDMARKS_RIGHT_EYEBROW"),
    "lips": ("FACE_LANDMARKS_LIPS",),
    "left_eye": ("FACE_LANDMARKS_LEFT_EYE",),
    "right_eye": ("FACE_LANDMARKS_RIGHT_EYE",),
    "left_brow": ("FACE_LANDMARKS_LEFT_EYEBROW",),
    "right_brow": ("FACE_LANDMARKS_RIGHT_EYEBROW",),
}


@functools.cache
def region(name: str) -> tuple[int, ...]:
    """Landmark indices of a named face region, from mediapipe's own topology.

    Read from the library rather than typed in, so the indices cannot drift
    from the model that produced the landmarks.
    """
    from mediapipe.tasks.python.vision.face_landmarker import FaceLandmarksConnections as C

    groups = _REGIONS[name]
    return tuple(sorted({i for g in groups for c in getattr(C, g) for i in (c.start, c.end)}))


@dataclass(frozen=True)
class FaceGeometry:
    """Where the face is, in pixels of one image."""

    points: np.ndarray  # (478, 2) float32, pixels
    eyes: np.ndarray  # (2, 2) iris centres
    chin: np.ndarray  # (2,)
    crown: np.ndarray  # (2,) estimated top of the head, hair included
    left: float  # face-oval extent, x
    right: float

    @classmethod
    def from_landmarks(cls, landmarks: np.ndarray, size: tuple[int, int]) -> FaceGeometry:
        """From normalised (478, >=2) landmarks and the (width, height) they refer to."""
        w, h = size
        points = np.asarray(landmarks, dtype=np.float32)[:, :2] * np.array([w, h], dtype=np.float32)
        return cls.from_points(points)

    @classmethod
    def from_points(cls, points: np.ndarray) -> FaceGeometry:
        points = np.asarray(points, dtype=np.float32)
        eyes = points[list(IRIS_CENTRES)]
        eye_mid = eyes.mean(axis=0)
        chin = points[CHIN]
        crown = eye_mid - CROWN_RATIO * (chin - eye_mid)
        oval_x = points[list(region("oval")), 0]
        return cls(points, eyes, chin, crown, float(oval_x.min()), float(oval_x.max()))

    @property
    def eye_y(self) -> float:
        """The eye line: mean height of the two iris centres."""
        return float(self.eyes[:, 1].mean())

    @property
    def centre_x(self) -> float:
        """Horizontal centre of the face oval."""
        return (self.left + self.right) / 2

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def head_height(self) -> float:
        """Chin to (estimated) crown."""
        return float(np.hypot(*(self.chin - self.crown)))

    def shifted(self, dx: float, dy: float) -> FaceGeometry:
        """The same face in an image cropped at (dx, dy)."""
        d = np.array([dx, dy], dtype=np.float32)
        return FaceGeometry(self.points - d, self.eyes - d, self.chin - d, self.crown - d,
                            self.left - dx, self.right - dx)

    def hull(self, name: str) -> np.ndarray:
        """Convex hull of a region as int32 (N, 1, 2), ready for cv2 drawing."""
        import cv2

        pts = self.points[list(region(name))]
        return cv2.convexHull(np.round(pts).astype(np.int32))
