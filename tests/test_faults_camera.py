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

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from booth.camera.supervisor import RETRYING
from booth_process import NotifyListener, booth_env, fast_config, kill, start_booth, wait_for_log, wait_for_status
from faults import Plug, run_while, screen_text, wait_for_screen

FAST = fast_config(camera={"stall_timeout_s": 1.0})


@pytest.fixture
def plug(tmp_path: Path, faces_dir: Path) -> Iterator[Plug]:
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

    def fault() -> None:
        # mid-session: the subject is being coached when the camera goes
        wait_for_screen(app, lambda: app.session.state.phase in (Phase.BREATHE, Phase.COACH), 90, "a session")
        plug.pull_out()
        wait_for_screen(app, lambda: RETRYING in screen_text(app), 30, "the retrying message on screen")
        seen.append(screen_text(app))
        assert app.session.state.phase is Phase.ATTRACT  # the session was let go, not hung
        assert not app.session.state.can_start  # no captures offered without a camera
        time.sleep(3.0)  # a few failed re-opens with backoff
        assert RETRYING in screen_text(app)
        plug.plug_in()
        wait_for_screen(app, lambda: RETRYING not in screen_text(app), 60, "the camera to come back")

    code = run_while(app, fault)
    assert seen and RETRYING in seen[0]
    assert code == 0
    assert app.completed == 1 and app.started >= 2  # the interrupted session, then a full one
    assert len(app.urls) == 1


def test_real_booth_process_reports_the_outage_and_recovers(plug: Plug, tmp_path: Path, model_path: Path,
                                                            listener: NotifyListener) -> None:
    data = tmp_path / "data"
    env = booth_env(data=data, config=_config(tmp_path), models=model_path.parent, notify=listener.path,
                    watchdog_s=10)
    stderr_path = tmp_path / "stderr.log"
    proc = start_booth("run", "--camera", f"replay:{plug.dir}", "--headless", "--sessions", "1", env=env,
                       log=stderr_path, stdout=subprocess.PIPE)
    try:
        listener.wait("READY=1", 120)
        wait_for_log(stderr_path, "session 1 started", 90, proc)
        time.sleep(1.0)
        unplugged = time.monotonic()
        plug.pull_out()
        listener.wait("STATUS=" + RETRYING, 30, after=unplugged)
        # the status file the staff page reads says the same (written every few seconds)
        status = wait_for_status(data, 20, camera_ok=False)
        assert status["message"] == RETRYING
        time.sleep(4.0)
        # the render loop kept going (and pinging the watchdog) all through the outage
        assert len(listener.pings(after=unplugged + 1)) >= 3, listener.fields()
        assert proc.poll() is None
        replugged = time.monotonic()
        plug.plug_in()
        listener.wait("STATUS=Running", 60, after=replugged)
        out, _ = proc.communicate(timeout=240)
    finally:
        kill(proc)
    log = stderr_path.read_text(errors="replace")
    assert proc.returncode == 0, log
    assert len([line for line in out.splitlines() if "/p/" in line]) == 1  # the session after the fault
    assert "camera down" in log and "camera is back" in log
    assert "Traceback" not in log
    assert listener.wait("STOPPING=1", 1)
