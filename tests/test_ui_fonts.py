"""The display font comes from the system (fonts-dejavu-core), with a loud fallback."""

from __future__ import annotations

import logging

import pygame

from booth.ui.fonts import MISSING, Fonts, find_font


def test_dejavu_is_found_through_the_system():
    regular, bold, problem = find_font()
    assert problem == ""
    assert regular is not None and regular.name == "DejaVuSans.ttf" and regular.is_file()
    assert bold is not None and bold.name == "DejaVuSans-Bold.ttf"
    assert "/usr/share/fonts" in str(regular)  # from the package, not the repository


def test_known_paths_without_fontconfig():
    regular, _, problem = find_font(use_fontconfig=False)
    assert regular is not None and regular.name == "DejaVuSans.ttf" and problem == ""


def test_a_configured_font_that_is_missing_is_reported_and_dejavu_used(tmp_path, caplog):
    regular, _, problem = find_font(str(tmp_path / "nope.ttf"))
    assert regular is not None and regular.name == "DejaVuSans.ttf"
    assert "nope.ttf" in problem and "not found" in problem
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_a_configured_font_file_is_used(tmp_path):
    regular, _, _ = find_font()
    assert find_font(str(regular))[0] == regular


def test_no_font_at_all_falls_back_to_pygames_own_and_says_so(tmp_path, caplog):
    regular, bold, problem = find_font(known_dirs=(tmp_path,), use_fontconfig=False)
    assert regular is None and bold is None and problem == MISSING
    assert "fonts-dejavu-core" in caplog.text
    fonts = Fonts(regular, bold, problem)
    surf = fonts.get(40, bold=True).render("Press the button", True, (255, 255, 255))
    assert surf.get_width() > 100 and fonts.get(40, bold=True).get_bold()


def test_fonts_are_cached_by_size():
    fonts = Fonts.from_config()
    assert fonts.get(30) is fonts.get(30)
    assert fonts.get(30) is not fonts.get(31)
    assert fonts.get(30).get_height() < fonts.get(60).get_height()
    assert isinstance(fonts.get(3), pygame.font.Font)  # clamped to a legible minimum
