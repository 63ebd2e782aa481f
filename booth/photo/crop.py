"""Headshot crop: a fixed aspect, the eyes on the upper third, the head filling about half.

The rules, in the order they give way when the frame is too small for all of
them (a face near an edge, or too close to the camera):

1. the crop has the preset's exact aspect and lies inside the frame (never
   padded with bars);
2. the head (chin to estimated crown) is 50-60 % of the crop height, 55 %
   when there is room;
3. the eye line sits on the upper third, so every photo of an event taken
   with the same preset lines up;
4. the face is centred horizontally.

To keep 3 and 4 the crop shrinks, first to a 60 % head and, if need be, to
65 % (:data:`HEAD_MAX`: with the eyes on the third line, the crown is still
inside the crop). When even that cannot keep them, the crop stays at
:data:`HEAD_MAX` (or the largest size the frame allows) and slides as little
as possible from the ideal position, so the eye line moves only as far as
the frame edge forces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from booth.photo.face import FaceGeometry

PRESETS: dict[str, tuple[int, int]] = {"4:5": (4, 5), "1:1": (1, 1), "2:3": (2, 3)}
EYE_LINE = 1 / 3  # from the top of the crop
HEAD_FRACTION = 0.55  # the target
HEAD_RANGE = (0.50, 0.60)  # where the head sits whenever the frame has room
HEAD_MAX = 0.65  # the most the crop shrinks to keep the eye line and centring


@dataclass(frozen=True)
class Crop:
    """A crop box in frame pixels, and how well it kept the rules."""

    x: int
    y: int
    w: int
    h: int
    preset: str
    eye_fraction: float | None = None  # eye line / crop height (None without a face)
    head_fraction: float | None = None  # head height / crop height
    rules_kept: bool = False  # eye line and horizontal centring both exact

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.w, self.h)


def _aspect(preset: str) -> tuple[int, int]:
    try:
        return PRESETS[preset]
    except KeyError:
        raise ValueError(f"unknown crop preset {preset!r}; allowed: {', '.join(PRESETS)}") from None


def _snap(height: float, frame: tuple[int, int], aspect: tuple[int, int]) -> tuple[int, int]:
    """(w, h) with exactly the aspect (integer multiples of p:q), at most height, inside the frame."""
    p, q = aspect
    fw, fh = frame
    k = min(int(height // q), fw // p, fh // q)
    k = max(k, 1)
    return p * k, q * k


def _clamp(v: float, lo: int, hi: int) -> int:
    return int(min(max(round(v), lo), hi))


def centred_crop(frame: tuple[int, int], preset: str) -> Crop:
    """The largest crop of the preset centred in the frame: the fallback without a face."""
    fw, fh = frame
    w, h = _snap(float(fh), frame, _aspect(preset))
    return Crop((fw - w) // 2, (fh - h) // 2, w, h, preset)


def headshot_crop(frame: tuple[int, int], face: FaceGeometry, preset: str) -> Crop:
    """The headshot crop for one face in a frame of (width, height) pixels."""
    p, q = _aspect(preset)
    a = p / q
    fw, fh = frame
    ey, cx, head = face.eye_y, face.centre_x, max(face.head_height, 1.0)

    frame_max = min(fh, fw / a)
    # Largest height at which the eye line and horizontal centring both fit.
    exact_max = min(frame_max, ey / EYE_LINE, (fh - ey) / (1 - EYE_LINE), 2 * cx / a, 2 * (fw - cx) / a)
    ideal, tightest = head / HEAD_FRACTION, head / HEAD_MAX
    if exact_max >= ideal:
        height = ideal
    elif exact_max >= tightest:
        height = exact_max
    else:
        height = min(tightest, frame_max)

    w, h = _snap(height, frame, (p, q))
    x = _clamp(cx - w / 2, 0, fw - w)
    y = _clamp(ey - h * EYE_LINE, 0, fh - h)
    eye_fraction = (ey - y) / h
    rules_kept = abs(eye_fraction - EYE_LINE) * h <= 1.0 and abs(cx - (x + w / 2)) <= 1.0
    return Crop(x, y, w, h, preset, eye_fraction, head / h, rules_kept)
