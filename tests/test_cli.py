"""The `booth` command as a user runs it: a real subprocess each time."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from booth_process import MODELS_DIR, REPO, booth_command, run_booth


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


# ------------------------------------------------ the command line, as Linux users expect

def test_version() -> None:
    from booth import __version__

    result = booth("--version")
    assert result.returncode == 0 and result.stdout == f"booth {__version__}\n"


def test_bare_booth_prints_help_with_every_command() -> None:
    result = booth()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: booth")
    listed = set(re.findall(r"^    (\S+)", result.stdout.split("commands:", 1)[1], re.M))
    assert listed == {"run", "up", "web", "doctor", "analyze", "models", "config", "prune", "sync", "staff-password"}
    group = booth("config")
    assert group.returncode == 0 and {"show", "example"} <= set(group.stdout.split())


@pytest.mark.parametrize("order", ["before", "after"])
def test_global_options_before_or_after_the_command(tmp_path: Path, order: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[session]\nlook = "serious"\n')
    options = ["-v", "--config", str(cfg)]
    args = [*options, "config", "show"] if order == "before" else ["config", "show", *options]
    shown = booth(*args)
    assert shown.returncode == 0, shown.stderr
    assert tomllib.loads(shown.stdout)["session"]["look"] == "serious"
    # -v reaches the logging of the command: mediapipe's start-up lines show as DEBUG
    words = tmp_path / "notes.txt"
    words.write_text("not a picture")
    analyze = ["analyze", "--json", str(words)]
    args = ["-v", *analyze] if order == "before" else [*analyze, "-v"]
    verbose = booth(*args, env={"BOOTH_MODELS_DIR": str(MODELS_DIR)})
    quiet = booth(*analyze, env={"BOOTH_MODELS_DIR": str(MODELS_DIR)})
    assert " DEBUG " in verbose.stderr and " DEBUG " not in quiet.stderr


@pytest.mark.parametrize("command", [["config", "example"], ["config", "show"], ["--help"], []])
def test_a_pipe_closed_early_is_no_traceback(command: list[str]) -> None:
    """`booth config example | head`: the reader is gone before booth writes; booth ends quietly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOTH_")}
    proc = subprocess.Popen(booth_command(*command), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=REPO, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # as `head` does once it has its lines, here before the first one
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert err == ""
    # 1 as the Python docs recommend for a closed pipe; argparse's own --help swallows the error (0)
    assert proc.returncode == (0 if command == ["--help"] else 1)


def test_staff_password_reads_one_line_from_a_pipe() -> None:
    from booth.web.auth import verify_password

    def staff_password(*args: str, typed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(booth_command("staff-password", *args), input=typed, capture_output=True, text=True,
                              timeout=60, cwd=REPO)

    made = staff_password(typed="correct horse battery\n")
    assert made.returncode == 0, made.stderr
    stored = made.stdout.split('staff_password_hash = "', 1)[1].split('"', 1)[0]
    assert verify_password("correct horse battery", stored)
    nothing = staff_password(typed="")
    assert nothing.returncode == 2 and nothing.stderr == "booth staff-password: no password on standard input\n"
    # no option puts a password in shell history or in `ps`
    option = staff_password("--password", "correct horse battery", typed="")
    assert option.returncode == 2 and "unrecognized arguments: --password" in option.stderr
