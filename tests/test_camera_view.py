"""What the screen shows is what the photo holds, for every source (booth/camera/view.py).

Each source is told the screen's shape (frame_to); its preview frames and
its stills must then be of that shape and show the same area: a still
shrunk to the preview's size is the preview. A real face photo is the
scene (replay, and a recording standing in for a webcam); the scripted
subject is held still by its clock. The Pi camera's own check, over every
modelled sensor, is in test_camera_picamera.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.camera.replay import Replay
from booth.camera.scripted import ScriptedCamera
from booth.camera.threaded import ThreadedCamera
from booth.camera.view import crop_to, same_aspect, shown_area
from booth.camera.webcam import Webcam
from booth.config import CameraConfig, Config


def _camera_config(**kw: object) -> CameraConfig:
    return CameraConfig(**{"preview_width": 320, "preview_height": 240, "fps": 30, "stall_timeout_s": 0.5, **kw})


def test_shown_area() -> None:
    assert shown_area((640, 480), (16, 9)) == (0, 60, 640, 360)
    assert shown_area((1920, 1080), (4, 3)) == (240, 0, 1440, 1080)
    assert shown_area((640, 480), None) == (0, 0, 640, 480)
    assert shown_area((480, 640), (9, 16)) == (60, 0, 360, 640)
    assert same_aspect((640, 480), (4608, 2592)) == (640, 360)
    assert same_aspect((320, 240), (3280, 2464)) == (318, 240)  # even, and inside the box
    image = np.arange(12 * 16).reshape(12, 16)
    assert crop_to(image, (1, 1)).shape == (12, 12) and crop_to(image, (1, 1))[0, 0] == 2


def _photo(faces_dir: Path) -> np.ndarray:
    image = cv2.imread(str(faces_dir / "london" / "smiling" / "004.jpg"))
    assert image is not None
    return cv2.resize(image, (640, 480))  # a 4:3 scene, so every screen shape has something to cut away


def _replay(tmp_path: Path, faces_dir: Path) -> ThreadedCamera:
    folder = tmp_path / "scene"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), _photo(faces_dir))
    return Replay(_camera_config(), folder)


def _webcam(tmp_path: Path, faces_dir: Path) -> ThreadedCamera:
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    assert writer.isOpened()
    for _ in range(60):
        writer.write(_photo(faces_dir))
    writer.release()
    return Webcam(_camera_config(), str(clip))


def _scripted(tmp_path: Path, faces_dir: Path) -> ThreadedCamera:
    config = Config()
    config.camera = _camera_config(still_width=1280, still_height=720)  # another shape than the preview's
    config.scripted = replace(config.scripted, faces_dir=str(faces_dir))
    return ScriptedCamera(config, clock=lambda: 3.5)  # one moment: the subject stands still


@pytest.mark.parametrize("make", [_replay, _webcam, _scripted], ids=["replay", "webcam", "scripted"])
@pytest.mark.parametrize("screen", [(1920, 1080), (1080, 1920), (800, 600)])
def test_preview_and_still_show_the_same_area(tmp_path: Path, faces_dir: Path, make, screen) -> None:
    camera = make(tmp_path, faces_dir)
    camera.frame_to(*screen)
    with camera:
        first = camera.wait_frame(-1, 3.0)
        frame = camera.wait_frame(first.index, 3.0)
        still = camera.capture_burst(1)[0]
    assert frame is not None
    aspect = screen[0] / screen[1]
    assert abs(frame.size[0] / frame.size[1] - aspect) < 0.02
    assert abs(still.size[0] / still.size[1] - aspect) < 0.01
    assert frame.size == camera.preview_size and still.size == camera.still_size
    shrunk = cv2.resize(still.image, frame.size, interpolation=cv2.INTER_AREA).astype(np.int16)
    difference = np.abs(shrunk - frame.image.astype(np.int16)).mean()
    assert difference < 6.0, difference  # JPEG/MJPEG and scaling noise; another area would be tens
    # ... and a different area would be caught: the same still shifted by a tenth of its width is not it.
    shift = frame.size[0] // 10
    moved = np.abs(shrunk[:, shift:] - frame.image[:, :-shift].astype(np.int16)).mean()
    assert moved > 2 * difference
