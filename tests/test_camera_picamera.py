"""The Pi camera source, against the picamera2 stand-in (tests/picamera2_standin.py).

No Pi camera exists on this machine, so picamera2 and libcamera are replaced
in sys.modules by a stand-in modelled on the real sensors and on picamera2
(see its docstring). Everything of booth's runs for real.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

import picamera2_standin as standin
from booth.camera.base import CameraError, Health, NotDetected
from booth.camera.picamera import BUFFERS, NOT_INSTALLED, PiCamera, af_window
from booth.config import CameraConfig
from booth.observation import Box


def _config(**kw: object) -> CameraConfig:
    return CameraConfig(**{"preview_width": 640, "preview_height": 480, "fps": 30, "stall_timeout_s": 0.5, **kw})


def _events(what: str) -> list[standin.Event]:
    return [e for e in standin.Picamera2.events if e.what == what]


def ruler(width: int, height: int) -> np.ndarray:
    """What the whole pixel array sees: red rises left to right, green top to bottom (where a pixel
    came from on the sensor can be read off its colour)."""
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :, 0] = np.linspace(0, 255, width, dtype=np.float32)[None, :].astype(np.uint8)
    image[:, :, 1] = np.linspace(0, 255, height, dtype=np.float32)[:, None].astype(np.uint8)
    image[:, :, 2] = 128
    return image


@pytest.fixture
def sensor(monkeypatch) -> standin.Sensor:
    sensor = standin.Sensor(standin.small(standin.IMX708, 4))
    standin.install(monkeypatch, sensor)
    return sensor


def _assert_colour_bars(image: np.ndarray) -> None:
    """The stand-in's sensor sees red | green | blue; booth must deliver them as RGB."""
    h, w = image.shape[:2]
    for x, channel in ((w // 6, 0), (w // 2, 1), (5 * w // 6, 2)):  # within the YUV420 preview's rounding
        pixel = image[h // 2, x].astype(int)
        assert pixel[channel] > 245 and np.delete(pixel, channel).max() < 10, (x, pixel)


def test_one_configuration_full_resolution_with_a_lores_preview(sensor) -> None:
    with PiCamera(_config()) as camera:
        frame = camera.wait_frame(-1, 3.0)
        assert frame is not None
        picam2 = standin.Picamera2.instances[0]
        config, mode = picam2.camera_config, picam2.mode
        assert camera.describe() == "Pi camera imx708: preview 640x360, stills 1152x648"
    assert config["use_case"] == "still" and config["buffer_count"] == BUFFERS
    assert config["main"] == {"format": "RGB888", "size": (1152, 648), "preserve_ar": True}
    # The lores stream has the still's aspect ratio (16:9), so it shows the same area.
    assert config["lores"] == {"format": "YUV420", "size": (640, 360), "preserve_ar": False}
    assert mode.size == (1152, 648)  # the full-resolution mode, not the cropped binned one
    assert config["controls"]["AfMode"] == standin.AfModeEnum.Continuous
    assert frame.size == (640, 360)
    _assert_colour_bars(frame.image)


def test_the_shot_needs_no_mode_switch_and_no_focus_cycle(sensor) -> None:
    face = Box(280, 140, 80, 80)
    with PiCamera(_config()) as camera:
        camera.follow_face(lambda: face)
        first = camera.wait_frame(-1, 3.0)
        assert first is not None and camera.wait_frame(first.index, 3.0) is not None
        # Before any trigger, the running camera already focuses where the face is.
        aimed = [e for e in _events("set_controls") if "AfWindows" in e.controls]
        assert aimed and aimed[0].controls["AfMetering"] == standin.AfMeteringEnum.Windows
        # (280..360, 140..220) of 640x360 is the middle of the 1152x648 sensor's view:
        assert aimed[0].controls["AfWindows"] == [(504, 252, 144, 144)]
        standin.Picamera2.events.clear()
        trigger = time.monotonic()
        stills = camera.capture_burst(3, focus=face)
        after = camera.wait_frame(-1, 3.0)
        whats = {e.what for e in standin.Picamera2.events}
    assert not whats & {"configure", "stop", "start", "autofocus_cycle"}
    assert [s.size for s in stills] == [(1152, 648)] * 3
    _assert_colour_bars(stills[0].image)
    # Each still's timestamp is when its exposure began: never before the trigger, then frame by frame.
    assert trigger <= stills[0].timestamp < stills[1].timestamp < stills[2].timestamp
    frame_s = 1 / 14.35  # the full-resolution mode's rate
    assert np.diff([s.timestamp for s in stills]) == pytest.approx([frame_s, frame_s], rel=0.01)
    assert after is not None and after.size == (640, 360)


def test_the_first_still_never_began_before_the_trigger_wherever_it_falls_in_a_frame(sensor) -> None:
    """The trigger swept across a frame time: however the preview thread and the sensor line up, the
    first still is a frame whose exposure began at or after the trigger (picamera2's ``flush``), never
    one already exposing when the moment came. (How soon after is measured in benchmarks/shutter.py.)"""
    frame_s = 1 / 14.35  # the full-resolution mode's rate: the sensor model's frame time
    with PiCamera(_config()) as camera:
        seen = camera.wait_frame(-1, 3.0)
        assert seen is not None
        for step in range(12):
            seen = camera.wait_frame(seen.index, 3.0) or seen
            time.sleep(step * frame_s / 12)  # a different moment in the frame each time
            trigger = time.monotonic()
            still = camera.capture_burst(1)[0]
            assert still.timestamp >= trigger, (step, still.timestamp - trigger)


def test_autofocus_that_fails_never_holds_up_the_shot(monkeypatch) -> None:
    """A blank wall behind the subject: the scan fails; the burst is taken all the same."""
    sensor = standin.Sensor(standin.small(standin.IMX708, 4), af_fails=True)
    standin.install(monkeypatch, sensor)
    with PiCamera(_config()) as camera:
        assert camera.wait_frame(-1, 3.0) is not None
        picam2 = standin.Picamera2.instances[0]
        stills = camera.capture_burst(2, focus=Box(10, 10, 50, 50))
        time.sleep(16 / 14.35)  # longer than a scan
        assert picam2.capture_metadata(wait=2.0)["AfState"] == standin.AfStateEnum.Failed
    assert len(stills) == 2 and not _events("autofocus_cycle")


@pytest.mark.parametrize("model", standin.MODELS, ids=lambda m: m.name)
@pytest.mark.parametrize("screen, rotate", [((1920, 1080), 0), ((1024, 768), 0), ((1080, 1920), 90)])
def test_preview_and_stills_cover_the_same_area_on_every_sensor(monkeypatch, model: standin.Model,
                                                                  screen: tuple[int, int], rotate: int) -> None:
    """What the screen shows is what the photo holds: the still, shrunk to the preview's size, is the
    preview (the ruler picture tells where every pixel came from on the sensor)."""
    sensor = standin.Sensor(standin.small(model, 4), picture=ruler)
    standin.install(monkeypatch, sensor)
    with PiCamera(_config(rotate=rotate)) as camera:
        camera.frame_to(*screen)
        first = camera.wait_frame(-1, 3.0)
        frame = camera.wait_frame(first.index, 3.0)
        still = camera.capture_burst(1)[0]
        picam2 = standin.Picamera2.instances[0]
        crops = dict(picam2.crops)
    assert frame is not None
    pw, ph = frame.size
    sw, sh = still.size
    assert abs(pw / ph - screen[0] / screen[1]) < 0.02 and abs(sw / sh - screen[0] / screen[1]) < 0.01
    # Both streams read the same area of the sensor ...
    assert crops["lores"] == crops["main"]
    # ... and the screen's crop takes the same part of each.
    import cv2
    shrunk = cv2.resize(still.image, (pw, ph), interpolation=cv2.INTER_AREA).astype(np.int16)
    difference = np.abs(shrunk - frame.image.astype(np.int16))[:, :, :2]
    assert difference.mean() < 3.0, difference.mean()
    # And that area is the whole field the sensor's full-resolution mode sees, cut only to the screen's shape.
    red = frame.image[ph // 2, [0, -1], 0] if rotate == 0 else frame.image[[0, -1], pw // 2, 0]
    across = screen[0] / screen[1] if rotate == 0 else screen[1] / screen[0]  # the screen, sensor way up
    seen = min(1.0, across / (model.pixel_array[0] / model.pixel_array[1]))  # the sensor's width shown
    assert int(red[1]) - int(red[0]) == pytest.approx(255 * seen, abs=12)


def test_a_pi_4_gets_a_yuv_lores_stream_of_the_same_area(monkeypatch) -> None:
    """Pi 4 (VC4 ISP): the lores stream must be YUV and shares the main stream's crop."""
    standin.install(monkeypatch, standin.Sensor(standin.small(standin.IMX219, 4), picture=ruler, platform="vc4"))
    with PiCamera(_config()) as camera:
        camera.frame_to(1920, 1080)
        first = camera.wait_frame(-1, 3.0)
        frame = camera.wait_frame(first.index, 3.0)
        still = camera.capture_burst(1)[0]
    import cv2
    shrunk = cv2.resize(still.image, frame.size, interpolation=cv2.INTER_AREA).astype(np.int16)
    assert np.abs(shrunk - frame.image.astype(np.int16))[:, :, :2].mean() < 3.0


def test_the_old_preview_mode_would_have_shown_less(monkeypatch) -> None:
    """Why one configuration: picamera2 gives a 640x480 preview on IMX708 the 2x2-binned 1536x864
    mode read from the centre 3072x1728 only, two thirds of the width the still holds."""
    standin.install(monkeypatch, standin.Sensor(standin.IMX708))
    picam2 = standin.Picamera2(0)
    assert picam2.camera_properties["ScalerCropMaximum"] == (0, 0, 0, 0)  # no mode yet
    picam2.configure(picam2.create_preview_configuration(main={"size": (640, 480)}))
    assert picam2.mode.size == (1536, 864)
    assert picam2.camera_properties["ScalerCropMaximum"] == (768, 432, 3072, 1728)
    assert picam2.crops["main"] == (768 + 384, 432, 2304, 1728)  # and 4:3 of that: half the sensor's width
    picam2.close()


def test_camera_without_autofocus(monkeypatch) -> None:
    standin.install(monkeypatch, standin.Sensor(standin.small(standin.OV5647, 2)))
    with PiCamera(_config()) as camera:
        camera.follow_face(lambda: Box(10, 10, 50, 50))
        assert camera.wait_frame(-1, 3.0) is not None
        stills = camera.capture_burst(2, focus=Box(10, 10, 50, 50))
        assert not camera.has_autofocus
        assert "AfMode" not in camera._config["controls"]
    assert [s.size for s in stills] == [(1296, 972)] * 2
    assert not [e for e in _events("set_controls") if "AfWindows" in e.controls]


def test_autofocus_off_in_config(sensor) -> None:
    with PiCamera(_config(autofocus=False)) as camera:
        camera.follow_face(lambda: Box(10, 10, 50, 50))
        assert camera.wait_frame(-1, 3.0) is not None
        camera.capture_burst(1, focus=Box(10, 10, 50, 50))
        assert "AfMode" not in camera._config["controls"]
    assert not _events("autofocus_cycle") and not _events("set_controls")


def test_rotated_preview_focus_maps_to_the_sensor(sensor) -> None:
    with PiCamera(_config(rotate=90)) as camera:
        frame = camera.wait_frame(-1, 3.0)
        assert frame is not None and frame.size == (360, 640) == camera.preview_size
        assert camera.still_size == (648, 1152)
        # The top-left quarter of the rotated preview is the bottom-left quarter of the sensor's view.
        camera.capture_burst(1, focus=Box(0, 0, 180, 320))
    aimed = [e for e in _events("set_controls") if "AfWindows" in e.controls]
    assert aimed[-1].controls["AfWindows"] == [(0, 324, 576, 324)]


def test_focus_follows_the_face_in_the_shown_area(sensor) -> None:
    """On a square screen the preview is the middle 360x360 of the 640x360 stream: a face in its
    top-left corner is that far into the sensor's view, not at its edge."""
    with PiCamera(_config()) as camera:
        camera.frame_to(1, 1)
        camera.follow_face(lambda: Box(0, 0, 180, 180))
        first = camera.wait_frame(-1, 3.0)
        assert camera.wait_frame(first.index, 3.0).size == (360, 360)
    aimed = [e for e in _events("set_controls") if "AfWindows" in e.controls]
    assert aimed[-1].controls["AfWindows"] == [(252, 0, 324, 324)]  # (140, 0, 180, 180) of 640x360, x1.8


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


def test_no_camera_found_at_boot(monkeypatch) -> None:
    standin.install(monkeypatch, standin.Sensor(detected=False))
    with pytest.raises(NotDetected, match=r"^no Pi camera: none connected \(check the ribbon cable"):
        PiCamera(_config()).start()


def test_a_usb_webcam_libcamera_lists_is_not_taken_for_a_pi_camera(monkeypatch) -> None:
    """libcamera lists USB webcams too; through picamera2 their frames are true RGB, which the Pi
    camera's BGR conversion would swap. The Pi camera source leaves them to the webcam source."""
    webcam = standin.Sensor(standin.USB_WEBCAM)
    standin.install(monkeypatch, webcam)
    with pytest.raises(NotDetected, match=r"only a USB camera \(HD USB Camera\), used as a webcam"):
        PiCamera(_config()).start()
    assert not webcam.in_use
    # With a Pi camera beside it (libcamera lists the USB one last), the Pi camera is opened.
    standin.install(monkeypatch, webcam, standin.Sensor(standin.small(standin.IMX219, 4)))
    with PiCamera(_config()) as camera:
        frame = camera.wait_frame(-1, 3.0)
    assert camera.name == "Pi camera imx219" and not webcam.in_use
    _assert_colour_bars(frame.image)


def test_a_second_user_finds_the_camera_busy(sensor) -> None:
    with PiCamera(_config()) as camera:
        assert camera.wait_frame(-1, 3.0) is not None
        with pytest.raises(CameraError, match="Device or resource busy"):
            PiCamera(_config()).start()
        assert camera.status.health is Health.OK


def test_a_camera_open_in_another_process_is_busy(monkeypatch, tmp_path) -> None:
    """booth doctor run beside a running booth: libcamera lets one process have the camera."""
    import subprocess
    import textwrap
    from pathlib import Path

    lock = tmp_path / "camera.lock"
    standin.install(monkeypatch, standin.Sensor(standin.small(standin.IMX708, 4), lock_path=str(lock)))
    tests = Path(__file__).resolve().parent
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(tests)!r})
        import picamera2_standin as s
        s.Picamera2.sensors = [s.Sensor(s.small(s.IMX708, 4), lock_path={str(lock)!r})]
        cam = s.Picamera2(0)
        print("open", flush=True)
        time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(CameraError, match="Device or resource busy"):
            PiCamera(_config()).start()
    finally:
        holder.kill()
        holder.wait()
    with PiCamera(_config()) as camera:  # the other process is gone: the camera is free again
        assert camera.wait_frame(-1, 3.0) is not None


def test_a_loose_ribbon_fails_waiters_and_never_comes_back(sensor) -> None:
    camera = PiCamera(_config())
    camera.start()
    try:
        last = camera.wait_frame(-1, 3.0)
        assert last is not None
        sensor.loosen_ribbon()
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
    whats = [e.what for e in standin.Picamera2.events]
    assert whats.index("timeout") < whats.index("cancel")  # the timed-out job was cancelled, not left to eat a frame
    # Opening it again finds the camera listed, but it sends nothing: no hot-plugging.
    again = PiCamera(_config())
    again.start()
    try:
        assert again.wait_frame(-1, 2.0) is None
    finally:
        again.stop()


# ---------------------------------------------------------------- the stand-in's own model


def test_standin_buffers_and_pacing(monkeypatch) -> None:
    """One buffer: every capture waits for a fresh frame and the next is lost; more: the newest
    finished frame at once; a timed-out job eats the next frame until cancelled."""
    standin.install(monkeypatch, standin.Sensor(standin.small(standin.IMX708, 4)))
    picam2 = standin.Picamera2(0)
    frame_ns = int(1e9 / 14.35)
    picam2.start(picam2.create_still_configuration(buffer_count=1))
    began = time.monotonic()
    first = picam2.capture_request(wait=3.0)
    assert time.monotonic() - began >= standin.START_S  # the first frame after a start
    first.release()
    second = picam2.capture_request(wait=3.0)
    assert second.frame.k == first.frame.k + 2  # the frame while the buffer was held is lost
    second.release()
    picam2.stop()
    picam2.start(picam2.create_still_configuration(buffer_count=3))
    held = [picam2.capture_request(wait=3.0) for _ in range(3)]
    assert [r.frame.k for r in held] == [held[0].frame.k + i for i in range(3)]
    with pytest.raises(TimeoutError):  # every buffer held: the camera stalls
        picam2.capture_request(wait=3 * frame_ns / 1e9)
    for r in held:
        r.release()
    eaten = picam2.capture_request(wait=3.0)  # the timed-out job took one frame first
    assert eaten.frame.k >= held[-1].frame.k + 2
    eaten.release()
    picam2.close()
