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

mediapipe finds faces with a short-range detector that sees the whole image
at 128 px. In a still where the face is small against the frame (a
half-length shot, a wide photo) that detector misses the face, or finds it
with a rough box from which the mesh comes out distorted (pupils a face-width
off). So in image mode :meth:`FaceAnalyzer.detect` looks again, in a window
cut from the full-resolution image around the face (FACE_WINDOW times its
size) when the face is under SMALL_FACE of the frame, and in overlapping
windows of half the image (SEARCH_WINDOWS) when the whole image showed no
face; the face is mapped back to the whole image. Faces that fill a good part
of the frame (any headshot) take the one plain pass.

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

from booth.imaging import fit_image
from booth.observation import Box, Observation, Pose
from booth.quiet import native_chatter_hidden

IRIS_CENTRES = (468, 473)  # mediapipe's two iris centre landmarks
MODES = ("video", "image")
# Stills without a face found in the whole image: windows of these fractions
# of the image's sides, each overlapping its neighbours by half. The whole
# image finds London headshots shrunk to about 10 % of the frame's width; the
# half windows find them down to about 5 % (a third would reach 4 %, but at 25
# more detections for every still without a face; halves cost 9: 0.15 s for a
# 12 MP still here, several times that on a Pi, in the photo pipeline too).
SEARCH_WINDOWS = (1 / 2,)
# A face whose box is under this fraction of the frame (on its larger side) is
# found again in a window FACE_WINDOW times its size, where it is as large as
# in a headshot (the London photos: about a third of the frame).
SMALL_FACE = 0.25
FACE_WINDOW = 3.0
# Faces asked of the model: the guest and up to two onlookers. More than one, so the
# booth knows when someone looks over the guest's shoulder and can keep coaching,
# triggering and cropping the guest (booth.coach.subject); benchmarks/vision.py measures
# what the extra faces cost.
MAX_FACES = 3
# Live (video mode) the subject is measured by a landmarker asked for one face, which
# tracks it from frame to frame; onlookers are looked for by a second one asked for
# MAX_FACES, every ONLOOKERS_EVERY frames. Asked for several faces, mediapipe runs its
# detector on every frame and takes the face's region from it, not from the last
# landmarks: on the scripted London faces the smile read from one frame to the next
# then jumped between two values (london-138: 0.45 and 0.58 against the 0.5 line, where
# the tracked region read 0.57-0.63), so subtle smiles were missed. About twice a second
# (at 15 analysed frames a second) is soon enough to say "one person at a time".
ONLOOKERS_EVERY = 8
# Live, the subject's landmarker sees the middle of a wide frame, at most this wide for its
# height. mediapipe's detector sees the whole image at 128 px, so what limits the faces it
# finds is their size against the image's *width* (booth.coach.framing.DETECT_MIN): on a
# 16:9 screen's frame it missed a guest standing on the booth's 1.2 m mark, and a tall guest
# close enough to be found stood with their eyes at the top edge (no camera height framed
# guests of 1.50 and 2.00 m together). The middle 4:3 finds faces a third smaller and still
# holds a guest standing well to one side (booth.coach.geometry: 0.35 m off the centre line
# at 1 m sits at 0.77 of a 16:9 width; the 4:3 middle spans 0.125-0.875). Onlookers are
# looked for in the whole frame.
ANALYSED_ASPECT = 4 / 3


