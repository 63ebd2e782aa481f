"""Colour contrast as WCAG 2.1 defines it, for the event's accent on the screen and the phone.

Relative luminance: w3.org/TR/WCAG21/#dfn-relative-luminance; 4.5:1 is the AA
minimum for text (w3.org/TR/WCAG21/#contrast-minimum). Hand-written: two
formulas, not worth a dependency.
"""

from __future__ import annotations

RGB = tuple[int, int, int]
MIN_CONTRAST = 4.5
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)


def luminance(rgb: RGB) -> float:
    """WCAG 2.1 relative luminance, 0 (black) to 1 (white)."""
    def linear(c: int) -> float:
        s = c / 255.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 2.1 contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(colour: RGB, background: RGB, minimum: float = MIN_CONTRAST) -> RGB:
    """``colour`` as it is when it reads on ``background``; else mixed with white (on a dark
    background) or black (on a light one) a twentieth at a time, just until it does."""
    toward = WHITE if luminance(background) < 0.18 else BLACK
    mixed = colour
    for step in range(1, 21):
        if contrast(mixed, background) >= minimum:
            break
        mixed = tuple(round(c + (t - c) * step / 20) for c, t in zip(colour, toward))  # type: ignore[assignment]
    return mixed


def text_on(fill: RGB, dark: RGB, light: RGB) -> RGB:
    """Whichever of ``dark`` and ``light`` reads better on ``fill``."""
    return dark if contrast(dark, fill) >= contrast(light, fill) else light


def hex_colour(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
