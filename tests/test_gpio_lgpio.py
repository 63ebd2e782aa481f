"""lgpio's notify pipe (gpiozero issue #1106) with the real lgpio library, from a directory nobody may write.

On import lgpio makes a FIFO in its working directory: the current one
unless ``$LG_WD`` says otherwise. `sudo -u booth booth doctor` typed in a
home directory the booth user cannot write to used to fail there. The child
processes here import the real lgpio (Debian's on a Pi; the PyPI build of
the same library elsewhere) from such a directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from booth_process import REPO, booth_command, booth_env
from machine import lgpio_site, real_gpio, unwritable_dir

OPEN_FACTORY = """
import os
from booth.controls import GpioError, make_pin_factory
try:
    make_pin_factory("lgpio").close()
    print("opened")
except GpioError as exc:
    print("refused:", exc)
print("workdir:", os.environ["LG_WD"], os.getcwd() == os.environ["LG_WD"])
"""


@pytest.fixture(scope="module")
def lgpio_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = lgpio_site(tmp_path_factory.mktemp("lgpio"))
    env = booth_env()
    env.pop("LG_WD", None)
    env.pop("XDG_RUNTIME_DIR", None)  # as under `sudo -u booth`: no session of the booth user's
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site) if site else "", str(REPO), env.get("PYTHONPATH")]))
    return env


def test_bare_lgpio_fails_in_an_unwritable_directory(tmp_path: Path, lgpio_env: dict[str, str]) -> None:
    """The fault is real here: lgpio alone cannot be imported from such a directory."""
    with unwritable_dir(tmp_path / "home") as home:
        run = subprocess.run([sys.executable, "-c", "import lgpio"], cwd=home, env=lgpio_env,
                             capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and ".lgd-nfy" in run.stderr, run.stderr


def test_the_booth_gives_lgpio_its_own_folder(tmp_path: Path, lgpio_env: dict[str, str]) -> None:
    with unwritable_dir(tmp_path / "home") as home:
        run = subprocess.run([sys.executable, "-c", OPEN_FACTORY], cwd=home, env=lgpio_env,
                             capture_output=True, text=True, timeout=60)
        assert os.listdir(home) == []
    assert run.returncode == 0, run.stderr
    assert ".lgd-nfy" not in run.stdout + run.stderr
    first, workdir = run.stdout.splitlines()[-2:]
    if real_gpio():
        assert first == "opened", run.stdout  # the chip opened; no pin was claimed
    else:  # lgpio imported fine; gpiozero then found no Pi to drive
        assert first.startswith("refused: GPIO pin factory 'lgpio' failed") and "Pi" in first, run.stdout
    _, path, moved = workdir.split()
    assert Path(path).name.startswith("booth-lgpio-") and moved == "True"  # lgpio chdir()s there
    assert not Path(path).exists()  # removed at exit, pipe and all


def test_an_inherited_folder_is_not_shared_but_one_set_by_hand_is_kept(tmp_path: Path,
                                                                      lgpio_env: dict[str, str]) -> None:
    code = "from booth.controls import lgpio_workdir; print(lgpio_workdir())"
    parent = tmp_path / "booth-lgpio-parent"
    parent.mkdir()
    run = subprocess.run([sys.executable, "-c", code], env={**lgpio_env, "LG_WD": str(parent)},
                         capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.strip() != str(parent)  # two processes in one folder would share one pipe name
    mine = tmp_path / "gpio"
    run = subprocess.run([sys.executable, "-c", code], env={**lgpio_env, "LG_WD": str(mine)},
                         capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.strip() == str(mine)


def test_doctor_from_an_unwritable_directory(tmp_path: Path, lgpio_env: dict[str, str], model_path: Path) -> None:
    """`booth doctor` typed in a directory the user cannot write to: the GPIO check gets past lgpio's import."""
    why = real_gpio()
    if why:
        pytest.skip(f"{why}; the doctor would claim BCM 17 (the lgpio import itself is tested above)")
    conf = tmp_path / "booth.toml"
    conf.write_text('[controls]\npin_factory = "lgpio"\nbutton_pin = 17\n[camera]\nsource = "scripted"\n')
    env = {**lgpio_env, **booth_env(data=tmp_path / "data", config=conf, models=model_path.parent)}
    env["PYTHONPATH"] = lgpio_env["PYTHONPATH"]
    env.pop("LG_WD", None)
    with unwritable_dir(tmp_path / "home") as home:
        run = subprocess.run(booth_command("doctor"), cwd=home, env=env,
                             capture_output=True, text=True, timeout=120)
    [gpio] = [line for line in run.stdout.splitlines() if line.split()[1:2] == ["gpio"]]
    assert ".lgd-nfy" not in run.stdout + run.stderr
    # No GPIO on this machine: a true FAIL that says so, no longer one about the working directory.
    assert gpio.startswith("FAIL") and "lgpio" in gpio and "Pi revision" in gpio, gpio
