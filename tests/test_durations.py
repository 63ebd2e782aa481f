"""booth.durations: the one wording of how long photos are kept (screen and phone page)."""

from __future__ import annotations

import pytest

from booth.durations import days_text


@pytest.mark.parametrize(("days", "words"), [
    (7, "7 days"),
    (1, "1 day"),
    (2.0, "2 days"),
    (1.5, "1.5 days"),  # a fraction is said, not rounded to "2 days"
    (0.5, "12 hours"),
    (1 / 24, "1 hour"),
    (0.001, "1 hour"),  # never "0 hours"
])
def test_days_text(days: float, words: str) -> None:
    assert days_text(days) == words


@pytest.mark.parametrize(("days", "counted"), [
    (7, ("days", 7)),
    (1, ("days", 1)),
    (1.5, ("hours", 36)),  # a fraction: whole hours, which a plural rule can count
    (0.5, ("hours", 12)),
    (0.001, ("hours", 1)),  # never "0 hours"
])
def test_span_counts_whole_units(days: float, counted: tuple[str, int]) -> None:
    from booth.durations import span

    assert span(days) == counted
