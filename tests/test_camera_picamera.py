"""The Pi camera source, against the picamera2 stand-in (tests/picamera2_standin.py).

No Pi camera exists on this machine, so picamera2 and libcamera are replaced
in sys.modules by a stand-in that follows their API closely (see its
docstring). Everything of booth's runs for real.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

import picamera2_standin as standin
from booth.camera.base import CameraError, Health
from booth.camera.picamera import NOT_INSTALLED, PiCamera, af_window
from booth.config import CameraConfig
from booth.observation import Box

IMX708 = (4608, 2592)


def _config(**kw: object) -> CameraConfig:
    return CameraConfig(**{"preview_width": 640, "preview_height": 480, "fps": 30, "stall_timeout_s": 0.3, **kw})


def _events(what: str) -> list[standin.Event]:
    return [e for e in standin.Picamera2.events if e.what == what]


@pytest.fixture
def sensor(monkeypatch) -> standin.Sensor:
    sensor = standin.Sensor(model="imx708", size=IMX708, autofocus=True)
    standin.install(monkeypatch, sensor)
    return sensor


def _assert_colour_bars(image: np.ndarray) -> None:
    """The stand-in's sensor sees red | green | blue; booth must deliver them as RGB."""
    h, w = image.shape[:2]
    assert image[h // 2, w // 6].tolist() == [255, 0, 0]
    assert image[h // 2, w // 2].tolist() == [0, 255, 0]
    assert image[h // 2, 5 * w // 6].tolist() == [0, 0, 255]


def test_configurations_requested(sensor) -> None:
    with PiCamera(_config()) as camera:
        assert camera.wait_frame(-1, 2.0) is not None
        picam2 = standin.Picamera2.instances[0]
        assert isinstance(picam2.allocator, standin.PersistentAllocator)
        preview, still = camera._preview_config, camera._still_config
        assert camera.describe() == "Pi camera imx708: preview 640x480, stills 4608x2592"
    assert preview["use_case"] == "preview" and still["use_case"] == "still"
    assert preview["main"]["format"] == still["main"]["format"] == "RGB888"
    assert preview["main"]["size"] == (640, 480)
    assert still["main"]["size"] == IMX708  # the sensor's full resolution
    # Continuous autofocus in both, since each mode switch resets the controls.
    assert preview["controls"]["AfMode"] == standin.AfModeEnum.Continuous
    assert still["controls"]["AfMode"] == standin.AfModeEnum.Continuous
    assert preview["controls"]["FrameRate"] == 30
    assert _events("start")[0].controls["AfMode"] == standin.AfModeEnum.Continuous


def test_still_size_from_config(sensor) -> None:
    with PiCamera(_config(still_width=2304, still_height=1296)) as camera:
        assert camera._still_config["main"]["size"] == (2304, 1296)
        assert camera.still_size == (2304, 1296)
        stills = camera.capture_burst(1)
    assert stills[0].size == (2304, 1296)


def test_preview_is_rgb(sensor) -> None:
    with PiCamera(_config()) as camera:
        frame = camera.wait_frame(-1, 2.0)
    assert frame is not None and frame.size == (640, 480)
    _assert_colour_bars(frame.image)


def test_burst_focuses_on_the_face_first_then_returns_to_preview(sensor) -> None:
    face = Box(256, 176, 128, 128)  # the middle of the 640x480 preview
    with PiCamera(_config()) as camera:
        assert camera.wait_frame(-1, 2.0) is not None
        standin.Picamera2.events.clear()
        stills = camera.capture_burst(3, focus=face)
        after = camera.wait_frame(-1, 2.0)
        picam2 = standin.Picamera2.instances[0]
        in_effect = dict(picam2.controls_in_effect)
    assert len(stills) == 3 and all(s.size == IMX708 for s in stills)
    assert [s.index for s in stills] == sorted({s.index for s in stills})
    _assert_colour_bars(stills[0].image)
    whats = [(e.what, e.use_case) for e in standin.Picamera2.events if e.what != "configure"]
    first_still = whats.index(("start", "still"))
    cycle = whats.index(("autofocus_cycle", "still"))
    captures = [i for i, w in enumerate(whats) if w == ("capture", "still")]
    back = whats.index(("start", "preview"))
    assert first_still < cycle < captures[0] and len(captures) == 3 and captures[-1] < back
    # nothing of the preview ran while the still mode was on (the burst holds the device)
    assert all(w[1] == "still" for w in whats[first_still:back] if w[0] == "capture")
    start_still = standin.Picamera2.events[[e.what for e in standin.Picamera2.events].index("start")]
    assert start_still.controls["AfMode"] == standin.AfModeEnum.Continuous
    assert start_still.controls["AfMetering"] == standin.AfMeteringEnum.Windows
    # The face, in sensor pixels: the 4:3 preview sees the centred 3456x2592
    # of the 4608x2592 sensor, so (256..384, 176..304) of 640x480 is this:
    assert start_still.controls["AfWindows"] == [(576 + 1382, 950, 691, 691)]
    cycle_event = next(e for e in standin.Picamera2.events if e.what == "autofocus_cycle")
    assert cycle_event.controls["AfMode"] == standin.AfModeEnum.Auto
    # Back in preview, the mode switch reset the controls to continuous AF.
    assert in_effect["AfMode"] == standin.AfModeEnum.Continuous
    assert after is not None and after.size == (640, 480)


def test_persistent_allocator_keeps_one_buffer_set_per_mode(sensor) -> None:
    with PiCamera(_config(still_width=1152, still_height=648)) as camera:
        for _ in range(3):
            camera.capture_burst(1)
        allocator = standin.Picamera2.instances[0].allocator
        assert isinstance(allocator, standin.PersistentAllocator)
        assert allocator.allocations == ["preview", "still"]  # not one per switch
        assert len(_events("configure")) == 1 + 3 * 2


def test_camera_without_autofocus(monkeypatch) -> None:
    standin.install(monkeypatch, standin.Sensor(model="ov5647", size=(2592, 1944), autofocus=False))
    with PiCamera(_config()) as camera:
        stills = camera.capture_burst(2, focus=Box(10, 10, 50, 50))
        assert not camera.has_autofocus
        assert "AfMode" not in camera._preview_config["controls"]
        assert "AfMode" not in camera._still_config["controls"]
    assert [s.size for s in stills] == [(2592, 1944)] * 2
    assert not _events("autofocus_cycle")


def test_autofocus_off_in_config(sensor) -> None:
    with PiCamera(_config(autofocus=False)) as camera:
        camera.capture_burst(1, focus=Box(10, 10, 50, 50))
        assert "AfMode" not in camera._still_config["controls"]
    assert not _events("autofocus_cycle")


def test_rotated_preview_focus_maps_to_the_sensor(sensor) -> None:
    with PiCamera(_config(rotate=90)) as camera:
        frame = camera.wait_frame(-1, 2.0)
        assert frame is not None and frame.size == (480, 640) == camera.preview_size
        assert camera.still_size == (2592, 4608)
        # The top-left quarter of the rotated (480x640) preview is the
        # bottom-left quarter of the sensor's view.
        stills = camera.capture_burst(1, focus=Box(0, 0, 240, 320))
    assert stills[0].size == (2592, 4608)
    start_still = next(e for e in standin.Picamera2.events if e.what == "start" and e.use_case == "still")
    assert start_still.controls["AfWindows"] == [(576, 1296, 1728, 1296)]


def test_af_window_mapping() -> None:
    # Full field of view: proportional.
    assert af_window(Box(0, 0, 320, 240), (640, 480), (0, 0, 4000, 3000), (0, 0, 4000, 3000)) == (0, 0, 2000, 1500)
    # A crop offset inside the maximum, which itself has an origin.
    assert af_window(Box(64, 48, 64, 48), (640, 480), (116, 8, 2000, 1500), (16, 8, 4000, 3000)) == (300, 150, 200, 150)
    # Boxes reaching outside the frame are clipped to it.
    assert af_window(Box(-50, -50, 100, 100), (640, 480), (0, 0, 640, 480), (0, 0, 640, 480)) == (0, 0, 50, 50)


def test_not_installed(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "picamera2", None)  # as on any machine without python3-picamera2
    camera = PiCamera(_config())
    with pytest.raises(CameraError) as err:
        camera.start()
    assert str(err.value) == NOT_INSTALLED == "no Pi camera: picamera2 not installed"


def test_no_camera_connected(monkeypatch) -> None:
    standin.install(monkeypatch, standin.Sensor(connected=False))
    with pytest.raises(CameraError, match="no Pi camera: none connected"):
        PiCamera(_config()).start()


def test_unplugged_mid_stream_fails_and_waiters_return(sensor) -> None:
    camera = PiCamera(_config())
    camera.start()
    try:
        last = camera.wait_frame(-1, 2.0)
        assert last is not None
        sensor.unplug()
        began = time.monotonic()
        while (frame := camera.wait_frame(last.index, 5.0)) is not None:
            last = frame
        assert time.monotonic() - began < 3.0  # the 1 s frame timeout, not the 5 s wait
        status = camera.status
        assert status.health is Health.FAILED and "no frame within" in status.message
        with pytest.raises(CameraError):
            camera.capture_burst(1)
    finally:
        camera.stop()
    assert not sensor.in_use  # released, so it can be opened again
    assert _events("cancel")  # the hung job was cancelled before giving up
