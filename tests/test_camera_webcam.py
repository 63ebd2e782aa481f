"""The webcam source through a real cv2.VideoCapture.

No webcam exists on this machine, so a short video file written with
cv2.VideoWriter stands in for the device: VideoCapture opens a path the same
way it opens /dev/videoN, and the end of the file is a camera that stops
delivering (unplugged).
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.camera.base import CameraError, Health
from booth.camera.webcam import Webcam, device_arg
from booth.config import CameraConfig

SIZE = (320, 240)


def _config(**kw: object) -> CameraConfig:
    return CameraConfig(**{"preview_width": 160, "preview_height": 120, "fps": 30, "stall_timeout_s": 0.3, **kw})


def _video(path: Path, frames: int) -> Path:
    """Left half red, right half blue (written as BGR, as OpenCV does)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, SIZE)
    assert writer.isOpened()
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    image[:, : SIZE[0] // 2] = (0, 0, 255)  # BGR red
    image[:, SIZE[0] // 2 :] = (255, 0, 0)  # BGR blue
    for _ in range(frames):
        writer.write(image)
    writer.release()
    return path


def test_frames_arrive_as_rgb(tmp_path: Path) -> None:
    device = _video(tmp_path / "cam.avi", 90)
    with Webcam(_config(), str(device)) as camera:
        frame = camera.wait_frame(-1, 2.0)
        assert frame is not None
        assert camera.status.health is Health.OK
        assert camera.describe() == f"webcam {device}: preview 160x120, stills 320x240"
    # One stream (a file has one size whatever is asked); the preview is it, shrunk: the same area.
    assert frame.size == (160, 120) == camera.preview_size
    left, right = frame.image[60, 20].astype(int), frame.image[60, 140].astype(int)
    assert left[0] > 200 and left[2] < 60  # red in RGB order
    assert right[2] > 200 and right[0] < 60  # blue


def test_burst(tmp_path: Path) -> None:
    with Webcam(_config(), str(_video(tmp_path / "cam.avi", 90))) as camera:
        first = camera.wait_frame(-1, 2.0)
        stills = camera.capture_burst(3)
        after = camera.wait_frame(first.index, 2.0)
    assert [s.size for s in stills] == [SIZE] * 3
    assert first.index < stills[0].index < stills[1].index < stills[2].index
    assert after is not None  # the preview carries on after the burst
    assert stills[0].image[120, 40, 0] > 200


def test_device_that_stops_delivering_fails_without_hanging(tmp_path: Path) -> None:
    with Webcam(_config(), str(_video(tmp_path / "short.avi", 8))) as camera:
        last = camera.wait_frame(-1, 2.0)
        began = time.monotonic()
        while (frame := camera.wait_frame(last.index, 5.0)) is not None:
            last = frame
        assert time.monotonic() - began < 2.0
        status = camera.status
        assert status.health is Health.FAILED
        assert "stopped delivering frames" in status.message
        with pytest.raises(CameraError, match="stopped delivering"):
            camera.capture_burst(1)


def test_missing_devices(tmp_path: Path) -> None:
    with pytest.raises(CameraError) as err:
        Webcam(_config(), str(tmp_path / "video9")).start()
    assert str(err.value) == f"no webcam: {tmp_path / 'video9'} not found"
    if not Path("/dev/video57").exists():
        with pytest.raises(CameraError, match="no webcam: /dev/video57 not found"):
            Webcam(_config(), 57).start()


def test_not_a_camera(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a camera")
    with pytest.raises(CameraError, match="could not be opened|delivered no frame"):
        Webcam(_config(), str(path)).start()


def test_device_arg() -> None:
    assert device_arg(None) == 0
    assert device_arg("2") == 2
    assert device_arg("/dev/video2") == "/dev/video2"
