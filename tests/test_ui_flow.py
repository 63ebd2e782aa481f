"""The session of looks' screens (hand-over, pick) drawn by real pygame and checked in their pixels,
and what a tap on them means.

Readable at arm's length and from two metres: the hand-over's line at the title size, each shot
on the pick at least 40 % of the screen's height in landscape (a third of the width in portrait),
and nothing a guest must read below the body size but the quiet hints.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pygame
import pytest

from booth.session import FLOW_ORDER, RETOUCH_LEVELS, Action, Input, Phase, Shot, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout, hit_test
from booth.ui.screens import Renderer, Scene
from booth.i18n import ENGLISH
from booth.ui.words import BUTTON, HANDOVER_LINES, KEEP_ONE, KEPT, NOT_KEPT, PICK_TITLE, KEYBOARD, TOUCH

SIZES = [(1280, 720), (800, 480), (720, 1280)]
COLOURS = {"serious": (200, 40, 40), "contemplative": (40, 200, 40), "smile": (40, 40, 200)}


@pytest.fixture(scope="module")
def fonts():
    pygame.font.init()
    return Fonts.from_config()


def shots() -> tuple[Shot, ...]:
    """Three shots, each a flat colour per retouch level (brighter with more retouch)."""
    out = []
    for i, look in enumerate(FLOW_ORDER):
        previews = {level: np.full((500, 400, 3), np.minimum(255, np.array(COLOURS[look]) + 20 * j), np.uint8)
                    for j, level in enumerate(RETOUCH_LEVELS)}
        out.append(Shot(look, f"t{i}", f"http://b/p/t{i}", SimpleNamespace(previews=previews), "auto"))
    return tuple(out)


def pick_state(**changes) -> State:
    base = dict(phase=Phase.PICK, shots=shots(), keeps=(True, True, True), since=0.0, deadline=30.0,
                retouch="none", selected=1)
    base.update(changes)
    return State(**base)


def draw(fonts, state, size, **scene):
    surf = pygame.Surface(size)
    d = Renderer(Layout(*size), fonts).draw(surf, Scene(state, 1.0, **scene))
    return surf, d


def pixels(surf, rect):
    return pygame.surfarray.array3d(surf).transpose(1, 0, 2)[rect.top:rect.bottom, rect.left:rect.right]


def assert_text_drawn(surf, d, needle):
    rect = d.find(needle)
    assert rect is not None, f"{needle!r} not drawn; drawn: {d.text()!r}"
    assert len(np.unique(pixels(surf, rect).reshape(-1, 3), axis=0)) > 4, f"{needle!r}: box is flat"
    return rect


def line_px(fonts, d, needle, layout) -> float:
    """The type size a drawn text got, from its box: line height over the font's line size per px."""
    rect = d.find(needle)
    assert rect is not None
    lines = max(1, round(rect.height / fonts.get(layout.px(theme.BODY), True).get_linesize()))
    return rect.height / lines


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("look", FLOW_ORDER[1:])
def test_handover_says_the_next_look_large(fonts, size, look):
    st = State(phase=Phase.HANDOVER, look=look, shots=shots()[:1], keeps=(True,), since=0.0, deadline=3.0)
    surf, d = draw(fonts, st, size, words=BUTTON, touch=False)
    rect = assert_text_drawn(surf, d, HANDOVER_LINES[look])
    layout = Layout(*size)
    # At least the body size's line: readable from where the guest stands.
    assert line_px(fonts, d, HANDOVER_LINES[look], layout) >= 0.95 * fonts.get(layout.px(theme.BODY), True).get_linesize()
    assert_text_drawn(surf, d, BUTTON.handover_next)
    assert_text_drawn(surf, d, "1 of 3 photos taken")
    for text, r in d.texts:
        assert surf.get_rect().contains(r), f"{text!r} off screen at {size}"
    assert rect.width > 0.4 * size[0]


def test_handover_time_bar_runs_down(fonts):
    st = State(phase=Phase.HANDOVER, look="smile", since=0.0, deadline=2.0)
    size = (1280, 720)
    early = pygame.Surface(size)
    late = pygame.Surface(size)
    r = Renderer(Layout(*size), fonts)
    r.draw(early, Scene(st, 0.1))
    r.draw(late, Scene(st, 1.9))
    a = pygame.surfarray.array3d(early)
    b = pygame.surfarray.array3d(late)
    accent = np.all(np.abs(a.astype(int) - theme.ACCENT) < 10, axis=2).sum()
    accent_late = np.all(np.abs(b.astype(int) - theme.ACCENT) < 10, axis=2).sum()
    assert accent > accent_late  # less of the bar is left


