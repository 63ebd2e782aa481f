"""The first run, as a newcomer does it: `make run` at a terminal, then the README's commands.

`make run` is run for real (the Makefile, make itself, `booth up`, its two
children) under a pseudo-terminal, as at a terminal, on a machine with no
camera and no display (on a machine with either, `make run ARGS="--headless --camera
scripted"`, so the test draws on no real screen and opens no real camera). The venv is the one running these tests (set up
already, so make is told not to redo it); the data folder is a throwaway one.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from booth.net import local_address
from booth_process import REPO, booth_env, fast_config, free_port, wait_until
from machine import camera_hardware, display_hardware

URL = re.compile(r"^booth \| (http://\S+/p/\S+)\s*$", re.M)
# What mediapipe and setuptools print by themselves (booth/quiet.py, the Makefile).
CHATTER = ("InitGoogle", "W0000", "XNNPACK", "Editable installation", "absl::InitializeLog")


class Terminal:
    """A pseudo-terminal a child writes to, read into one string as it comes."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.chunks: list[bytes] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every process holding the terminal has closed it
                return
            if not data:
                return
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace").replace("\r\n", "\n")

    def close(self) -> None:
        self._thread.join(10)
        os.close(self.master)


def make_command(*targets: str, args: str = "") -> list[str]:
    """`make TARGET...` with the venv running these tests, which make must not rebuild."""
    venv = Path(sys.prefix)
    return ["make", "--no-print-directory", *targets, f"VENV={venv}", "-o", f"{venv}/.stamp-run",
            *([f"ARGS={args}"] if args else [])]


def demo_args() -> str:
    """Nothing on a machine with no camera and no screen; elsewhere (a Pi with its panel or camera)
    the same demo `make run` gives there, told to stay off the real screen and camera."""
    why = display_hardware() or camera_hardware()
    return "--headless --camera scripted" if why else ""


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def make_run(tmp_path: Path, faces_dir: Path, model_path: Path):
    """`make run` at a terminal; hands back (process, terminal, port, data dir)."""
    port = free_port()
    config = tmp_path / "booth.toml"
    config.write_text(fast_config(web={"port": port}))  # workers as make run has them: one per core
    data = tmp_path / "data"
    env = booth_env(data=data, config=config, models=model_path.parent, no_desktop=True,
                    BOOTH_FACES_DIR=str(faces_dir))
    term = Terminal()
    proc = subprocess.Popen(make_command("run", args=demo_args()), cwd=REPO, env=env, stdin=term.slave,
                            stdout=term.slave, stderr=term.slave, start_new_session=True)
    os.close(term.slave)
    try:
        yield proc, term, port, data
    finally:
        if group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        term.close()


def test_make_run_serves_the_photo_its_booth_shows_and_one_ctrl_c_stops_both(make_run) -> None:
    proc, term, port, data = make_run
    wait_until(lambda: URL.search(term.text), 180, lambda: f"a photo URL from make run:\n{term.text}", proc=proc)
    out = term.text
    url = URL.search(out).group(1)

    # The first line says how to stop it; the address is one a phone on the network reaches,
    # on the port the photo server listens on.
    assert "Ctrl+C" in out.lstrip().splitlines()[0], out
    assert url.startswith(f"http://{local_address()}:{port}/p/"), out
    page = httpx.get(url, timeout=20)
    assert page.status_code == 200, out
    assert 'id="download"' in page.text, page.text
    download = httpx.get(f"{url}/download", timeout=20)
    assert download.status_code == 200 and download.content[:3] == b"\xff\xd8\xff"  # a JPEG

    # The scripted subject's photos are a demo: kept apart from the real gallery.
    demo = data.with_name("data-demo")
    assert list((demo / "photos").glob("*.jpg")), f"no photo in the demo gallery {demo}"
    assert not list(data.glob("**/*.jpg")), "a demo photo went into the real gallery"
    assert str(demo) in out

    # Nothing of mediapipe's or setuptools' own chatter on the screen.
    for noise in CHATTER:
        assert noise not in out, out

    # One Ctrl+C (the terminal sends SIGINT to the whole foreground group) ends everything.
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(60)
    wait_until(lambda: not group_alive(proc.pid), 30, "every process of make run's group to end")
    time.sleep(0.2)  # the last lines through the terminal
    out = term.text
    assert "booth up: stopped" in out, out
    assert "make: ***" not in out and "Traceback" not in out, out
    # make ends as a Ctrl+C'd program should: killed by SIGINT itself, no error status of its own
    assert proc.returncode in (0, -signal.SIGINT), (proc.returncode, out)


