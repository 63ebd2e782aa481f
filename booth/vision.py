"""Vision: mediapipe's FaceLandmarker turned into one :class:`Observation` per frame.

Two modes: ``"video"`` for the live loop (mediapipe tracks the face between
frames, so it is cheaper and steadier; timestamps must strictly increase and
this wrapper guarantees it) and ``"image"`` for stills (each image judged on
its own). Big stills can be downscaled before detection (``max_side``):
landmarks are normalised, so everything maps back to the full-size image.

Always run on the *un-mirrored* camera image; a mirrored preview is a display
matter only, and mirroring would flip the sign of yaw and roll.

Head pose, in degrees, from mediapipe's facial transformation matrix (camera
space: x to the image right, y up, z towards the viewer), decomposed as
``R = Ry(yaw) @ Rx(pitch) @ Rz(roll)``; then signs are chosen to read well:

- **yaw** > 0: the face turns towards the image right, i.e. the subject turns
  to their own left. 0 = facing the camera.
- **pitch** > 0: chin up (face tilts up); < 0: chin down.
- **roll** > 0: the head tilts so the image-right eye (the subject's left eye)
  is higher, i.e. counter-clockwise as seen in the image; the subject leans
  their head towards their right shoulder.

Pupils are the iris centres (landmarks 468 and 473), in pixels of the image
passed to :meth:`FaceAnalyzer.detect`, image-left first. The face box is the
landmarks' bounding box in pixels, not clipped to the image (a face half out
of the frame has a box that says so).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from booth.observation import Box, Observation, Pose

IRIS_CENTRES = (468, 473)  # mediapipe's two iris centre landmarks
MODES = ("video", "image")


def pose_from_matrix(matrix: np.ndarray) -> Pose:
    """Yaw, pitch, roll in degrees (conventions in the module docstring)."""
    r = np.asarray(matrix, dtype=np.float64)[:3, :3]
    yaw = math.degrees(math.atan2(r[0, 2], r[2, 2]))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, -r[1, 2]))))
    roll = math.degrees(math.atan2(r[1, 0], r[1, 1]))
    # Rx(+a) turns the face's forward axis towards -y (down): flip so + is chin up.
    return Pose(yaw=yaw, pitch=-pitch, roll=roll)


class FaceAnalyzer:
    """One mediapipe FaceLandmarker, one face at a time. Use as a context manager or close()."""

    def __init__(self, model_path: Path, *, mode: str = "video", max_side: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if max_side is not None and max_side < 32:
            raise ValueError(f"max_side must be at least 32, not {max_side}")
        # Imported here so that importing booth.vision (e.g. for pose_from_matrix) stays cheap.
        from mediapipe.tasks.python import BaseOptions, vision

        self.mode = mode
        self.max_side = max_side
        self._last_ms: int | None = None
        running = vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=running,
            num_faces=1,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        self._landmarker = vision.FaceLandmarker.create_from_options(options)

    # -- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        """Release the mediapipe graph (it holds threads and memory until closed)."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> FaceAnalyzer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __del__(self) -> None:  # a safety net only; callers close explicitly
        try:
            self.close()
        except Exception:  # noqa: BLE001 (interpreter shutdown)
            pass

    # -- detection -----------------------------------------------------------
    def _next_ms(self, timestamp: float | None) -> int:
        """Milliseconds for detect_for_video: strictly increasing whatever the caller passes."""
        ms = int(round((time.monotonic() if timestamp is None else timestamp) * 1000.0))
        if self._last_ms is not None and ms <= self._last_ms:
            ms = self._last_ms + 1
        self._last_ms = ms
        return ms

    def _prepare(self, image: np.ndarray) -> np.ndarray:
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an HxWx3 uint8 RGB image, got {image.dtype} {image.shape}")
        h, w = image.shape[:2]
        if self.max_side and max(w, h) > self.max_side:
            scale = self.max_side / max(w, h)
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(image)

    def detect(self, image: np.ndarray, timestamp: float | None = None) -> Observation | None:
        """The face in an RGB uint8 image, or None when there is none.

        ``timestamp`` is in seconds; in video mode it orders the frames (the
        clock is used when it is None), in image mode it is only recorded.
        """
        if self._landmarker is None:
            raise RuntimeError("FaceAnalyzer is closed")
        import mediapipe as mp

        h, w = image.shape[:2]
        small = self._prepare(image)
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=small)
        if self.mode == "video":
            ms = self._next_ms(timestamp)
            result = self._landmarker.detect_for_video(mp_image, ms)
            ts = ms / 1000.0 if timestamp is None else float(timestamp)
        else:
            result = self._landmarker.detect(mp_image)
            ts = 0.0 if timestamp is None else float(timestamp)
        if not result.face_landmarks:
            return None
        return build_observation(result, (w, h), ts)


def place_face(
    image: np.ndarray, face: Box, size: tuple[int, int], target: Box, *, scale: float = 1.0,
    shift: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """A size=(w, h) frame showing ``image`` scaled and moved so ``face`` fills ``target``.

    ``target`` is in fractions of the frame (like FRAMING_TARGET); ``scale``
    and ``shift`` (fractions of the frame) move the face off the target, for
    replayed subjects, tests and benchmarks. The border is mid grey.
    """
    w, h = size
    k = scale * (target.h * h) / face.h
    fx, fy = face.centre
    tx, ty = target.centre
    dx = (tx + shift[0]) * w - k * fx
    dy = (ty + shift[1]) * h - k * fy
    affine = np.array([[k, 0.0, dx], [0.0, k, dy]], dtype=np.float64)
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    return cv2.warpAffine(image, affine, (w, h), flags=interp, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=(128, 128, 128))


def build_observation(result: object, image_size: tuple[int, int], timestamp: float) -> Observation:
    """An Observation from a FaceLandmarkerResult with one face, in pixels of image_size."""
    w, h = image_size
    lms = result.face_landmarks[0]  # type: ignore[attr-defined]
    landmarks = np.array([(p.x, p.y, p.z) for p in lms], dtype=np.float32)
    blend = {c.category_name: float(c.score) for c in result.face_blendshapes[0]}  # type: ignore[attr-defined]
    matrix = np.asarray(result.facial_transformation_matrixes[0], dtype=np.float32).reshape(4, 4)  # type: ignore[attr-defined]
    x0, y0 = landmarks[:, 0].min() * w, landmarks[:, 1].min() * h
    x1, y1 = landmarks[:, 0].max() * w, landmarks[:, 1].max() * h
    a = landmarks[IRIS_CENTRES[0]]
    b = landmarks[IRIS_CENTRES[1]]
    pa = (float(a[0] * w), float(a[1] * h))
    pb = (float(b[0] * w), float(b[1] * h))
    pupils = (pa, pb) if pa[0] <= pb[0] else (pb, pa)
    return Observation(
        timestamp=timestamp,
        image_size=(w, h),
        landmarks=landmarks,
        blendshapes=blend,
        pose=pose_from_matrix(matrix),
        box=Box(float(x0), float(y0), float(x1 - x0), float(y1 - y0)),
        pupils=pupils,
        matrix=matrix,
    )
