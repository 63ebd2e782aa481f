"""The countdown over the live picture, and the flash (capture) that follows it."""

from __future__ import annotations

import math

import pygame
from pygame import Rect

from booth.coach.words import LOOK_AT_LENS
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    # The coach's clear area, though only the bottom band is drawn: the picture stays where the coach put it.
    if not p.picture.draw(surf, scene, L.screen, d, L.clear_area()):
        surf.fill(theme.BG)
    p.band(surf, L.screen, 110)
    n = max(1, math.ceil(st.remaining(scene.now) - 1e-6))
    size = round(min(L.width, L.height) * 0.6)
    box = Rect(0, 0, size, size)
    box.center = (L.width // 2, L.height // 2)
    pygame.draw.circle(surf, p.accent, box.center, size // 2, width=max(4, round(1.2 * L.unit)))
    p.text(surf, d, str(n), box, theme.HUGE, theme.FG, bold=True, verbatim=True)
    bottom = L.bottom_band().inflate(-2 * L.margin, -L.margin)
    p.text(surf, d, p.tr(LOOK_AT_LENS), bottom, theme.BIG, theme.FG, bold=True)


def draw_capture(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    surf.fill(theme.FLASH)  # the flash, and a soft fill light on the face
