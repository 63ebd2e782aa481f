"""From a full-resolution burst to a photo: best shot, headshot crop, retouch on demand.

Detection runs on each still shrunk by a whole factor to at most
:data:`DETECT_MAX_SIDE` (the face model's own detector sees 128x128 pixels
of the whole frame anyway, so only the landmark stage could use more), by
bilinear sampling: on a 4608x2592 still it takes 2.6 ms where INTER_AREA
takes 13 ms, and the landmarks it leads to agree with those from a 1536 px
INTER_AREA copy to 1.7 px median (0.4 % of the face width). The landmarks
are normalised, so the crop and the retouch still work in full-resolution
pixels. Retouching happens only on the crop, and only for the levels asked
for.

It never fails to make a photo from a non-empty burst: without a usable face
the sharpest frame is kept with a centred crop, and the scores say so.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from booth.camera.base import Frame
from booth.coach.baseline import Baseline
from booth.coach.looks import evaluate_look
from booth.coach.metrics import compute_metrics
from booth.config import CoachConfig, PhotoConfig
from booth.observation import Box
from booth.photo.bestshot import Candidate, choose, face_sharpness, frame_sharpness
from booth.photo.crop import Crop, centred_crop, headshot_crop
from booth.photo.encode import encode_jpeg
from booth.photo.face import FaceGeometry
from booth.photo.retouch import Retoucher, check_level, warm_up
from booth.photo.watermark import Watermark

DETECT_MAX_SIDE = 1280  # pixels: the longest side the face model sees


def detection_image(rgb: np.ndarray, max_side: int = DETECT_MAX_SIDE) -> np.ndarray:
    """The still shrunk by the smallest whole factor that brings it within max_side."""
    h, w = rgb.shape[:2]
    factor = math.ceil(max(w, h) / max_side)
    if factor <= 1:
        return rgb
    return cv2.resize(rgb, (w // factor, h // factor), interpolation=cv2.INTER_LINEAR)


@dataclass
class ProcessedPhoto:
    """The chosen frame, its crop, and its renders at each retouch level (made when asked for)."""

    original: np.ndarray  # RGB, the chosen frame at full resolution, uncropped, untouched
    index: int  # which burst frame won (position in the burst)
    crop_preset: str
    crop_box: tuple[int, int, int, int]  # x, y, w, h in original pixels
    scores: dict[str, float | int | str]
    face: FaceGeometry | None = field(default=None, repr=False)  # in original pixels
    watermark: Watermark | None = field(default=None, repr=False)  # [event] watermark: on the retouched copy only
    _retoucher: Retoucher | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def render(self, level: str) -> np.ndarray:
        """Cropped and retouched at level none|natural|polished (cached per level; read-only for "none")."""
        check_level(level)
        with self._lock:
            if self._retoucher is None:
                x, y, w, h = self.crop_box
                crop = self.original[y:y + h, x:x + w]
                crop.flags.writeable = False  # a view: "none" must never let the original be drawn on
                face = self.face.shifted(x, y) if self.face is not None else None
                self._retoucher = Retoucher(crop, face)
            return self._retoucher.render(level)

    def finished(self, level: str) -> np.ndarray:
        """The retouched copy as the guest gets it: the render, with the event's mark if it asks for one."""
        image = self.render(level)
        return image if self.watermark is None else self.watermark.apply(image)

    def jpeg(self, level: str | None, quality: int) -> bytes:
        """JPEG of the retouched copy at level; level None = the original frame, never marked."""
        image = self.original if level is None else self.finished(level)
        return encode_jpeg(image, quality)


class PhotoPipeline:
    """Turns bursts into photos; owns an IMAGE-mode face analyser (close() it)."""

    def __init__(self, photo: PhotoConfig, coach: CoachConfig, model_path: Path, *,
                 watermark: Watermark | None = None) -> None:
        from booth.vision import FaceAnalyzer  # mediapipe loads here, not at import

        self.photo = photo
        self.coach = coach
        self.watermark = watermark
        self._analyzer = FaceAnalyzer(Path(model_path), mode="image")
        warm_up()

    def close(self) -> None:
        self._analyzer.close()

    def __enter__(self) -> PhotoPipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _judge(self, position: int, frame: Frame, look: str, baseline: Baseline | None,
               subject: Box | None) -> tuple[Candidate, FaceGeometry | None]:
        image = frame.image
        obs = self._analyzer.detect(detection_image(image), frame.timestamp, near=subject)
        if obs is None:
            return Candidate(position, frame_sharpness(image), face=False), None
        face = FaceGeometry.from_landmarks(obs.landmarks, (image.shape[1], image.shape[0]))
        metrics = compute_metrics(obs, baseline)
        result = evaluate_look(obs, look, self.coach, baseline, metrics=metrics)
        return Candidate(
            position, face_sharpness(image, face), face=True, look=float(result.score),
            eyes_open=float(metrics.eyes_open), eye_contact=float(metrics.eye_contact),
            yaw=float(metrics.yaw), pitch=float(metrics.pitch),
        ), face

    def process(self, burst: list[Frame], look: str, baseline: Baseline | None = None,
                subject: Box | None = None) -> ProcessedPhoto:
        """The best frame of a non-empty burst, with its headshot crop and scores.

        ``subject`` (fractions of the frame: where the coached face was when the
        shot was taken) keeps the best shot and the crop on that person when
        others are in the picture; without it, the largest, most central face.
        """
        if not burst:
            raise ValueError("an empty burst has no photo")
        judged = [self._judge(i, frame, look, baseline, subject) for i, frame in enumerate(burst)]
        best = choose([c for c, _ in judged], look)
        image = burst[best.position].image
        face = judged[best.position][1]
        size = (image.shape[1], image.shape[0])
        crop: Crop = (
            headshot_crop(size, face, self.photo.crop) if face is not None
            else centred_crop(size, self.photo.crop)
        )
        scores = dict(best.scores)
        scores["crop"] = "headshot" if face is not None else "centred (no face)"
        if crop.eye_fraction is not None:
            scores["crop.eye_line"] = round(crop.eye_fraction, 4)
            scores["crop.head"] = round(crop.head_fraction or 0.0, 4)
        return ProcessedPhoto(image, best.position, crop.preset, crop.box, scores, face, self.watermark)
