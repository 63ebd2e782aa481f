"""The coach screen: the live picture with the photo's frame and the head's oval, one prompt, the meter."""

from __future__ import annotations

from typing import Any

import pygame
from pygame import Rect

from booth.coach.words import STEP_INTO_FRAME
from booth.session import FLOW_ORDER
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.screens.shapes import corners, split_h
from booth.ui.words import BACK, HOLD_IT, LOOK_OF, STAY, Words

STEP_IN = STEP_INTO_FRAME  # what the coach says when it sees nobody


def coach_lines(guidance: Any, auto_trigger: bool, words: Words) -> tuple[str, str]:
    """The coach screen's top line (the one thing to do now) and its quieter hint, as msgids.

    Never two voices: when the look holds, the top line says what happens next
    (the booth takes it: "Hold it"; or, without the automatic trigger, the
    guest does); otherwise the coach's most important prompt.
    """
    face = guidance is not None and bool(getattr(guidance, "face", False))
    ready = guidance is not None and bool(getattr(guidance, "ready", False))
    prompts = tuple(getattr(guidance, "prompts", ()) or ()) if guidance is not None else ()
    if ready:
        return (HOLD_IT, words.take_it) if auto_trigger else (words.take_now, "")
    if prompts:
        line = prompts[0]
    else:
        line = STAY if face else STEP_IN
    return line, words.take_it


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    top, bottom = L.top_band(), L.bottom_band()
    if not p.picture.draw(surf, scene, L.screen, d, L.clear_area(top, bottom)):
        surf.fill(theme.BG)
    g = st.guidance
    ready = bool(g is not None and getattr(g, "ready", False))
    if scene.guide is not None:  # in picture coordinates: it moves with the picture
        crop = p.picture.to_screen(scene, scene.guide.crop)
        head = p.picture.to_screen(scene, scene.guide.head)
        if crop is not None and head is not None:
            width = max(3, round(0.7 * L.unit))
            corners(surf, crop, theme.FG, max(2, width // 2))  # the photo's edges
            # Green only when the head really fills it: never a green oval around half a face.
            green = ready and scene.guide.fits
            pygame.draw.ellipse(surf, theme.READY if green else p.accent, head, width=width)
            d.guide, d.crop = head, crop
    p.band(surf, top)
    p.band(surf, bottom)
    tr = p.tr
    line, hint = (tr(m) for m in coach_lines(g, scene.auto_trigger, scene.words))
    clear = L.title_box(top=top.top).left
    prompt_box = Rect(clear, top.top + L.margin // 3, L.width - 2 * clear, top.height - 2 * (L.margin // 3))
    p.text(surf, d, line, prompt_box, theme.BIG, theme.READY if ready else theme.FG, bold=True)
    title = tr(scene.look_info.get(st.look or "", ("", ""))[0])
    flow = scene.flow == "all"
    if flow and st.look in FLOW_ORDER and not st.retaking:
        title = tr(LOOK_OF, look=title, index=FLOW_ORDER.index(st.look) + 1, total=len(FLOW_ORDER))
    if flow and not scene.touch:  # touch: the back button says "Skip look" itself
        hint = f"{hint}\n{tr(scene.words.skip_look)}"
    meter = L.meter()
    label = Rect(bottom.left + L.margin, bottom.top + L.margin // 2, bottom.width - 2 * L.margin,
                 meter.top - bottom.top - L.margin)
    left, right = split_h(label, (0.4, 0.6))
    p.text(surf, d, title, left, theme.BIG, theme.ACCENT, bold=True, align="left")
    p.text(surf, d, hint, right, theme.SMALL, theme.FG, align="right")
    readiness = float(getattr(g, "readiness", 0.0) or 0.0) if g is not None else 0.0
    _meter(surf, d, meter, readiness, ready, p.accent)
    p.back(surf, scene, d, scene.words.skip_look if flow and not st.retaking else BACK)


def _meter(surf: pygame.Surface, d: Drawn, track: Rect, value: float, ready: bool,
           accent: tuple[int, int, int]) -> None:
    """How close the look is: fills as it comes, green when it holds."""
    value = min(1.0, max(0.0, value))
    radius = track.height // 2
    pygame.draw.rect(surf, theme.CARD, track, border_radius=radius)
    fill = Rect(track.left, track.top, round(track.width * value), track.height)
    if fill.width > 0:
        pygame.draw.rect(surf, theme.READY if ready else accent, fill, border_radius=radius)
    pygame.draw.rect(surf, theme.FG, track, width=max(2, track.height // 8), border_radius=radius)
    d.meter = (Rect(track), fill)
