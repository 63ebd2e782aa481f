"""Colours and type scale: high contrast, readable at two metres.

Light text on near-black, one warm accent for "do this", green for "ready",
red only for faults. Sizes are fractions of the screen's short side, so the
same screens work on a 7" panel and a TV, landscape or portrait.
"""

from __future__ import annotations

from booth.colour import MIN_CONTRAST, contrast, luminance, readable_on, text_on  # noqa: F401 (the screens use them as theme.*)

BG = (10, 12, 16)
FG = (255, 255, 255)
DIM = (190, 196, 206)
ACCENT = (255, 193, 7)  # amber: the next step
ACCENT_TEXT = (10, 12, 16)
READY = (60, 220, 110)
FAULT = (235, 64, 52)
CALM = (24, 44, 72)  # breathing screen
CALM_GLOW = (110, 170, 235)
PANEL_ALPHA = 185  # dark bands over the live preview
FLASH = (255, 255, 255)
CARD = (34, 38, 46)

# Type sizes, in % of the short side of the screen.
HUGE = 42.0  # countdown digits
TITLE = 8.5
BIG = 6.5
BODY = 5.0
SMALL = 3.4
MIN_PX = 14  # never smaller than this, even on a tiny screen

# The event's accent ([event] accent_colour) takes amber's place. Text in the accent colour must
# still read on BG, so a colour too dark for that is lightened just enough (booth.colour); the
# words on an accent-filled button are dark or white, whichever reads better.


def accent_colours(event_colour: tuple[int, int, int] | None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(accent, text on the accent): amber and near-black without an event colour."""
    if event_colour is None:
        return ACCENT, ACCENT_TEXT
    colour = readable_on(event_colour, BG)
    return colour, text_on(colour, BG, FG)
