"""The last word of a session (thanks, or why it ended), alone in the middle of the screen."""

from __future__ import annotations

import pygame

from booth.session import THANKS
from booth.ui import theme
from booth.ui.screens.painter import Painter
from booth.ui.screens.scene import Drawn, Scene
from booth.ui.screens.shapes import centre_box


def draw(p: Painter, surf: pygame.Surface, scene: Scene, d: Drawn) -> None:
    surf.fill(theme.BG)
    p.text(surf, d, p.tr(scene.state.message or THANKS), centre_box(p.layout), theme.TITLE, theme.FG, bold=True)
