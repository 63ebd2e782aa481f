"""booth.qr: codes that decode, with whole-pixel modules and a quiet zone."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from booth.net import wifi_payload
from booth.qr import QUIET_ZONE, module_px_for, qr_image, qr_matrix

URL = "http://10.42.0.1:8080/p/Ffp9V0jOwW-U2K4LZ67e9gd7"


def decode(image: np.ndarray) -> str:
    text, points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return text


@pytest.mark.parametrize("text", [URL, wifi_payload('Booth "A"', "pa;ss:w,ord")])
def test_image_decodes_back(text: str) -> None:
    assert decode(qr_image(text, 6)) == text


def test_matrix_has_quiet_zone_and_finder_patterns() -> None:
    m = qr_matrix(URL)
    n = m.shape[0]
    assert m.dtype == bool and m.shape == (n, n)
    assert (n - 2 * QUIET_ZONE - 17) % 4 == 0  # a real QR version size
    q = QUIET_ZONE
    assert not m[:q].any() and not m[-q:].any() and not m[:, :q].any() and not m[:, -q:].any()
    finder = m[q:q + 7, q:q + 7]
    assert finder[0].all() and finder[6].all() and finder[:, 0].all() and finder[2:5, 2:5].all()
    assert not finder[1, 1:6].any()


def error_correction_level(m: np.ndarray) -> str:
    """Read the level from the format information next to the top-left finder (ISO 18004)."""
    core = m[QUIET_ZONE:-QUIET_ZONE, QUIET_ZONE:-QUIET_ZONE]
    cells = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    bits = 0
    for r, c in cells:
        bits = (bits << 1) | int(core[r, c])
    return {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}[((bits ^ 0b101010000010010) >> 13) & 0b11]


def test_error_correction_is_medium() -> None:
    assert error_correction_level(qr_matrix(URL)) == "M"
    assert error_correction_level(qr_matrix("x")) == "M"


def test_image_is_crisp_whole_pixel_modules() -> None:
    m = qr_matrix(URL)
    for px in (1, 3, 7):
        img = qr_image(URL, px)
        assert img.dtype == np.uint8 and img.shape == (m.shape[0] * px, m.shape[1] * px, 3)
        assert set(np.unique(img)) <= {0, 255}  # no grey edge pixels from resampling
        blocks = img[..., 0].reshape(m.shape[0], px, m.shape[1], px)
        assert (blocks.min(axis=(1, 3)) == blocks.max(axis=(1, 3))).all()
        assert ((blocks[:, 0, :, 0] == 0) == m).all()


def test_module_size_for_a_box_and_bad_input() -> None:
    n = qr_matrix(URL).shape[0]
    assert module_px_for(URL, 600) == 600 // n
    assert qr_image(URL, module_px_for(URL, 600)).shape[0] <= 600
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError):
            qr_image(URL, bad)
    with pytest.raises(ValueError):
        qr_matrix("")
    with pytest.raises(ValueError, match="too long"):
        qr_matrix("x" * 5000)


def test_screenshots_of_the_share_screen_are_read_every_time() -> None:
    """tests/qr_read.py, which the end-to-end tests use to follow the QR on a screenshot, reads the
    share screen for any photo: 40 fresh URLs (seeded), each drawn by the real renderer (SDL dummy),
    with and without [cloud]'s second code. OpenCV's classic detector alone misses about 4 % of them,
    which made those tests fail now and then."""
    import random

    import pygame
    from qr_read import qr_texts

    from booth.session import Phase, State
    from booth.ui.fonts import Fonts
    from booth.ui.layout import Layout
    from booth.ui.screens import Renderer, Scene

    pygame.init()
    rng = random.Random(16)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    renderer, surf = Renderer(Layout(1280, 720), Fonts.from_config("")), pygame.Surface((1280, 720))
    missed = []
    for i in range(40):
        token = "".join(rng.choice(alphabet) for _ in range(24))
        url = f"http://127.0.0.1:{rng.randint(32768, 60999)}/p/{token}"
        local = "http://10.42.0.1" if i % 2 else ""
        renderer.draw(surf, Scene(State(phase=Phase.SHARE, url=url, token=token), 1.0, local_base=local))
        image = cv2.cvtColor(pygame.surfarray.array3d(surf).transpose(1, 0, 2), cv2.COLOR_RGB2BGR)
        want = {url, f"{local}/p/{token}"} if local else {url}
        if qr_texts(image) != want:
            missed.append(url)
    assert missed == []
