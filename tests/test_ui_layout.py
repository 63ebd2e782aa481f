"""The layout model: everything on screen at any size, and what each tap means."""

from __future__ import annotations

import pytest
from pygame import Rect

from booth.session import Action, Input, Phase, State
from booth.ui.layout import Layout, hit_test

SIZES = [(1920, 1080), (1280, 720), (800, 480), (720, 1280), (1080, 1920), (480, 320)]


@pytest.mark.parametrize("size", SIZES)
def test_every_region_is_on_screen_and_nothing_overlaps_where_it_matters(size):
    L = Layout(*size)
    screen = L.screen
    regions = [L.top_band(), L.bottom_band(), L.meter(), L.back_button(), L.title_box(), *L.look_cards(),
               L.review_photo(), L.review_panel(), *L.retouch_pills(), L.keep_button(), L.retake_button(),
               L.qr_box(), L.share_text(), L.done_button()]
    for r in regions:
        assert screen.contains(r), (size, r)
    cards = L.look_cards()
    assert not any(a.colliderect(b) for i, a in enumerate(cards) for b in cards[i + 1:])
    assert not L.qr_box().colliderect(L.share_text())
    assert not L.review_photo().colliderect(L.review_panel())
    assert not L.keep_button().colliderect(L.retake_button())
    assert not L.back_button().colliderect(L.title_box())


@pytest.mark.parametrize("size", SIZES)
def test_qr_box_is_square_and_big(size):
    q = Layout(*size).qr_box()
    assert q.width == q.height >= 0.55 * min(size)


def test_portrait_stacks_what_landscape_puts_side_by_side():
    land, port = Layout(1280, 720), Layout(720, 1280)
    assert not land.portrait and port.portrait
    lc, pc = land.look_cards(), port.look_cards()
    assert lc[0].top == lc[1].top and lc[0].left < lc[1].left
    assert pc[0].left == pc[1].left and pc[0].top < pc[1].top
    assert land.qr_box().right <= land.share_text().left
    assert port.qr_box().bottom <= port.share_text().top


def test_type_scales_with_the_screen_but_never_below_the_minimum():
    assert Layout(1920, 1080).px(5) > Layout(1280, 720).px(5) > Layout(800, 480).px(5)
    assert Layout(1280, 720).px(5) == Layout(720, 1280).px(5) == 36
    assert Layout(200, 100).px(1) == 14


def test_taps_attract_and_wifi_anywhere_are_the_button():
    L = Layout(1280, 720)
    assert hit_test(L, State(phase=Phase.ATTRACT), (5, 5)) == Input(Action.MAIN)
    assert hit_test(L, State(phase=Phase.SHARE_WIFI), (900, 700)) == Input(Action.MAIN)


def test_taps_on_look_cards_pick_that_look():
    L = Layout(1280, 720)
    st = State(phase=Phase.CHOOSE)
    for i, card in enumerate(L.look_cards()):
        assert hit_test(L, st, card.center) == Input(Action.PICK, i)
    assert hit_test(L, st, (640, L.height - 2)) is None
    assert hit_test(L, st, L.back_button().center) == Input(Action.BACK)


@pytest.mark.parametrize("phase", [Phase.BREATHE, Phase.COACH])
def test_taps_while_coaching_are_the_button_and_back_is_back(phase):
    L = Layout(720, 1280)
    assert hit_test(L, State(phase=phase), (360, 640)) == Input(Action.MAIN)
    assert hit_test(L, State(phase=phase), L.back_button().center) == Input(Action.BACK)


def test_taps_on_review():
    L = Layout(1280, 720)
    st = State(phase=Phase.REVIEW)
    for i, pill in enumerate(L.retouch_pills()):
        assert hit_test(L, st, pill.center) == Input(Action.PICK, i)
    assert hit_test(L, st, L.keep_button().center) == Input(Action.MAIN)
    assert hit_test(L, st, L.retake_button().center, retakes_left=1) == Input(Action.BACK)
    assert hit_test(L, st, L.retake_button().center, retakes_left=0) is None
    assert hit_test(L, st, L.review_photo().center) is None


def test_taps_on_share_only_on_done():
    L = Layout(1280, 720)
    st = State(phase=Phase.SHARE)
    assert hit_test(L, st, L.qr_box().center) is None  # a phone bumping the screen does nothing
    assert hit_test(L, st, L.done_button().center) == Input(Action.MAIN)


@pytest.mark.parametrize("phase", [Phase.CAPTURE, Phase.PROCESSING, Phase.GOODBYE, Phase.COUNTDOWN])
def test_taps_do_nothing_while_the_booth_works(phase):
    L = Layout(1280, 720)
    assert hit_test(L, State(phase=phase), (640, 360)) is None


def test_rect_type():
    assert isinstance(Layout(1280, 720).qr_box(), Rect)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("n", [2, 3, 5, 16])
def test_language_names_sit_in_equal_cells_along_the_bottom(size, n):
    L = Layout(*size)
    cells = L.language_cells(n)
    assert len(cells) == n
    strip = L.language_strip(n)
    assert strip.bottom == L.height
    for cell in cells:
        assert L.screen.contains(cell) and strip.contains(cell)
        assert cell.width == cells[0].width and cell.height >= L.px(3.4) * 2  # room for a name at SMALL size
        assert cell.width >= min(24 * L.unit, (L.width - 2 * L.margin) / n) - 1
    for i, a in enumerate(cells):
        assert not any(a.colliderect(b) for b in cells[i + 1:])
    rows = sorted({c.top for c in cells})
    per_row = [sum(c.top == top for c in cells) for top in rows]
    assert max(per_row) - min(per_row) <= 1 or per_row[-1] < per_row[0]  # rows as even as they can be
    assert strip.height < L.height * (0.45 if n == 16 else 0.2)


def test_one_language_takes_no_room_and_taps_on_names_pick_them():
    L = Layout(1280, 720)
    assert L.language_cells(1) == [] and L.language_strip(1).height == 0
    st = State(phase=Phase.ATTRACT)
    cells = L.language_cells(3)
    for i, cell in enumerate(cells):
        assert hit_test(L, st, cell.center, languages=3) == Input(Action.LANGUAGE, i)
    assert hit_test(L, st, (640, 100), languages=3) == Input(Action.MAIN)  # anywhere else: start
    assert hit_test(L, st, cells[0].center) == Input(Action.MAIN)  # one language offered: no names drawn
