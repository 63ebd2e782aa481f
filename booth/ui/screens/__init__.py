"""Drawing each screen from the session state, one module per screen (the renderer dispatches).

:class:`Renderer` draws one frame for a :class:`Scene` and returns
:class:`Drawn`, the record of what went where, which the tests check against
the pixels. The names importers use are re-exported here.
"""

from __future__ import annotations

from booth.session import Phase
from booth.ui.screens.attract import TIP_S, TIPS
from booth.ui.screens.breathe import BREATHE_FADE_S, SHADE_ALPHA
from booth.ui.screens.coach import HOLD_IT, STAY, STEP_IN, coach_lines
from booth.ui.screens.painter import Painter
from booth.ui.screens.processing import PROCESSING_LINES
from booth.ui.screens.renderer import Renderer
from booth.ui.screens.scene import DEFAULT_LOOK_INFO, Drawn, Scene, TextFit
from booth.ui.screens.share import short_url, typeable_url

# The screens drawn over the live preview: the subject's head is kept clear of their bands
# (breathe: while it asks a guest it cannot see to step in, it shows the picture).
PREVIEW_PHASES = frozenset({Phase.ATTRACT, Phase.BREATHE, Phase.COACH, Phase.COUNTDOWN})

__all__ = ["BREATHE_FADE_S", "DEFAULT_LOOK_INFO", "HOLD_IT", "PREVIEW_PHASES", "PROCESSING_LINES", "SHADE_ALPHA",
           "STAY", "STEP_IN", "TIPS", "TIP_S", "Drawn", "Painter", "Renderer", "Scene", "TextFit", "coach_lines",
           "short_url", "typeable_url"]
