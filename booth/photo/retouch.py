"""The three retouch levels the subject chooses between on the review screen.

- ``none``: the crop as the camera saw it.
- ``natural``: exposure and white balance set from the face, gentle local
  contrast (:mod:`booth.photo.tone`).
- ``polished``: natural, plus gentle skin smoothing confined to the skin
  (:mod:`booth.photo.skin`).

Only pixel values change, never their positions: no level reshapes a face.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from booth.photo.face import FaceGeometry
from booth.photo.skin import FaceRegion, face_region, smooth_skin
from booth.photo.tone import Correction, apply_correction, local_contrast, plan_correction

LEVELS = ("none", "natural", "polished")
SCENE_SAMPLE = 20_000  # pixels of the surroundings looked at for grey world and highlights


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"unknown retouch level {level!r}; allowed: {', '.join(LEVELS)}")
    return level


@dataclass
class Retoucher:
    """Retouches one image (a crop) of one face; each level builds on the one before."""

    image: np.ndarray  # RGB uint8
    face: FaceGeometry | None  # in this image's pixels; None = no face: local contrast only

    def __post_init__(self) -> None:
        self._region: FaceRegion | None = (
            face_region(self.image.shape, self.face) if self.face is not None else None
        )
        self._done: dict[str, np.ndarray] = {"none": self.image}
        self.correction: Correction | None = None

    def render(self, level: str) -> np.ndarray:
        """The image at that level (cached)."""
        check_level(level)
        if level not in self._done:
            if level == "natural":
                self._done[level] = self._natural()
            else:
                natural = self.render("natural")
                self._done[level] = (
                    smooth_skin(natural, self._region) if self._region is not None else natural
                )
        return self._done[level]

    def _natural(self) -> np.ndarray:
        region = self._region
        skin = region.skin_pixels(self.image) if region is not None else np.empty((0, 3), np.uint8)
        self.correction = plan_correction(skin, scene_sample(self.image, region))
        return local_contrast(apply_correction(self.image, self.correction))


def scene_sample(image: np.ndarray, face: FaceRegion | None, pixels: int = SCENE_SAMPLE) -> np.ndarray:
    """About ``pixels`` evenly spread pixels of the image outside the face's region, (N, 3)."""
    h, w = image.shape[:2]
    step = max(1, int((h * w / pixels) ** 0.5))
    keep = np.ones(((h + step - 1) // step, (w + step - 1) // step), bool)
    if face is not None:
        ys, xs = np.arange(0, h, step), np.arange(0, w, step)
        rows = (ys >= face.y) & (ys < face.y + face.h)
        cols = (xs >= face.x) & (xs < face.x + face.w)
        keep &= ~(rows[:, None] & cols[None, :])
    return image[::step, ::step][keep]


def warm_up() -> None:
    """Pay OpenCV's one-off set-up of its Lab tables (~0.1 s) now, not on the first photo."""
    cv2.cvtColor(np.zeros((1, 1, 3), np.float32), cv2.COLOR_RGB2Lab)
    cv2.cvtColor(np.zeros((1, 1, 3), np.uint8), cv2.COLOR_RGB2Lab)


def retouch(image: np.ndarray, face: FaceGeometry | None, level: str) -> np.ndarray:
    """One level of retouch of an RGB uint8 image whose face is ``face`` (pixels of this image)."""
    return Retoucher(image, face).render(level)
