"""The `booth` command as a user runs it: a real subprocess each time."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from booth_process import run_booth


def booth(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`booth ARGS` with no BOOTH_* variable from outside the test, then ``env`` on top."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BOOTH_")}
    full_env.update(env or {})
    return run_booth(*args, env=full_env, timeout=120)


def test_config_example_is_loadable(tmp_path: Path) -> None:
    result = booth("config", "example")
    assert result.returncode == 0
    example = tmp_path / "booth.toml"
    example.write_text(result.stdout)
    shown = booth("config", "show", "--config", str(example))
    assert shown.returncode == 0, shown.stderr
    assert f"from {example}" in shown.stdout
    assert tomllib.loads(shown.stdout)["photo"]["crop"] == "4:5"


def test_config_show_uses_env_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[session]\nlook = "serious"\n')
    result = booth("config", "show", env={"BOOTH_CONFIG": str(cfg), "BOOTH_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 0
    parsed = tomllib.loads(result.stdout)
    assert parsed["session"]["look"] == "serious"
    assert parsed["storage"]["data_dir"] == str(tmp_path / "d")


@pytest.mark.parametrize("command", [["config", "show"], ["doctor"], ["run", "--headless"], ["web"], ["analyze", "x.jpg"]])
def test_bad_config_is_one_line_not_a_traceback(tmp_path: Path, command: list[str]) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[photo]\ncrop = "wide"\n')
    result = booth(*command, "--config", str(cfg))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f'booth: {cfg}: [photo] crop = "wide": allowed: "4:5", "1:1", "2:3"'], result.stderr
    assert "Traceback" not in result.stderr


def test_models_fetch_quiet_when_present(model_path: Path) -> None:
    result = booth("models", "fetch", "--quiet", env={"BOOTH_MODELS_DIR": str(model_path.parent)})
    assert result.returncode == 0
    assert result.stdout == ""


def test_models_fetch_reports_path(model_path: Path) -> None:
    result = booth("models", "fetch", env={"BOOTH_MODELS_DIR": str(model_path.parent)})
    assert result.returncode == 0
    assert result.stdout.strip() == f"OK {model_path}"


def test_usage_error_exit_code() -> None:
    result = booth("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
