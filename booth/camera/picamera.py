"""The Raspberry Pi camera through Picamera2: small preview, full-resolution stills, autofocus.

Things Picamera2 makes easy to get wrong, and what this module does about them:

- Controls are reset on every mode switch: continuous autofocus is carried in
  the controls of *both* configurations, not set once.
- Repeated preview/still switches reallocate buffers and can exhaust memory
  on a Pi: a ``PersistentAllocator`` keeps one set per configuration.
- "RGB888" is BGR in memory (libcamera names formats by the 32-bit word):
  frames are converted to RGB here, at the edge.
- ``AfWindows`` are in sensor pixels within ``ScalerCropMaximum``: the face
  box (preview pixels) is mapped through the preview's ``ScalerCrop``.
- A dislodged cable makes captures wait forever: every call has a timeout.

picamera2 is imported lazily: it only exists on a Pi (Debian's
python3-picamera2, seen through a ``--system-site-packages`` venv).
"""

from __future__ import annotations

import logging
from typing import Any

import cv2
import numpy as np

from booth.camera.base import CameraError
from booth.camera.threaded import ThreadedCamera
from booth.config import CameraConfig
from booth.observation import Box

log = logging.getLogger(__name__)

NOT_INSTALLED = "no Pi camera: picamera2 not installed"


def bgr_to_rgb(array: np.ndarray) -> np.ndarray:
    """A Picamera2 "RGB888" array (B, G, R in memory) as RGB."""
    if array.ndim != 3 or array.shape[2] != 3:
        raise CameraError(f"Pi camera: expected an HxWx3 array, got shape {array.shape}")
    return cv2.cvtColor(array, cv2.COLOR_BGR2RGB)


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


class PiCamera(ThreadedCamera):
    """A CSI camera module. The sensor paces the preview (FrameRate control)."""

    def __init__(self, config: CameraConfig, camera_num: int = 0) -> None:
        super().__init__(config, paced=False)
        self.camera_num = camera_num
        self.name = "Pi camera"
        self.has_autofocus = False
        self.frame_timeout_s = max(1.0, config.stall_timeout_s)
        self.switch_timeout_s = 5.0
        self._picam2: Any = None
        self._af: Any = None  # libcamera.controls
        self._preview_config: dict[str, Any] = {}
        self._still_config: dict[str, Any] = {}
        self._crop_max = (0, 0, 0, 0)
        self._crop: tuple[int, int, int, int] | None = None  # the preview's ScalerCrop, from frame metadata

    def _open(self) -> None:
        try:
            from libcamera import controls
            from picamera2 import Picamera2
            from picamera2.allocators import PersistentAllocator
        except ModuleNotFoundError as exc:
            if exc.name in ("picamera2", "libcamera"):
                raise CameraError(NOT_INSTALLED) from exc
            raise CameraError(f"no Pi camera: picamera2 cannot be imported: {exc}") from exc
        except ImportError as exc:
            raise CameraError(f"no Pi camera: picamera2 cannot be imported: {exc}") from exc
        self._af = controls
        try:
            if not Picamera2.global_camera_info():
                raise CameraError("no Pi camera: none connected (check the ribbon cable; `rpicam-hello --list-cameras`)")
            picam2 = Picamera2(self.camera_num, allocator=PersistentAllocator())
        except CameraError:
            raise
        except Exception as exc:
            raise CameraError(f"no Pi camera: {exc}") from exc
        self._picam2 = picam2
        cfg = self.config
        props = picam2.camera_properties
        self.name = f"Pi camera {props.get('Model', '')}".rstrip()
        sensor = tuple(props["PixelArraySize"])
        self._crop_max = tuple(props.get("ScalerCropMaximum") or (0, 0, *sensor))
        available = picam2.camera_controls
        self.has_autofocus = cfg.autofocus and "AfMode" in available
        af = {"AfMode": controls.AfModeEnum.Continuous} if self.has_autofocus else {}
        preview_controls = dict(af)
        if "FrameDurationLimits" in available:
            preview_controls["FrameRate"] = cfg.fps
        still_size = (cfg.still_width, cfg.still_height) if cfg.still_width and cfg.still_height else sensor
        self._preview_config = picam2.create_preview_configuration(
            main={"size": (cfg.preview_width, cfg.preview_height), "format": "RGB888"}, controls=preview_controls
        )
        self._still_config = picam2.create_still_configuration(
            main={"size": still_size, "format": "RGB888"}, controls=dict(af)
        )
        picam2.configure(self._preview_config)
        picam2.start()
        self._raw_preview = tuple(picam2.camera_config["main"]["size"])
        self._raw_still = tuple(self._still_config["main"]["size"])

    def _request(self, timeout: float) -> tuple[np.ndarray, dict[str, Any]]:
        picam2 = self._picam2
        try:
            request = picam2.capture_request(wait=timeout)
        except TimeoutError as exc:
            picam2.cancel_all_and_flush()
            raise CameraError(f"{self.name}: no frame within {timeout:.1f} s (cable loose, or camera hung)") from exc
        try:
            return request.make_array("main"), request.get_metadata()
        finally:
            request.release()

    def _grab(self) -> np.ndarray:
        array, metadata = self._request(self.frame_timeout_s)
        crop = metadata.get("ScalerCrop")
        if crop:
            self._crop = tuple(crop)
        return bgr_to_rgb(array)

    def focus_window(self, focus: Box) -> tuple[int, int, int, int]:
        """The face box (unrotated preview pixels) as an AfWindows rectangle."""
        return af_window(focus, self._raw_preview, self._crop or self._crop_max, self._crop_max)

    def _grab_stills(self, count: int, focus: Box | None) -> list[np.ndarray]:
        picam2, af = self._picam2, self._af
        still = dict(self._still_config)
        controls = dict(still["controls"])
        available = picam2.camera_controls
        if self.has_autofocus and focus is not None and {"AfMetering", "AfWindows"} <= available.keys():
            # In the still mode's own controls, so the switch does not wipe them.
            controls.update({"AfMetering": af.AfMeteringEnum.Windows, "AfWindows": [self.focus_window(focus)]})
        still["controls"] = controls
        picam2.switch_mode(still, wait=self.switch_timeout_s)
        try:
            if self.has_autofocus:
                # Auto mode + trigger: the lens locks where the face is sharp
                # and stays there for the burst (continuous AF could hunt).
                if not picam2.autofocus_cycle(wait=self.capture_timeout_s):
                    log.info("%s: autofocus cycle did not lock; shooting anyway", self.name)
            images = [bgr_to_rgb(self._request(self.capture_timeout_s)[0]) for _ in range(count)]
        except TimeoutError as exc:
            raise CameraError(f"{self.name}: still capture timed out") from exc
        finally:
            picam2.switch_mode(self._preview_config, wait=self.switch_timeout_s)
        self._raw_still = (images[0].shape[1], images[0].shape[0])
        return images

    def _close(self) -> None:
        picam2, self._picam2 = self._picam2, None
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
