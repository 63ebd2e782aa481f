"""Where the face should sit in the preview for a headshot, and how far off it is.

The target is a box in fractions of the preview (x, y, w, h): the UI draws it
as the framing guide (multiply by the preview size, mirror x if the preview is
mirrored), and the framing metric judges the face box against it. It is the
face mesh's bounding box (brow line to chin) for a head-and-shoulders shot:
a face about 42 % of the frame height, eyes a little above the middle, so the
crop leaves room for hair above and shoulders below.
"""

from __future__ import annotations

from dataclasses import dataclass

from booth.observation import Box

FRAMING_TARGET = Box(0.375, 0.20, 0.25, 0.42)  # fractions of the preview, not pixels

# Tolerances: the centre may be off by this fraction of the target's size, the
# face this much too small or too big (ratio of heights) before framing fails.
OFFSET_OK = 0.25
SIZE_OK = (0.75, 1.33)


@dataclass(frozen=True)
class Placement:
    """The face against FRAMING_TARGET."""

    offset_x: float  # face centre minus target centre, in target widths (+ = image right)
    offset_y: float  # the same in target heights (+ = lower in the image)
    size: float  # face height over target height (1 = just right, < 1 = too far away)

    @property
    def score(self) -> float:
        """1 on target, 0.5 at the edge of the tolerances, 0 at twice that."""
        off = max(abs(self.offset_x), abs(self.offset_y)) / OFFSET_OK
        lo, hi = SIZE_OK
        if self.size < 1.0:
            sz = (1.0 - self.size) / (1.0 - lo)
        else:
            sz = (self.size - 1.0) / (hi - 1.0)
        worst = max(off, sz)
        return max(0.0, min(1.0, 1.0 - worst / 2.0))


def place(box: Box, image_size: tuple[int, int], target: Box = FRAMING_TARGET) -> Placement:
    """The face box (pixels of an image of image_size) against the target (fractions)."""
    w, h = image_size
    cx, cy = box.centre
    tx, ty = target.centre
    return Placement(
        offset_x=(cx / w - tx) / target.w,
        offset_y=(cy / h - ty) / target.h,
        size=(box.h / h) / target.h,
    )
