"""The real Pi camera, where there is one: preview frames arrive, the preview shows the still's area, a burst lands.

Every other camera test runs against the picamera2 stand-in. On a Raspberry
Pi with a camera module (python3-picamera2 seen through the venv, a camera
listed by libcamera) this one opens the booth's own PiCamera on the real
sensor. Elsewhere it is reported as not run, with the reason: the hardware
is absent, not the work. Point the camera at something with detail (not a
blank wall, not a lens cap): the field of view is compared by content.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from booth.camera.base import Frame
from booth.config import CameraConfig
from machine import importable


def _no_pi_camera() -> str:
    """Why the real-camera test cannot run here ("" when it can)."""
    if not importable("picamera2"):
        return "picamera2 is not installed (on Raspberry Pi OS: python3-picamera2, seen through the venv)"
    from picamera2 import Picamera2

    from booth.camera.picamera import is_usb

    cameras = [info for info in Picamera2.global_camera_info() if not is_usb(info)]
    if not cameras:
        return "libcamera lists no Pi camera module (`rpicam-hello --list-cameras`)"
    return ""


def _gray(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    small = cv2.resize(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), size, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small.astype(np.float32), (5, 5), 0)
    return (small - small.mean()) / (small.std() + 1e-6)


def _likeness(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two standardised images of one size (1 = the same picture)."""
    return float((a * b).mean())


@pytest.fixture(scope="module")
def pi_camera():
    why = _no_pi_camera()
    if why:
        pytest.skip(f"no real Pi camera on this machine: {why}")
    from booth.camera.picamera import PiCamera

    camera = PiCamera(CameraConfig(fps=30))
    try:
        camera.start()
    except Exception as exc:  # noqa: BLE001 — say what stopped it (the booth service may hold the camera)
        pytest.fail(f"the Pi camera is there but did not start: {exc} (is `systemctl status booth` running it?)")
    yield camera
    camera.stop()


def test_preview_frames_arrive(pi_camera) -> None:
    first = pi_camera.wait_frame(-1, timeout=10.0)
    assert first is not None, "no preview frame within 10 s"
    frames: list[Frame] = [first]
    while len(frames) < 10:
        frame = pi_camera.wait_frame(frames[-1].index, timeout=2.0)
        assert frame is not None, f"preview stopped after {len(frames)} frames"
        frames.append(frame)
    span = frames[-1].timestamp - frames[0].timestamp
    fps = (len(frames) - 1) / span
    assert fps >= 5, f"{fps:.1f} preview frames a second"
    assert frames[-1].image.shape[2] == 3 and frames[-1].image.dtype == np.uint8
    print(f"{pi_camera.name}: preview {pi_camera.preview_size} at {fps:.1f} fps")


def test_preview_shows_the_area_the_still_holds_and_a_burst_lands(pi_camera) -> None:
    preview = pi_camera.wait_frame(-1, timeout=10.0)
    assert preview is not None
    burst = pi_camera.capture_burst(3)
    assert len(burst) == 3
    assert all(f.size == pi_camera.still_size for f in burst)
    assert burst[0].timestamp < burst[1].timestamp < burst[2].timestamp
    print(f"burst span {1000 * (burst[2].timestamp - burst[0].timestamp):.0f} ms at {pi_camera.still_size}")
    (pw, ph), (sw, sh) = preview.size, burst[0].size
    assert abs(pw / ph - sw / sh) < 0.02, f"preview {pw}x{ph} and still {sw}x{sh} differ in shape"
    size = (160, round(160 * ph / pw))
    shown = _gray(preview.image, size)
    if float(cv2.resize(cv2.cvtColor(preview.image, cv2.COLOR_RGB2GRAY), size).std()) < 4:
        pytest.fail("the scene is too even to compare (lens cap on, or a blank wall?): point the camera at detail")
    whole = _likeness(shown, _gray(burst[0].image, size))
    # What a zoomed-in preview would show: the centre half of the still.
    centre = burst[0].image[sh // 4: sh - sh // 4, sw // 4: sw - sw // 4]
    zoomed = _likeness(shown, _gray(centre, size))
    print(f"preview against the whole still {whole:.2f}, against its centre half {zoomed:.2f}")
    assert whole > 0.7 and whole > zoomed + 0.1, (whole, zoomed)
