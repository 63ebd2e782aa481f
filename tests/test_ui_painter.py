"""The painter's record of how each text fitted its box (real pygame, dummy video driver).

The layout test for every language relies on it: a text that overflows its box
or shrinks below the two-metre minimum must be reported, and one that fits must
not be.
"""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from pygame import Rect

from booth.session import Phase, State
from booth.ui import theme
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import Drawn, Painter, Renderer, Scene
from booth.ui.screens.painter import _parser


@pytest.fixture(scope="module")
def fonts():
    pygame.font.init()
    return Fonts.from_config()


def paint(fonts, text, box, pct=theme.BODY, **kw):
    L = Layout(1280, 720)
    surf = pygame.Surface((L.width, L.height))
    d = Drawn("test")
    Painter(L, fonts).text(surf, d, text, box, pct, **kw)
    return surf, d, L


def test_a_short_text_in_a_roomy_box_fits_at_its_full_size(fonts):
    box = Rect(100, 100, 600, 200)
    surf, d, L = paint(fonts, "Done", box)
    (fit,) = d.fits
    assert fit.fits and fit.text == "Done" and fit.lines == 1
    assert fit.px == L.px(theme.BODY) and fit.box == box and box.contains(fit.bounds)
    assert d.texts == [("Done", fit.bounds)]  # the old record is kept as it was, beside the new one
    ink = pygame.surfarray.array3d(surf).transpose(1, 0, 2)[fit.bounds.top:fit.bounds.bottom,
                                                            fit.bounds.left:fit.bounds.right]
    assert (ink != 0).any()  # the bounds are where the glyphs really are


def test_a_long_text_in_a_small_box_is_reported_as_not_fitting(fonts):
    box = Rect(100, 100, 160, 40)
    text = "Fotos werden nach sieben Tagen gelöscht. Löschen Sie Ihres jederzeit auf seiner Seite."
    _, d, _ = paint(fonts, text, box)
    (fit,) = d.fits
    assert not fit.fits
    assert fit.px == theme.MIN_PX  # shrunk as far as allowed, and still too tall
    assert fit.lines > 2 and not box.contains(fit.bounds) and fit.bounds.height > box.height


def test_a_text_shrunk_to_fit_still_fits_when_above_the_minimum(fonts):
    box = Rect(0, 0, 700, 60)
    text = "Relax your shoulders and let your face rest"
    _, d, L = paint(fonts, text, box, pct=theme.TITLE, bold=True)
    (fit,) = d.fits
    assert fit.fits and theme.MIN_PX <= fit.px < L.px(theme.TITLE)


def test_a_url_too_wide_for_one_line_is_reported(fonts):
    box = Rect(0, 0, 120, 30)
    _, d, _ = paint(fonts, "or type 192.168.4.1:8080/XK4M-7PQR", box, one_line=True)
    (fit,) = d.fits
    assert not fit.fits and fit.lines > 1


def test_a_screen_records_one_fit_per_text_in_the_same_order(fonts):
    size = (800, 480)
    d = Renderer(Layout(*size), fonts).draw(pygame.Surface(size), Scene(State(phase=Phase.CHOOSE), 1.0))
    assert len(d.fits) == len(d.texts) > 3
    assert [(f.text, f.bounds) for f in d.fits] == d.texts
    assert all(f.fits for f in d.fits), [f for f in d.fits if not f.fits]
    assert np.mean([f.px for f in d.fits]) > theme.MIN_PX


@pytest.fixture(scope="module")
def cjk_fonts():
    pygame.font.init()
    return Fonts.from_config(languages=("en", "ja", "zh"))


# Long enough to wrap in a narrow box, with the punctuation a line must not start with.
CJK = {"ja": "すみません、うまく撮れませんでした。もう一度お願いします。口を閉じてください。",
       "zh": "请闭上嘴巴，然后自然地微笑。看着镜头：准备好了吗？保持不动。"}


@pytest.mark.parametrize("language", ["ja", "zh"])
def test_japanese_and_chinese_wrap_between_phrases_and_never_start_a_line_with_punctuation(cjk_fonts, language):
    """BudouX's phrases are the break points; 、。，：？ and small kana never begin a line (kinsoku)."""
    text = CJK[language]
    phrases = _parser(language).parse(text)
    assert len(phrases) > 4
    bounds = {sum(map(len, phrases[:i])) for i in range(len(phrases) + 1)}
    font_of = Painter(Layout(1280, 720), cjk_fonts).font
    wrapped = 0
    for width in range(150, 700, 23):
        surf, d, L = paint(cjk_fonts, text, Rect(0, 0, width, 600), language=language)
        (fit,) = d.fits
        assert fit.fits and "".join(fit.rows) == text
        wrapped += len(fit.rows) > 2
        for row in fit.rows[1:]:
            assert row[0] not in "、。，：？！ーっゃゅょァィッャュョ", (width, fit.rows)
        at = 0
        for row in fit.rows[:-1]:
            at += len(row)
            if at not in bounds:  # only inside a phrase too wide for the box on its own
                phrase = next(p for i, p in enumerate(phrases) if sum(map(len, phrases[:i + 1])) > at)
                assert font_of(fit.px, False, language).size(phrase)[0] > width, (width, fit.rows)
    assert wrapped > 5  # the narrow boxes really did wrap


def test_a_cjk_text_shrinks_one_step_rather_than_leave_one_character_on_its_last_line(cjk_fonts):
    """One phrase (BudouX keeps it whole) a little wider than the box: one step smaller, not 7 + 1."""
    text = "保存しています…"
    assert _parser("ja").parse(text) == [text]
    L = Layout(1280, 720)
    font = Painter(L, cjk_fonts).font(L.px(theme.BODY), False, "ja")
    width = int(font.size(text)[0] * 0.95)  # all but the last character fit at full size
    assert font.size(text[:-1])[0] <= width
    surf, d, L = paint(cjk_fonts, text, Rect(0, 0, width, 400), language="ja")
    (fit,) = d.fits
    assert fit.fits and fit.px < L.px(theme.BODY) and fit.rows == (text,), fit.rows


@pytest.mark.parametrize("nbsp", ["\u00a0", "\u202f"])
def test_a_no_break_space_keeps_its_words_on_one_line(fonts, nbsp):
    """French puts a no-break space before "!" and ":"; Polish after one-letter words. The
    wrapper breaks at ordinary spaces only, so the pair stays together on whichever line."""
    words = "Regardez l'objectif et souriez pour la photo"
    text = f"{words}{nbsp}!"
    painter = Painter(Layout(1280, 720), fonts)
    px = Layout(1280, 720).px(theme.BODY)
    font = fonts.get(px)
    # A width where every word but the last fits on the first line, and "photo !" does not.
    width = font.size(words)[0] + font.size(" ")[0]
    lines, _ = painter.lines(text, px, False, width, language="fr")
    assert len(lines) == 2 and lines[1] == f"photo{nbsp}!", lines
    plain, _ = painter.lines(f"{words} !", px, False, width, language="fr")
    assert plain[-1] == "!", "with an ordinary space the mark alone goes down (what the no-break space prevents)"
