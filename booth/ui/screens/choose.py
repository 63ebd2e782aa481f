"""Choosing the look: one card per look (its face, name and line), the highlight on the chosen one."""

from __future__ import annotations

import pygame
from pygame import Rect

from booth.session import LOOKS
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import DEFAULT_LOOK_INFO, Drawn, Scene
from booth.ui.screens.shapes import face_glyph, split
from booth.ui.words import CHOOSE_TITLE as TITLE


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    surf.fill(theme.BG)
    area = L.inner()
    tr = p.tr
    p.text(surf, d, tr(TITLE), L.title_box(), theme.TITLE, bold=True)
    for i, (look, card) in enumerate(zip(LOOKS, L.look_cards())):
        on = i == st.selected
        pygame.draw.rect(surf, p.accent if on else theme.CARD, card, border_radius=round(2 * L.unit))
        fg = p.accent_text if on else theme.FG
        title, desc = scene.look_info.get(look, DEFAULT_LOOK_INFO[look])
        inner = card.inflate(-round(3 * L.unit), -round(3 * L.unit))
        if L.portrait:
            glyph = Rect(inner.left, inner.top, inner.height, inner.height)
            gap = round(3 * L.unit)
            words = Rect(glyph.right + gap, inner.top, inner.right - glyph.right - gap, inner.height)
            t, s = split(words, (0.5, 0.5))
        else:
            side = min(inner.width, round(inner.height * 0.45))
            glyph = Rect(inner.centerx - side // 2, inner.top, side, side)
            t, s = split(Rect(inner.left, glyph.bottom, inner.width, inner.bottom - glyph.bottom), (0.4, 0.6))
        face_glyph(surf, glyph.inflate(-glyph.width // 6, -glyph.height // 6), look, fg)
        p.text(surf, d, tr(title), t, theme.BIG, fg, bold=True)
        p.text(surf, d, tr(desc), s, theme.BODY, fg)
    hint = scene.words.choose_scanning if st.scanning else scene.words.choose
    p.text(surf, d, tr(hint), Rect(area.left, area.bottom - round(10 * L.unit), area.width, round(10 * L.unit)),
           theme.BODY, theme.DIM)
    p.back(surf, scene, d)
