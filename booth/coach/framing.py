"""The framing rule: what the live preview must show for the photo's crop to work.

The headshot crop (:mod:`booth.photo.crop`) puts every eye line on the upper
third and sizes the head to the crop, so where the face sits in the preview
matters only as far as the crop needs room. The rule therefore asks for
what any guest can give by moving about, and nothing else:

- **size** (step closer / step back): the crop at its ideal head size
  (HEAD_FRACTION) is at least USABLE_CROP of the frame height, so the photo
  has enough pixels, and the face large enough for the model to find it
  (DETECT_MIN, against the part of the frame the model is shown); the tightest crop no taller than the frame;
- **room** (step back): the tightest crop (HEAD_MAX) fits above and below the
  eyes. A guest whose head is near the top or bottom edge gets room by
  stepping back: with the camera mounted level, distance shrinks both the
  face and its offset from the picture's centre line (the camera's height).
  When stepping back would make the crop smaller than USABLE_CROP the guest
  cannot be framed at all (a seated guest under a camera set for standing
  ones); the coach then does not ask (nobody can grow), the crop slides, and
  ``booth doctor`` tells the staff the camera height that would fit them
  (:mod:`booth.coach.geometry`);
- **across** (move sideways): the eyes within CENTRE_OK of the centre line,
  and the widest crop fits beside the face.

Height in the frame is never asked for: nobody can "stand up tall" by 10 cm.
All figures are fractions of the preview (x of its width, y of its height),
which covers the same area as the stills.

FRAMING_TARGET is the face box (mesh, brow to chin) of a guest placed as the
screen's guide shows it: a face that sits in it meets the rule with room to
spare. Benchmarks and tests place faces in it; the rule does not require it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from booth.observation import Box, Observation
from booth.photo.crop import EYE_LINE, HEAD_FRACTION, HEAD_MAX, PRESETS
from booth.photo.face import CHIN, CROWN_RATIO
from booth.vision import ANALYSED_ASPECT

FRAMING_TARGET = Box(0.375, 0.20, 0.25, 0.42)  # fractions of the preview, not pixels

# Ideal crop height over the frame height, at least: on a Camera Module 3 still
# (2592 rows) a 1037-row headshot. 0.40 is also about the most a level camera
# can ask while framing standing guests of 1.50 to 2.00 m at one height: their
# crops together span about 0.85 m, a 0.42 m crop over that is 0.49, and 0.40
# leaves room for where they happen to stand (booth.coach.geometry works it out).
USABLE_CROP = 0.40
# ... and the face big enough for the face model to keep finding it: mediapipe's detector
# sees the whole image it is given at 128 px and, on the scripted London faces, missed every
# face whose eye-to-chin was under 0.07 of that image's width (found from 0.072). Live it is
# given the frame's middle, at most ANALYSED_ASPECT wide (booth.vision), so a wide frame's
# floor is this much of the frame's height times ANALYSED_ASPECT; the crop's size, not this,
# is then the floor (USABLE_CROP).
DETECT_MIN = 0.08  # eye-to-chin over the analysed width
REACH = 1.1  # room is asked for only if it is there at this much over the smallest crop (a step closer)
MAX_CROP = HEAD_MAX / HEAD_FRACTION  # the tightest crop (HEAD_MAX) no taller than the frame
CENTRE_OK = 0.12  # the eyes this far off the centre line (fraction of the width) is still centred
WIDEST = max(p / q for p, q in PRESETS.values())  # crop width over height of the widest preset
HEAD = 1.0 + CROWN_RATIO  # head height (crown to chin) in eye-to-chin lengths, as the crop estimates it
# Closeness widths (how far past the line a value reaches 0 or 1; see looks.at_least).
SIZE_WIDTH = 0.10  # of crop height over frame height
ROOM_WIDTH = 0.06  # of frame height
ACROSS_WIDTH = 0.06  # of frame width


@dataclass(frozen=True)
class FaceInFrame:
    """What the framing rule needs of a face, in fractions of the frame."""

    eye_x: float  # midpoint of the pupils, fraction of the width (0 = image left)
    eye_y: float  # the same, fraction of the height (0 = top)
    eye_chin: float  # eye midpoint to chin, fraction of the height
    aspect: float  # frame width over height

    @classmethod
    def from_observation(cls, obs: Observation) -> FaceInFrame:
        w, h = obs.image_size
        (ax, ay), (bx, by) = obs.pupils
        ex, ey = (ax + bx) / 2, (ay + by) / 2
        cx, cy = float(obs.landmarks[CHIN, 0]) * w, float(obs.landmarks[CHIN, 1]) * h
        return cls(ex / w, ey / h, math.hypot(cx - ex, cy - ey) / h, w / h)


@dataclass(frozen=True)
class Placement:
    """The face against the rule; every field is a distance to a line (>= 0 = on the right side)."""

    crop: float  # ideal crop height over frame height
    least: float  # the smallest ``crop`` the rule takes here (USABLE_CROP, or more where DETECT_MIN asks more)
    room_top: float  # frame height left above the tightest crop (< 0 = it is cut)
    room_bottom: float  # the same below
    offset_x: float  # eye midpoint minus the centre line, fraction of the width (+ = image right)
    across_ok: float  # how far off-centre the eyes may be here, fraction of the width
    room_reachable: bool  # stepping back can make room without going under USABLE_CROP

    @property
    def size_ok(self) -> bool:
        return self.least <= self.crop <= MAX_CROP

    @property
    def room(self) -> float:
        return min(self.room_top, self.room_bottom)

    @property
    def ok(self) -> bool:
        """The rule holds (room counts only where a guest can make it)."""
        return self.size_ok and abs(self.offset_x) <= self.across_ok and (self.room >= 0 or not self.room_reachable)

    @property
    def score(self) -> float:
        """1 comfortably framed, 0.5 at a line, 0 well past it (for the framing metric)."""
        parts = [
            _closeness(self.crop - self.least, SIZE_WIDTH),
            _closeness(MAX_CROP - self.crop, SIZE_WIDTH),
            _closeness(self.across_ok - abs(self.offset_x), ACROSS_WIDTH),
        ]
        if self.room_reachable:
            parts.append(_closeness(self.room, ROOM_WIDTH))
        return min(parts)


def _closeness(margin: float, width: float) -> float:
    return max(0.0, min(1.0, 0.5 + margin / (2 * width)))


def _rooms(eye_y: float, eye_chin: float) -> tuple[float, float]:
    tight = HEAD * eye_chin / HEAD_MAX
    return eye_y - EYE_LINE * tight, 1.0 - (eye_y + (1.0 - EYE_LINE) * tight)


def place(face: FaceInFrame) -> Placement:
    """The face against the framing rule."""
    crop = HEAD * face.eye_chin / HEAD_FRACTION
    least = max(USABLE_CROP, HEAD * DETECT_MIN * min(face.aspect, ANALYSED_ASPECT) / HEAD_FRACTION)
    top, bottom = _rooms(face.eye_y, face.eye_chin)
    # Stepping back by a factor k (< 1) scales the eye-to-chin and the eyes' offset
    # from the centre row by k (level camera). The most a guest may step back is to
    # REACH times the smallest crop (a window that a step would miss does not count);
    # if there is still no room there, there is none within reach.
    k = min(1.0, REACH * least / crop) if crop > 0 else 1.0
    far_top, far_bottom = _rooms(0.5 + (face.eye_y - 0.5) * k, face.eye_chin * k)
    reachable = min(far_top, far_bottom) >= 0
    # Across: the widest crop beside the face (tight crop width, in frame widths).
    half_crop = WIDEST * HEAD * face.eye_chin / HEAD_MAX / face.aspect / 2
    across = max(0.0, min(CENTRE_OK, 0.5 - half_crop))
    return Placement(crop, least, top, bottom, face.eye_x - 0.5, across, reachable)
