"""The live preview's vertical placement (booth/ui/placement.py): pure, time passed in.

The renderer's use of it, with real pygame and the real face model, is in
test_ui_face_clear.py.
"""

from __future__ import annotations

import pytest

from booth.ui.layout import Layout
from booth.ui.placement import EASE_S, GAP_S, HOLD_S, SteadyShift, needed_shift

CLEAR = (130.0, 554.0)  # the coach's clear rows on 1280x720
ROOM = 29.0


def test_a_face_inside_the_clear_area_is_not_moved() -> None:
    assert needed_shift((300.0, 450.0), CLEAR, ROOM) == 0.0
    assert needed_shift((CLEAR[0] + ROOM, CLEAR[1] - ROOM), CLEAR, ROOM) == 0.0  # exactly fits


def test_a_high_face_moves_down_just_enough_and_a_low_one_up() -> None:
    assert needed_shift((-40.0, 160.0), CLEAR, ROOM) == pytest.approx(CLEAR[0] + ROOM + 40.0)
    assert needed_shift((500.0, 700.0), CLEAR, ROOM) == pytest.approx(CLEAR[1] - ROOM - 700.0)
    # Just enough: after the move the face sits ROOM inside the band it was under, not centred.
    s = needed_shift((0.0, 200.0), CLEAR, ROOM)
    assert 0.0 + s == pytest.approx(CLEAR[0] + ROOM)


def test_a_face_taller_than_the_room_is_centred_in_it() -> None:
    s = needed_shift((0.0, 600.0), CLEAR, ROOM)
    assert (0.0 + s + 600.0 + s) / 2 == pytest.approx(sum(CLEAR) / 2)


def test_the_layout_keeps_the_face_clear_after_the_dead_band() -> None:
    # The face may wander the dead band before the picture follows; it must still be clear of the bands.
    for size in ((1280, 720), (800, 480), (720, 1280), (480, 320)):
        L = Layout(*size)
        assert 0 < L.face_steady < L.face_room
        top, bottom = L.clear_area()
        assert top == L.top_band().bottom and bottom == L.bottom_band().top


def test_steady_first_frame_starts_in_place() -> None:
    s = SteadyShift(dead_band=14)
    assert s.update(120.0, 10.0) == 120  # nothing was on screen before: no slide in


def test_steady_ignores_a_face_moving_a_pixel_or_two() -> None:
    s = SteadyShift(dead_band=14)
    s.update(120.0, 0.0)
    t = 0.0
    for wobble in (1.0, -2.0, 2.0, 0.5, -1.5, 13.0, -13.0):
        t += 1 / 30
        assert s.update(120.0 + wobble, t) == 120


def test_steady_follows_a_real_move_smoothly_and_settles() -> None:
    s = SteadyShift(dead_band=14)
    s.update(120.0, 0.0)
    seen, t = [], 0.0
    while t < 1.0:
        t += 1 / 30
        seen.append(s.update(40.0, t))
    assert seen[0] < 120 and seen[0] > 40  # eased: no jump in one frame
    assert all(a >= b for a, b in zip(seen, seen[1:]))  # one way, no overshoot
    assert max(a - b for a, b in zip(seen, seen[1:])) < 30  # no big step
    assert seen[-1] == 40  # settled within a second (EASE_S time constant)
    assert EASE_S * 6 < 1.0


def test_steady_goes_back_to_none_when_the_face_needs_none() -> None:
    s = SteadyShift(dead_band=14)
    s.update(10.0, 0.0)  # within the dead band of 0 ...
    assert s.update(0.0, 0.0 + GAP_S + 1) == 0  # ... but a centred face is not left moved
    s.update(120.0, 10.0)
    assert s.update(121.0, 10.04) == 120


def test_steady_holds_when_the_face_is_lost_briefly_then_slides_back() -> None:
    s = SteadyShift(dead_band=14)
    s.update(120.0, 0.0)
    t = 0.0
    while t < HOLD_S - 0.1:
        t += 1 / 30
        assert s.update(None, t) == 120  # a missed detection or a blink: the picture stays
    while t < HOLD_S + 1.5:
        t += 1 / 30
        last = s.update(None, t)
    assert last == 0  # nobody there any more: the picture as it always was


def test_steady_nobody_ever_seen_is_no_move() -> None:
    s = SteadyShift(dead_band=14)
    assert s.update(None, 0.0) == 0 and s.update(None, 5.0) == 0


def test_steady_after_another_screen_starts_in_place() -> None:
    s = SteadyShift(dead_band=14)
    s.update(120.0, 0.0)
    # The choose and breathe screens drew no preview for seconds; the coach starts with the face in place.
    assert s.update(-150.0, 8.0) == -150
    assert s.update(-150.0, 7.0) == -150  # a clock going back (a test's own) does not slide either
