"""Fault: the configured camera is not there when the booth starts. A USB camera plugged in later is
used without a restart; a Pi camera (found at boot only) gets the advice to check the ribbon and
restart the Pi; a camera source the booth cannot work with fails at once, on the screen too.

- Real ``booth run`` whose Pi camera was not found at boot (the picamera2
  stand-in in the child): a Pi camera never turns up later, so after a short
  look again the status and the screen say to check the ribbon and restart
  the Pi.
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

from booth.camera.supervisor import RETRYING
from booth_process import NotifyListener, booth_env, kill, run_booth, start_booth, wait_for_status, wait_until


def test_a_pi_camera_missing_at_start_says_check_the_ribbon_and_restart(tmp_path: Path, listener: NotifyListener,
                                                                       model_path: Path) -> None:
    """A real `booth run` on a Pi whose camera was not found at boot (the picamera2 stand-in, with no
    camera attached, put in the child's sys.modules by a sitecustomize): after a short look again,
    systemd's status and the screen say to check the ribbon and restart the Pi, and the booth does
    not retry for ever (a Pi camera never turns up later)."""
    from booth.camera.select import REBOOT

    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        "import sys\n"
        "import picamera2_standin as standin\n"
        "sys.modules.update(standin.modules())\n"
        "standin.Picamera2.sensors = [standin.Sensor(detected=False)]\n")
    tests = Path(__file__).resolve().parent
    conf = tmp_path / "booth.toml"
    conf.write_text('[camera]\nsource = "picamera"\nstall_timeout_s = 1.0\n'
                    '[display]\ndriver = "dummy"\nfps = 15\nsound = false\n')
    env = _env(tmp_path, listener, conf, model_path)
    env["PYTHONPATH"] = os.pathsep.join([str(shim), str(tests), env.get("PYTHONPATH", "")])
    stderr_path = tmp_path / "stderr.log"
    began = time.monotonic()
    proc = start_booth("run", "--screenshots", str(tmp_path / "shots"), env=env, log=stderr_path,
                       stdout=subprocess.DEVNULL)
    try:
        listener.wait("STATUS=" + REBOOT, 120)
        assert time.monotonic() - began >= 3.0  # looked again first (first_frame_timeout: 3 s here)
        assert "READY=1" in listener.fields()  # up, showing what to do, watchdog fed
        assert RETRYING not in " ".join(listener.fields())
        wait_until(lambda: (tmp_path / "shots" / "fatal.png").is_file(), 20, "the screen")
        time.sleep(1.0)
        assert proc.poll() is None  # waits on screen until staff act
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    finally:
        kill(proc)
    log = stderr_path.read_text(errors="replace")
    assert code == 2, log
    assert f"booth: {REBOOT}" in log.splitlines()
    assert "no Pi camera: none connected" in log and "looking again for 3 s" in log
    assert "Traceback" not in log


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
