"""Photos per hour as a small bar chart, laid out here and drawn as inline SVG by the staff template.

No scripts and nothing fetched: the page's policy allows neither, and an
SVG of 24 rectangles needs no library. Sizes are in the SVG's own units
(its viewBox); the page scales it to the width it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from booth.web.language import ENGLISH_PAGE, PageLanguage

WIDTH, HEIGHT = 480, 130  # viewBox
LABELS_H = 16  # room under the bars for the hour labels
NUMBERS_H = 14  # room above the tallest bar for its count
GAP = 0.2  # of a slot, between bars


@dataclass(frozen=True)
class Bar:
    hour: int
    count: int
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class HourChart:
    width: int
    height: int
    baseline: float  # y of the bars' foot
    bars: tuple[Bar, ...]
    label: str  # the whole chart in words, for screen readers

    @property
    def ticks(self) -> tuple[Bar, ...]:
        """The bars whose hour is labelled under the axis (every third)."""
        return tuple(b for b in self.bars if b.hour % 3 == 0)


def hour_chart(per_hour: Sequence[int], lang: PageLanguage = ENGLISH_PAGE) -> HourChart:
    """24 bars, one per local hour, scaled to the busiest hour; its label in ``lang``."""
    if len(per_hour) != 24:
        raise ValueError(f"per_hour has {len(per_hour)} values; one per hour (24) expected")
    top = max(max(per_hour), 1)
    baseline = HEIGHT - LABELS_H
    room = baseline - NUMBERS_H
    slot = WIDTH / 24
    bars = []
    for hour, count in enumerate(per_hour):
        h = room * count / top
        bars.append(Bar(hour, count, round(hour * slot + slot * GAP / 2, 2), round(baseline - h, 2),
                        round(slot * (1 - GAP), 2), round(h, 2)))
    busy = [f"{b.hour:02d}:00 {b.count}" for b in bars if b.count]
    label = (lang.gettext("Photos per hour today: {hours}", hours=", ".join(busy)) if busy
             else lang.gettext("Photos per hour today: none yet"))
    return HourChart(WIDTH, HEIGHT, baseline, tuple(bars), label)
