"""Fault: a bad or missing config, model, font, GPIO pin, camera or data folder.

Each is made real (a broken file on disk, an empty models folder, a pin
used twice on gpiozero's MockFactory, a font path that does not exist) and
the booth must say what is wrong in one plain line — on stderr, which is
the journal under systemd — never with a traceback. Faults the booth can
run through (font, GPIO pin) also show on the screen it draws.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from booth_process import booth_env, run_booth
from machine import absent


def _booth(args: list[str], **folders: Path) -> subprocess.CompletedProcess[str]:
    return run_booth(*args, env=booth_env(**folders), timeout=180)


def _last_line(stderr: str) -> str:
    return [line for line in stderr.splitlines() if line.strip()][-1]


CONFIGS = {
    "not TOML": ("[display\nfps = 30\n", ["not valid TOML"]),
    "value out of range": ("[display]\nfps = 500\n", ["[display] fps = 500", "between 5 and 120"]),
    "wrong type": ('[storage]\nmin_free_mb = "lots"\n', ["[storage] min_free_mb", "integer"]),
    "unknown key": ("[display]\nfsp = 30\n", ["fsp"]),
    "unknown choice": ('[photo]\ncrop = "16:9"\n', ["[photo] crop", "allowed"]),
}


@pytest.mark.parametrize("command", [["run", "--headless", "--camera", "scripted"], ["web"], ["prune"]])
@pytest.mark.parametrize("case", list(CONFIGS))
def test_bad_config_is_one_plain_line(case: str, command: list[str], tmp_path: Path) -> None:
    text, expected = CONFIGS[case]
    conf = tmp_path / "booth.toml"
    conf.write_text(text)
    result = _booth(command, config=conf, data=tmp_path / "data")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = _last_line(result.stderr)
    assert line.startswith("booth: ") and str(conf) in line
    for part in expected:
        assert part in line, line


def test_missing_config_file(tmp_path: Path) -> None:
    result = _booth(["run", "--headless"], config=tmp_path / "nope.toml")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _last_line(result.stderr) == f"booth: {tmp_path / 'nope.toml'}: config file not found (given by $BOOTH_CONFIG)"


@pytest.mark.parametrize("content,expected", [(None, "face model missing"), (b"not a model", "face model rejected")])
def test_missing_or_corrupt_model(content: bytes | None, expected: str, tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    if content is not None:
        (models / "face_landmarker.task").write_bytes(content)
    result = _booth(["run", "--headless", "--camera", "scripted"], models=models, data=tmp_path / "data",
                    config=_empty_config(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = _last_line(result.stderr)
    assert line.startswith(f"booth: {expected}") and "booth models fetch" in line


def _empty_config(tmp_path: Path) -> Path:
    conf = tmp_path / "empty.toml"
    conf.write_text("")
    return conf


def test_bad_camera_and_unusable_data_folder(tmp_path: Path, model_path: Path) -> None:
    folders = {"models": model_path.parent, "config": _empty_config(tmp_path), "data": tmp_path / "data"}
    result = _booth(["run", "--headless", "--camera", "bogus"], **folders)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _last_line(result.stderr).startswith('booth: camera source "bogus": unknown source; allowed:')
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    result = _booth(["run", "--headless", "--camera", "scripted"], **{**folders, "data": blocker})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _last_line(result.stderr).startswith(f"booth: {blocker}: cannot create the photo folders")


def _run_briefly(config_text: str, tmp_path: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch,
                 headless: bool) -> str:
    """Build the real App from a config and run its loop for a few seconds; the screen's text."""
    from booth.app import Options, build
    from booth.config import load_config
    from booth.ui.display import choose_display

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    conf = tmp_path / "booth.toml"
    conf.write_text(config_text)
    config = load_config(conf)
    # A display as on the Pi (not headless, so GPIO is opened), drawn into SDL's dummy driver.
    options = Options(headless=headless, max_run_s=3.0)
    app = build(config, camera_spec="scripted", options=options,
                display_choice=choose_display(config.display, headless=True))
    try:
        assert app.run() == 0
    finally:
        app.camera.stop()
    return app.last_drawn.text()


def test_missing_font_is_shown_and_logged(tmp_path: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    screen = _run_briefly('[display]\nfont = "/nonexistent/Fancy.ttf"\n', tmp_path, model_path, monkeypatch, True)
    assert "/nonexistent/Fancy.ttf" in screen and "not found" in screen
    assert any("/nonexistent/Fancy.ttf" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


@pytest.mark.parametrize("controls,expected", [
    # two devices on one pin: gpiozero's MockFactory refuses the second
    ('pin_factory = "mock"\nbutton_pin = 17\nled_pin = 17\n', "17"),
    # a pin factory whose library is not installed (made absent below: a Pi may have it, with real pins)
    ('pin_factory = "pigpio"\nbutton_pin = 17\n', "pigpio"),
])
def test_bad_gpio_is_shown_and_logged(controls: str, expected: str, tmp_path: Path, model_path: Path,
                                      monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    absent(monkeypatch, "pigpio")
    screen = _run_briefly("[controls]\n" + controls, tmp_path, model_path, monkeypatch, False)
    assert "Button:" in screen and expected in screen
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(expected in m for m in errors), errors
