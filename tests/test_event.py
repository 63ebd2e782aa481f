"""[event]: the event's name, logo, colour and welcome line; a bad logo is one config error at start-up.

Real files on disk (PNGs written by Pillow, SVG text), read by the real
config loader; the logo drawn by the real Pillow and pygame-ce (nanosvg).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from booth_process import booth_env, run_booth
from booth.config import ConfigError, load_config
from booth.event import MAX_LOGO_SIDE, Event, load_logo, parse_colour

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
       '<rect width="200" height="100" fill="#1a73e8"/><circle cx="50" cy="50" r="30" fill="#ffffff"/></svg>')


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("BOOTH_CONFIG", "BOOTH_DATA_DIR", "BOOTH_MODELS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr("booth.config.SYSTEM_CONFIG", Path("/nonexistent/booth.toml"))


def png_bytes(size: tuple[int, int] = (120, 60), colour: tuple[int, int, int, int] = (200, 30, 30, 255),
              fmt: str = "PNG") -> bytes:
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", size, colour if fmt == "PNG" else colour[:3])
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def config_with_logo(tmp_path: Path, name: str, data: bytes | None, extra: str = "") -> Path:
    if data is not None:
        (tmp_path / name).write_bytes(data)
    conf = tmp_path / "booth.toml"
    conf.write_text(f'[event]\nname = "Summer Party"\nlogo = "{name}"\n{extra}')
    return conf


def logo_error(conf: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    message = str(info.value)
    assert "\n" not in message, "one line"
    assert message.startswith(f"{conf}: [event] logo = "), message
    assert message.endswith("allowed: a PNG or SVG image file"), message
    return message


def test_no_event_section_means_no_identity() -> None:
    config = load_config()
    event = Event.from_settings(config.event)
    assert not event.shown and event.logo is None and event.accent is None and not event.watermark


def test_png_logo_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = config_with_logo(tmp_path, "logo.png", png_bytes((120, 60)),
                            'accent_colour = "#1A73e8"\nwelcome = "Welcome, friends"\nwatermark = true\n')
    monkeypatch.chdir("/")  # a relative logo is found beside the config, wherever the booth was started
    config = load_config(conf)
    assert config.event.logo == str(tmp_path / "logo.png"), "made absolute for every later reader"
    event = Event.from_settings(config.event)
    assert event.name == "Summer Party" and event.welcome == "Welcome, friends" and event.watermark
    assert event.accent == (0x1A, 0x73, 0xE8)
    assert event.logo is not None and event.logo.kind == "png" and event.logo.content_type == "image/png"
    assert event.logo.size == (120, 60)
    assert event.logo.data == (tmp_path / "logo.png").read_bytes()
    pixels = event.logo.rgba((40, 40))
    assert pixels.shape == (20, 40, 4) and pixels.dtype == np.uint8, "fitted, shape kept"
    assert tuple(pixels[10, 20]) == (200, 30, 30, 255)


def test_svg_logo_is_drawn_at_any_size(tmp_path: Path) -> None:
    config = load_config(config_with_logo(tmp_path, "logo.svg", SVG.encode()))
    logo = Event.from_settings(config.event).logo
    assert logo is not None and logo.kind == "svg" and logo.content_type == "image/svg+xml"
    assert logo.aspect == pytest.approx(2.0, abs=0.01)
    small, big = logo.rgba((100, 100)), logo.rgba((1000, 1000))
    assert small.shape == (50, 100, 4) and big.shape == (500, 1000, 4), "drawn at the size asked, not scaled up"
    assert tuple(big[250, 150][:3]) == (255, 255, 255) and tuple(big[10, 10][:3]) == (0x1A, 0x73, 0xE8)
    assert big[..., 3].min() == 255


def test_logo_surface_for_the_screens(tmp_path: Path) -> None:
    import pygame

    logo = load_logo(config_with_logo(tmp_path, "logo.svg", SVG.encode()).parent / "logo.svg")
    surf = logo.surface((300, 60))
    assert surf.get_size() == (120, 60) and surf.get_flags() & pygame.SRCALPHA
    assert tuple(surf.get_at((30, 30))) == (255, 255, 255, 255)


def test_the_logo_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(png_bytes())
    assert load_logo(path) is load_logo(path), "the config check and the screens share one read"
    path.write_bytes(png_bytes((64, 64)))
    assert load_logo(path).size == (64, 64), "a changed file is read again"


BAD_LOGOS = {
    "missing": ("nope.png", None, "nope.png not found"),
    "a folder": ("folder", b"", "is a folder"),
    "not an image": ("logo.png", b"this is not a picture\n", "is not an image"),
    "a JPEG": ("logo.png", png_bytes(fmt="JPEG"), "is a JPEG image"),
    "a truncated PNG": ("logo.png", png_bytes((300, 300), (1, 2, 3, 255))[:80], "is a broken PNG"),
    "a fully transparent PNG": ("logo.png", png_bytes(colour=(0, 0, 0, 0)), "fully transparent"),
    "a PNG too big": ("logo.png", png_bytes((MAX_LOGO_SIDE + 1, 2)), f"more than {MAX_LOGO_SIDE} on a side"),
    "an unreadable SVG": ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "SVG that cannot be read"),
    "an SVG not in UTF-8": ("logo.svg", SVG.replace("200", "20\xe9").encode("latin-1"), "cannot be read"),
    "an SVG of text only": ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40">'
                            b'<text x="0" y="20">Party</text></svg>', "convert text to paths"),
    "too large a file": ("logo.png", b"\x89PNG\r\n\x1a\n" + bytes(6 * 1024 * 1024), "larger than 5 MB"),
}


@pytest.mark.parametrize("case", list(BAD_LOGOS))
def test_bad_logo_is_one_config_error(case: str, tmp_path: Path) -> None:
    name, data, expected = BAD_LOGOS[case]
    if case == "a folder":
        (tmp_path / name).mkdir()
        data = None
    conf = config_with_logo(tmp_path, name, data)
    message = logo_error(conf)
    assert f'logo = "{name}"' in message and str(tmp_path / name) in message, "names the key and the file"
    assert expected in message, message
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    assert info.value.files == (tmp_path / name,), "the start-error screen watches the logo for the fix"


@pytest.mark.parametrize("value", ["blue", "#12345", "#1234567", "#12345g", "1a73e8"])
def test_bad_accent_colour(value: str, tmp_path: Path) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text(f'[event]\naccent_colour = "{value}"\n')
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    assert str(info.value) == (f'{conf}: [event] accent_colour = "{value}": allowed: empty or a colour written '
                               '#rrggbb, e.g. "#1a73e8"')


@pytest.mark.parametrize("key,value,allowed", [
    ("name", "Two\\nlines", "up to 60 characters on one line"),
    ("name", "x" * 61, "up to 60 characters on one line"),
    ("welcome", "y" * 81, "up to 80 characters on one line"),
])
def test_bad_name_or_welcome(key: str, value: str, allowed: str, tmp_path: Path) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text(f'[event]\n{key} = "{value}"\n')
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    assert str(info.value).startswith(f"{conf}: [event] {key} = ") and str(info.value).endswith(allowed)


def test_watermark_must_be_a_bool(tmp_path: Path) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text('[event]\nwatermark = "yes"\n')
    with pytest.raises(ConfigError, match=r"\[event\] watermark = \"yes\": must be true or false"):
        load_config(conf)


def test_parse_colour() -> None:
    assert parse_colour("#000000") == (0, 0, 0) and parse_colour("#fFa010") == (255, 160, 16)
    with pytest.raises(ValueError):
        parse_colour("#fff")


@pytest.mark.parametrize("command", [["web"], ["config", "show"]])
def test_booth_commands_stop_on_a_missing_logo(command: list[str], tmp_path: Path) -> None:
    """At start-up, as one plain line, like every other config error (no traceback)."""
    conf = config_with_logo(tmp_path, "gone.svg", None)
    result = run_booth(*command, env=booth_env(config=conf, data=tmp_path / "data"), timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1] == (f'booth: {conf}: [event] logo = "gone.svg": {tmp_path / "gone.svg"} not found; '
                         "allowed: a PNG or SVG image file")


def test_booth_config_show_prints_the_resolved_logo(tmp_path: Path) -> None:
    conf = config_with_logo(tmp_path, "logo.svg", SVG.encode())
    result = run_booth("config", "show", env=booth_env(config=conf, data=tmp_path / "data"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert f'logo = "{tmp_path / "logo.svg"}"' in result.stdout
    assert "pygame" not in result.stdout + result.stderr, "no pygame banner"


def test_start_error_screen_watches_the_logo(tmp_path: Path) -> None:
    """Putting the right logo in place restarts a booth stopped on its start-error screen."""
    from booth.ui.fatal import describe

    conf = config_with_logo(tmp_path, "logo.png", b"not yet")
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    error = describe(info.value, conf, None, restarts=True)
    assert error.watch == (conf, tmp_path / "logo.png")
    assert "[event] logo" in error.message
    assert error.advice == f"Put a PNG or SVG file at {tmp_path / 'logo.png'}, or fix {conf} — the booth restarts by itself"


def test_a_booth_stopped_on_a_missing_logo_restarts_once_it_is_there(tmp_path: Path, listener) -> None:
    """The real `booth run` with a display: the start-error screen until the logo file appears, then exit 75."""
    from booth_process import kill
    from booth.ui.fatal import RESTART_EXIT
    from test_faults_start_screen import DUMMY, _finish, _start

    conf = tmp_path / "booth.toml"
    conf.write_text(DUMMY + '[event]\nlogo = "logo.png"\n')
    line = (f'{conf}: [event] logo = "logo.png": {tmp_path / "logo.png"} not found; '
            "allowed: a PNG or SVG image file")
    proc = _start(listener, "--camera", "scripted", config=conf, data=tmp_path / "data")
    try:
        listener.wait("READY=1", 60)
        listener.wait("STATUS=" + line, 5)
        assert proc.poll() is None, "the booth waits for the fix"
        (tmp_path / "logo.png").write_bytes(png_bytes())
        code, err = _finish(proc, 15)
    finally:
        kill(proc)
    assert code == RESTART_EXIT, err
    assert err.splitlines()[0] == f"booth: {line}" and "Traceback" not in err
