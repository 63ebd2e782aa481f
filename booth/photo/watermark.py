"""The event's mark on the retouched copy: its logo (or its name) small in the bottom-right corner.

Only with ``[event] watermark = true``, and only on the retouched copy the
guest downloads: :meth:`Watermark.apply` returns a new image and never
writes to the one it is given, and the original file is encoded from the
untouched frame (booth.photo.pipeline). The mark's size follows the photo's
short side, so it looks the same on a 4:5 headshot from any sensor.

The name, when there is no logo, is drawn by Pillow's FreeType text (white
with a dark outline, legible on any background) in the display's font.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from booth.event import Event

HEIGHT = 0.06  # the mark's height, as a fraction of the photo's short side
MARGIN = 0.03  # its gap from the corner, likewise
MAX_WIDTH = 0.4  # never wider than this fraction of the photo's width
OPACITY = 0.85  # a mark, not a sticker: the photo shows faintly through


@dataclass
class Watermark:
    """Makes (once per photo size) and stamps the mark of one event."""

    event: Event
    font: Path | None = None  # the display's font file; None = Pillow's own
    _marks: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def of(cls, event: Event, font: Path | None = None) -> Watermark | None:
        """The event's watermark, or None when it asks for none (or has nothing to mark with)."""
        if not event.watermark or not (event.logo or event.name):
            return None
        return cls(event, font)

    def mark(self, size: tuple[int, int]) -> np.ndarray:
        """The RGBA mark for a photo of size (width, height); cached per size."""
        with self._lock:
            if size not in self._marks:
                self._marks[size] = self._make(size)
            return self._marks[size]

    def box(self, size: tuple[int, int]) -> tuple[int, int, int, int]:
        """Where the mark goes on a photo of this size: x, y, w, h (the bottom-right corner)."""
        h, w = self.mark(size).shape[:2]
        margin = round(MARGIN * min(size))
        return size[0] - margin - w, size[1] - margin - h, w, h

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """A copy of the RGB photo with the mark in its corner (the input is left as it was)."""
        size = (rgb.shape[1], rgb.shape[0])
        mark = self.mark(size)
        x, y, w, h = self.box(size)
        out = rgb.copy()
        alpha = mark[..., 3:4].astype(np.float32) * (OPACITY / 255.0)
        region = out[y:y + h, x:x + w].astype(np.float32)
        out[y:y + h, x:x + w] = np.rint(region + (mark[..., :3].astype(np.float32) - region) * alpha).astype(np.uint8)
        return out

    def _make(self, size: tuple[int, int]) -> np.ndarray:
        height = max(8, round(HEIGHT * min(size)))
        width = max(8, round(MAX_WIDTH * size[0]))
        if self.event.logo is not None:
            return np.array(self.event.logo.rgba((width, height)))
        return _text_mark(self.event.name, height, width, self.font)


def _text_mark(text: str, height: int, max_width: int, font: Path | None) -> np.ndarray:
    """The name in white with a dark outline, at most height tall and max_width wide."""
    from PIL import Image, ImageDraw, ImageFont

    px = height
    while True:
        face = ImageFont.truetype(str(font), px) if font is not None else ImageFont.load_default(px)
        stroke = max(1, px // 12)
        left, top, right, bottom = face.getbbox(text, stroke_width=stroke)
        if (right - left <= max_width and bottom - top <= height) or px <= 6:
            break
        px = max(6, int(px * min(max_width / max(1, right - left), height / max(1, bottom - top), 0.95)))
    image = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((-left, -top), text, font=face, fill=(255, 255, 255, 255),
                               stroke_width=stroke, stroke_fill=(0, 0, 0, 200))
    return np.asarray(image).copy()
