"""Where the live preview sits vertically, so the guest's own face is never under a band.

The camera is level at one height, so a tall guest's face sits near the top of
its picture and a short or seated guest's near the bottom: right where the
live screens lay their prompt and meter bands over the full-screen preview.
The framing rule never asks anyone to change their height (the crop handles
it), so the screen moves instead: the picture slides up or down, only as far
as needed, until the face lies inside the clear area between the bands. A
face already inside is not moved; nobody seen, the picture sits as it always
did.

Steady: the face moves a few pixels every frame (breathing, the model's own
noise), and a picture that followed it would shake. :class:`SteadyShift`
changes its aim only when the needed shift has moved further than a dead
band (or back to none), eases towards the aim, and holds it for a moment
when the face is lost for a frame or two.

Pure: spans and time in, a shift out; the renderer owns one SteadyShift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Span = tuple[float, float]  # (top, bottom) in screen pixels

EASE_S = 0.15  # time constant of the slide: settled (to a pixel) in about half a second
HOLD_S = 1.0  # face lost: the picture stays put this long before sliding back
GAP_S = 0.5  # no preview drawn for this long (another screen): the next one starts in place, no slide


def needed_shift(face: Span, clear: Span, margin: float) -> float:
    """The smallest vertical move (positive: down) that puts ``face`` inside ``clear``, ``margin`` in.

    0 for a face already inside; a face taller than the room left is centred in it.
    """
    lo = clear[0] + margin - face[0]  # at least this far down, or the crown is under the top band
    hi = clear[1] - margin - face[1]  # at most this far, or the chin goes under the bottom band
    if lo > hi:
        return (lo + hi) / 2
    return min(max(0.0, lo), hi)


@dataclass
class SteadyShift:
    """The shift actually drawn: follows :func:`needed_shift` without shaking."""

    dead_band: float  # pixels: a needed shift this close to the aim leaves the picture where it is
    ease_s: float = EASE_S
    hold_s: float = HOLD_S
    gap_s: float = GAP_S
    aim: float = 0.0
    shift: float = 0.0
    _last: float | None = None  # when update() last ran
    _seen: float | None = None  # when a face was last given

    def update(self, needed: float | None, now: float) -> int:
        """The shift to draw at ``now`` (whole pixels); ``needed`` is None when no face is seen."""
        if needed is not None:
            self._seen = now
            if needed == 0.0 or abs(needed - self.aim) > self.dead_band:
                self.aim = needed
        elif self._seen is None or now - self._seen > self.hold_s:
            self.aim = 0.0
        last, self._last = self._last, now
        if last is None or now < last or now - last > self.gap_s:
            self.shift = self.aim  # a fresh screen: the picture starts where it belongs
        else:
            self.shift += (self.aim - self.shift) * (1.0 - math.exp(-(now - last) / self.ease_s))
            if abs(self.aim - self.shift) < 0.5:
                self.shift = self.aim
        return round(self.shift)
