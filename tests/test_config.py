from __future__ import annotations

import dataclasses
import tomllib
import typing
from pathlib import Path

import pytest
from booth_process import booth_env, run_booth

from booth.config import (
    SECTIONS,
    Config,
    ConfigError,
    config_from_dict,
    dump_config,
    find_config_file,
    load_config,
)


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("BOOTH_CONFIG", "BOOTH_DATA_DIR", "BOOTH_MODELS_DIR"):
        monkeypatch.delenv(var, raising=False)
    # The machine's /etc/booth/booth.toml must not leak into these tests.
    monkeypatch.setattr("booth.config.SYSTEM_CONFIG", Path("/nonexistent/booth.toml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "booth.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message, "a config error is one line"
    assert message.startswith(str(path)), "the error names the file"
    return message


def test_defaults_without_any_file() -> None:
    config = load_config()
    assert config.source == "built-in defaults"
    assert config.camera.source == "auto"
    assert config.photo.crop == "4:5"
    assert config.storage.expiry_days == 7.0


def test_values_from_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[camera]\nsource = "scripted:london-007"\nfps = 25\n[storage]\nexpiry_days = 3\n')
    config = load_config(path)
    assert config.camera.source == "scripted:london-007"
    assert config.camera.fps == 25
    assert config.storage.expiry_days == 3.0 and isinstance(config.storage.expiry_days, float)
    assert config.camera.preview_width == 640, "keys not given keep their defaults"
    assert config.source == str(path)


def test_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = write(tmp_path, "")
    env_file = tmp_path / "env.toml"
    env_file.write_text("")
    system = tmp_path / "system.toml"
    system.write_text("")
    monkeypatch.setattr("booth.config.SYSTEM_CONFIG", system)
    assert find_config_file() == system
    monkeypatch.setenv("BOOTH_CONFIG", str(env_file))
    assert find_config_file() == env_file
    assert find_config_file(explicit) == explicit


def test_missing_explicit_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="--config"):
        load_config(tmp_path / "nope.toml")
    monkeypatch.setenv("BOOTH_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match=r"\$BOOTH_CONFIG"):
        load_config()


def test_environment_overrides_storage_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[storage]\ndata_dir = "/from/file"\nmodels_dir = "/models/file"\n')
    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    config = load_config(path)
    assert config.data_dir == tmp_path / "data"
    assert config.models_dir == Path("/models/file")


def test_unknown_key_names_key_and_allowed(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[camera]\nframerate = 30\n")
    assert "[camera] framerate" in message
    assert "unknown key" in message and "fps" in message


def test_unknown_section(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[cammera]\nfps = 30\n")
    assert "[cammera]" in message and "camera" in message


def test_wrong_type(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[camera]\nfps = "thirty"\n')
    assert '[camera] fps = "thirty"' in message and "integer" in message


def test_bool_is_not_an_integer(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[photo]\nburst = true\n")
    assert "[photo] burst = true" in message and "integer" in message


def test_float_is_not_an_integer(tmp_path: Path) -> None:
    assert "integer" in error_of(tmp_path, "[photo]\nburst = 2.5\n")


def test_bad_choice_lists_choices(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[photo]\ncrop = "16:9"\n')
    assert '[photo] crop = "16:9"' in message
    assert '"4:5", "1:1", "2:3"' in message


def test_session_flow_is_all_by_default_and_checked(tmp_path: Path) -> None:
    assert load_config().session.flow == "all"
    assert load_config(write(tmp_path, '[session]\nflow = "one"\n')).session.flow == "one"
    message = error_of(tmp_path, '[session]\nflow = "three"\n')
    assert '[session] flow = "three"' in message and '"one", "all"' in message


def test_out_of_range(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[web]\nport = 70000\n")
    assert "[web] port = 70000" in message and "between 1 and 65535" in message


def test_camera_source_pattern(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[camera]\nsource = "usb"\n')
    assert "replay:PATH" in message
    for good in ("auto", "picamera", "webcam", "webcam:1", "webcam:/dev/video2", "replay:/tmp/x", "scripted", "scripted:london-004"):
        assert config_from_dict({"camera": {"source": good}}).camera.source == good


def test_section_must_be_a_table(tmp_path: Path) -> None:
    assert "must be a [camera] table" in error_of(tmp_path, 'camera = "auto"\n')


def test_invalid_toml(tmp_path: Path) -> None:
    assert "not valid TOML" in error_of(tmp_path, "[camera\nfps = 1\n")


def test_public_url_pattern(tmp_path: Path) -> None:
    assert "http(s)://" in error_of(tmp_path, '[web]\npublic_url = "booth.local"\n')
    assert config_from_dict({"web": {"public_url": "http://booth.local"}}).web.public_url == "http://booth.local"


def test_example_is_valid_commented_and_complete(tmp_path: Path) -> None:
    text = dump_config(Config(), comments=True)
    parsed = tomllib.loads(text)
    assert set(parsed) == set(SECTIONS)
    config = config_from_dict(parsed, "example")
    assert dump_config(config).split("\n", 1)[1] == dump_config(Config()).split("\n", 1)[1]
    assert "# how much smile is enough" in text
    assert '("soft" | "clear" | "big")' in text


def test_show_round_trips(tmp_path: Path) -> None:
    config = config_from_dict({"coach": {"hold_s": 1.25}, "wifi": {"ssid": 'Say "cheese"\\'}})
    again = config_from_dict(tomllib.loads(dump_config(config)))
    assert again.coach.hold_s == 1.25
    assert again.wifi.ssid == 'Say "cheese"\\'


FLOAT_KEYS = [
    (section, f.name)
    for section, cls in SECTIONS.items()
    for f in dataclasses.fields(cls)
    if typing.get_type_hints(cls)[f.name] is float
]


@pytest.mark.parametrize("text", ["nan", "+nan", "-nan", "inf", "+inf", "-inf"])
@pytest.mark.parametrize(("section", "key"), FLOAT_KEYS)
def test_non_finite_numbers_are_refused(tmp_path: Path, section: str, key: str, text: str) -> None:
    """TOML allows nan and inf; nan slips through every range check (`hold_s = nan` turned the trigger off)."""
    message = error_of(tmp_path, f"[{section}]\n{key} = {text}\n")
    assert f"[{section}] {key} = " in message, "the error names the key"
    assert "finite number" in message and "not nan or inf" in message


def test_there_are_float_keys_to_check() -> None:
    assert {("coach", "hold_s"), ("session", "breathe_s"), ("storage", "expiry_days")} <= set(FLOAT_KEYS)


@pytest.mark.parametrize(("command", "table"), [
    (("prune",), "[storage]\nexpiry_days = nan\n"),
    (("web", "--port", "1"), "[storage]\nexpiry_days = nan\n"),
    (("run", "--headless", "--camera", "scripted"), "[coach]\nhold_s = nan\n"),
    (("run", "--headless", "--camera", "scripted"), "[session]\nbreathe_s = nan\n"),
])
def test_booth_commands_refuse_nan_naming_file_and_key(tmp_path: Path, command: tuple[str, ...], table: str) -> None:
    """The real command line: one line naming the file and the key, a failing exit, no traceback."""
    path = write(tmp_path, table)
    key = table.split("\n")[1].split(" =")[0]
    done = run_booth(*command, "--config", str(path), env=booth_env(data=tmp_path / "data"), timeout=60)
    assert done.returncode != 0, done.stderr
    assert f"booth: {path}: {table.split(chr(10))[0]} {key} = nan: must be a finite number" in done.stderr
    assert "Traceback" not in done.stderr




def test_display_languages_default_to_english_and_list_what_is_allowed(tmp_path: Path) -> None:
    from booth import i18n

    assert Config().display.languages == ["en"]  # `make run` starts in English
    have = i18n.available()
    # Every language with a catalogue is accepted, in the order given (the first is the default).
    config = config_from_dict({"display": {"languages": list(reversed(have))}}, "x.toml")
    assert config.display.languages == list(reversed(have))
    allowed = f"allowed: a list of codes from {', '.join(have)} (first = the default)"
    message = error_of(tmp_path, '[display]\nlanguages = ["en", "klingon"]\n')
    assert '[display] languages = ["en", "klingon"]: klingon is not a language the booth knows' in message
    assert message.endswith(allowed)
    assert error_of(tmp_path, '[display]\nlanguages = ["en", "en"]\n').endswith(f"en listed twice; {allowed}")
    assert "must be a non-empty list of language codes" in error_of(tmp_path, "[display]\nlanguages = []\n")
    assert "must be a non-empty list of language codes" in error_of(tmp_path, '[display]\nlanguages = "en"\n')
    assert "must be a non-empty list of language codes" in error_of(tmp_path, "[display]\nlanguages = [1]\n")
    uncatalogued = [code for code in i18n.LANGUAGES if code not in have]
    if uncatalogued:  # a language the booth knows but nobody has translated yet
        message = error_of(tmp_path, f'[display]\nlanguages = ["{uncatalogued[0]}"]\n')
        assert f"{uncatalogued[0]} has no translation yet" in message and message.endswith(allowed)
    # dump_config writes the list as TOML that reads back the same.
    assert 'languages = ["en"]' in dump_config(Config())
