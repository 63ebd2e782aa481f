"""Replay: a video file or a folder of images, looped at config.camera.fps.

For demos and tests with recorded footage. Preview frames are scaled to fit
the preview size (aspect kept); a still is the current frame at its own
resolution, as a camera's full-resolution shot of the same moment would be.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from booth.camera.base import CameraError
from booth.camera.threaded import ThreadedCamera
from booth.config import CameraConfig
from booth.imaging import fit_image, fit_size
from booth.observation import Box

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


class Replay(ThreadedCamera):
    """Plays a folder of images (sorted by name) or a video file, over and over."""

    def __init__(self, config: CameraConfig, path: str | Path) -> None:
        super().__init__(config, paced=True)
        self.path = Path(path).expanduser()
        self.name = f"replay {self.path}"
        self._files: list[Path] = []
        self._position = 0
        self._video: cv2.VideoCapture | None = None
        self._current: np.ndarray | None = None  # the native-resolution frame now showing

    def _open(self) -> None:
        if not self.path.exists():
            raise CameraError(f"replay: {self.path} not found")
        if self.path.is_dir():
            self._files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._files:
                raise CameraError(
                    f"replay: no images in {self.path} (looked for {', '.join(sorted(IMAGE_SUFFIXES))})"
                )
        else:
            self._video = cv2.VideoCapture(str(self.path))
            if not self._video.isOpened():
                self._close()
                raise CameraError(f"replay: {self.path} is not a video OpenCV can read")
        self._position = 0
        first = self._next_native()
        self._raw_still = (first.shape[1], first.shape[0])
        self._raw_preview = fit_size(self._raw_still, (self.config.preview_width, self.config.preview_height))
        self._position = 0
        if self._video is not None:
            self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)

    def _next_native(self) -> np.ndarray:
        if self._video is not None:
            ok, image = self._video.read()
            if not ok:  # end of the file: loop
                self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = self._video.read()
                if not ok:
                    raise CameraError(f"replay: {self.path} delivered no frame")
            where = str(self.path)
        else:
            file = self._files[self._position % len(self._files)]
            self._position += 1
            image = cv2.imread(str(file), cv2.IMREAD_COLOR)
            if image is None:
                raise CameraError(f"replay: cannot read {file}")
            where = str(file)
        if image.ndim != 3 or image.shape[2] != 3:
            raise CameraError(f"replay: {where} is not a colour image")
        self._current = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        return self._current

    def _grab(self) -> np.ndarray:
        return fit_image(self._next_native(), (self.config.preview_width, self.config.preview_height))

    def _grab_stills(self, count: int, focus: Box | None) -> list[np.ndarray]:
        current = self._current if self._current is not None else self._next_native()
        return [current.copy() for _ in range(count)]

    def _close(self) -> None:
        if self._video is not None:
            self._video.release()
            self._video = None
