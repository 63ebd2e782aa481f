"""A USB webcam through OpenCV: one stream at the still size; the preview is it, shrunk.

A webcam streams one size at a time, and its small sizes are often a crop of
its big ones (or of another aspect ratio), so a preview at one size and
stills at another would show different areas. The booth streams at the still
size all the time and shrinks each frame for the preview: the screen and the
photo see the same area, and the shot needs no size switch (which costs
frames). The size is the configured still size, else :data:`STREAM`, read
back from the driver the way V4L2 expects (ask, then read what it settled on).
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
from booth.imaging import fit_size
from booth.observation import Box

log = logging.getLogger(__name__)

# 1080p: the largest size common USB webcams stream at 30 fps (MJPEG); a bigger
# one would slow the preview that is made from it.
STREAM = (1920, 1080)
MISSES_ALLOWED = 3  # a USB camera drops the odd frame; this many in a row means it is gone


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
        self._set_size(*((cfg.still_width, cfg.still_height) if cfg.still_width and cfg.still_height else STREAM))
        ok, image = cap.read()
        if not ok or image is None:
            self._close()
            raise CameraError(f"no webcam: {path} opened but delivered no frame")
        self._raw_still = (image.shape[1], image.shape[0])  # what actually arrives beats what the driver claims
        self._raw_preview = fit_size(self._raw_still, (cfg.preview_width, cfg.preview_height))
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
        image = self._read()
        if image is None or (image.shape[1], image.shape[0]) == self._raw_preview:
            return image
        return cv2.resize(image, self._raw_preview, interpolation=cv2.INTER_AREA)

    def _grab_stills(self, count: int, focus: Box | None) -> list[np.ndarray]:
        images: list[np.ndarray] = []
        while len(images) < count:  # the next frames, as they come: no size switch
            image = self._read()
            if image is not None:
                images.append(image)
        return images

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
