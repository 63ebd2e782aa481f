"""The breathing screen: a calm circle to breathe with, or, while nobody is seen, the camera picture.

Stateful (the soft change between the two), so it is a small class the
renderer keeps one of.
"""

from __future__ import annotations

import math

import pygame
from pygame import Rect

from booth.coach.words import STEP_INTO_FRAME
from booth.ui import theme
from booth.ui.placement import GAP_S
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.words import BREATHE_HINT as RELAX
from booth.ui.words import BREATHE_IN, BREATHE_OUT

BREATHE_FADE_S = 0.4  # the calm circle and the camera picture give way to each other this softly
SHADE_ALPHA = 150  # the picture's sides a face is not looked for in, dimmed (still recognisable)


class Breathe:
    def __init__(self) -> None:
        self._asking: tuple[bool, float, float] | None = None  # (asks for the face, since, last drawn)
        self._under: pygame.Surface | None = None  # the screen giving way, faded over the new one

    def draw(self, p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
        """The calm breathing circle; while the session asks for the face, the camera picture instead.

        The session already bridges a face missed for a moment (FACE_SEEN_S), so the two
        screens change only when the guest really left or came back, and then softly:
        the one giving way fades out over BREATHE_FADE_S (the record is the new one's).
        """
        asking = bool(scene.state.breathe_prompts)
        shown = self._fade(asking, scene.now)
        (_asking if asking else _calm)(p, surf, scene, d)
        if shown < 1.0:
            if self._under is None or self._under.get_size() != surf.get_size():
                self._under = pygame.Surface(surf.get_size())
            (_calm if asking else _asking)(p, self._under, scene, Drawn(d.screen))
            self._under.set_alpha(round(255 * (1.0 - shown)))
            surf.blit(self._under, (0, 0))

    def _fade(self, asking: bool, now: float) -> float:
        """How far (0..1) the breathing screen has changed to the one ``asking`` calls for."""
        last = self._asking
        if last is None or now < last[2] or now - last[2] > GAP_S:
            since = -math.inf  # a fresh screen: shown as it is
        elif asking != last[0]:
            # Back the other way before the fade ended: from where it stands, no jump.
            done = min(1.0, (last[2] - last[1]) / BREATHE_FADE_S)
            since = now - (1.0 - done) * BREATHE_FADE_S
        else:
            since = last[1]
        self._asking = (asking, since, now)
        return min(1.0, (now - since) / BREATHE_FADE_S)


def _calm(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    L, st = p.layout, scene.state
    surf.fill(theme.CALM)
    phase = st.breath(scene.now) % 1.0  # one breath per screen; it waits while the face is missing
    inhale = phase < 0.5
    ease = 0.5 - 0.5 * math.cos(2 * math.pi * phase)  # 0 -> 1 -> 0, smooth
    r_max = round(min(L.width, L.height) * 0.30)
    r = round(r_max * (0.45 + 0.55 * ease))
    centre = (L.width // 2, round(L.height * 0.45))
    pygame.draw.circle(surf, theme.CALM_GLOW, centre, r)
    pygame.draw.circle(surf, theme.FG, centre, r_max, width=max(2, round(0.5 * L.unit)))
    area = L.inner()
    p.text(surf, d, p.tr(BREATHE_IN if inhale else BREATHE_OUT), L.title_box(), theme.TITLE, bold=True)
    p.text(surf, d, p.tr(RELAX), Rect(area.left, area.bottom - round(12 * L.unit), area.width, round(12 * L.unit)),
           theme.BODY, theme.FG)
    p.back(surf, scene, d)


def _asking(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    """Nobody seen: the picture full-screen, so the guest sees where the camera looks and which way to move.

    Full-screen rather than an inset: at two metres a guest finds themselves in a
    picture the size of the screen, not in a stamp. The coach's own words for it, at
    the title size the breathing words have, on a dark band at the top as on the
    coach screen (where the breathing words were); the face is kept between the
    coach's bands, so the coach starts with the picture where it already is. Nothing
    else speaks: one thing to do now. The sides a face is not looked for in (a wide
    picture's 4:3 middle is, booth.vision.analysed_window) are shaded: a guest
    standing there sees themselves in the shade and steps towards the light.
    """
    L, st = p.layout, scene.state
    top = L.top_band()
    if not p.picture.draw(surf, scene, L.screen, d, L.clear_area(top, L.bottom_band())):
        surf.fill(theme.BG)
    elif scene.looked_in is not None:
        window = p.picture.to_screen(scene, scene.looked_in)
        if window is not None:
            below = Rect(0, top.bottom, L.width, L.height - top.bottom)
            for strip in (Rect(0, below.top, window.left, below.height),
                          Rect(window.right, below.top, L.width - window.right, below.height)):
                strip = strip.clip(below)
                if strip.width > 0:
                    p.band(surf, strip, SHADE_ALPHA)
    p.band(surf, top)
    # The whole band (not the title line) is its box: two lines on a narrow screen keep the full size.
    side = L.title_box().left
    box = Rect(side, top.top + L.margin // 3, L.width - 2 * side, top.height - 2 * (L.margin // 3))
    # (Fading out after the face came back, the session asks nothing: the words it had.)
    p.text(surf, d, p.tr(st.breathe_prompts[0] if st.breathe_prompts else STEP_INTO_FRAME), box, theme.TITLE, bold=True)
    p.back(surf, scene, d)
