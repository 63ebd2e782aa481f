"""The shared capture thread: rotation, health, faults mid-stream, bursts.

Faults are injected into a real source (the scripted subject) by making its
capture raise or hang, the two ways a camera driver goes wrong.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.camera.base import CameraError, Health
from booth.camera.replay import Replay
from booth.camera.scripted import ScriptedCamera
from booth.camera.threaded import rotate_image, rotated_size, unrotate_box
from booth.config import CameraConfig, Config
from booth.observation import Box


def _config(**camera: object) -> Config:
    config = Config()
    config.camera = CameraConfig(**{"preview_width": 320, "preview_height": 240, "fps": 30,
                                    "stall_timeout_s": 0.3, **camera})
    return config


def _white_box(image: np.ndarray) -> Box:
    ys, xs = np.nonzero(image[:, :, 0] > 128)
    return Box(int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_unrotate_box_inverts_the_rotation(degrees: int) -> None:
    raw = np.zeros((30, 40, 3), np.uint8)
    raw[4:10, 25:37] = 255  # a box at x=25, y=4, 12 wide, 6 high
    rotated = rotate_image(raw, degrees)
    assert rotated.flags.c_contiguous
    assert (rotated.shape[1], rotated.shape[0]) == rotated_size((40, 30), degrees)
    seen = _white_box(rotated)
    assert unrotate_box(seen, degrees, (rotated.shape[1], rotated.shape[0])) == Box(25, 4, 12, 6)
    if degrees == 90:  # clockwise: the top-right corner goes to the bottom-right
        assert seen.x + seen.w == 30 - 4 and seen.y == 25


def test_rotate_applies_to_preview_and_stills(tmp_path: Path, face_labels) -> None:
    image = cv2.imread(str(next(l.file for l in face_labels if l.set == "zoom")))
    assert image.shape[0] != image.shape[1]
    folder = tmp_path / "one"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), image)
    with Replay(_config(rotate=90).camera, folder) as camera:
        frame = camera.wait_frame(-1, 2.0)
        still = camera.capture_burst(1)[0]
    h, w = image.shape[:2]
    assert camera.still_size == (h, w) and still.size == (h, w)
    assert frame is not None and frame.size == camera.preview_size
    expected = cv2.rotate(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), cv2.ROTATE_90_CLOCKWISE)
    assert np.array_equal(still.image, expected)


def test_lifecycle_frames_and_status() -> None:
    camera = ScriptedCamera(_config())
    assert camera.status.health is Health.STOPPED
    camera.start()
    try:
        assert camera.status.health in (Health.STARTING, Health.OK)
        frames, after = [], -1
        for _ in range(4):
            frame = camera.wait_frame(after, 2.0)
            assert frame is not None
            frames.append(frame)
            after = frame.index
        assert camera.status.health is Health.OK
        assert camera.latest() is not None
        for frame in frames:
            assert frame.image.dtype == np.uint8 and frame.image.shape == (240, 320, 3)
            assert frame.image.flags.c_contiguous
        assert all(a.index < b.index and a.timestamp < b.timestamp for a, b in zip(frames, frames[1:]))
        assert frames[-1].timestamp <= time.monotonic()
        with pytest.raises(ValueError):
            camera.capture_burst(0)
    finally:
        camera.stop()
        camera.stop()  # safe twice
    assert camera.status.health is Health.STOPPED
    assert camera.wait_frame(frames[-1].index, 1.0) is None


def test_a_source_that_raises_mid_stream_fails_and_wait_frame_returns_none() -> None:
    camera = ScriptedCamera(_config())
    camera.start()
    try:
        first = camera.wait_frame(-1, 2.0)
        assert first is not None

        def broken() -> np.ndarray:
            raise OSError("sensor I/O error")

        camera._grab = broken  # the driver starts failing
        began = time.monotonic()
        last = first
        while (frame := camera.wait_frame(last.index, 5.0)) is not None:
            last = frame
        assert time.monotonic() - began < 1.0  # not the 5 s timeout: waiters are woken
        status = camera.status
        assert status.health is Health.FAILED
        assert "sensor I/O error" in status.message and "OSError" in status.message
        assert camera.wait_frame(-1, 5.0) is None and time.monotonic() - began < 1.5
        with pytest.raises(CameraError, match="sensor I/O error"):
            camera.capture_burst(1)
        del camera._grab  # the driver recovers; starting again opens afresh
        camera.start()
        assert camera.wait_frame(-1, 2.0) is not None
        assert camera.status.health is Health.OK
    finally:
        camera.stop()


def test_a_source_that_hangs_mid_stream_is_reported_stalled() -> None:
    camera = ScriptedCamera(_config())
    camera.capture_timeout_s = 0.5
    release = threading.Event()
    camera.start()
    try:
        first = camera.wait_frame(-1, 2.0)
        assert first is not None
        grab = camera._grab
        camera._grab = lambda: (release.wait(10.0), grab())[1]  # the driver blocks inside a read
        began = time.monotonic()
        last = first
        while (frame := camera.wait_frame(last.index, 0.5)) is not None:
            last = frame
        waited = time.monotonic() - began
        assert waited < 2.0  # returned None after its own timeout; did not hang
        time.sleep(0.35)
        status = camera.status
        assert status.health is Health.STALLED
        assert "no frame for" in status.message
        began = time.monotonic()
        with pytest.raises(CameraError, match="not responding"):
            camera.capture_burst(1)
        assert time.monotonic() - began < 2.0
        release.set()  # the driver recovers by itself
        assert camera.wait_frame(last.index, 2.0) is not None
        assert camera.status.health is Health.OK
    finally:
        release.set()
        camera.stop()


def test_a_burst_does_not_count_as_a_stall() -> None:
    camera = ScriptedCamera(_config())
    camera.start()
    try:
        assert camera.wait_frame(-1, 2.0) is not None
        grab_stills = camera._grab_stills

        def slow(count, focus):
            time.sleep(0.5)  # longer than stall_timeout_s: a full-resolution switch on a Pi can be
            return grab_stills(count, focus)

        camera._grab_stills = slow
        seen = []
        worker = threading.Thread(target=lambda: seen.append(camera.capture_burst(2)))
        worker.start()
        time.sleep(0.4)
        assert camera.status.health is Health.OK and camera.status.message == "capturing"
        worker.join(5.0)
        assert [f.size for f in seen[0]] == [(640, 480), (640, 480)]
        assert camera.status.health is Health.OK
    finally:
        camera.stop()
