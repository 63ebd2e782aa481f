"""The camera supervisor (issue 6, fault 1): a camera that stops delivering comes back by itself.

Faults are injected for real: a replay folder whose images vanish, a Pi
camera (through the picamera2 stand-in, since no Pi camera exists here)
that is unplugged and plugged back in, and a scripted source whose capture
hangs.
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

import picamera2_standin as standin
from booth_process import wait_until
from booth.camera.base import Camera, CameraError, Health
from booth.camera.picamera import PiCamera
from booth.camera.replay import Replay
from booth.camera.scripted import ScriptedCamera
from booth.camera.supervisor import RETRYING, SupervisedCamera, backoff
from booth.config import CameraConfig, Config


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class Log:
    """The camera code's logger, kept as lines; an exception logged is a test failure (test_camera_select too)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, msg: str, *args: object) -> None:
        self.lines.append(msg % args if args else msg)

    warning = error = debug = info

    def exception(self, msg: str, *args: object) -> None:
        raise AssertionError(msg % args if args else msg)


def _next_retry_in(supervised: SupervisedCamera, clock: Clock) -> float:
    return supervised.retry.next_retry_at - clock()


def _camera_config() -> CameraConfig:
    return CameraConfig(preview_width=160, preview_height=120, fps=30, stall_timeout_s=0.3)


@pytest.fixture
def photos(tmp_path: Path, face_labels) -> tuple[Path, list[Path]]:
    """A replay folder of real face photos, and spare copies to put back."""
    folder, spare = tmp_path / "replay", tmp_path / "spare"
    folder.mkdir()
    spare.mkdir()
    files = []
    for i, label in enumerate([l for l in face_labels if l.set == "london"][:2]):
        shutil.copy(label.file, spare / f"{i}.jpg")
        files.append(spare / f"{i}.jpg")
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder, files


