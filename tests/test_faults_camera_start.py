"""Fault: the configured camera is not there when the booth starts (ribbon loose at boot, USB camera
plugged in later). The booth starts anyway, says so, and uses the camera once it appears, without a
restart; a camera source it cannot work with still fails at once, on the screen too.

- In-process (real App from :func:`booth.app.build`, SDL's dummy display,
  real face model): the Pi camera (the picamera2 stand-in; no Pi camera
  exists here) reports none connected; the drawn attract screen says
  "Camera unavailable — retrying" and offers no capture; once the camera is
  "seated", the same App runs a session on its pictures.
- Real ``booth run`` process with ``[camera] source = "webcam:PATH"`` (an
  explicit source, as the installer writes) whose device path does not
  exist yet: over a real NOTIFY_SOCKET systemd gets READY=1 and
  STATUS=Camera unavailable — retrying, watchdog pings all through, the
  staff page's status file says so; a recording moved into the path (a
  webcam being plugged in) brings STATUS=Running, and SIGTERM stops it
  cleanly (exit 0).
- Real ``booth run`` with a ``replay:`` path that does not exist (a
  configuration error, not a device): the one line, and the start-error
  screen until the config is fixed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

import picamera2_standin as standin
from booth.camera.supervisor import RETRYING
from booth_process import NotifyListener, booth_env, fast_config, kill, run_booth, start_booth, wait_for_status
from faults import run_while, screen_text, wait_for_screen


def _portrait(photo: Path):
    """The sensor's picture: a real face photo fitted (aspect kept, grey bars) to whatever size is asked."""
    face = cv2.cvtColor(cv2.imread(str(photo), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    made: dict[tuple[int, int], np.ndarray] = {}

    def picture(width: int, height: int) -> np.ndarray:
        if (width, height) not in made:
            scale = min(width / face.shape[1], height / face.shape[0])
            w, h = round(face.shape[1] * scale), round(face.shape[0] * scale)
            canvas = np.full((height, width, 3), 128, np.uint8)
            x, y = (width - w) // 2, (height - h) // 2
            canvas[y:y + h, x:x + w] = cv2.resize(face, (w, h), interpolation=cv2.INTER_AREA)
            made[(width, height)] = canvas
        return made[(width, height)]

    return picture


def test_a_pi_camera_seated_after_start_is_used_without_a_restart(tmp_path: Path, model_path: Path,
                                                                 faces_dir: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from booth.app import Options, build
    from booth.config import load_config

    sensor = standin.Sensor(size=(1280, 960), fps=30.0, connected=False,
                            picture=_portrait(faces_dir / "london" / "smiling" / "004.jpg"))
    standin.install(monkeypatch, sensor)
    conf = tmp_path / "booth.toml"
    conf.write_text(fast_config(camera={"stall_timeout_s": 1.0}, coach={"auto_trigger": False}))
    monkeypatch.setenv("BOOTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOOTH_MODELS_DIR", str(model_path.parent))
    config = load_config(conf)
    app = build(config, camera_spec="picamera",
                options=Options(headless=True, sessions=1, autopilot=True, max_run_s=240.0))
    seen: list[str] = []

    def plug_in_later() -> None:
        wait_for_screen(app, lambda: app.frames > 0 and RETRYING in screen_text(app), 30, "the retrying message")
        seen.append(screen_text(app))
        assert app.last_drawn.screen == "attract"
        assert not app.session.state.can_start  # no captures offered without a camera
        time.sleep(3.0)  # retries with backoff, the screen unchanged
        assert RETRYING in screen_text(app) and app.started == 0
        assert app.camera.retry is not None and app.camera.retry.attempts >= 2
        sensor.plug_in()
        wait_for_screen(app, lambda: RETRYING not in screen_text(app), 30, "the camera to be used")

    code = run_while(app, plug_in_later)
    assert seen and RETRYING in seen[0] and "Press the button" not in seen[0]
    assert code == 0
    assert app.completed == 1 and len(app.urls) == 1
    stills = [e for e in standin.Picamera2.events if e.what == "capture" and e.use_case == "still"]
    assert stills and stills[0].size == (1280, 960)  # the photo came from the camera that turned up
    assert not sensor.in_use


def _recording(path: Path, seconds: float, fps: int) -> None:
    """A plain clip (no face, so nobody's session starts): what the webcam shows once plugged in."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (320, 240))
    assert writer.isOpened()
    image = np.zeros((240, 320, 3), np.uint8)
    image[:, :160] = (0, 160, 0)
    for _ in range(round(seconds * fps)):
        writer.write(image)
    writer.release()


def _env(tmp_path: Path, listener: NotifyListener, conf: Path, model_path: Path) -> dict[str, str]:
    return booth_env(config=conf, data=tmp_path / "data", models=model_path.parent, notify=listener.path,
                     watchdog_s=10, no_desktop=True)


def test_real_booth_with_its_webcam_plugged_in_later(tmp_path: Path, listener: NotifyListener,
                                                     model_path: Path) -> None:
    device = tmp_path / "dev" / "video0"
    device.parent.mkdir()
    conf = tmp_path / "booth.toml"
    conf.write_text(f'[camera]\nsource = "webcam:{device}"\nfps = 10\nstall_timeout_s = 1.0\n'
                    '[display]\ndriver = "dummy"\nfps = 15\nsound = false\n')
    stderr_path = tmp_path / "stderr.log"
    proc = start_booth("run", env=_env(tmp_path, listener, conf, model_path), log=stderr_path,
                       stdout=subprocess.DEVNULL)
    try:
        ready = listener.wait("READY=1", 120)  # up, though the camera is not
        listener.wait("STATUS=" + RETRYING, 5)
        assert "STATUS=Running" not in listener.fields()
        status = wait_for_status(tmp_path / "data", 20, camera_ok=False)
        assert status["message"] == RETRYING and status["camera"] == f"webcam {device}"
        time.sleep(3.0)
        assert proc.poll() is None, stderr_path.read_text()
        assert len(listener.pings(after=ready)) >= 3, listener.fields()  # the render loop runs all through
        log = stderr_path.read_text(errors="replace")
        assert f"no webcam: {device} not found; {RETRYING} until it is there" in log
        _recording(tmp_path / "clip.avi", seconds=30.0, fps=10)
        plugged = time.monotonic()
        os.replace(tmp_path / "clip.avi", device)  # plugged in
        listener.wait("STATUS=Running", 30, after=plugged)
        assert wait_for_status(tmp_path / "data", 20, camera_ok=True)["message"] == ""
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    finally:
        kill(proc)
    log = stderr_path.read_text(errors="replace")
    assert code == 0, log
    assert "camera is back" in log and "back after" in log
    assert "Traceback" not in log
    listener.wait("STOPPING=1", 1)


def test_a_replay_path_that_does_not_exist_is_a_start_error_on_screen(tmp_path: Path, listener: NotifyListener,
                                                                     model_path: Path) -> None:
    """A file source is a path staff typed, not a device that comes and goes: fix the config."""
    from booth.ui.fatal import RESTART_EXIT

    missing = tmp_path / "demo.mp4"
    conf = tmp_path / "booth.toml"
    conf.write_text(f'[camera]\nsource = "replay:{missing}"\n[display]\ndriver = "dummy"\n')
    proc = start_booth("run", env=_env(tmp_path, listener, conf, model_path), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    try:
        listener.wait("READY=1", 120)
        listener.wait(f"STATUS=replay: {missing} not found", 5)
        time.sleep(1.0)
        assert proc.poll() is None, "the start error waits on screen for a fix"
        conf.write_text('[camera]\nsource = "scripted"\n[display]\ndriver = "dummy"\n')
        _, err = proc.communicate(timeout=15)
    finally:
        kill(proc)
    assert proc.returncode == RESTART_EXIT, err
    assert f"booth: replay: {missing} not found" in err.splitlines()
    assert "Traceback" not in err


def test_a_bad_camera_spec_without_a_display_is_one_line(tmp_path: Path, listener: NotifyListener,
                                                         model_path: Path) -> None:
    conf = tmp_path / "booth.toml"
    conf.write_text("")
    run = run_booth("run", "--camera", "usb", "--headless", env=_env(tmp_path, listener, conf, model_path),
                    timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1] == (
        'booth: camera source "usb": unknown source; '
        "allowed: auto, picamera, webcam[:N or :/dev/videoN], replay:PATH or scripted[:PERSON]")
    assert "READY=1" not in listener.fields() and "Traceback" not in run.stderr
