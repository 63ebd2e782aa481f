"""Draws the scripted subject: two real photos of one person on a studio backdrop.

The smiling photo is aligned to the neutral one first (the sitter moved a
little between shots), so the crossfade between them reads as a face
changing expression rather than two ghosted heads. The photo's own backdrop
is evened out to one colour and its square edges are feathered into a plain
backdrop of that colour, so no seam shows and the face detector sees a
person, not a pasted rectangle. A soft lens vignette and a little fixed grain
go over the whole frame.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import TypeVar

import cv2
import numpy as np

from booth.camera.subject import SubjectPose

log = logging.getLogger(__name__)

FEATHER = 0.14  # fraction of the photo's side blended into the backdrop (left, right and top)
TEXTURE = 2.5  # grey levels of backdrop grain
_CACHE_MAX = 8
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


def _feather_mask(size: int) -> np.ndarray:
    """size x size x 1 float32: 1 inside, easing to 0 at the left, right and top edges.

    The bottom edge is not feathered: the photo stands on the frame's bottom
    edge, where a body would simply continue out of view.
    """
    n = max(1, round(size * FEATHER))
    ramp = np.ones(size, np.float32)
    u = (np.arange(n, dtype=np.float32) + 0.5) / n
    ramp[:n] = u * u * (3 - 2 * u)
    across = np.minimum(ramp, ramp[::-1])
    down = ramp  # top edge only
    return (down[:, None] * across[None, :])[:, :, None]


class Scene:
    """Renders a :class:`SubjectPose` at any frame size."""

    def __init__(self, neutral: np.ndarray, smiling: np.ndarray, seed: int = 7) -> None:
        if neutral.shape != smiling.shape:
            smiling = cv2.resize(smiling, (neutral.shape[1], neutral.shape[0]), interpolation=cv2.INTER_AREA)
        self.colour = background_colour(neutral)
        self.neutral = flatten_background(neutral, self.colour)
        self.smiling = flatten_background(align_to(neutral, smiling), self.colour)
        self._seed = seed
        self._finish: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._photos: dict[tuple[int, int], np.ndarray] = {}
        self._masks: dict[int, np.ndarray] = {}
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
            vignette = (1.0 - 0.10 * x * x - 0.06 * y * y)[:, :, None]
            rng = np.random.default_rng(self._seed)
            grain = cv2.GaussianBlur(rng.normal(0.0, TEXTURE, (h, w)).astype(np.float32), (3, 3), 0)[:, :, None]
            return backdrop, vignette, grain

        return self._cached(self._finish, size, make)

    def _photo(self, which: int, side: int) -> np.ndarray:
        def make() -> np.ndarray:
            src = self.smiling if which else self.neutral
            interp = cv2.INTER_AREA if side < src.shape[0] else cv2.INTER_LINEAR
            return cv2.resize(src, (side, side), interpolation=interp).astype(np.float32)

        return self._cached(self._photos, (which, side), make)

    def _mask(self, side: int) -> np.ndarray:
        return self._cached(self._masks, side, lambda: _feather_mask(side))

    def render(self, pose: SubjectPose, size: tuple[int, int]) -> np.ndarray:
        """The frame, HxWx3 uint8 RGB."""
        w, h = size
        side = max(8, round(pose.height * h))
        smile = round(min(1.0, max(0.0, pose.smile)) * 64) / 64  # finer steps would not show
        x0 = round(pose.x * w - side / 2)
        key = (size, side, x0, smile)
        if self._last is not None and self._last[0] == key:
            return self._last[1].copy()
        backdrop, vignette, grain = self.finish(size)
        out = backdrop.copy()
        if smile <= 0.0:
            photo = self._photo(0, side)
        elif smile >= 1.0:
            photo = self._photo(1, side)
        else:
            photo = cv2.addWeighted(self._photo(0, side), 1.0 - smile, self._photo(1, side), smile, 0.0)
        y0 = h - side  # standing on the bottom edge
        xa, xb = max(0, x0), min(w, x0 + side)
        ya, yb = max(0, y0), min(h, y0 + side)
        if xa < xb and ya < yb:
            part = photo[ya - y0:yb - y0, xa - x0:xb - x0]
            mask = self._mask(side)[ya - y0:yb - y0, xa - x0:xb - x0]
            region = out[ya:yb, xa:xb]
            region += mask * (part - region)
        out *= vignette
        out += grain
        frame = np.clip(out, 0, 255).astype(np.uint8)
        self._last = (key, frame)
        return frame.copy()
