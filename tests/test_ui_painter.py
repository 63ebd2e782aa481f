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
