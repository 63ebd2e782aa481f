"""The Raspberry Pi camera through Picamera2: one full-resolution configuration, the preview on its lores stream.

How the shot lands on the moment, and why (README, "The shot"):

- The camera runs in its full-resolution still configuration all the time,
  with a small ``lores`` stream for the preview. There is no mode switch at
  the trigger: the first frame after a switch takes 0.5-0.7 s on a Pi 5
  (picamera2 issue #1062), far longer than a smile lasts. The price is a
  slower preview (the full-resolution mode's rate: 14 fps on Camera Module 3)
  and the ISP working at full size all the time.
- The first still is the first frame whose exposure starts after the trigger
  (picamera2's ``flush``), at most one frame time away (70 ms on IMX708); the
  burst is the frames that follow, held as they arrive (``BUFFERS``) and
  converted afterwards, so the burst is paced by the sensor, not by copying.
  A frame the preview thread took after the trigger is handed to the burst
  instead of being thrown away.
- Focus happens before the trigger: continuous autofocus runs on the face
  (``AfWindows`` follow the face box), so the shot needs no focus cycle.
- The preview and the stills come from the same requests, so they cover the
  same sensor area; the lores stream is given the still's aspect ratio, since
  a lores stream of another shape is stretched (Pi 4: one ISP crop feeds both
  outputs) or cropped to another area (Pi 5). The screen's crop is then the
  same for both (:mod:`booth.camera.view`).

Other things Picamera2 makes easy to get wrong:

- The lores stream is YUV420 (the only lores format a Pi 4 has), an array of
  shape (h*3/2, w); "RGB888" is BGR in memory (libcamera names formats by the
  32-bit word). Both are converted to RGB here, at the edge.
- ``AfWindows`` are in sensor pixels within ``ScalerCropMaximum``, which is
  empty until a mode is configured: read after ``configure``.
- A dislodged cable makes captures wait forever, and a job that timed out
  stays queued: every call has a timeout, and a timeout cancels the jobs.
- libcamera lists USB webcams too (last); opened through picamera2 their
  frames are decoded MJPEG in true RGB, not BGR. They are left to the webcam
  source. A Pi camera is found at boot only (:class:`NotDetected`).

picamera2 is imported lazily: it only exists on a Pi (Debian's
python3-picamera2, seen through a ``--system-site-packages`` venv).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from booth.camera.base import CameraError, NotDetected
from booth.camera.threaded import ThreadedCamera
from booth.camera.view import same_aspect
from booth.config import CameraConfig
from booth.observation import Box

log = logging.getLogger(__name__)

NOT_INSTALLED = "no Pi camera: picamera2 not installed"
NONE_CONNECTED = "no Pi camera: none connected (check the ribbon cable; `rpicam-hello --list-cameras`)"
# Buffers of the running configuration: the trigger frame and the two that
# follow can all be held at once (a burst of 3 paced by the sensor alone).
# Memory (CMA) per buffer on Camera Module 3: 4608x2592 RGB 35.8 MB + the raw
# frame (10-bit packed) 14.9 MB + the lores stream; about 150 MB for three.
BUFFERS = 3
# The frame-duration range: from the fastest the mode allows (libcamera clamps
# the lower limit to it) to 1/12 s, picamera2's own preview default: in dim
# light exposures may grow to that, no further, so the burst stays tight.
SLOWEST_FRAME_US = 83333


def bgr_to_rgb(array: np.ndarray) -> np.ndarray:
    """A Picamera2 "RGB888" array (B, G, R in memory) as RGB."""
    if array.ndim != 3 or array.shape[2] != 3:
        raise CameraError(f"Pi camera: expected an HxWx3 array, got shape {array.shape}")
    return cv2.cvtColor(array, cv2.COLOR_BGR2RGB)


def yuv420_to_rgb(array: np.ndarray) -> np.ndarray:
    """A Picamera2 "YUV420" array (planar I420, shape (h*3/2, w)) as RGB."""
    if array.ndim != 2 or array.shape[0] % 3:
        raise CameraError(f"Pi camera: expected a YUV420 array of shape (h*3/2, w), got {array.shape}")
    return cv2.cvtColor(array, cv2.COLOR_YUV2RGB_I420)


def is_usb(info: dict[str, Any]) -> bool:
    """A camera libcamera lists that is a USB webcam (picamera2 tells them apart by "/usb" in the Id)."""
    return "/usb" in str(info.get("Id", ""))


def af_window(box: Box, preview: tuple[int, int], crop: tuple[int, int, int, int],
              crop_max: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A box in preview pixels as an AfWindows rectangle (x, y, w, h).

    The preview shows the sensor area ``crop`` (its ScalerCrop); AfWindows
    are relative to ``crop_max`` (the ScalerCropMaximum property).
    """
    pw, ph = preview
    cx, cy, cw, ch = crop
    mx, my, _, _ = crop_max
    x0 = min(1.0, max(0.0, box.x / pw))
    y0 = min(1.0, max(0.0, box.y / ph))
    x1 = min(1.0, max(x0, (box.x + box.w) / pw))
    y1 = min(1.0, max(y0, (box.y + box.h) / ph))
    return (round(cx - mx + x0 * cw), round(cy - my + y0 * ch), round((x1 - x0) * cw), round((y1 - y0) * ch))


