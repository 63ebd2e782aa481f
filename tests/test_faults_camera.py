"""Fault: the camera stops delivering mid-session, then comes back; the booth carries on.

The camera is a ``replay:`` source reading face photos from a small tmpfs
mounted for the test. "Unplugging" it is a real ``umount``: the files vanish
under the running booth, reads fail, the supervisor re-opens with backoff
and fails while the "device" is gone; "plugging it back" mounts it again.
Nothing in the booth is patched or told.

- In-process (real App from :func:`booth.app.build`, headless display,
  real face model): the screen the render loop draws says "Camera
  unavailable — retrying", and the same App then completes a session.
- Real ``booth run`` process: systemd sees it over a real NOTIFY_SOCKET
  (READY, STATUS=Camera unavailable — retrying, watchdog pings all through
  the outage, STATUS=Running), the staff page's status file says so, the
  journal (stderr) has a plain line and no traceback, and the same process
  finishes its session and exits 0.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from booth.camera.supervisor import RETRYING

REPO = Path(__file__).resolve().parent.parent

FAST = """
[session]
look = "smile"
breathe_s = 1.0
countdown_s = 0
review_timeout_s = 3.0
share_timeout_s = 3.0
goodbye_s = 0.5
[camera]
stall_timeout_s = 1.0
[display]
fps = 15
sound = false
"""


class Plug:
    """A replay camera's images on a tmpfs that can be unmounted and mounted again."""

    def __init__(self, where: Path, images: list[Path]) -> None:
        self.dir = where
        self.images = images
        self.dir.mkdir()
        self.mounted = False

    def plug_in(self) -> None:
        if os.geteuid() != 0:
            pytest.fail("these tests mount a tmpfs and need root (the suite runs as root in CI)")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(self.dir)], check=True)
        self.mounted = True
        for i, img in enumerate(self.images):
            shutil.copy(img, self.dir / f"{i:03d}{img.suffix}")

    def pull_out(self) -> None:
        subprocess.run(["umount", "-l", str(self.dir)], check=True)
        self.mounted = False

    def close(self) -> None:
        if self.mounted:
            self.pull_out()


@pytest.fixture
def plug(tmp_path: Path, faces_dir: Path):
    # one subject, smiling (the look the booth asks for), as a looped clip
    p = Plug(tmp_path / "camera", [faces_dir / "london" / "smiling" / "004.jpg"] * 4)
    p.plug_in()
    yield p
    p.close()


def _config(tmp_path: Path) -> Path:
    conf = tmp_path / "booth.toml"
    conf.write_text(FAST)
    return conf


def test_screen_says_retrying_and_the_same_app_carries_on(plug: Plug, tmp_path: Path, model_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from booth.app import Options, build
    from booth.config import load_config
    from booth.session import Phase

    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    config = load_config(_config(tmp_path))
    options = Options(headless=True, sessions=1, autopilot=True, max_run_s=240.0)
    app = build(config, camera_spec=f"replay:{plug.dir}", options=options)
    seen: list[str] = []
    problems: list[BaseException] = []

    def screen_text() -> str:
        drawn = app.last_drawn
        return drawn.text() if drawn is not None else ""

    def wait_for(cond, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen shows: {screen_text()!r}")
            time.sleep(0.05)

    def fault() -> None:
        try:
            # mid-session: the subject is being coached when the camera goes
            wait_for(lambda: app.session.state.phase in (Phase.BREATHE, Phase.COACH), 90, "a session")
            plug.pull_out()
            wait_for(lambda: RETRYING in screen_text(), 30, "the retrying message on screen")
            seen.append(screen_text())
            assert app.session.state.phase is Phase.ATTRACT  # the session was let go, not hung
            assert not app.session.state.can_start  # no captures offered without a camera
            time.sleep(3.0)  # a few failed re-opens with backoff
            assert RETRYING in screen_text()
            plug.plug_in()
            wait_for(lambda: RETRYING not in screen_text(), 60, "the camera to come back")
        except BaseException as exc:
            problems.append(exc)
            app.quit = True

    thread = threading.Thread(target=fault, daemon=True)
    thread.start()
    try:
        code = app.run()
    finally:
        app.camera.stop()
        thread.join(30)
    assert not problems, problems[0]
    assert seen and RETRYING in seen[0]
    assert code == 0
    assert app.completed == 1 and app.started >= 2  # the interrupted session, then a full one
    assert len(app.urls) == 1


class NotifyListener:
    """What systemd's end of NOTIFY_SOCKET would see, with arrival times."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.path = path
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            for field in data.decode().split("\n"):
                self.messages.append((time.monotonic(), field))

    def wait(self, field: str, timeout: float, after: float = 0.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for t, f in list(self.messages):
                if f == field and t >= after:
                    return t
            time.sleep(0.05)
        raise AssertionError(f"no {field!r} from the booth within {timeout} s; got {self.fields()}")

    def fields(self) -> list[str]:
        return sorted({f for _, f in self.messages})

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def test_real_booth_process_reports_the_outage_and_recovers(plug: Plug, tmp_path: Path, model_path: Path) -> None:
    data = tmp_path / "data"
    listener = NotifyListener(tmp_path / "notify.sock")
    env = {**os.environ, "BOOTH_DATA_DIR": str(data), "BOOTH_MODELS_DIR": str(model_path.parent),
           "BOOTH_CONFIG": str(_config(tmp_path)), "NOTIFY_SOCKET": str(listener.path),
           "WATCHDOG_USEC": "10000000", "PYTHONUNBUFFERED": "1"}
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "booth", "run", "--camera", f"replay:{plug.dir}", "--headless", "--sessions", "1"],
            env=env, stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO,
        )
    try:
        listener.wait("READY=1", 120)

        def log_has(text: str, timeout: float) -> None:
            deadline = time.monotonic() + timeout
            while text not in stderr_path.read_text(errors="replace"):
                assert proc.poll() is None, stderr_path.read_text()
                assert time.monotonic() < deadline, f"no {text!r} in the log"
                time.sleep(0.1)

        log_has("session 1 started", 90)
        time.sleep(1.0)
        unplugged = time.monotonic()
        plug.pull_out()
        listener.wait("STATUS=" + RETRYING, 30, after=unplugged)
        # the status file the staff page reads says the same (written every few seconds)
        deadline = time.monotonic() + 20
        while True:
            status = json.loads((data / "status.json").read_text()) if (data / "status.json").exists() else {}
            if status.get("camera_ok") is False:
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.2)
        assert status["message"] == RETRYING
        time.sleep(4.0)
        # the render loop kept going (and pinging the watchdog) all through the outage
        pings = [t for t, f in listener.messages if f == "WATCHDOG=1" and t > unplugged + 1]
        assert len(pings) >= 3, listener.fields()
        assert proc.poll() is None
        replugged = time.monotonic()
        plug.plug_in()
        listener.wait("STATUS=Running", 60, after=replugged)
        out, _ = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        listener.close()
    log = stderr_path.read_text(errors="replace")
    assert proc.returncode == 0, log
    assert len([line for line in out.splitlines() if "/p/" in line]) == 1  # the session after the fault
    assert "camera down" in log and "camera is back" in log
    assert "Traceback" not in log
    assert listener.wait("STOPPING=1", 1)
