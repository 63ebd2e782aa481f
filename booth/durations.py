"""How long photos are kept, in words: one wording for the booth's screen and the phone page.

Its own small module so the booth process (pygame) and the web process (Jinja2)
say the same thing without either importing the other's stack.
"""

from __future__ import annotations


def days_text(days: float) -> str:
    """'7 days', '1 day', '1.5 days', '12 hours': a fraction of a day is never rounded away."""
    if days < 1:
        hours = max(1, round(days * 24))
        return f"{hours} hour{'s' if hours != 1 else ''}"
    whole = round(days)
    if abs(days - whole) < 1e-9:
        return f"{whole} day{'s' if whole != 1 else ''}"
    return f"{days:g} days"


def span(days: float) -> tuple[str, int]:
    """How long, as a whole count of one unit: ("days", 7), ("hours", 36) for 1.5 days, ("hours", 12).

    For sentences translated with plural forms (booth.i18n.Plural): a catalogue's plural rule
    counts whole numbers, so a fraction of a day is said in hours, never rounded away, and a
    sentence names its unit as a whole ("deleted after {n} days"), so a language can decline it.
    """
    whole = round(days)
    if days >= 1 and abs(days - whole) < 1e-9:
        return "days", whole
    return "hours", max(1, round(days * 24))