def moved(old: Box | None, new: Box) -> bool:
    """Whether the face moved or changed size by more than a quarter of its size (worth refocusing)."""
    if old is None:
        return True
    size = max(1.0, min(old.w, old.h))
    return (abs(new.x - old.x) > size / 4 or abs(new.y - old.y) > size / 4
            or abs(new.w - old.w) > size / 4 or abs(new.h - old.h) > size / 4)


class PiCamera(ThreadedCamera):
    """A CSI camera module. The sensor paces the preview."""

    def __init__(self, config: CameraConfig, camera_num: int = 0) -> None:
        super().__init__(config, paced=False)
        self.camera_num = camera_num  # among the Pi cameras, USB webcams not counted
        self.name = "Pi camera"
        self.has_autofocus = False
        self.frame_timeout_s = max(1.0, config.stall_timeout_s)
        self._picam2: Any = None
        self._af: Any = None  # libcamera.controls
        self._config: dict[str, Any] = {}
        self._crop_max = (0, 0, 0, 0)
        self._crop: tuple[int, int, int, int] | None = None  # the streams' ScalerCrop, from frame metadata
        self._face: Callable[[], Box | None] = lambda: None
        self._focused_on: Box | None = None
        self._handoff: Any = None  # a request the preview took after the trigger, kept for the burst

    def follow_face(self, where: Callable[[], Box | None]) -> None:
        self._face = where

    def _open(self) -> None:
        try:
            from libcamera import controls
            from picamera2 import Picamera2
        except ModuleNotFoundError as exc:
            if exc.name in ("picamera2", "libcamera"):
                raise CameraError(NOT_INSTALLED) from exc
            raise CameraError(f"no Pi camera: picamera2 cannot be imported: {exc}") from exc
        except ImportError as exc:
            raise CameraError(f"no Pi camera: picamera2 cannot be imported: {exc}") from exc
        self._af = controls
        try:
            listed = Picamera2.global_camera_info()
            pi_cameras = [i for i, info in enumerate(listed) if not is_usb(info)]
            if self.camera_num >= len(pi_cameras):
                usb = [info.get("Model", "?") for info in listed if is_usb(info)]
                also = f"; only a USB camera ({', '.join(usb)}), used as a webcam" if usb else ""
                raise NotDetected(NONE_CONNECTED + also)
            picam2 = Picamera2(pi_cameras[self.camera_num])
        except CameraError:
            raise
        except Exception as exc:
            cause = f" ({exc.__cause__})" if exc.__cause__ else ""
            raise CameraError(f"no Pi camera: {exc}{cause}") from exc
        self._picam2 = picam2
        cfg = self.config
        self.name = f"Pi camera {picam2.camera_properties.get('Model', '')}".rstrip()
        available = picam2.camera_controls
        self.has_autofocus = cfg.autofocus and "AfMode" in available
        still = (cfg.still_width, cfg.still_height) if cfg.still_width and cfg.still_height \
            else tuple(picam2.sensor_resolution)
        lores = same_aspect((cfg.preview_width, cfg.preview_height), still)
        wanted: dict[str, Any] = {"FrameDurationLimits": (round(1e6 / cfg.fps),
                                                          max(round(1e6 / cfg.fps), SLOWEST_FRAME_US))}
        if self.has_autofocus:
            wanted |= {"AfMode": controls.AfModeEnum.Continuous, "AfMetering": controls.AfMeteringEnum.Auto}
        self._config = picam2.create_still_configuration(
            main={"size": still, "format": "RGB888"}, lores={"size": lores, "format": "YUV420"},
            buffer_count=BUFFERS, controls={k: v for k, v in wanted.items() if k in available})
        picam2.configure(self._config)
        # Only now is there a mode, and with it a ScalerCropMaximum (empty before).
        self._crop_max = tuple(picam2.camera_properties["ScalerCropMaximum"])
        picam2.start()
        self._raw_still = tuple(picam2.camera_config["main"]["size"])
        self._raw_preview = tuple(picam2.camera_config["lores"]["size"])

    # ------------------------------------------------------------ frames

    def _capture(self, timeout: float, flush: int | None = None) -> Any:
        picam2 = self._picam2
        try:
            return picam2.capture_request(wait=timeout, flush=flush)
        except TimeoutError as exc:
            picam2.cancel_all_and_flush()  # else the timed-out job eats the next frame
            raise CameraError(f"{self.name}: no frame within {timeout:.1f} s (cable loose, or camera hung)") from exc

    @staticmethod
    def _exposure_start_ns(metadata: dict[str, Any]) -> int:
        """When the frame's exposure began: SensorTimestamp is the start of readout (picamera2's reading)."""
        return int(metadata["SensorTimestamp"]) - 1000 * int(metadata.get("ExposureTime", 0))

    def _grab(self) -> np.ndarray:
        self._aim()
        request = self._capture(self.frame_timeout_s)
        keep = False
        try:
            metadata = request.get_metadata()
            crop = metadata.get("ScalerCrop")
            if crop:
                self._crop = tuple(crop)
            trigger = self._trigger_ns
            if trigger is not None and self._handoff is None and self._exposure_start_ns(metadata) >= trigger:
                self._handoff, keep = request, True  # the burst's first frame: not thrown away
            return yuv420_to_rgb(request.make_array("lores"))
        finally:
            if not keep:
                request.release()

    def _aim(self) -> None:
        """Continuous autofocus on the face: AfWindows follow it (in the running controls)."""
        if not self.has_autofocus:
            return
        face = self._face()
        if face is None or not moved(self._focused_on, face):
            return
        self._set_window(self._raw_box(face))
        self._focused_on = face

    def focus_window(self, raw_box: Box) -> tuple[int, int, int, int]:
        """A box in the lores stream's pixels as an AfWindows rectangle."""
        return af_window(raw_box, self._raw_preview, self._crop or self._crop_max, self._crop_max)

    def _set_window(self, raw_box: Box) -> None:
        af = self._af
        self._picam2.set_controls({"AfMetering": af.AfMeteringEnum.Windows, "AfWindows": [self.focus_window(raw_box)]})

    def _grab_stills(self, count: int, focus: Box | None) -> list[np.ndarray]:
        if self.has_autofocus and focus is not None and self._focused_on is None:
            self._set_window(focus)  # nobody said where the face was before: aim now, no cycle
        trigger = self._trigger_ns
        held: list[Any] = []
        if self._handoff is not None:
            held.append(self._handoff)
            self._handoff = None
        images: list[np.ndarray] = []
        exposed: list[float] = []

        def convert_oldest() -> None:
            request = held.pop(0)
            try:
                exposed.append(self._exposure_start_ns(request.get_metadata()) / 1e9)
                images.append(bgr_to_rgb(request.make_array("main")))
            finally:
                request.release()

        try:
            while len(images) + len(held) < count:
                if len(held) >= BUFFERS:  # every buffer held: convert one before asking for more
                    convert_oldest()
                # The first still is the first frame exposed after the trigger; the rest follow it.
                held.append(self._capture(self.capture_timeout_s, trigger if not held and not images else None))
            while held:
                convert_oldest()
        finally:
            for request in held:
                request.release()
        self._exposed = exposed
        return images

    def _close(self) -> None:
        picam2, self._picam2 = self._picam2, None
        if self._handoff is not None:
            self._handoff.release()
            self._handoff = None
        if picam2 is not None:
            try:
                picam2.stop()
            finally:
                picam2.close()

    def _abandon(self) -> None:
        """The preview thread is stuck inside Picamera2: cancel its jobs and close."""
        picam2, self._picam2 = self._picam2, None
        if picam2 is not None:
            try:
                picam2.cancel_all_and_flush()
                picam2.close()
            except Exception as exc:
                log.warning("%s: could not close a hung camera: %s", self.name, exc)