@pytest.mark.parametrize("size", SIZES)
def test_pick_shows_every_shot_side_by_side_large(fonts, size):
    surf, d = draw(fonts, pick_state(), size, words=BUTTON, touch=False, retakes_left=2)
    assert_text_drawn(surf, d, PICK_TITLE)
    assert len(d.pick_photos) == 3
    rows = {r.centery for r in d.pick_photos}
    assert max(rows) - min(rows) <= 2, "side by side, one row"
    for a, b in zip(d.pick_photos, d.pick_photos[1:]):
        assert a.right <= b.left
    w, h = size
    for r, look in zip(d.pick_photos, FLOW_ORDER):
        if w > h:
            assert r.height >= 0.4 * h, f"{r} too small to judge at {size}"
        else:
            assert r.width >= 0.28 * w, f"{r} too small to judge at {size}"
        centre = pixels(surf, r.inflate(-r.width // 2, -r.height // 2)).reshape(-1, 3)
        assert np.abs(centre.astype(int) - COLOURS[look]).max() <= 5  # the "none" level (levels are 20 apart), as chosen
    for look in ("Confident", "Thoughtful", "Smile"):
        assert_text_drawn(surf, d, KEPT.format(look=look))
    assert_text_drawn(surf, d, BUTTON.keep_all)
    assert_text_drawn(surf, d, ENGLISH.n(BUTTON.retake_lit, 2))
    for text, r in d.texts:
        assert surf.get_rect().contains(r), f"{text!r} off screen at {size}"


@pytest.mark.parametrize("size", SIZES)
def test_keyboard_pick_says_how_to_leave_a_shot_out_with_or_without_retakes(fonts, size):
    """A keyboard alone: the arrows and Delete are named whenever the pick is up; Esc only while a
    retake is left. The button says nothing about keeping (it cannot toggle one shot; all are kept)."""
    for retakes, esc in ((2, True), (0, False)):
        surf, d = draw(fonts, pick_state(), size, words=KEYBOARD, touch=False, retakes_left=retakes)
        assert "Delete" in KEYBOARD.pick_how
        assert_text_drawn(surf, d, KEYBOARD.pick_how)
        assert (d.find(ENGLISH.n(KEYBOARD.retake_lit, retakes)) is not None) == esc, d.text()
        for text, r in d.texts:
            assert surf.get_rect().contains(r), f"{text!r} off screen at {size}"
    surf, d = draw(fonts, pick_state(), size, words=BUTTON, touch=False, retakes_left=0)
    assert d.find(KEYBOARD.pick_how) is None and d.find(TOUCH.pick_how) is None


def test_pick_shows_the_chosen_level_unkept_dimmed_and_the_lit_one(fonts):
    size = (1280, 720)
    surf, d = draw(fonts, pick_state(keeps=(True, False, True), retouch="polished", selected=2), size,
                   words=BUTTON, touch=False, retakes_left=1)
    r0, r1, r2 = d.pick_photos
    c0 = pixels(surf, r0.inflate(-r0.width // 2, -r0.height // 2)).reshape(-1, 3).mean(axis=0)
    assert np.abs(c0 - (np.array(COLOURS["serious"]) + 40).clip(0, 255)).max() <= 5
    c1 = pixels(surf, r1.inflate(-r1.width // 2, -r1.height // 2)).reshape(-1, 3).mean(axis=0)
    assert c1.max() < 0.5 * max(COLOURS["contemplative"])  # not kept: dimmed
    assert_text_drawn(surf, d, NOT_KEPT.format(look="Thoughtful"))
    assert_text_drawn(surf, d, ENGLISH.n(BUTTON.keep_some, 2))
    # The lit shot (what a long press retakes) is framed in the accent colour; the others are not.
    ring = lambda r: pixels(surf, r.inflate(round(7.2), round(7.2))).reshape(-1, 3)
    is_accent = lambda px: (np.abs(px.astype(int) - theme.ACCENT).max(axis=1) < 10).sum()
    assert is_accent(ring(r2)) > 50 and is_accent(ring(r0)) == 0


def test_pick_with_none_kept_says_keep_one(fonts):
    surf, d = draw(fonts, pick_state(keeps=(False, False, False), refused=True), (1280, 720))
    assert_text_drawn(surf, d, KEEP_ONE)


def test_pick_taps(fonts):
    L = Layout(1280, 720)
    st = pick_state()
    cards = L.pick_cards(3)
    assert hit_test(L, st, L.pick_photo(cards[1]).center, retakes_left=1) == Input(Action.TOGGLE, 1)
    got = hit_test(L, st, L.pick_retake(cards[2]).center, retakes_left=1)
    assert (got.action, got.index) == (Action.RETAKE, 2)
    got = hit_test(L, st, L.pick_retake(cards[2]).center, retakes_left=0)
    assert (got.action, got.index) == (Action.TOGGLE, 2)  # no retakes left: the card itself
    got = hit_test(L, st, L.pick_pills()[2].center)
    assert (got.action, got.index) == (Action.LEVEL, 2)
    assert hit_test(L, st, L.pick_keep().center).action is Action.MAIN
    assert hit_test(L, State(phase=Phase.HANDOVER), L.back_button().center).action is Action.BACK
    assert hit_test(L, State(phase=Phase.HANDOVER), (640, 400)).action is Action.MAIN


def test_touch_pick_draws_the_retake_buttons_where_taps_go(fonts):
    size = (1280, 720)
    surf, d = draw(fonts, pick_state(), size, words=TOUCH, touch=True, retakes_left=1)
    L = Layout(*size)
    for card in L.pick_cards(3):
        rect = L.pick_retake(card)
        assert any(text == "Retake" and rect.contains(r) for text, r in d.texts)
    assert_text_drawn(surf, d, TOUCH.keep_all)


def test_coach_in_the_session_of_looks_says_which_look_and_how_to_skip(fonts):
    st = State(phase=Phase.COACH, look="contemplative", since=0.0, deadline=25.0)
    surf, d = draw(fonts, st, (1280, 720), words=BUTTON, touch=False, flow="all")
    assert_text_drawn(surf, d, "Thoughtful · 2 of 3")
    assert_text_drawn(surf, d, BUTTON.skip_look)
    surf, d = draw(fonts, st, (1280, 720), words=TOUCH, touch=True, flow="all")
    assert_text_drawn(surf, d, TOUCH.skip_look)
    surf, d = draw(fonts, st, (1280, 720), words=BUTTON, touch=False)
    assert d.find(BUTTON.skip_look) is None and d.find("2 of 3") is None