def test_backoff_doubles_to_a_cap() -> None:
    assert [backoff(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff(3, first=0.1, limit=0.5) == 0.5


def test_retries_with_backoff_and_resumes(photos) -> None:
    """Stepped by hand with a fake clock: the exact schedule of attempts."""
    folder, spares = photos
    clock, log = Clock(), Log()
    made: list[Camera] = []

    def factory() -> Camera:
        made.append(Replay(_camera_config(), folder))
        return made[-1]

    first = factory()
    first.start()
    supervised = SupervisedCamera(factory, initial=first, clock=clock, watch=False, log=log)
    supervised.start()
    try:
        frame = supervised.wait_frame(-1, 2.0)
        assert frame is not None and supervised.status.health is Health.OK
        for f in folder.iterdir():  # the camera goes away
            f.unlink()
        wait_until(lambda: first.status.health is Health.FAILED, 5.0, "the first camera to fail", every=0.02)
        supervised.check()
        status = supervised.status
        assert status.health is Health.FAILED and status.message == RETRYING == "Camera unavailable — retrying"
        assert supervised.retry.attempts == 0 and _next_retry_in(supervised, clock) == 0.5
        assert "cannot read" in supervised.retry.reason
        assert first.status.health is Health.FAILED and first._thread is None  # stopped
        # While down: captures fail at once, waiting for a frame returns None.
        began = time.monotonic()
        with pytest.raises(CameraError, match=RETRYING):
            supervised.capture_burst(1)
        assert supervised.wait_frame(frame.index, 0.2) is None
        assert time.monotonic() - began < 1.0
        assert supervised.describe().startswith(f"replay {folder}: {RETRYING} (attempt 0")
        assert supervised.preview_size == (120, 120)  # the last known size
        waits = []
        for attempt in range(1, 7):
            clock.t += _next_retry_in(supervised, clock) - 0.01
            supervised.check()  # not due yet: no attempt
            assert supervised.retry.attempts == attempt - 1
            clock.t += 0.01
            supervised.check()
            assert supervised.retry.attempts == attempt
            assert "no images in" in supervised.retry.reason
            waits.append(_next_retry_in(supervised, clock))
        assert waits == pytest.approx([1.0, 2.0, 4.0, 8.0, 10.0, 10.0])
        assert len(made) == 1 + 6
        for f in spares:  # the camera is back
            shutil.copy(f, folder / f.name)
        clock.t += 10.0
        supervised.check()
        assert supervised.retry is None and supervised.status.health is Health.OK
        resumed = supervised.wait_frame(frame.index, 2.0)
        assert resumed is not None and resumed.index > frame.index
        later = supervised.wait_frame(resumed.index, 2.0)
        assert later is not None and later.index > resumed.index
        stills = supervised.capture_burst(2)
        assert stills[0].index > frame.index and stills[0].size == (800, 800)
        assert any("back after 7 attempt(s)" in line for line in log.lines)
    finally:
        supervised.stop()
    assert supervised.status.health is Health.STOPPED


def test_a_pi_camera_whose_ribbon_came_loose_is_reported_and_retried(monkeypatch) -> None:
    """The watcher thread in real time: the (stand-in) Pi camera stops sending mid-run. The booth says
    so and keeps re-opening it (a driver hang can clear that way); a loose ribbon never does, so it
    stays down rather than pretend (a Pi camera is not hot-pluggable)."""
    sensor = standin.Sensor(standin.small(standin.IMX708, 4))
    standin.install(monkeypatch, sensor)
    config = _camera_config()
    supervised = SupervisedCamera(lambda: PiCamera(config), min_backoff_s=0.05, max_backoff_s=0.2,
                                  poll_s=0.02, first_frame_timeout=1.0, log=Log())
    supervised.start()  # no initial camera: the supervisor opens the first one itself
    try:
        frame = supervised.wait_frame(-1, 3.0)
        assert frame is not None
        sensor.loosen_ribbon()
        wait_until(lambda: supervised.retry is not None, 5.0, "a retry", every=0.02)
        assert supervised.status.message == RETRYING
        # silent longer than stall_timeout_s before the 1 s frame timeout fails it
        assert supervised.status.health in (Health.STALLED, Health.FAILED)
        wait_until(lambda: supervised.retry is not None and supervised.retry.attempts >= 2, 10.0, "two attempts",
                   every=0.02)
        assert supervised.retry.reason.startswith("Pi camera imx708: no frame")
        with pytest.raises(CameraError):
            supervised.capture_burst(1)
        assert supervised.wait_frame(frame.index, 0.5) is None
        assert len(standin.Picamera2.instances) >= 2  # re-opened, each time released again
    finally:
        supervised.stop()
    assert not sensor.in_use


def test_a_hung_source_is_restarted(faces_dir: Path) -> None:
    """A capture that blocks for ever: STALLED, stopped, and a fresh camera takes over."""
    config = Config()
    config.camera = _camera_config()
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    hang = threading.Event()
    made: list[ScriptedCamera] = []

    def factory() -> Camera:
        camera = ScriptedCamera(config)
        if not made:  # the first camera's driver will block inside a read
            grab, blocker = camera._grab, threading.Event()
            camera._grab = lambda: (blocker.wait(30.0) if hang.is_set() else None, grab())[1]
            camera.blocker = blocker  # type: ignore[attr-defined]
        made.append(camera)
        return camera

    log = Log()
    supervised = SupervisedCamera(factory, min_backoff_s=0.05, poll_s=0.02, log=log)
    supervised.start()
    try:
        frame = supervised.wait_frame(-1, 2.0)
        assert frame is not None
        supervised.cue("coach", "smile")
        hang.set()
        wait_until(lambda: len(made) >= 2 and supervised.retry is None, 8.0, "a new camera", every=0.02)
        assert any("stalled" in line and "no frame for" in line for line in log.lines)
        resumed = supervised.wait_frame(frame.index, 2.0)
        assert resumed is not None and resumed.index > frame.index
        assert made[1].script.at(1e9).cued  # the screen's last cue reached the new camera
    finally:
        made[0].blocker.set()  # type: ignore[attr-defined]
        supervised.stop()


def test_a_cue_given_while_a_new_camera_is_swapped_in_is_the_one_it_keeps(faces_dir: Path) -> None:
    """The supervisor hands the screen's last cue to a re-opened camera; a newer cue given
    at that moment must not be overtaken by the older one (the subject would act on a stale screen)."""
    config = Config()
    config.camera = _camera_config()
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    silent = threading.Event()
    handing_on, newer_given = threading.Event(), threading.Event()
    made: list[ScriptedCamera] = []

    def factory() -> Camera:
        camera = ScriptedCamera(config)
        if not made:  # the first camera goes silent when told (no frames: STALLED)
            grab = camera._grab
            camera._grab = lambda: None if silent.is_set() else grab()
        else:  # the replacement: the supervisor's hand-on of the old cue is slow
            cue = camera.cue

            def slow_cue(state: str, look: str | None = None, prompts: tuple[str, ...] = ()) -> None:
                if not handing_on.is_set():
                    handing_on.set()
                    newer_given.wait(5.0)
                    time.sleep(0.3)  # room for the newer cue to overtake, if it can
                cue(state, look, prompts)

            camera.cue = slow_cue  # type: ignore[method-assign]
        made.append(camera)
        return camera

    clock = Clock()
    supervised = SupervisedCamera(factory, clock=clock, watch=False, log=Log())
    supervised.start()
    try:
        assert supervised.wait_frame(-1, 2.0) is not None
        supervised.cue("coach", "smile")  # the subject is being coached ...
        silent.set()  # ... when the camera stalls
        wait_until(lambda: supervised.status.health is Health.STALLED, 5.0, "a stall", every=0.02)
        supervised.check()
        assert supervised.inner is None
        clock.t = 1.0
        reopen = threading.Thread(target=supervised.check)
        reopen.start()
        assert handing_on.wait(5.0)  # the new camera is getting ("coach", "smile")
        newer_given.set()
        supervised.cue("attract")  # meanwhile the session went back to attract: a new subject
        reopen.join(5.0)
        assert supervised.inner is made[1]
        assert not made[1].script.at(time.monotonic()).cued  # attract (restart, uncued) is what stands
    finally:
        supervised.stop()


def test_wait_frame_follows_a_camera_swap(photos) -> None:
    """A reader blocked in wait_frame across the fault gets the new camera's frames."""
    folder, spares = photos
    clock = Clock()
    supervised = SupervisedCamera(lambda: Replay(_camera_config(), folder), clock=clock, watch=False, log=Log())
    supervised.start()
    try:
        frame = supervised.wait_frame(-1, 2.0)
        assert frame is not None
        got: list = []
        for f in folder.iterdir():
            f.unlink()
        wait_until(lambda: supervised.inner.status.health is Health.FAILED, 5.0, "the camera to fail", every=0.02)
        supervised.check()
        assert supervised.inner is None
        reader = threading.Thread(target=lambda: got.append(supervised.wait_frame(frame.index, 5.0)))
        reader.start()  # blocked while the camera is down
        time.sleep(0.2)
        assert not got
        for f in spares:
            shutil.copy(f, folder / f.name)
        clock.t = 1.0
        supervised.check()
        reader.join(6.0)
        assert got and got[0] is not None and got[0].index > frame.index
        assert got[0].image.shape == (120, 120, 3)
    finally:
        supervised.stop()


def test_stop_while_down_is_prompt(photos) -> None:
    folder, _ = photos
    shutil.rmtree(folder)
    supervised = SupervisedCamera(lambda: Replay(_camera_config(), folder), poll_s=0.02, log=Log())
    supervised.start()  # the first open fails: retrying, not raising
    assert supervised.status.message == RETRYING and supervised.retry.attempts == 1
    began = time.monotonic()
    supervised.stop()
    assert time.monotonic() - began < 1.0
    assert supervised.status.health is Health.STOPPED


def test_started_retrying_counts_the_first_attempt_and_keeps_the_schedule(photos) -> None:
    """A device missing at start (the caller's open failed): down from the outset, named and sized
    after the source, the next attempt after backoff(1), and in use once it is there."""
    folder, spares = photos
    for f in folder.iterdir():
        f.unlink()
    config = _camera_config()
    clock, log = Clock(), Log()
    made: list[Replay] = []

    def factory() -> Replay:
        made.append(Replay(config, folder))
        return made[-1]

    supervised = SupervisedCamera(factory, clock=clock, watch=False, log=log)
    supervised.start_retrying("replay: no images", like=Replay(config, folder))
    try:
        assert supervised.status.health is Health.FAILED and supervised.status.message == RETRYING
        assert supervised.retry.attempts == 1 and _next_retry_in(supervised, clock) == 1.0
        assert supervised.name == f"replay {folder}" and supervised.preview_size == (160, 120)
        assert supervised.describe() == f"replay {folder}: {RETRYING} (attempt 1; replay: no images)"
        assert supervised.wait_frame(-1, 0.1) is None
        clock.t = 0.99
        supervised.check()  # not due: nothing was tried
        assert supervised.retry.attempts == 1 and made == []
        clock.t = 1.0
        supervised.check()  # due, and the images are still not there
        assert supervised.retry.attempts == 2 and _next_retry_in(supervised, clock) == 2.0
        assert supervised.retry.reason.startswith(f"replay: no images in {folder}")
        for f in spares:
            shutil.copy(f, folder / f.name)
        clock.t = 3.0
        supervised.check()
        assert supervised.retry is None and supervised.status.health is Health.OK
        frame = supervised.wait_frame(-1, 2.0)
        assert frame is not None and frame.index == 0  # the first frame the booth ever sees
        assert any("back after 3 attempt(s)" in line for line in log.lines)
    finally:
        supervised.stop()
