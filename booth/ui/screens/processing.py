"""While the photo develops: a turning ring of dots and what is being done, so the wait looks alive."""

from __future__ import annotations

import math

import pygame
from pygame import Rect

from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.words import PROCESSING_LINES
from booth.ui.words import PROCESSING_TITLE as TITLE


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    surf.fill(theme.BG)
    t = scene.now - st.since
    centre = (L.width // 2, round(L.height * 0.42))
    radius = round(min(L.width, L.height) * 0.14)
    dots = 12
    head = (t * 1.5) % 1.0  # a turn every 2/3 s: visibly alive
    for i in range(dots):
        a = 2 * math.pi * i / dots - math.pi / 2
        age = (head * dots - i) % dots / dots
        shade = round(255 * (1.0 - 0.8 * age))
        pos = (round(centre[0] + radius * math.cos(a)), round(centre[1] + radius * math.sin(a)))
        pygame.draw.circle(surf, (shade, round(shade * 0.76), 0), pos, max(3, round(1.6 * L.unit)))
    area = L.inner()
    y = centre[1] + radius + round(6 * L.unit)
    p.text(surf, d, p.tr(TITLE), Rect(area.left, y, area.width, round(12 * L.unit)), theme.TITLE, bold=True)
    line = PROCESSING_LINES[int(t // 1.5) % len(PROCESSING_LINES)]
    p.text(surf, d, p.tr(line), Rect(area.left, y + round(13 * L.unit), area.width, round(9 * L.unit)),
           theme.BODY, theme.DIM)
