"""The live camera picture under the attract, breathe, coach and countdown screens.

It keeps its own state (the scaled frame, where it was placed, the steady
slide that keeps the guest's head clear of the bands), so it is one object the
painter owns and those screens share: the picture stays where the coach put it
when the countdown starts.
"""

from __future__ import annotations

import cv2
import numpy as np
import pygame
from pygame import Rect

from booth.ui import theme
from booth.ui.guide import Fractions
from booth.ui.layout import Layout
from booth.ui.placement import SteadyShift, needed_shift
from booth.ui.screens.scene import Drawn, Scene


class LivePicture:
    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._key: tuple | None = None
        self._scaled: tuple[pygame.Surface, tuple[int, int, int, int, int, int]] | None = None
        self._pixels: np.ndarray | None = None
        self._placed: Rect | None = None  # where this frame's picture went; None: no picture this frame
        self._steady = SteadyShift(dead_band=layout.face_steady)

    def draw(self, surf: pygame.Surface, scene: Scene, dest: Rect, d: Drawn,
             clear: tuple[int, int] | None = None) -> bool:
        """The mirrored camera image, cropped to fill ``dest`` (never letterboxed).

        With ``clear`` (the rows between the screen's bands) and a face in the
        scene, the picture slides up or down until the head lies between them
        (booth/ui/placement.py), over the backdrop colour in the strip it uncovers.
        The frame already has the screen's shape (booth/camera/view.py), so there
        are no hidden rows to show instead.
        """
        self._placed = None
        frame = scene.frame
        if frame is None:
            surf.fill(theme.BG, dest)
            return False
        img = frame.image
        h, w = img.shape[:2]
        want = dest.width / dest.height
        if w / h > want:
            cw, ch = max(1, round(h * want)), h
        else:
            cw, ch = w, max(1, round(w / want))
        x0, y0 = (w - cw) // 2, (h - ch) // 2
        scale = dest.height / ch  # screen pixels per image row
        needed = None
        if clear is not None and scene.face is not None:
            _, fy, _, fh = scene.face
            top = dest.top + (fy * h - y0) * scale
            # Only the part of the head the camera sees: a crown above the picture is not brought into
            # view by moving more backdrop in, the face below it is what the guest needs to see.
            top, bottom = max(top, dest.top), min(top + fh * h * scale, dest.bottom)
            if bottom > top:
                needed = needed_shift((top, bottom), clear, self.layout.face_room)
        shift = self._steady.update(needed, scene.now)
        key = (frame.index, dest.size, scene.mirror)
        if key != self._key or self._scaled is None:
            # OpenCV scales and mirrors in a few ms without holding the GIL (the
            # analysis thread keeps running); pygame's smoothscale would not.
            scaled = cv2.resize(img[y0:y0 + ch, x0:x0 + cw], dest.size, interpolation=cv2.INTER_LINEAR)
            if scene.mirror:
                scaled = cv2.flip(scaled, 1)
            surface = pygame.image.frombuffer(scaled.data, dest.size, "RGB")
            self._scaled = (surface, (x0, y0, cw, ch, w, h))
            self._pixels = scaled  # the surface borrows this memory
            self._key = key
        placed = dest.move(0, shift)
        shown = placed.clip(dest)
        surf.blit(self._scaled[0], shown.topleft, Rect(0, shown.top - placed.top, shown.width, shown.height))
        if shift > 0:  # the strip the move uncovered: backdrop, never the last frame's pixels
            surf.fill(theme.BG, Rect(dest.left, dest.top, dest.width, min(shift, dest.height)))
        elif shift < 0:
            surf.fill(theme.BG, Rect(dest.left, max(dest.top, dest.bottom + shift), dest.width,
                                     min(-shift, dest.height)))
        self._placed = placed
        d.preview, d.shift = Rect(placed), shift
        if scene.face is not None:
            d.face = self.to_screen(scene, scene.face)
        return True

    def to_screen(self, scene: Scene, box: Fractions) -> Rect | None:
        """A normalised box in the camera image as a rect on screen (after crop, mirror and the move)."""
        if self._scaled is None or self._placed is None:
            return None
        dest = self._placed
        x0, y0, cw, ch, w, h = self._scaled[1]
        bx, by, bw, bh = box
        sx = (bx * w - x0) / cw * dest.width
        sy = (by * h - y0) / ch * dest.height
        sw = bw * w / cw * dest.width
        sh = bh * h / ch * dest.height
        if scene.mirror:
            sx = dest.width - sx - sw
        return Rect(round(dest.left + sx), round(dest.top + sy), round(sw), round(sh))
