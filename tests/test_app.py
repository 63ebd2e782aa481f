"""`booth run` for real: headless sessions end to end, no display, no model, a full disk.

Each run is the real command (or the real App from :func:`booth.app.build`)
with the scripted subject, the real face model, real pygame on SDL's dummy
driver and a real gallery in a temporary data directory.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from booth.gallery import Gallery
from booth_process import booth_env, run_booth, screens_by_session
from machine import absent, camera_hardware, display_hardware

URL_LINE = re.compile(r"^http://[^\s/]+/p/([A-Za-z0-9_-]{24})$")
EVERY_SCREEN = ["attract", "choose", "breathe", "coach", "capture", "processing", "review", "share", "goodbye"]


def _env(tmp_path: Path, model_path: Path, config: Path | None = None) -> dict[str, str]:
    """No desktop and no config: the booth picks its own display driver and runs on its defaults."""
    return booth_env(data=tmp_path / "data", models=model_path.parent, config=config, no_desktop=True)


def test_three_headless_sessions_with_a_screenshot_of_every_screen(tmp_path, model_path):
    """The one-look visit (flow = "one"): choose a look, then the whole path to the share screen.

    The default session of looks is test_app_flow's."""
    conf = tmp_path / "booth.toml"
    conf.write_text('[session]\nflow = "one"\n')
    shots = tmp_path / "shots"
    env = _env(tmp_path, model_path, config=conf)
    t0 = time.monotonic()
    run = run_booth("run", "--camera", "scripted", "--headless", "--sessions", "3", "--screenshots", str(shots),
                    env=env, timeout=300)
    took = time.monotonic() - t0
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert len(lines) == 3 and all(URL_LINE.match(line) for line in lines), run.stdout  # nothing else on stdout
    tokens = [URL_LINE.match(line).group(1) for line in lines]
    assert len(set(tokens)) == 3
    screens = screens_by_session(shots)
    for n in (1, 2, 3):
        assert screens[n] == EVERY_SCREEN, (n, screens[n])
    import pygame

    for png in shots.glob("*.png"):
        assert pygame.image.load(str(png)).get_size() == (1280, 720)
    with Gallery(tmp_path / "data") as gallery:
        for token in tokens:
            record = gallery.get(token)
            assert record is not None and record.look == "smile"
            for kind in ("original", "retouched"):
                assert gallery.path(record, kind).stat().st_size > 10_000
    assert "headless" in run.stderr.splitlines()[0]
    assert "Traceback" not in run.stderr
    print(f"3 headless sessions took {took:.0f} s")


