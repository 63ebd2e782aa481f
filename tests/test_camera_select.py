"""Choosing a camera from a --camera spec, `auto` explaining its choice, and what a failed start means.

A named device (Pi camera, webcam) missing at start is waited for; a
configuration the booth cannot work with fails at once (select's docstring).
No webcam or Pi camera exists here: a video file moved into a device path
stands in for a USB camera being plugged in, the picamera2 stand-in for the
Pi camera.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

import picamera2_standin as standin
from booth_process import wait_until
import cv2
import numpy as np

from booth.camera import select
from booth.camera.base import CameraError, Health, NotDetected
from booth.camera.select import REBOOT, make_camera, open_camera, open_supervised, parse_source
from booth.camera.scripted import ScriptedCamera
from booth.camera.supervisor import RETRYING, SupervisedCamera
from booth.config import CameraConfig, Config
from test_camera_supervisor import Log


@pytest.fixture
def config(faces_dir: Path) -> Config:
    config = Config()
    config.camera = CameraConfig(preview_width=320, preview_height=240, stall_timeout_s=0.3)
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    return config


@pytest.mark.parametrize(
    "spec, parsed",
    [
        ("auto", ("auto", None)),
        ("picamera", ("picamera", None)),
        ("webcam", ("webcam", "0")),
        ("webcam:2", ("webcam", "2")),
        ("webcam:/dev/video4", ("webcam", "/dev/video4")),
        ("replay:/srv/demo.mp4", ("replay", "/srv/demo.mp4")),
        ("replay:C:/demo", ("replay", "C:/demo")),
        ("scripted", ("scripted", None)),
        ("scripted:london-007", ("scripted", "london-007")),
    ],
)
def test_parse_source(spec: str, parsed: tuple) -> None:
    assert parse_source(spec) == parsed


@pytest.mark.parametrize(
    "spec, why",
    [
        ("usb", "unknown source"),
        ("", "unknown source"),
        ("picamera:1", "picamera takes nothing after the colon"),
        ("webcam:front", "webcam wants a device number or path"),
        ("replay", "replay wants a video file or a folder"),
        ("replay:", "replay wants a video file or a folder"),
        ("scripted:../../etc", "scripted wants a person"),
    ],
)
def test_parse_source_rejects_bad_specs(spec: str, why: str) -> None:
    with pytest.raises(CameraError) as err:
        parse_source(spec)
    message = str(err.value)
    assert message.startswith(f'camera source "{spec}": {why}')
    assert message.endswith("allowed: auto, picamera, webcam[:N or :/dev/videoN], replay:PATH or scripted[:PERSON]")


def test_auto_tries_the_pi_camera_then_the_first_webcam_then_the_scripted_subject(monkeypatch, config: Config) -> None:
    """The real order: a machine with neither camera says why for each, in that order."""
    monkeypatch.setitem(sys.modules, "picamera2", None)
    log = Log()
    camera = open_camera("auto", config, log=log)
    camera.stop()
    assert log.lines[0] == "camera: no Pi camera: picamera2 not installed"
    if camera.name.startswith("webcam"):  # a machine with a USB camera on /dev/video0
        assert log.lines[1] == "camera: using webcam /dev/video0 (no Pi camera: picamera2 not installed)"
    else:
        assert log.lines[1].startswith("camera: no webcam: /dev/video0 ")
        assert log.lines[2].startswith("camera: using scripted subject london-004 (no Pi camera")


def test_auto_falls_back_to_the_scripted_subject_and_says_why(monkeypatch, config: Config, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "picamera2", None)  # no python3-picamera2, as here
    # webcam:0 is /dev/video0, which may exist on some machine running the
    # tests; a path that surely does not exist keeps the test the same everywhere.
    monkeypatch.setattr(select, "AUTO_ORDER", ("picamera", f"webcam:{tmp_path}/video0", "scripted"))
    log = Log()
    camera = open_camera("auto", config, log=log)
    try:
        assert camera.name == "scripted subject london-004"
        assert camera.status.health is Health.OK
    finally:
        camera.stop()
    assert log.lines == [
        "camera: no Pi camera: picamera2 not installed",
        f"camera: no webcam: {tmp_path}/video0 not found",
        "camera: using scripted subject london-004 "
        f"(no Pi camera: picamera2 not installed; no webcam: {tmp_path}/video0 not found)",
    ]


def test_auto_prefers_the_pi_camera(monkeypatch, config: Config) -> None:
    standin.install(monkeypatch, standin.Sensor(standin.small(standin.IMX708, 2)))  # stand-in: no Pi camera here
    log = Log()
    camera = open_camera(None, config, log=log)  # None: config.camera.source, "auto" by default
    camera.stop()
    assert log.lines == ["camera: using Pi camera imx708: preview 320x180, stills 2304x1296"]


def test_auto_leaves_a_usb_webcam_libcamera_lists_to_the_webcam_source(monkeypatch, config: Config,
                                                                        tmp_path: Path) -> None:
    """libcamera lists USB webcams too: `auto` must not open one as a Pi camera (wrong colours)."""
    standin.install(monkeypatch, standin.Sensor(standin.USB_WEBCAM))
    device = tmp_path / "video0"
    _recording(tmp_path / "clip.avi")
    (tmp_path / "clip.avi").rename(device)
    monkeypatch.setattr(select, "AUTO_ORDER", ("picamera", f"webcam:{device}", "scripted"))
    log = Log()
    camera = open_camera("auto", config, log=log)
    try:
        frame = camera.wait_frame(-1, 2.0)
    finally:
        camera.stop()
    assert camera.name == f"webcam {device}"
    assert log.lines[0].startswith("camera: no Pi camera: none connected")
    assert log.lines[0].endswith("only a USB camera (HD USB Camera), used as a webcam")
    assert frame is not None and frame.image[frame.image.shape[0] // 2, 10, 1] > 200  # green stays green


def test_explicit_source_that_fails_raises(config: Config, tmp_path: Path) -> None:
    with pytest.raises(CameraError, match=f"replay: {tmp_path}/none not found"):
        open_camera(f"replay:{tmp_path}/none", config, log=Log())
    with pytest.raises(CameraError, match="unknown source"):
        open_camera("usb", config, log=Log())


def test_make_camera_records_its_source(config: Config, tmp_path: Path) -> None:
    assert make_camera("scripted", config).source == "scripted:london-004"
    assert make_camera("webcam:3", config).source == "webcam:3"
    assert make_camera(f"replay:{tmp_path}", config).source == f"replay:{tmp_path}"
    with pytest.raises(CameraError):
        make_camera("auto", config)


def test_open_supervised(monkeypatch, config: Config) -> None:
    monkeypatch.setitem(sys.modules, "picamera2", None)
    camera = open_supervised("scripted:london-007", config, log=Log())
    try:
        assert isinstance(camera, SupervisedCamera)
        frame = camera.wait_frame(-1, 2.0)
        assert frame is not None and frame.size == (320, 240)
        assert camera.describe() == "scripted subject london-007: preview 320x240, stills 640x480"
        camera.cue("coach", "smile")
        assert camera.inner.script.at(1e9).cued
    finally:
        camera.stop()


def test_a_named_pi_camera_missing_at_start_says_check_the_ribbon_and_restart(monkeypatch, config: Config) -> None:
    """A Pi camera is found when the Pi starts, never later: after a short look again (its driver may
    still be loading at boot) the booth says what to do instead of retrying for ever."""
    standin.install(monkeypatch, standin.Sensor(detected=False))
    log = Log()
    began = time.monotonic()
    with pytest.raises(NotDetected) as err:
        open_supervised("picamera", config, log=log)
    waited = time.monotonic() - began
    assert str(err.value) == REBOOT
    assert "ribbon cable" in str(err.value) and "restart the Pi" in str(err.value)
    assert "reboot" in err.value.advice.lower() or "switch it on again" in err.value.advice
    assert waited >= select.first_frame_timeout(config)  # looked again for that long, then gave up (raised)
    assert log.lines[0].startswith("camera: no Pi camera: none connected")
    assert log.lines[0].endswith(f"; looking again for {select.first_frame_timeout(config):.0f} s")
    assert standin.Picamera2.instances == []


def test_a_named_webcam_missing_at_start_is_still_waited_for(config: Config, tmp_path: Path) -> None:
    """USB cameras come and go: the same start keeps the re-open loop for them."""
    camera = open_supervised(f"webcam:{tmp_path}/video9", config, log=Log())
    try:
        assert camera.status.message == RETRYING and camera.retry.attempts == 1
    finally:
        camera.stop()


def _recording(path: Path, frames: int = 60) -> None:
    """A short clip, left half green: what the webcam "sees" once it is plugged in."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    assert writer.isOpened()
    image = np.zeros((240, 320, 3), np.uint8)
    image[:, :160] = (0, 255, 0)
    for _ in range(frames):
        writer.write(image)
    writer.release()


