"""Draws the scripted subject: two real photos of one person on a studio backdrop, where the pose puts them.

The smiling photo is aligned to the neutral one first (the sitter moved a
little between shots), so the crossfade between them reads as a face
changing expression rather than two ghosted heads. The photo's own backdrop
is evened out to one colour and its square edges are feathered into a plain
backdrop of that colour, so no seam shows and the face detector sees a
person, not a pasted rectangle. The photo is scaled, turned (head tilt)
and moved so its eyes land where the pose says; a blink blends in a copy
with the eyes shut. A soft lens vignette and a little fixed grain
go over the whole frame.

Smiles bigger than the photo's (a pose's ``smile`` above 1) move the
smiling photo's mouth further (:mod:`booth.camera.smile`), and a pose's
``gaze`` turns the eyes aside (:mod:`booth.camera.gaze`); both need the
photos' face meshes, found by the ``find_face`` the scene is given.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable
from typing import TypeVar

import cv2
import numpy as np

from booth.camera.gaze import GAZE_UNIT, gaze_field
from booth.camera.smile import bigger, smile_field
from booth.camera.warp import warped
from booth.camera.subject import SubjectPose

log = logging.getLogger(__name__)

Pupils = tuple[tuple[float, float], tuple[float, float]]
# Eye midpoint to chin over the pupil distance: the London set's median (mediapipe's chin
# landmark 152 against the labelled pupils; 5-95 %: 1.72-1.95). Sizes the photo so the
# face's eye-to-chin is what the pose asks for.
EYE_CHIN_PER_IPD = 1.83
FEATHER = 0.14  # fraction of the photo's side blended into the backdrop (left, right and top)
TEXTURE = 2.5  # grey levels of backdrop grain
_CACHE_MAX = 8
BODY = 3  # photo heights of body below the photo (repeated bottom rows)
GAZE_MAX = 40.0  # degrees the eyes can be turned aside, either way
SMILE_STEPS = 16  # a bigger smile is drawn in steps of 1/SMILE_STEPS of one broad smile (finer would not show)
FindFace = Callable[[np.ndarray], "np.ndarray | None"]  # RGB photo -> face mesh in pixels (Nx2), or None
_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def align_to(reference: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """``moving`` warped onto ``reference`` (rotation + shift), found by ECC on small grey copies.

    ECC (cv2.findTransformECC) rather than hand-written matching: it is
    OpenCV's maintained sub-pixel aligner. If it fails to converge, the photo
    is used as it is: a slight ghost is better than no subject.
    """
    h, w = reference.shape[:2]
    scale = 200.0 / max(h, w)
    small = (max(1, round(w * scale)), max(1, round(h * scale)))
    ref = cv2.cvtColor(cv2.resize(reference, small, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    mov = cv2.cvtColor(cv2.resize(moving, small, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    warp = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
    try:
        _, warp = cv2.findTransformECC(ref, mov, warp, cv2.MOTION_EUCLIDEAN, criteria, None, 5)
    except cv2.error as exc:
        log.warning("scripted subject: could not align the smiling photo (%s); using it unaligned", exc)
        return moving
    warp[:, 2] /= scale
    return cv2.warpAffine(moving, warp, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def _background_samples(photo: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel coordinates (normalised to -1..1) and colours where a studio portrait shows only backdrop.

    The top band above the head and the sides beside it, down to where the
    shoulders begin: true of every front-on portrait in the face sets.
    """
    h, w = photo.shape[:2]
    ys, xs = np.mgrid[0:h:4, 0:w:4]
    keep = (ys < 0.05 * h) | (((xs < 0.1 * w) | (xs >= 0.9 * w)) & (ys < 0.6 * h))
    ys, xs = ys[keep], xs[keep]
    return xs / (w - 1) * 2 - 1, ys / (h - 1) * 2 - 1, photo[ys, xs].astype(np.float32)


def _design(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1).astype(np.float32)


def background_colour(photo: np.ndarray) -> np.ndarray:
    """The backdrop's mean colour (RGB float32)."""
    return _background_samples(photo)[2].mean(axis=0)