def analysed_window(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The part (x, y, w, h in pixels) of a live frame of ``size`` the subject is looked for in."""
    w, h = size
    cw = min(w, round(h * ANALYSED_ASPECT))
    return (w - cw) // 2, 0, cw, h


def pose_from_matrix(matrix: np.ndarray) -> Pose:
    """Yaw, pitch, roll in degrees (conventions in the module docstring)."""
    r = np.asarray(matrix, dtype=np.float64)[:3, :3]
    yaw = math.degrees(math.atan2(r[0, 2], r[2, 2]))
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, -r[1, 2]))))
    roll = math.degrees(math.atan2(r[1, 0], r[1, 1]))
    # Rx(+a) turns the face's forward axis towards -y (down): flip so + is chin up.
    return Pose(yaw=yaw, pitch=-pitch, roll=roll)


class FaceAnalyzer:
    """mediapipe's FaceLandmarker: up to num_faces faces a frame (video mode: see ONLOOKERS_EVERY).

    Use as a context manager or close().
    """

    def __init__(self, model_path: Path, *, mode: str = "video", max_side: int | None = None,
                 num_faces: int = MAX_FACES, onlookers_every: int = ONLOOKERS_EVERY) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if max_side is not None and max_side < 32:
            raise ValueError(f"max_side must be at least 32, not {max_side}")
        if num_faces < 1:
            raise ValueError(f"num_faces must be at least 1, not {num_faces}")
        # Imported here so that importing booth.vision (e.g. for pose_from_matrix) stays cheap.
        from mediapipe.tasks.python import BaseOptions, vision

        self.mode = mode
        self.max_side = max_side
        self.onlookers_every = max(1, onlookers_every)
        self._last_ms: int | None = None
        self._frames = 0
        self._onlookers: list[Observation] = []

        def make(running: object, faces: int) -> object:
            options = vision.FaceLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(model_path)),
                running_mode=running,
                num_faces=faces,
                output_face_blendshapes=True,
                output_facial_transformation_matrixes=True,
            )
            with native_chatter_hidden():  # mediapipe's C++ start-up lines are not ours to show
                return vision.FaceLandmarker.create_from_options(options)

        self._others: object | None = None
        if mode == "video":
            self._landmarker = make(vision.RunningMode.VIDEO, 1)
            if num_faces > 1:
                self._others = make(vision.RunningMode.IMAGE, num_faces)
        else:
            self._landmarker = make(vision.RunningMode.IMAGE, num_faces)

    # -- lifecycle -----------------------------------------------------------
    def close(self) -> None:
        """Release the mediapipe graph (it holds threads and memory until closed)."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None
        if self._others is not None:
            self._others.close()  # type: ignore[attr-defined]
            self._others = None

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
        if self.max_side:
            image = fit_image(image, (self.max_side, self.max_side))
        return np.ascontiguousarray(image)

    def detect(self, image: np.ndarray, timestamp: float | None = None, *,
               near: Box | None = None) -> Observation | None:
        """The subject's face in an RGB uint8 image, or None when there is none.

        With several faces: the one nearest ``near`` (a box in fractions of
        the image: where the subject was) when given, else the largest and
        most central (:func:`main_face`). ``timestamp`` is in seconds; in
        video mode it orders the frames (the clock is used when it is None),
        in image mode it is only recorded.
        """
        faces = self.detect_all(image, timestamp)
        if not faces:
            return None
        face = nearest_face(faces, near) if near is not None else main_face(faces)
        if self.mode == "image":
            face = self._closer_look(image, face)
        return face

    def detect_all(self, image: np.ndarray, timestamp: float | None = None) -> list[Observation]:
        """Every face found (up to num_faces), in the model's order; in video mode the tracked one
        (the onlookers, looked for every ONLOOKERS_EVERY frames, are in :attr:`onlookers`)."""
        if self._landmarker is None:
            raise RuntimeError("FaceAnalyzer is closed")
        import mediapipe as mp

        h, w = image.shape[:2]
        if self.mode == "video":
            window = analysed_window((w, h))
            x0, _, cw, _ = window
            middle = mp.Image(image_format=mp.ImageFormat.SRGB, data=self._prepare(image[:, x0:x0 + cw]))
            ms = self._next_ms(timestamp)
            result = self._landmarker.detect_for_video(middle, ms)
            ts = ms / 1000.0 if timestamp is None else float(timestamp)
            faces = build_observations(result, (w, h), ts, window=window if cw < w else None)
            if self._others is not None and self._frames % self.onlookers_every == 0:
                whole = mp.Image(image_format=mp.ImageFormat.SRGB, data=self._prepare(image))
                seen = build_observations(self._others.detect(whole), (w, h), ts)  # type: ignore[attr-defined]
                self._onlookers = [o for o in seen if not any(_same_face(o, f) for f in faces)]
            self._frames += 1
            return faces
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=self._prepare(image))
        result = self._landmarker.detect(mp_image)
        ts = 0.0 if timestamp is None else float(timestamp)
        if result.face_landmarks:
            return build_observations(result, (w, h), ts)
        found = self._search_windows(image, ts)
        return [] if found is None else [found]

    @property
    def onlookers(self) -> list[Observation]:
        """Video mode: the other faces of the last onlooker pass (up to ONLOOKERS_EVERY frames old)."""
        return list(self._onlookers)

    def _detect_window(self, image: np.ndarray, window: tuple[int, int, int, int],
                       ts: float) -> Observation | None:
        """The face nearest the middle of one window (x, y, w, h) of a full-resolution still, in the whole image's pixels."""
        import mediapipe as mp

        x0, y0, cw, ch = window
        crop = self._prepare(image[y0:y0 + ch, x0:x0 + cw])
        result = self._landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=crop))
        if not result.face_landmarks:
            return None
        h, w = image.shape[:2]
        faces = [build_observation(result, (w, h), ts, window=window, face=i) for i in range(len(result.face_landmarks))]
        middle = Box((x0 + cw / 4) / w, (y0 + ch / 4) / h, cw / 2 / w, ch / 2 / h)
        return nearest_face(faces, middle)

    def _closer_look(self, image: np.ndarray, obs: Observation) -> Observation:
        """A small face measured again in a window around it (image mode); the first result if that fails."""
        h, w = image.shape[:2]
        b = obs.box
        if max(b.w / w, b.h / h) >= SMALL_FACE:
            return obs
        side = FACE_WINDOW * max(b.w, b.h)
        cw, ch = min(w, round(side)), min(h, round(side))
        cx, cy = b.centre
        x0 = int(min(max(0, round(cx - cw / 2)), w - cw))
        y0 = int(min(max(0, round(cy - ch / 2)), h - ch))
        again = self._detect_window(image, (x0, y0, cw, ch), obs.timestamp)
        return obs if again is None else again

    def _search_windows(self, image: np.ndarray, ts: float) -> Observation | None:
        """A face too small for the whole-image detector, found in a window of the image (image mode)."""
        h, w = image.shape[:2]
        for frac in SEARCH_WINDOWS:
            cw, ch = max(1, round(w * frac)), max(1, round(h * frac))
            steps = round(2 / frac) - 1  # windows overlap by half
            best: tuple[float, Observation] | None = None
            for j in range(steps):
                for i in range(steps):
                    x0, y0 = round(i * (w - cw) / (steps - 1)), round(j * (h - ch) / (steps - 1))
                    obs = self._detect_window(image, (x0, y0, cw, ch), ts)
                    if obs is None:
                        continue
                    # prefer the window where the face sits furthest inside (not cut by the window's edge)
                    b = obs.box
                    inside = min(b.x - x0, b.y - y0, x0 + cw - b.x - b.w, y0 + ch - b.y - b.h) / max(b.w, b.h)
                    if best is None or inside > best[0]:
                        best = (inside, obs)
            if best is not None:
                return best[1]
        return None


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