def test_a_named_webcam_missing_at_start_is_waited_for(config: Config, tmp_path: Path) -> None:
    """A USB camera plugged in after the booth started: its device path appears, the booth opens it."""
    device = tmp_path / "dev" / "video0"
    device.parent.mkdir()
    camera = open_supervised(f"webcam:{device}", config, log=Log())
    try:
        assert camera.status.message == RETRYING
        assert camera.retry.reason == f"no webcam: {device} not found"
        assert camera.name == f"webcam {device}"
        _recording(tmp_path / "clip.avi")
        os.replace(tmp_path / "clip.avi", device)  # plugged in: the path appears whole
        wait_until(lambda: camera.retry is None, 6.0, "the camera", every=0.02)
        frame = camera.wait_frame(-1, 2.0)
        assert frame is not None and frame.image[120, 40, 1] > 200 and frame.image[120, 280, 1] < 60
    finally:
        camera.stop()


@pytest.mark.parametrize(
    "spec, message",
    [
        ("usb", 'camera source "usb": unknown source'),
        ("webcam:front", 'camera source "webcam:front": webcam wants a device number or path'),
        ("replay:{tmp}/none", "replay: {tmp}/none not found"),
        ("replay:{tmp}", "replay: no images in {tmp}"),
        ("scripted:nobody-000", "scripted subject: no neutral and smiling photo of 'nobody-000'"),
    ],
)
def test_a_configuration_the_booth_cannot_use_fails_at_once(config: Config, tmp_path: Path,
                                                            spec: str, message: str) -> None:
    log = Log()
    with pytest.raises(CameraError) as err:
        open_supervised(spec.format(tmp=tmp_path), config, log=log)
    assert str(err.value).startswith(message.format(tmp=tmp_path))
    # at once: no wait-and-retry and no second look (what "fails at once" means; not a wall-clock bound)
    assert not [line for line in log.lines if RETRYING in line or "again" in line], log.lines