def flatten_background(photo: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """The photo with its backdrop's lighting fall-off evened out to one ``colour`` (float32).

    Studio portraits have a bright centre and darker corners; pasted onto a
    plain backdrop that shows as a square. A quadratic surface fitted to the
    backdrop pixels (least squares, six terms: small enough to write here)
    models the fall-off, which is then removed from the whole photo, as a
    photographer's flat-field correction would.
    """
    x, y, samples = _background_samples(photo)
    coeffs, *_ = np.linalg.lstsq(_design(x, y), samples, rcond=None)
    h, w = photo.shape[:2]
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    field = _design(gx / (w - 1) * 2 - 1, gy / (h - 1) * 2 - 1) @ coeffs
    return np.clip(photo.astype(np.float32) - field + colour, 0, 255).astype(np.uint8)


def _feather_mask(size: tuple[int, int]) -> np.ndarray:
    """h x w float32: 1 inside, easing to 0 at the left, right and top edges.

    The bottom edge is not feathered: the photo's bottom rows are repeated
    down (BODY), where a body would simply continue.
    """
    w, h = size

    def ramp(n_total: int) -> np.ndarray:
        n = max(1, round(n_total * FEATHER))
        r = np.ones(n_total, np.float32)
        u = (np.arange(n, dtype=np.float32) + 0.5) / n
        r[:n] = u * u * (3 - 2 * u)
        return r

    across = ramp(w)
    across = np.minimum(across, across[::-1])
    return ramp(h)[:, None] * across[None, :]


def closed_eyes(photo: np.ndarray, pupils: Pupils) -> np.ndarray:
    """The photo with both eyes shut: the eye filled in from the lids around it, a lash line drawn.

    cv2.inpaint (Telea) fills the eye from the skin around it, which is what
    a closed lid looks like at a glance; mediapipe reads it as a blink
    (eyeBlink and the lid gap) on every London face.
    """
    h, w = photo.shape[:2]
    (ax, ay), (bx, by) = pupils
    ipd = math.hypot(bx - ax, by - ay)
    hole = np.zeros((h, w), np.uint8)
    lash = np.zeros((h, w), np.float32)
    for px, py in pupils:
        cv2.ellipse(hole, (round(px), round(py)), (round(0.30 * ipd), round(0.14 * ipd)), 0, 0, 360, 255, -1)
        cv2.ellipse(lash, (round(px), round(py + 0.03 * ipd)), (round(0.25 * ipd), round(0.05 * ipd)), 0, 0, 180,
                    1.0, max(1, round(0.025 * ipd)))
    filled = cv2.inpaint(photo, hole, max(3, round(0.05 * ipd)), cv2.INPAINT_TELEA).astype(np.float32)
    lash = cv2.GaussianBlur(lash, (0, 0), max(0.5, 0.012 * ipd))[:, :, None]
    return np.clip(filled * (1.0 - 0.6 * lash), 0, 255).astype(np.uint8)


class Scene:
    """Renders a :class:`SubjectPose` at any frame size.

    ``pupils`` are the neutral photo's pupil centres (pixels, image-left
    first): they say where the face is in the photo and how big, so the
    subject's eyes land where the pose puts them.
    """

    def __init__(self, neutral: np.ndarray, smiling: np.ndarray, pupils: Pupils, seed: int = 7, *,
                 find_face: FindFace | None = None) -> None:
        if neutral.shape != smiling.shape:
            smiling = cv2.resize(smiling, (neutral.shape[1], neutral.shape[0]), interpolation=cv2.INTER_AREA)
        self.colour = background_colour(neutral)
        flat_neutral = flatten_background(neutral, self.colour)
        flat_smiling = flatten_background(align_to(neutral, smiling), self.colour)
        (ax, ay), (bx, by) = pupils
        self.eye = ((ax + bx) / 2, (ay + by) / 2)
        self.eye_chin = EYE_CHIN_PER_IPD * math.hypot(bx - ax, by - ay)
        self.tilt = math.degrees(math.atan2(ay - by, bx - ax))  # the photo's own roll (+ = image-right eye higher)
        # open neutral, open smiling, shut neutral, shut smiling; each with its bottom rows
        # repeated down BODY times its height (the body continues to the frame's bottom
        # edge), so the warp can treat everything outside as backdrop (BORDER_CONSTANT is
        # several times faster than BORDER_REPLICATE).
        h, w = neutral.shape[:2]
        pad = BODY * h

        def extend(img: np.ndarray) -> np.ndarray:
            return cv2.copyMakeBorder(img, 0, pad, 0, 0, cv2.BORDER_REPLICATE)

        self.sources = tuple(extend(img) for img in (
            flat_neutral, flat_smiling, closed_eyes(flat_neutral, pupils), closed_eyes(flat_smiling, pupils)))
        self.mask = extend(_feather_mask((w, h)))
        self._seed = seed
        # The smiling photo's mouth, moved by one broad smile: None when its face is not known.
        mesh = find_face(flat_smiling) if find_face is not None else None
        self.smile_field = None if mesh is None else smile_field(mesh, (w, h))
        # The eyes turned aside, from the neutral photo's mesh (the smiling one is aligned to it).
        eyes = find_face(flat_neutral) if find_face is not None else None
        self.gaze_field = None if eyes is None else gaze_field(eyes, (w, h))
        self._finish: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._bigger: dict[tuple[int, int], tuple[np.ndarray, ...]] = {}
        self._levels: dict[tuple[int, int, int], tuple[tuple[np.ndarray, ...], np.ndarray]] = {}
        # The last frame drawn, by what decides its pixels: a subject holding
        # still costs a copy, not a composite (it matters on a Pi).
        self._last: tuple[tuple[object, ...], np.ndarray] | None = None

    @staticmethod
    def _cached(cache: dict[_K, _V], key: _K, make: Callable[[], _V]) -> _V:
        """``cache[key]``, made on first use; a full cache (``_CACHE_MAX``) is emptied first."""
        if key not in cache:
            value = make()
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            cache[key] = value
        return cache[key]

    def finish(self, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per frame size: the plain backdrop, the lens vignette and the grain (float32, cached)."""

        def make() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            w, h = size
            backdrop = np.empty((h, w, 3), np.float32)
            backdrop[:] = self.colour
            x = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
            y = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
            vignette = np.repeat((1.0 - 0.10 * x * x - 0.06 * y * y)[:, :, None], 3, axis=2)
            rng = np.random.default_rng(self._seed)
            grain = np.repeat(cv2.GaussianBlur(rng.normal(0.0, TEXTURE, (h, w)).astype(np.float32), (3, 3), 0)[:, :, None],
                              3, axis=2)
            return backdrop, vignette, grain

        return self._cached(self._finish, size, make)

    @property
    def biggest_smile(self) -> float:
        """The largest ``smile`` drawn as asked: 2 (the photo's plus one broad smile), or 1 (the photo's)
        when its face is not known."""
        return 1.0 if self.smile_field is None else 2.0

    def _sources(self, extra: int, gaze: int = 0) -> tuple[np.ndarray, ...]:
        """The sources with ``extra``/SMILE_STEPS of a broad smile added to the smiling ones, and the
        eyes turned ``gaze`` degrees (+ = the subject's left)."""

        def make() -> tuple[np.ndarray, ...]:
            sources = self.sources
            if extra and self.smile_field is not None:
                neutral, smiling, shut_neutral, shut_smiling = sources
                amount = extra / SMILE_STEPS
                sources = (neutral, bigger(smiling, self.smile_field, amount), shut_neutral,
                           bigger(shut_smiling, self.smile_field, amount))
            if gaze and self.gaze_field is not None:
                sources = tuple(warped(src, self.gaze_field, gaze / GAZE_UNIT) for src in sources)
            return sources

        return self._cached(self._bigger, (extra, gaze), make)

    def _level(self, n: int, extra: int = 0, gaze: int = 0) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """The sources and mask halved n times (INTER_AREA), so no warp shrinks by more than half."""

        def make() -> tuple[tuple[np.ndarray, ...], np.ndarray]:
            sources = self._sources(extra, gaze)
            if n == 0:
                return sources, self.mask
            h, w = self.mask.shape
            size = (max(8, round(w / 2 ** n)), max(8, round(h / 2 ** n)))  # the same shape: ex, ey halve too
            shrink = [cv2.resize(s, size, interpolation=cv2.INTER_AREA) for s in sources]
            return tuple(shrink), cv2.resize(self.mask, size, interpolation=cv2.INTER_AREA)

        return self._cached(self._levels, (n, extra, gaze), make)

    def render(self, pose: SubjectPose, size: tuple[int, int]) -> np.ndarray:
        """The frame, HxWx3 uint8 RGB."""
        w, h = size
        k = pose.eye_chin * h / self.eye_chin  # photo pixels to frame pixels
        n = max(0, int(math.floor(math.log2(0.5 / k)) + 1)) if k < 0.5 else 0
        smile = round(min(self.biggest_smile, max(0.0, pose.smile)) * 64) / 64  # finer steps would not show
        extra = round((smile - 1.0) * SMILE_STEPS) if smile > 1.0 else 0
        gaze = round(max(-GAZE_MAX, min(GAZE_MAX, pose.gaze))) if self.gaze_field is not None else 0  # whole degrees
        sources, mask = self._level(n, extra, gaze)
        kn = k * 2 ** n
        blink = round(min(1.0, max(0.0, pose.blink)) * 8) / 8
        ex, ey = self.eye[0] / 2 ** n, self.eye[1] / 2 ** n
        angle = round(pose.roll - self.tilt, 1)
        affine = cv2.getRotationMatrix2D((ex, ey), angle, kn)
        affine[0, 2] += pose.eye_x * w - ex
        affine[1, 2] += pose.eye_y * h - ey
        key = (size, n, tuple(np.round(affine, 3).ravel()), smile, blink, gaze)
        if self._last is not None and self._last[0] == key:
            return self._last[1].copy()
        # Blend at the source's size (fewer pixels than the frame), then one warp of the photo and one of its mask.
        neutral, smiling, shut_neutral, shut_smiling = sources
        photo = neutral if smile <= 0 else smiling if smile >= 1 else \
            cv2.addWeighted(neutral, 1.0 - smile, smiling, smile, 0.0)
        if blink > 0:
            shut = shut_neutral if smile <= 0 else shut_smiling if smile >= 1 else \
                cv2.addWeighted(shut_neutral, 1.0 - smile, shut_smiling, smile, 0.0)
            photo = cv2.addWeighted(photo, 1.0 - blink, shut, blink, 0.0)
        placed = cv2.warpAffine(photo, affine, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        alpha = cv2.warpAffine(mask, affine, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        backdrop, vignette, grain = self.finish(size)
        # OpenCV's per-pixel blend and multiply-add (SIMD, no temporaries): a frame costs a few passes.
        out = cv2.blendLinear(placed.astype(np.float32), backdrop, alpha, 1.0 - alpha)
        out = cv2.multiply(out, vignette)
        frame = cv2.add(out, grain).round().clip(0, 255).astype(np.uint8)
        self._last = (key, frame)
        return frame.copy()