def main_face(faces: list[Observation]) -> Observation:
    """The largest and most central face: who stands in front of the booth, not who looks on.

    Size is the face box's height over the image's; every tenth of the image
    width off the centre line costs as much as a tenth of the height in size.
    """
    def score(o: Observation) -> float:
        w, h = o.image_size
        return o.box.h / h - abs(o.box.centre[0] / w - 0.5)

    return max(faces, key=score)


def _same_face(a: Observation, b: Observation) -> bool:
    """Two observations of one face: centres within half a face height."""
    (ax, ay), (bx, by) = a.box.centre, b.box.centre
    return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 < 0.5 * max(a.box.h, b.box.h)


def nearest_face(faces: list[Observation], near: Box) -> Observation:
    """The face whose centre is nearest the centre of ``near`` (fractions of the image)."""
    nx, ny = near.centre

    def distance(o: Observation) -> float:
        w, h = o.image_size
        cx, cy = o.box.centre
        return (cx / w - nx) ** 2 + (cy / h - ny) ** 2

    return min(faces, key=distance)


def build_observations(result: object, image_size: tuple[int, int], timestamp: float,
                       window: tuple[int, int, int, int] | None = None) -> list[Observation]:
    """One Observation per face of a FaceLandmarkerResult (from ``window``, as build_observation)."""
    count = len(result.face_landmarks)  # type: ignore[attr-defined]
    return [build_observation(result, image_size, timestamp, window, face=i) for i in range(count)]


def build_observation(result: object, image_size: tuple[int, int], timestamp: float,
                      window: tuple[int, int, int, int] | None = None, *, face: int = 0) -> Observation:
    """An Observation of one face (index ``face``) of a FaceLandmarkerResult, in pixels of image_size.

    ``window`` (x, y, w, h in pixels of image_size) says the result came from
    that part of the image: the landmarks are mapped back to the whole image
    (head pose and blendshapes do not depend on where the face was cut out).
    """
    w, h = image_size
    lms = result.face_landmarks[face]  # type: ignore[attr-defined]
    landmarks = np.array([(p.x, p.y, p.z) for p in lms], dtype=np.float32)
    if window is not None:
        x0, y0, cw, ch = window
        landmarks[:, 0] = (x0 + landmarks[:, 0] * cw) / w
        landmarks[:, 1] = (y0 + landmarks[:, 1] * ch) / h
        landmarks[:, 2] *= cw / w  # z is in units of the image's width
    blend = {c.category_name: float(c.score) for c in result.face_blendshapes[face]}  # type: ignore[attr-defined]
    matrix = np.asarray(result.facial_transformation_matrixes[face], dtype=np.float32).reshape(4, 4)  # type: ignore[attr-defined]
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
