"""Fault: the booth cannot start (broken config, missing model, unusable photo folder) — on screen too.

The one line on stderr stays exactly as it was (tests/test_faults_config.py);
with a display the booth also draws "The booth can't start" with that line
and what to do, tells systemd over a real NOTIFY_SOCKET that it is up
(READY=1, STATUS= the line) and keeps the watchdog fed, and exits 75 for a
restart once the file at fault changes. The display is SDL's dummy driver
chosen by ``[display] driver = "dummy"`` (a display, unlike --headless or no
display at all); what the process drew is read back from its screenshot.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pygame
import pytest

from booth.config import ConfigError, DisplayConfig
from booth.gallery import GalleryError
from booth.models import ModelError
from booth.ui.fatal import (
    RESTART_EXIT,
    SCREENSHOT,
    TITLE,
    FileWatch,
    StartError,
    describe,
    draw,
    safe_display_config,
)
from booth.ui.fonts import Fonts
from booth.ui.layout import Layout
from booth.ui.screens import Renderer
from booth_process import NotifyListener, booth_env, kill, start_booth
from machine import display_hardware

DUMMY = '[display]\ndriver = "dummy"\n'
SHA_LINE = ("face model rejected: /var/lib/booth/models/face_landmarker.task has SHA-256 "
            + "7" * 64 + ", expected " + "6" * 64 + "; delete it and run `booth models fetch` (or `make model`)")


@pytest.fixture(scope="module")
def fonts() -> Fonts:
    pygame.font.init()
    return Fonts.from_config()


def _pixels(surf: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surf).transpose(1, 0, 2)


def _render(fonts: Fonts, error: StartError, size: tuple[int, int]):
    surf = pygame.Surface(size)
    return surf, draw(Renderer(Layout(*size), fonts), surf, error)


# ---------------------------------------------------------------- the screen, in process


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (800, 480)])
def test_the_screen_shows_the_title_the_whole_line_and_what_to_do(fonts: Fonts, size: tuple[int, int]) -> None:
    error = StartError(SHA_LINE, "Fetch the face model: booth models fetch — the booth restarts by itself",
                       (), "Details: journalctl -u booth")
    surf, d = _render(fonts, error, size)
    screen = surf.get_rect()
    boxes = []
    for needle in (TITLE, SHA_LINE, error.advice, error.details):
        rect = d.find(needle)
        assert rect is not None, f"{needle!r} not drawn; drawn: {d.text()!r}"
        assert screen.contains(rect), (needle, rect)
        region = _pixels(surf)[rect.top:rect.bottom, rect.left:rect.right].reshape(-1, 3)
        assert len(np.unique(region, axis=0)) > 4, f"{needle!r}: no glyphs in its box"
        boxes.append(rect)
    assert all(not a.colliderect(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    title = d.find(TITLE)
    assert title.height >= 0.035 * min(size)  # big enough to read from across the room


# ---------------------------------------------------------------- what it says and watches


def test_each_start_error_names_what_to_fix_and_watches_it(tmp_path: Path) -> None:
    from booth.config import Config

    conf = tmp_path / "booth.toml"
    config = Config()
    config.storage.models_dir = str(tmp_path / "models")
    config.storage.data_dir = str(tmp_path / "data")
    bad = describe(ConfigError(f"{conf}: [photo] crop = \"16:9\": allowed"), conf, None, restarts=True)
    assert bad.watch == (conf,) and str(conf) in bad.advice and bad.advice.endswith("restarts by itself")
    model = describe(ModelError("face model missing"), conf, config, restarts=True)
    assert model.watch == (conf, tmp_path / "models" / "face_landmarker.task")
    assert "booth models fetch" in model.advice
    folder = describe(GalleryError("cannot create the photo folders"), conf, config, restarts=False)
    assert folder.watch == (conf, tmp_path / "data", tmp_path)
    assert folder.advice.endswith("then start the booth again") and folder.details == ""
    assert describe(ConfigError("a\nb  c"), conf, None, restarts=True).message == "a b c"  # one line


def test_a_config_broken_elsewhere_keeps_its_display_settings(tmp_path: Path) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text(DUMMY + 'width = 800\n[photo]\ncrop = "16:9"\n')
    assert safe_display_config(conf) == DisplayConfig(driver="dummy", width=800)
    conf.write_text('[display]\ndriver = "dummy"\nfps = 500\n')  # the display table itself is bad
    assert safe_display_config(conf) == DisplayConfig()
    conf.write_text("[display\n")
    assert safe_display_config(conf) == DisplayConfig()
    assert safe_display_config(tmp_path / "missing.toml") == DisplayConfig()


def test_file_watch_sees_every_kind_of_fix(tmp_path: Path) -> None:
    f = tmp_path / "booth.toml"
    watch = FileWatch((f,))
    assert watch.changed() == []
    f.write_text("x")
    assert watch.changed() == [f]  # created
    watch = FileWatch((f,))
    f.chmod(0o600)
    assert watch.changed() == [f]  # permissions
    watch = FileWatch((f,))
    other = tmp_path / "new"
    other.write_text("x")
    os.replace(other, f)
    assert watch.changed() == [f]  # replaced (as editors and `booth models fetch` do)
    watch = FileWatch((f,))
    f.unlink()
    assert watch.changed() == [f]


# ---------------------------------------------------------------- the real `booth run`


def _start(listener: NotifyListener, *args: str, **folders: Path) -> subprocess.Popen[str]:
    """`booth run ARGS` under a systemd-like notify socket and watchdog, with no desktop to draw on."""
    env = booth_env(notify=listener.path, watchdog_s=10, no_desktop=True, **folders)
    return start_booth("run", *args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[str], timeout: float) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"still running after {timeout} s: {err[-2000:]}") from None
    return proc.returncode, err


def test_broken_config_is_on_screen_until_the_file_is_fixed(tmp_path: Path, listener: NotifyListener,
                                                            fonts: Fonts) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text(DUMMY + '[photo]\ncrop = "16:9"\n')
    line = f'{conf}: [photo] crop = "16:9": allowed: "4:5", "1:1", "2:3"'
    shots = tmp_path / "shots"
    proc = _start(listener, "--camera", "scripted", "--screenshots", str(shots), config=conf, data=tmp_path / "data")
    try:
        ready = listener.wait("READY=1", 60)
        listener.wait("STATUS=" + line, 5)
        time.sleep(2.5)
        assert proc.poll() is None, "the booth should wait for a fix, not exit"
        assert len(listener.pings(after=ready)) >= 2
        # What the process drew is this screen, with the line on it.
        shown = pygame.image.load(str(shots / SCREENSHOT))
        expected, d = _render(fonts, describe(ConfigError(line), conf, None, restarts=True), shown.get_size())
        assert line in d.text() and d.find(f"Fix {conf}") is not None
        assert np.array_equal(_pixels(shown), _pixels(expected))
        fixed = time.monotonic()
        conf.write_text(DUMMY)
        code, err = _finish(proc, 15)
        took = time.monotonic() - fixed
    finally:
        kill(proc)
    assert code == RESTART_EXIT, err
    assert took < 5.0  # polled every 2 s
    assert err.splitlines()[0] == f"booth: {line}"  # the journal's line, exactly as without a screen
    assert "changed" in err and "Traceback" not in err
    assert listener.wait("STOPPING=1", 1)


def test_missing_model_is_on_screen_until_it_is_fetched(tmp_path: Path, listener: NotifyListener,
                                                        model_path: Path) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text(DUMMY)
    models = tmp_path / "models"
    models.mkdir()
    proc = _start(listener, "--camera", "scripted", config=conf, models=models, data=tmp_path / "data")
    try:
        listener.wait("READY=1", 60)
        status = [f for _, f in listener.messages if f.startswith("STATUS=")]
        assert status and status[-1].startswith(f"STATUS=face model missing: {models / 'face_landmarker.task'}")
        shutil.copy(model_path, models / "face_landmarker.task")  # as `booth models fetch` would
        code, err = _finish(proc, 15)
    finally:
        kill(proc)
    assert code == RESTART_EXIT, err
    assert any(ln.startswith("booth: face model missing") for ln in err.splitlines()) and "Traceback" not in err


def test_sigterm_stops_the_error_screen_at_once(tmp_path: Path, listener: NotifyListener) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text(DUMMY)
    proc = _start(listener, "--camera", "scripted", config=conf, models=tmp_path / "nomodels", data=tmp_path / "data")
    try:
        listener.wait("READY=1", 60)
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code, err = _finish(proc, 5)
        took = time.monotonic() - asked
    finally:
        kill(proc)
    assert code == 2 and took < 1.5, (code, took)
    assert "Traceback" not in err
    listener.wait("STOPPING=1", 1)


def test_unusable_photo_folder_is_on_screen_until_it_is_fixed(tmp_path: Path, listener: NotifyListener,
                                                              model_path: Path) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text(DUMMY)
    blocker = tmp_path / "photos"
    blocker.write_text("a file where the photo folder should be")
    proc = _start(listener, "--camera", "scripted", config=conf, models=model_path.parent, data=blocker)
    try:
        listener.wait("READY=1", 90)
        listener.wait(f"STATUS={blocker}: cannot create the photo folders: File exists", 5)
        blocker.unlink()
        code, err = _finish(proc, 15)
    finally:
        kill(proc)
    assert code == RESTART_EXIT, err
    assert f"booth: {blocker}: cannot create the photo folders" in err and "Traceback" not in err


def test_without_a_display_it_is_one_line_and_exit_2_as_before(tmp_path: Path, listener: NotifyListener) -> None:
    why = display_hardware()
    if why:
        pytest.skip(f"{why}: this test is about a machine without one")
    conf = tmp_path / "booth.toml"
    conf.write_text('[photo]\ncrop = "16:9"\n')  # [display] driver = "auto": no display here
    proc = _start(listener, "--camera", "scripted", config=conf)
    code, err = _finish(proc, 30)
    assert code == 2
    assert err.strip().splitlines() == [f'booth: {conf}: [photo] crop = "16:9": allowed: "4:5", "1:1", "2:3"']
    assert "READY=1" not in listener.fields()
