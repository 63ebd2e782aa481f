"""A USB webcam through OpenCV: small preview, the device's largest size for stills.

The largest size is found the way V4L2 expects: ask for something huge and
read back what the driver settled on. Stills switch to it and back, since a
webcam streams one size at a time.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import cv2
import numpy as np

from booth.camera.base import CameraError
from booth.camera.threaded import ThreadedCamera
from booth.config import CameraConfig
from booth.observation import Box

log = logging.getLogger(__name__)

HUGE = 10000  # larger than any webcam; the driver answers with its largest mode
MISSES_ALLOWED = 3  # a USB camera drops the odd frame; this many in a row means it is gone
SETTLE_FRAMES = 2  # frames thrown away after a size change (old-size buffers, exposure catching up)


def device_arg(arg: str | None) -> int | str:
    """"0" → 0 (an index), "/dev/video2" → the path."""
    if arg is None or arg == "":
        return 0
    return int(arg) if arg.isdigit() else arg


class Webcam(ThreadedCamera):
    """OpenCV VideoCapture on an index or a path."""

    def __init__(self, config: CameraConfig, device: int | str = 0) -> None:
        # A device paces itself (read blocks until its next frame; reading
        # slower than it delivers would only queue stale frames). A recording
        # opened in its place would be read as fast as the disk allows, so
        # that is held to config.fps.
        super().__init__(config, paced=isinstance(device, str) and Path(device).is_file())
        self.device = device
        self.name = f"webcam {device if isinstance(device, str) else f'/dev/video{device}'}"
        self._cap: cv2.VideoCapture | None = None
        self._misses = 0

    def _open(self) -> None:
        device = self.device
        path = Path(device) if isinstance(device, str) else Path(f"/dev/video{device}")
        if (isinstance(device, str) or sys.platform.startswith("linux")) and not path.exists():
            raise CameraError(f"no webcam: {path} not found")
        cap = cv2.VideoCapture(device if isinstance(device, int) else str(device))
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"no webcam: {path} could not be opened (in use, or not a camera?)")
        self._cap = cap
        cfg = self.config
        cap.set(cv2.CAP_PROP_FPS, cfg.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones (where supported)
        if cfg.still_width and cfg.still_height:
            still = self._set_size(cfg.still_width, cfg.still_height)
        else:
            still = self._set_size(HUGE, HUGE)
        self._set_size(cfg.preview_width, cfg.preview_height)
        ok, image = cap.read()
        if not ok or image is None:
            self._close()
            raise CameraError(f"no webcam: {path} opened but delivered no frame")
        preview = (image.shape[1], image.shape[0])  # what actually arrives beats what the driver claims
        self._raw_preview = preview
        self._raw_still = still if still[0] * still[1] >= preview[0] * preview[1] else preview
        self._misses = 0

    def _set_size(self, width: int, height: int) -> tuple[int, int]:
        """Ask for a size; the size the device actually chose."""
        assert self._cap is not None
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        return (int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))

    def _read(self) -> np.ndarray | None:
        assert self._cap is not None
        ok, image = self._cap.read()
        if not ok or image is None:
            self._misses += 1
            if self._misses >= MISSES_ALLOWED:
                raise CameraError(f"{self.name}: stopped delivering frames (unplugged?)")
            return None
        self._misses = 0
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)

    def _grab(self) -> np.ndarray | None:
        return self._read()

    def _grab_stills(self, count: int, focus: Box | None) -> list[np.ndarray]:
        switch = self._raw_still != self._raw_preview
        if switch:
            self._set_size(*self._raw_still)
            for _ in range(SETTLE_FRAMES):
                self._read()
        try:
            images: list[np.ndarray] = []
            while len(images) < count:
                image = self._read()
                if image is not None:
                    images.append(image)
            return images
        finally:
            if switch:
                self._set_size(*self._raw_preview)

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
