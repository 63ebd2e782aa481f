"""Flow "all": the shots side by side to keep or not, each as big as a third of the screen allows."""

from __future__ import annotations

import math

import pygame
from pygame import Rect

from booth.session import RETOUCH_LEVELS, RETOUCH_NAMES
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import DEFAULT_LOOK_INFO, Drawn, Scene
from booth.ui.words import KEEP_ONE, KEPT, NOT_KEPT, PICK_DELETED_IN, PICK_TITLE, RETAKE, SAVING


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    """The shots side by side, each as big as a third of the screen allows (judged at arm's length),
    kept ones bright, the lit one (what a long press retakes) framed in the accent colour."""
    L, st = p.layout, scene.state
    surf.fill(theme.BG)
    tr = p.tr
    p.text(surf, d, tr(PICK_TITLE), L.pick_title(), theme.TITLE, bold=True)
    cards = L.pick_cards(len(st.shots))
    can_retake = scene.retakes_left > 0 and st.can_start and not st.publishing
    for i, (shot, card) in enumerate(zip(st.shots, cards)):
        kept = st.keeps[i] if i < len(st.keeps) else True
        box = shown = L.pick_photo(card)
        previews = getattr(shot.photo, "previews", None) or {}
        image = previews.get(st.retouch)
        if image is None and previews:
            image = next(iter(previews.values()))  # the chosen level is still being made
        if image is not None:
            ps = p.photo_surface(image, box)
            shown = ps.get_rect(center=box.center)
            surf.blit(ps, shown)
            if not kept:
                p.band(surf, shown, 170)
            d.pick_photos.append(shown)
        lit = i == st.selected and not scene.touch
        if lit:
            pygame.draw.rect(surf, p.accent, shown.inflate(round(1.6 * L.unit), round(1.6 * L.unit)),
                             width=max(3, round(0.8 * L.unit)), border_radius=round(L.unit))
        label = L.pick_label(card)
        title = tr(scene.look_info.get(shot.look, DEFAULT_LOOK_INFO.get(shot.look, ("", "")))[0])
        if scene.touch and can_retake:
            name = Rect(label.left, label.top, label.width - L.pick_retake(card).width, label.height)
            p.button(surf, d, L.pick_retake(card), tr(RETAKE), filled=False, colour=theme.FG, pct=theme.SMALL)
        else:
            name = label
        p.text(surf, d, tr(KEPT if kept else NOT_KEPT, look=title), name, theme.BODY,
               theme.READY if kept else theme.DIM, bold=kept)
    for level, pill in zip(RETOUCH_LEVELS, L.pick_pills()):
        p.button(surf, d, pill, tr(RETOUCH_NAMES[level]), filled=level == st.retouch,
                 colour=theme.ACCENT if level == st.retouch else theme.DIM, pct=theme.SMALL)
    n = sum(st.keeps)
    if st.publishing:
        p.button(surf, d, L.pick_keep(), tr(SAVING), filled=False)
    elif n == 0:
        p.button(surf, d, L.pick_keep(), tr(KEEP_ONE), filled=False, colour=theme.FAULT if st.refused else theme.DIM,
                 pct=theme.SMALL)
    else:
        label = tr(scene.words.keep_all) if n == len(st.shots) else tr.n(scene.words.keep_some, n)
        p.button(surf, d, L.pick_keep(), label, filled=True)
    if not st.publishing:
        retake = tr.n(scene.words.retake_lit, scene.retakes_left) if can_retake and scene.words.retake_lit else ""
        secs = math.ceil(st.remaining(scene.now))
        # Whole sentences side by side: how to choose, how to retake, and the time left.
        hints = (tr(scene.words.pick_how), retake, tr.n(PICK_DELETED_IN, secs))
        p.text(surf, d, " · ".join(t for t in hints if t), L.pick_hint(), theme.SMALL, theme.DIM)
