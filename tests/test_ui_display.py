"""Which display: the driver decision, and opening the dummy display for real."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from booth.config import DisplayConfig
from booth.ui.display import DEFAULT_SIZE, Display, DisplayError, choose_display, dri_usable
from booth.ui.sound import shutter_samples


@pytest.fixture
def dri(tmp_path):
    d = tmp_path / "dri"
    d.mkdir()
    (d / "card0").write_bytes(b"")
    return d


@pytest.fixture
def no_dri(tmp_path):
    return tmp_path / "absent"


def test_headless_is_the_dummy_driver(no_dri):
    c = choose_display(DisplayConfig(), headless=True, env={"DISPLAY": ":0"}, dri=no_dri)
    assert c.driver == "dummy" and c.headless and not c.fullscreen


def test_a_desktop_uses_its_window_system(no_dri):
    assert choose_display(DisplayConfig(), env={"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},
                          dri=no_dri, pi=False).driver == "wayland"
    c = choose_display(DisplayConfig(), env={"DISPLAY": ":0"}, dri=no_dri, pi=False)
    assert c.driver == "x11" and not c.fullscreen  # a laptop: a window


def test_a_pi_desktop_is_fullscreen_unless_windowed(no_dri):
    assert choose_display(DisplayConfig(), env={"DISPLAY": ":0"}, dri=no_dri, pi=True).fullscreen
    assert not choose_display(DisplayConfig(), env={"DISPLAY": ":0"}, dri=no_dri, pi=True, windowed=True).fullscreen
    assert not choose_display(DisplayConfig(fullscreen=False), env={"DISPLAY": ":0"}, dri=no_dri, pi=True).fullscreen


def test_no_desktop_but_a_panel_is_kmsdrm_fullscreen(dri):
    assert dri_usable(dri)
    c = choose_display(DisplayConfig(), env={}, dri=dri, pi=True)
    assert c.driver == "kmsdrm" and c.fullscreen and "panel" in c.reason


def test_no_display_at_all(no_dri, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not dri_usable(no_dri) and not dri_usable(empty)
    c = choose_display(DisplayConfig(), env={}, dri=no_dri)
    assert c.driver is None and "no display" in c.reason and "DISPLAY" in c.reason
    with pytest.raises(DisplayError, match="no display"):
        Display(c, DisplayConfig())


def test_configured_driver_wins(no_dri):
    assert choose_display(DisplayConfig(driver="kmsdrm"), env={"DISPLAY": ":0"}, dri=no_dri).driver == "kmsdrm"
    assert choose_display(DisplayConfig(driver="dummy"), env={"DISPLAY": ":0"}, dri=no_dri).driver == "dummy"


def test_dummy_display_opens_at_the_default_or_configured_size():
    d = Display(choose_display(DisplayConfig(), headless=True), DisplayConfig())
    assert d.size == DEFAULT_SIZE and d.surface.get_size() == DEFAULT_SIZE
    d.surface.fill((255, 0, 0))
    d.flip()
    d = Display(choose_display(DisplayConfig(), headless=True), DisplayConfig(width=600, height=1024))
    assert d.size == (600, 1024)
    d.close()


def test_a_driver_that_cannot_open_is_one_clear_error():
    cfg = DisplayConfig(driver="kmsdrm")
    with pytest.raises(DisplayError, match="kmsdrm.*--headless"):
        Display(choose_display(cfg, env={}), cfg)
    pygame.display.quit()


def test_shutter_sound_is_made_in_code():
    s = shutter_samples()
    assert s.dtype == np.int16 and s.shape[1] == 2 and 0.1 < len(s) / 44100 < 0.3
    env = np.abs(s[:, 0].astype(float))
    first, late = env[:400].max(), env[-400:].max()
    assert first > 20000 and late < first / 10  # a sharp click that dies away
    assert np.array_equal(s, shutter_samples())  # same sound every time


def test_a_failed_open_leaves_the_environment_alone(monkeypatch):
    import os

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    cfg = DisplayConfig(driver="kmsdrm")
    with pytest.raises(DisplayError):
        Display(choose_display(cfg, env={}), cfg)
    assert os.environ["SDL_VIDEODRIVER"] == "dummy"
