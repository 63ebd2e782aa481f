"""Between two looks (flow "all"): praise, the next look in one line, and the time running out on a thin bar."""

from __future__ import annotations

import pygame
from pygame import Rect

from booth.session import FLOW_ORDER
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.screens.shapes import face_glyph, split
from booth.ui.words import BACK, FINISH, HANDOVER_LINES, HANDOVER_TAKEN


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    surf.fill(theme.BG)
    area = L.inner()
    look = st.look or FLOW_ORDER[0]
    side = round(min(area.width, area.height) * 0.3)
    glyph = Rect(L.width // 2 - side // 2, area.top + round(area.height * 0.04), side, side)
    face_glyph(surf, glyph, look, p.accent)
    line = Rect(area.left, glyph.bottom + L.margin // 2, area.width, round(area.height * 0.36))
    tr = p.tr
    p.text(surf, d, tr(HANDOVER_LINES.get(look, HANDOVER_LINES[FLOW_ORDER[-1]])), line, theme.TITLE, bold=True)
    taken = tr.n(HANDOVER_TAKEN, len(FLOW_ORDER), taken=len(st.shots)) if st.shots else ""
    below = Rect(area.left, line.bottom, area.width, area.bottom - line.bottom)
    rows = split(below, (0.3, 0.45, 0.25))
    p.text(surf, d, taken, rows[0], theme.BODY, theme.DIM)
    p.text(surf, d, tr(scene.words.handover_next), rows[1], theme.BODY, theme.ACCENT, bold=True)
    total = st.deadline - st.since if st.deadline is not None else 0.0
    left = st.remaining(scene.now) / total if total > 0 else 0.0
    bar = Rect(area.left + area.width // 4, rows[2].centery, area.width // 2, max(4, round(L.unit)))
    pygame.draw.rect(surf, theme.CARD, bar)
    pygame.draw.rect(surf, p.accent, Rect(bar.left, bar.top, round(bar.width * left), bar.height))
    p.back(surf, scene, d, FINISH if st.shots else BACK)
