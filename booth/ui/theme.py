"""Colours and type scale: high contrast, readable at two metres.

Light text on near-black, one warm accent for "do this", green for "ready",
red only for faults. Sizes are fractions of the screen's short side, so the
same screens work on a 7" panel and a TV, landscape or portrait.
"""

from __future__ import annotations

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
# still read on BG, so a colour too dark for that is lightened just enough; the words on an
# accent-filled button are dark or white, whichever reads better. Contrast as WCAG 2.1 defines it
# (relative luminance: w3.org/TR/WCAG21/#dfn-relative-luminance; 4.5:1, the AA minimum for text:
# w3.org/TR/WCAG21/#contrast-minimum). Hand-written: two formulas, not worth a dependency.
MIN_CONTRAST = 4.5


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.1 relative luminance, 0 (black) to 1 (white)."""
    def linear(c: int) -> float:
        s = c / 255.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def accent_colours(event_colour: tuple[int, int, int] | None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(accent, text on the accent): amber and near-black without an event colour."""
    if event_colour is None:
        return ACCENT, ACCENT_TEXT
    colour = event_colour
    step = 0
    while contrast(colour, BG) < MIN_CONTRAST and step < 20:  # mixed with white, a twentieth at a time
        step += 1
        colour = tuple(round(c + (255 - c) * step / 20) for c in event_colour)  # type: ignore[assignment]
    text = BG if contrast(BG, colour) >= contrast(FG, colour) else FG
    return colour, text
