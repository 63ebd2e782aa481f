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


def _pixels(font: pygame.font.Font, text: str):
    import numpy as np

    return np.asarray(pygame.surfarray.array3d(font.render(text, True, (255, 255, 255), (0, 0, 0)))[:, :, 0])


def test_cjk_comes_from_fonts_noto_cjk_each_language_in_its_own_regions_face():
    from booth.ui.fonts import CJK_FAMILY, face_count, find_cjk

    regular, bold = find_cjk()
    assert regular is not None and regular.name == "NotoSansCJK-Regular.ttc" and "/usr/share/fonts" in str(regular)
    assert bold is not None and bold.name == "NotoSansCJK-Bold.ttc"
    assert find_cjk(use_fontconfig=False) == (regular, bold)
    assert face_count(regular) > 4  # a collection: one face per region
    fonts = Fonts.from_config(languages=("en", "ja", "zh", "ko"))
    assert fonts.problem == ""
    for code, family in CJK_FAMILY.items():
        assert fonts.get(40, language=code).name == family
        assert fonts.get(40, bold=True, language=code).name == family
        assert fonts.get(40, bold=True, language=code).style_name == "Bold"
    assert fonts.get(40, language="de").name == "DejaVu Sans"
    assert fonts.get(40, language="el").name == "DejaVu Sans"  # Greek and Cyrillic: DejaVu draws them


def test_han_characters_take_the_shapes_of_the_guests_region():
    """直 骨 户 are drawn differently in Japan and in mainland China: the Chinese face is the one used for zh."""
    import numpy as np

    fonts = Fonts.from_config()
    ja = _pixels(fonts.get(64, language="ja"), "直骨户")
    zh = _pixels(fonts.get(64, language="zh"), "直骨户")
    assert ja.shape == zh.shape and np.abs(ja.astype(int) - zh).mean() > 3
    # The face index found from pygame.font's names is the one FreeType itself (pygame.freetype,
    # which takes a face index) calls Simplified Chinese.
    import pygame.freetype

    pygame.freetype.init()
    path = fonts.cjk_regular
    from booth.ui.fonts import face_index

    sc = pygame.freetype.Font(str(path), 64, font_index=face_index(path, "Noto Sans CJK SC"))
    assert sc.name == "Noto Sans CJK SC"


def test_cjk_text_in_dejavu_would_be_empty_boxes():
    """Why the CJK font matters: DejaVu draws every CJK character as the same box; Noto draws each its own."""
    import numpy as np

    fonts = Fonts.from_config()
    dejavu, noto = fonts.get(48), fonts.get(48, language="ja")
    assert np.array_equal(_pixels(dejavu, "写"), _pixels(dejavu, "真"))
    assert not np.array_equal(_pixels(noto, "写"), _pixels(noto, "真"))
    without = Fonts(fonts.regular, fonts.bold)  # fonts-noto-cjk missing: DejaVu (boxes), never a crash
    assert without.get(48, language="ja").name == "DejaVu Sans"