def test_picamera2_not_installed_is_a_setup_fault_not_a_missing_camera(monkeypatch, config: Config) -> None:
    """No retry will install a library: say so at once (on a Pi the installer brings python3-picamera2)."""
    monkeypatch.setitem(sys.modules, "picamera2", None)
    monkeypatch.setitem(sys.modules, "libcamera", None)
    with pytest.raises(CameraError, match="^no Pi camera: picamera2 not installed$"):
        open_supervised("picamera", config, log=Log())


def test_auto_re_opens_the_pi_camera_it_chose(monkeypatch, config: Config) -> None:
    """The ribbon comes loose after `auto` chose the Pi camera: the booth says so and keeps trying the
    Pi camera; the demo subject never stands in (and the camera does not come back by itself)."""
    sensor = standin.Sensor(standin.small(standin.IMX708, 4))
    standin.install(monkeypatch, sensor)
    camera = open_supervised("auto", config, log=Log())
    try:
        first = camera.wait_frame(-1, 3.0)
        assert first is not None and camera.name == "Pi camera imx708"
        sensor.loosen_ribbon()
        wait_until(lambda: camera.retry is not None and camera.retry.attempts >= 1, 12.0, "a retry", every=0.02)
        assert camera.status.message == RETRYING
        assert camera.retry.reason.startswith("Pi camera imx708: no frame")
        assert camera.inner is None  # not the scripted subject meanwhile
        assert camera.wait_frame(first.index, 1.0) is None
    finally:
        camera.stop()
    assert not sensor.in_use


def test_auto_re_opens_the_fallback_it_chose(monkeypatch, config: Config, tmp_path: Path) -> None:
    """No camera at start: `auto` falls back to the scripted subject, and a re-open makes that again."""
    standin.install(monkeypatch, standin.Sensor(detected=False))
    monkeypatch.setattr(select, "AUTO_ORDER", ("picamera", f"webcam:{tmp_path}/video0", "scripted"))
    camera = open_supervised("auto", config, log=Log())
    try:
        assert camera.name == "scripted subject london-004"
        again = camera.factory()
        assert isinstance(again, ScriptedCamera) and again.source == "scripted:london-004"
    finally:
        camera.stop()