def test_the_readmes_commands_find_the_model_make_run_fetched(tmp_path: Path, model_path: Path) -> None:
    """A fresh clone: `make run` fetches the model into .models/; `.venv/bin/booth run` (or any
    booth command) run later from anywhere, with no variable set, looks for it in that same place."""
    clone = tmp_path / "clone"
    shutil.copytree(REPO, clone, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".models", "__pycache__", "*.egg-info", "test-artifacts", "build"))
    (clone / ".models").mkdir()
    shutil.copy2(model_path, clone / ".models" / model_path.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOTH_")}
    env.update(PYTHONPATH=str(clone), HOME=str(tmp_path / "home"),
               # a download would mean make looked elsewhere: let it fail at once
               https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9", PIP_NO_INDEX="1")
    fetched = subprocess.run(make_command("-s", "model"), cwd=clone, env=env, capture_output=True, text=True,
                             timeout=300)
    assert fetched.returncode == 0 and fetched.stdout == "", fetched.stdout + fetched.stderr
    shown = subprocess.run([sys.executable, "-m", "booth", "models", "fetch"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"OK {clone / '.models' / model_path.name}"


def test_readme_says_how_to_run_booth_commands_after_make_run() -> None:
    readme = (REPO / "README.md").read_text()
    two_commands = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    assert ". .venv/bin/activate" in two_commands and ".venv/bin/booth" in two_commands


def test_first_setup_shows_no_packaging_banner(tmp_path: Path) -> None:
    """`make run`'s first screenful on a fresh clone is the booth's: no setuptools banner from the editable install."""
    venv = tmp_path / "venv"
    result = subprocess.run(["make", "--no-print-directory", "setup", f"VENV={venv}"], cwd=REPO,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert (venv / ".stamp-run").exists()
    for banner in ("Editable installation", "BuildBackendWarning", "*" * 40, "!!"):
        assert banner not in out, out
    assert out.startswith(f"Setting up {venv} and the face model (first time only; a few minutes)\n")


def test_readmes_doctor_sample_is_what_a_pi_prints() -> None:
    """The sample shows an installed Pi (its paths, its camera and display), and only checks doctor has."""
    from booth.doctor import CHECKS

    readme = (REPO / "README.md").read_text()
    sample = readme.split("`booth doctor` prints one line per check", 1)[1].split("```", 2)[1]
    lines = [line for line in sample.strip().splitlines() if line[:4].strip() in ("OK", "WARN", "FAIL")]
    names = [line.split()[1] for line in lines]
    known = [check.__name__.removeprefix("check_").replace("_file", "") for check in CHECKS]
    assert names == [name for name in known if name in names] and len(names) >= 8
    for developer in ("/work/", "/root/", "/home/", ".venv", "scripted subject", "no display"):
        assert developer not in sample, developer
    rows = dict(zip(names, lines))
    assert "/opt/booth/venv/bin/python" in rows["python"]
    assert "/var/lib/booth/models/face_landmarker.task" in rows["model"]
    assert "Pi camera" in rows["camera"] and "kmsdrm" in rows["display"] and "Raspberry Pi" in rows["display"]
    assert "/var/lib/booth/gallery" in rows["storage"]
