"""Replay source: real face photos in a folder, and a real video file, looped."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from booth.camera.base import CameraError, Health
from booth.camera.replay import Replay, fit_size
from booth.config import CameraConfig


def _config(**kw: object) -> CameraConfig:
    return CameraConfig(**{"preview_width": 320, "preview_height": 240, "fps": 30, "stall_timeout_s": 0.3, **kw})


@pytest.fixture
def photo_folder(tmp_path: Path, face_labels) -> Path:
    """Three real face photos (copied to a temporary folder, never into the repo)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for i, label in enumerate([l for l in face_labels if l.set == "london"][:3]):
        shutil.copy(label.file, folder / f"{i:02d}.jpg")
    return folder


def _frames(camera, n: int) -> list:
    frames, after = [], -1
    while len(frames) < n:
        frame = camera.wait_frame(after, 2.0)
        assert frame is not None, camera.status
        frames.append(frame)
        after = frame.index
    return frames


def test_folder_plays_in_order_and_loops(photo_folder: Path) -> None:
    files = sorted(photo_folder.iterdir())
    natives = [cv2.cvtColor(cv2.imread(str(f)), cv2.COLOR_BGR2RGB) for f in files]
    with Replay(_config(), photo_folder) as camera:
        frames = _frames(camera, 8)
        assert camera.status.health is Health.OK
    # 800x800 photos fit a 320x240 preview as 240x240, aspect kept.
    assert camera.preview_size == (240, 240) and camera.still_size == (800, 800)
    assert camera.describe() == f"replay {photo_folder}: preview 240x240, stills 800x800"
    for frame in frames:
        assert frame.image.shape == (240, 240, 3) and frame.image.dtype == np.uint8
    assert [f.index for f in frames] == sorted({f.index for f in frames})
    assert all(a.timestamp < b.timestamp for a, b in zip(frames, frames[1:]))
    # Frames may be skipped by the one-slot buffer, but each is one of the
    # photos, in folder order, RGB (compared with the photo scaled the same way).
    shown = []
    for frame in frames:
        errors = [np.abs(cv2.resize(n, (240, 240), interpolation=cv2.INTER_AREA).astype(int) - frame.image).mean()
                  for n in natives]
        assert min(errors) < 1.0
        shown.append(int(np.argmin(errors)))
    assert len(set(shown)) >= 2  # it moves on
    assert len(frames) > len(files)  # and loops past the end


def test_still_is_the_current_frame_at_native_resolution(photo_folder: Path) -> None:
    with Replay(_config(), photo_folder) as camera:
        _frames(camera, 2)
        stills = camera.capture_burst(2)
    natives = [cv2.cvtColor(cv2.imread(str(f)), cv2.COLOR_BGR2RGB) for f in sorted(photo_folder.iterdir())]
    assert [s.size for s in stills] == [(800, 800), (800, 800)]
    assert any(np.array_equal(stills[0].image, n) for n in natives)
    assert stills[0].index < stills[1].index


def test_video_file_loops_at_the_configured_rate(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
    for i in range(5):
        frame = np.zeros((120, 160, 3), np.uint8)
        frame[:, :, 1] = 40 * i + 20  # green level marks the frame number
        writer.write(frame)
    writer.release()
    with Replay(_config(), path) as camera:
        frames = _frames(camera, 12)
    assert camera.preview_size == (160, 120)
    greens = [round((f.image[:, :, 1].mean() - 20) / 40) for f in frames]
    assert set(greens) <= set(range(5))
    assert len(frames) > 5 and len(set(greens)) >= 3  # loops over the 5-frame clip


def test_cue_is_ignored_by_a_replay(photo_folder: Path) -> None:
    with Replay(_config(), photo_folder) as camera:
        camera.cue("coach", "smile")
        assert camera.wait_frame(-1, 2.0) is not None


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing", "not found"),
        (lambda p: p, "no images in"),
        (lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt", "not a video OpenCV can read"),
    ],
)
def test_bad_paths_give_one_clear_error(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    camera = Replay(_config(), path)
    with pytest.raises(CameraError, match=message):
        camera.start()
    assert camera.status.health is Health.FAILED
    assert str(path) in camera.status.message


def test_frames_stopping_mid_stream_fail_without_hanging(photo_folder: Path) -> None:
    """The folder's images vanish (a pulled USB stick): FAILED, and waiters return at once."""
    camera = Replay(_config(), photo_folder)
    camera.start()
    try:
        last = _frames(camera, 2)[-1]
        for f in photo_folder.iterdir():
            f.unlink()
        began = time.monotonic()
        while camera.wait_frame(last.index, 5.0) is not None:
            last = camera.latest()
            assert time.monotonic() - began < 3.0
        assert time.monotonic() - began < 1.0  # told at once, long before the 5 s timeout
        status = camera.status
        assert status.health is Health.FAILED
        assert "cannot read" in status.message and str(photo_folder) in status.message
        with pytest.raises(CameraError, match="cannot read"):
            camera.capture_burst(1)
    finally:
        camera.stop()


def test_fit_size_keeps_aspect_and_never_enlarges() -> None:
    assert fit_size((800, 800), (640, 480)) == (480, 480)
    assert fit_size((1920, 1080), (640, 480)) == (640, 360)
    assert fit_size((100, 50), (640, 480)) == (100, 50)