def test_without_any_display_booth_run_goes_headless_and_says_so_first(tmp_path, model_path):
    why = display_hardware() or camera_hardware()
    if why:  # `make run` here would use the real screen or camera, not the headless scripted demo
        pytest.skip(f"{why}: this test is about a machine without one")
    conf = tmp_path / "booth.toml"
    conf.write_text(
        '[session]\nflow = "one"\nlook = "serious"\n'
        '[coach]\nauto_trigger = false\n'
        '[wifi]\nssid = "booth"\npassword = "pa;ss"\n'
    )
    shots = tmp_path / "shots"
    env = _env(tmp_path, model_path, config=conf)
    # No --headless, no --camera: exactly what `make run` does on this machine.
    run = run_booth("run", "--sessions", "1", "--screenshots", str(shots), "--public-url", "http://booth.local/",
                    env=env, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    first = run.stderr.splitlines()[:3]
    assert "no display" in first[0] and "running headless" in first[0], first
    assert "scripted subject" in run.stderr and "no real camera" in run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("http://booth.local/p/")
    # A fixed look skips the choice; the button (no auto trigger) brings the countdown;
    # the booth's own Wi-Fi puts the join QR first.
    assert screens_by_session(shots)[1] == ["attract", "breathe", "coach", "countdown", "capture", "processing",
                                  "review", "share_wifi", "share", "goodbye"]
    token = lines[0].rsplit("/", 1)[1]
    with Gallery(tmp_path / "data") as gallery:
        assert gallery.get(token).look == "serious"


def test_no_model_no_booth(tmp_path):
    env = _env(tmp_path, tmp_path / "nomodels" / "x")
    run = run_booth("run", "--camera", "scripted", "--headless", "--sessions", "1", env=env, timeout=60)
    assert run.returncode == 2
    assert "face model missing" in run.stderr and "booth models fetch" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_bad_camera_is_one_line(tmp_path, model_path):
    run = run_booth("run", "--camera", "replay:/nonexistent/clip.mp4", "--headless", "--sessions", "1",
                    env=_env(tmp_path, model_path), timeout=60)
    assert run.returncode == 2 and run.stderr.strip().splitlines()[-1].startswith("booth: ")
    assert "Traceback" not in run.stderr


def _app(tmp_path, model_path, monkeypatch, **storage):
    from booth.app import Options, build
    from booth.config import load_config

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    monkeypatch.delenv("BOOTH_CONFIG", raising=False)
    config = load_config(None)
    for key, value in storage.items():
        setattr(config.storage, key, value)
    return build(config, camera_spec="scripted", options=Options(headless=True, autopilot=True))


def _run_for(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.step(time.monotonic())
        time.sleep(1 / 30)


def test_a_full_disk_stops_captures_on_screen_and_space_brings_them_back(tmp_path, model_path, monkeypatch):
    from booth.session import Phase

    app = _app(tmp_path, model_path, monkeypatch, min_free_mb=10_000_000)  # more than any disk here
    try:
        app.start()
        _run_for(app, 5.0)  # the subject walks in; the hand would press if it could
        text = app.last_drawn.text()
        assert "storage is full" in text and "Press the button" not in text
        assert app.session.state.phase is Phase.ATTRACT and app.started == 0
        status = (tmp_path / "data" / "status.json")
        app.housekeeper.write_status()
        assert '"disk_low": true' in status.read_text()
        written = json.loads(status.read_text())  # the counters benchmarks/interference.py reads
        assert 0 < written["frames_drawn"] <= app.frames and 0 < written["frames_analysed"] <= app.analysis.frames
        app.housekeeper.disk.min_free_mb = 0  # space freed (seen within the guard's 2 s cache)
        _run_for(app, 4.5)
        assert app.session.state.disk_ok and app.started == 1  # captures offered again, and taken up
    finally:
        app.quit = True
        app.close()
        app.camera.stop()


def test_render_loop_draws_every_frame_from_state(tmp_path, model_path, monkeypatch):
    app = _app(tmp_path, model_path, monkeypatch)
    try:
        app.start()
        _run_for(app, 1.5)
        assert app.frames > 1 and app.last_drawn.screen == "attract"
        assert app.last_drawn.preview is not None  # the live mirror is up
    finally:
        app.close()
        app.camera.stop()


def test_gpio_configured_but_missing_is_said_on_screen_and_in_the_log(tmp_path, model_path, monkeypatch, caplog):
    from booth.app import Options, build
    from booth.config import load_config
    from booth.ui.display import choose_display

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    monkeypatch.delenv("BOOTH_CONFIG", raising=False)
    config = load_config(None)
    config.controls.button_pin, config.controls.led_pin = 17, 27
    config.controls.pin_factory = "lgpio"  # what a Pi 5 uses; made absent, as on a Pi without python3-lgpio
    absent(monkeypatch, "lgpio")
    # An attended booth (GPIO is opened), drawn on the dummy driver so the test can read the screen.
    app = build(config, camera_spec="scripted", options=Options(headless=False),
                display_choice=choose_display(config.display, headless=True))
    try:
        app.start()
        _run_for(app, 0.5)
        text = app.last_drawn.text()
        assert "Button:" in text and "lgpio" in text and "BCM 17" in text
        assert "Tap the screen to start" in text  # no button, so the screen asks for a tap
        assert any(r.levelname == "ERROR" and "lgpio" in r.getMessage() for r in caplog.records)
        assert app.gpio.button is None
    finally:
        app.close()
        app.camera.stop()


def test_a_keyboard_only_booth_names_the_keys(tmp_path, model_path, monkeypatch):
    """No button and touch switched off: every hint names the key, none says "press the button" or "tap"."""
    from booth.app import Options, build
    from booth.config import load_config
    from booth.ui.display import choose_display
    from booth.ui.words import KEYBOARD

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    monkeypatch.delenv("BOOTH_CONFIG", raising=False)
    config = load_config(None)
    config.controls.touch = False
    app = build(config, camera_spec="scripted", options=Options(headless=False),
                display_choice=choose_display(config.display, headless=True))
    try:
        app.start()
        _run_for(app, 0.5)
        assert app.words is KEYBOARD
        assert "Press space to start" in app.last_drawn.text()
        assert "Tap" not in app.last_drawn.text() and "Press the button" not in app.last_drawn.text()
    finally:
        app.close()
        app.camera.stop()


def test_the_coach_screen_draws_the_crop_of_the_face_it_sees(tmp_path, model_path, monkeypatch):
    """A real session: on the coach screen the guide is the headshot crop of the scripted subject's face."""
    from booth.photo.crop import PRESETS
    from booth.session import Phase

    app = _app(tmp_path, model_path, monkeypatch)
    try:
        app.start()
        drawn = None
        end = time.monotonic() + 60
        while time.monotonic() < end:
            app.step(time.monotonic())
            time.sleep(1 / 30)
            if app.session.state.phase is Phase.COACH and app.last_drawn.guide is not None:
                drawn = app.last_drawn
                break
        assert drawn is not None, "the coach screen never showed a guide"
        p, q = PRESETS[app.config.photo.crop]
        assert abs(drawn.crop.width / drawn.crop.height - p / q) < 0.02  # the photo's own shape
        assert drawn.crop.contains(drawn.guide)  # the head's place is inside the photo
        face = app.analysis.latest_face
        assert face is not None
        # The guide follows the face: the oval's centre is near the face box's centre on screen (mirrored).
        img_w, img_h = face.image_size
        cx = 1 - (face.box.x + face.box.w / 2) / img_w if app.config.camera.mirror_preview else \
            (face.box.x + face.box.w / 2) / img_w
        assert abs(drawn.guide.centerx / app.layout.width - cx) < 0.08
        # The screen is given the subject's head, so it can keep it clear of the bands (test_ui_face_clear).
        assert drawn.face is not None and drawn.face.colliderect(drawn.guide)
    finally:
        app.close()
        app.camera.stop()
