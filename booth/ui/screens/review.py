"""One photo to keep or not: the photo, the retouch levels, keep, retake, and the time before it is deleted."""

from __future__ import annotations

import math

import pygame
from pygame import Rect

from booth.session import RETOUCH_LEVELS, RETOUCH_NAMES
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.words import NO_RETAKES, REVIEW_DELETED_IN, SAVING
from booth.ui.words import REVIEW_TITLE as TITLE


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    surf.fill(theme.BG)
    box = L.review_photo()
    previews = getattr(st.photo, "previews", None) or {}
    image = previews.get(st.retouch)
    if image is not None:
        s = p.photo_surface(image, box)
        r = s.get_rect(center=box.center)
        surf.blit(s, r)
        d.photo = r
    tr = p.tr
    p.text(surf, d, tr(TITLE), L.review_title(), theme.TITLE, bold=True, align="left")
    for level, pill in zip(RETOUCH_LEVELS, L.retouch_pills()):
        p.button(surf, d, pill, tr(RETOUCH_NAMES[level]), filled=level == st.retouch,
                 colour=theme.ACCENT if level == st.retouch else theme.DIM, pct=theme.SMALL)
    keep = L.keep_button()
    if st.publishing:
        p.button(surf, d, keep, tr(SAVING), filled=False)
    else:
        p.button(surf, d, keep, tr(scene.words.keep), filled=True)
    retake = L.retake_button()
    if scene.retakes_left > 0 and st.can_start:
        p.button(surf, d, retake, tr.n(scene.words.retake, scene.retakes_left), filled=False,
                 colour=theme.FG, pct=theme.SMALL)
    else:
        p.text(surf, d, tr(NO_RETAKES), retake, theme.SMALL, theme.DIM)
    if not st.publishing:
        secs = math.ceil(st.remaining(scene.now))
        panel = L.review_panel()
        p.text(surf, d, tr.n(REVIEW_DELETED_IN, secs),
               Rect(panel.left, retake.bottom + L.margin // 2, panel.width,
                    max(L.px(theme.SMALL) * 2, panel.bottom - retake.bottom - L.margin // 2)),
               theme.SMALL, theme.DIM)
