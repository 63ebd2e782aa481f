"""One frame for a :class:`Scene`: the renderer picks the phase's screen and hands it the shared painter.

Nothing here decides anything; the screens only draw. The renderer owns what
lives longer than a frame (the painter's caches and live picture, the
breathing screen's fade), one per display.
"""

from __future__ import annotations

from collections.abc import Callable

import pygame

from booth.session import Phase
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import (attract, breathe, choose, coach, countdown, goodbye, handover, pick, processing,
                              review, share)
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene

Screen = Callable[[Painter, pygame.Surface, Scene, Drawn], None]


class Renderer:
    def __init__(self, layout: Layout, fonts: Fonts) -> None:
        self.layout = layout
        self.fonts = fonts
        self.painter = Painter(layout, fonts)
        self.screens: dict[Phase, Screen] = {
            Phase.ATTRACT: attract.draw,
            Phase.CHOOSE: choose.draw,
            Phase.BREATHE: breathe.Breathe().draw,
            Phase.COACH: coach.draw,
            Phase.COUNTDOWN: countdown.draw,
            Phase.CAPTURE: countdown.draw_capture,
            Phase.PROCESSING: processing.draw,
            Phase.REVIEW: review.draw,
            Phase.HANDOVER: handover.draw,
            Phase.PICK: pick.draw,
            Phase.SHARE_WIFI: share.draw_wifi,
            Phase.SHARE: share.draw,
            Phase.GOODBYE: goodbye.draw,
        }

    def draw(self, surf: pygame.Surface, scene: Scene) -> Drawn:
        phase = scene.state.phase
        d = Drawn(phase.value)
        self.painter.begin(scene, d)
        self.screens[phase](self.painter, surf, scene, d)
        return d
