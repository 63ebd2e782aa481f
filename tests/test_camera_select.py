"""Choosing a camera from a --camera spec, and `auto` explaining its choice."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

import picamera2_standin as standin
from booth.camera import select
from booth.camera.base import CameraError, Health
from booth.camera.select import make_camera, open_camera, open_supervised, parse_source
from booth.camera.supervisor import SupervisedCamera
from booth.config import CameraConfig, Config


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, msg: str, *args: object) -> None:
        self.lines.append(msg % args if args else msg)

    warning = error = debug = info


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


def test_auto_order() -> None:
    assert select.AUTO_ORDER == ("picamera", "webcam:0", "scripted")


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
    standin.install(monkeypatch, standin.Sensor(size=(2304, 1296)))  # stand-in: no Pi camera here
    log = Log()
    camera = open_camera(None, config, log=log)  # None: config.camera.source, "auto" by default
    camera.stop()
    assert log.lines == ["camera: using Pi camera imx708: preview 320x240, stills 2304x1296"]


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
