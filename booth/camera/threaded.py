"""The capture thread every source shares: preview loop, health, burst lock, rotation.

A source only says how to open, grab one preview image, grab stills and
close (the ``_open``/``_grab``/``_grab_stills``/``_close`` hooks). This class
turns that into the :class:`~booth.camera.base.Camera` contract: frames into
a one-slot buffer, a health state that notices a silent or broken source, a
``wait_frame`` that never hangs, stills serialised with the preview, and
previews and stills rotated and cut to the screen's shape alike
(:mod:`booth.camera.view`), so a source only has to make its preview and its
stills cover the same area.
"""

from __future__ import annotations

import logging
import threading
import time

import cv2
import numpy as np

from booth.camera.base import Camera, CameraError, CameraStatus, Frame, FrameSlot, Health
from booth.camera.view import crop_to, shown_area
from booth.config import CameraConfig
from booth.observation import Box

log = logging.getLogger(__name__)

_ROTATIONS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate_image(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by a multiple of 90 degrees (cv2.rotate returns a contiguous copy)."""
    if degrees % 360 == 0:
        return image
    return cv2.rotate(image, _ROTATIONS[degrees % 360])


def rotated_size(size: tuple[int, int], degrees: int) -> tuple[int, int]:
    w, h = size
    return (h, w) if degrees % 180 == 90 else (w, h)


def unrotate_box(box: Box, degrees: int, rotated: tuple[int, int]) -> Box:
    """A box in an image rotated clockwise by ``degrees`` (of size ``rotated``), in the unrotated image.

    The face box arrives in the pixels the booth sees; the sensor needs it in its own.
    """
    wr, hr = rotated
    d = degrees % 360
    if d == 90:
        return Box(box.y, wr - box.x - box.w, box.h, box.w)
    if d == 180:
        return Box(wr - box.x - box.w, hr - box.y - box.h, box.w, box.h)
    if d == 270:
        return Box(hr - box.y - box.h, box.x, box.h, box.w)
    return box


def as_rgb_frame_image(image: np.ndarray) -> np.ndarray:
    """Check a source's image is HxWx3 uint8 and make it C-contiguous (the booth-wide format)."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise CameraError(f"source delivered a {image.dtype} array of shape {image.shape}, not HxWx3 uint8")
    return np.ascontiguousarray(image)


class ThreadedCamera(Camera):
    """Base of every source: runs ``_grab`` on a daemon thread and keeps the health.

    Subclasses set ``_raw_preview`` and ``_raw_still`` (unrotated sizes) in
    ``_open`` and implement the four hooks. ``paced`` sources (files, the
    scripted scene) are held to ``config.fps``; devices block in ``_grab``
    until the next frame anyway, and pacing then costs nothing.
    """

    name = "camera"
    source = ""  # the --camera spec that makes this camera again (set by booth.camera.select)

    def __init__(self, config: CameraConfig, *, paced: bool = True) -> None:
        self.config = config
        self._paced = paced
        self._slot = FrameSlot()
        self._device = threading.Lock()  # preview grabs and still bursts take turns
        self._state_lock = threading.Lock()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_index = 0
        self._health = Health.STOPPED
        self._message = ""
        self._since = time.monotonic()
        self._started_at = 0.0
        self._last_frame_at: float | None = None
        self._quiet_from = 0.0  # the stall clock runs from the later of this and the last frame
        self._ok_since = 0.0
        self._capturing_since: float | None = None
        self._capture_waiting = 0
        self._aspect: tuple[int, int] | None = None  # the screen's, once told (frame_to)
        self._trigger_ns: int | None = None  # time.monotonic_ns() of the burst asked for, while it runs
        self._exposed: list[float] | None = None  # a source that knows when each still was exposed sets this
        self._raw_preview = (config.preview_width, config.preview_height)
        self._raw_still = (config.still_width or config.preview_width, config.still_height or config.preview_height)
        # How long a burst may take before the source counts as stalled, and
        # how long a burst waits for the preview thread to let go of the device.
        self.capture_timeout_s = max(10.0, 5 * config.stall_timeout_s)

    # ------------------------------------------------------------ hooks

    def _open(self) -> None:
        """Open the device; raise CameraError saying what is missing."""

    def _grab(self) -> np.ndarray | None:
        """The next preview image, unrotated RGB; None when there is no new one yet."""
        raise NotImplementedError

    def _grab_stills(self, count: int, focus: Box | None) -> list[np.ndarray]:
        """``count`` full-resolution unrotated RGB images; ``focus`` is in unrotated preview pixels."""
        raise NotImplementedError

    def _close(self) -> None:
        """Release the device."""

    def _abandon(self) -> None:
        """The capture thread is stuck in the device: free what can be freed without it."""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._thread is not None:
            if self._thread.is_alive():
                return
            self.stop()  # it failed earlier: release the old device before opening again
        self._stop_event.clear()
        self._slot.reopen()
        now = time.monotonic()
        with self._state_lock:
            self._set(Health.STARTING, "", now)
            self._started_at = self._quiet_from = now
            self._last_frame_at = None
        try:
            self._open()
        except Exception as exc:
            # A driver error we did not foresee still gets one clear line;
            # whatever was half-opened is released.
            message = str(exc) if isinstance(exc, CameraError) else f"{self.name}: could not open: {type(exc).__name__}: {exc}"
            self._fail(message)
            self._close_quietly()
            if isinstance(exc, CameraError):
                raise
            raise CameraError(message) from exc
        with self._state_lock:  # opening can take a while (a Pi camera ~1 s): the stall clock starts now
            self._started_at = self._quiet_from = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop_event.set()
        self._slot.close()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=2.0)
            if thread.is_alive():
                log.warning("%s: capture thread did not stop; abandoning the device", self.name)
                self._abandon()
            elif self._device.acquire(timeout=self.capture_timeout_s):
                try:
                    self._close_quietly()
                finally:
                    self._device.release()
        with self._state_lock:
            if self._health is not Health.FAILED:
                self._set(Health.STOPPED, "", time.monotonic())

    def _close_quietly(self) -> None:
        try:
            self._close()
        except Exception as exc:  # closing a broken device may fail too; it is gone either way
            log.warning("%s: error while closing: %s", self.name, exc)

    def _set(self, health: Health, message: str, now: float) -> None:
        if health is not self._health or message != self._message:
            self._since = now
        self._health, self._message = health, message

    def _fail(self, message: str) -> None:
        with self._state_lock:
            self._set(Health.FAILED, message, time.monotonic())
        self._slot.close()  # anyone waiting for a frame is told now, not after a timeout

    # ------------------------------------------------------------ preview loop

    def _run(self) -> None:
        interval = 1.0 / self.config.fps
        deadline = time.monotonic()
        try:
            while not self._stop_event.is_set():
                if self._paced:
                    wait = deadline - time.monotonic()
                    if wait > 0 and self._stop_event.wait(wait):
                        break
                    # Never catch up in a rush after a slow frame: keep the rate, drop the backlog.
                    deadline = max(deadline + interval, time.monotonic())
                if self._capture_waiting:
                    self._stop_event.wait(0.002)
                    continue
                with self._device:
                    if self._stop_event.is_set():
                        break
                    image = self._grab()
                if image is not None:
                    self._deliver(image)
        except Exception as exc:
            message = str(exc) if isinstance(exc, CameraError) else f"{self.name}: {type(exc).__name__}: {exc}"
            log.error("%s", message)
            self._fail(message)

    def _make_frame(self, image: np.ndarray, timestamp: float | None = None) -> Frame:
        image = as_rgb_frame_image(crop_to(rotate_image(image, self.config.rotate), self._aspect))
        with self._state_lock:
            index = self._next_index
            self._next_index += 1
        return Frame(image, time.monotonic() if timestamp is None else timestamp, index)

    def frame_to(self, width: int, height: int) -> None:
        self._aspect = (width, height)

    def _shown(self, raw: tuple[int, int]) -> tuple[int, int, int, int]:
        """The shown area of an unrotated image of size ``raw``, in rotated pixels."""
        return shown_area(rotated_size(raw, self.config.rotate), self._aspect)

    def _raw_box(self, box: Box) -> Box:
        """A box in delivered preview pixels (rotated, cropped) as a box in the source's own preview pixels."""
        x, y, _, _ = self._shown(self._raw_preview)
        rotated = rotated_size(self._raw_preview, self.config.rotate)
        return unrotate_box(Box(box.x + x, box.y + y, box.w, box.h), self.config.rotate, rotated)

    def _deliver(self, image: np.ndarray) -> None:
        frame = self._make_frame(image)
        with self._state_lock:
            last = max(self._last_frame_at or 0.0, self._quiet_from)
            if self._last_frame_at is None or frame.timestamp - last > self.config.stall_timeout_s:
                self._ok_since = frame.timestamp
            self._last_frame_at = frame.timestamp
        self._slot.put(frame)

    # ------------------------------------------------------------ Camera API

    def latest(self) -> Frame | None:
        return self._slot.latest()

    def wait_frame(self, after_index: int, timeout: float) -> Frame | None:
        return self._slot.wait_newer(after_index, timeout)

    @property
    def status(self) -> CameraStatus:
        now = time.monotonic()
        with self._state_lock:
            if self._health in (Health.STOPPED, Health.FAILED):
                return CameraStatus(self._health, self._message, self._since)
            if self._capturing_since is not None:
                busy = now - self._capturing_since
                if busy > self.capture_timeout_s:
                    return CameraStatus(Health.STALLED, f"{self.name}: still capture running for {busy:.1f} s",
                                        self._capturing_since + self.capture_timeout_s)
                return CameraStatus(Health.OK, "capturing", self._capturing_since)
            quiet_from = max(self._last_frame_at or 0.0, self._quiet_from)
            silent = now - quiet_from
            if silent > self.config.stall_timeout_s:
                return CameraStatus(Health.STALLED, f"{self.name}: no frame for {silent:.1f} s",
                                    quiet_from + self.config.stall_timeout_s)
            if self._last_frame_at is None:
                return CameraStatus(Health.STARTING, "", self._started_at)
            return CameraStatus(Health.OK, "", self._ok_since)

    @property
    def preview_size(self) -> tuple[int, int]:
        return self._shown(self._raw_preview)[2:]

    @property
    def still_size(self) -> tuple[int, int]:
        return self._shown(self._raw_still)[2:]

    def capture_burst(self, count: int, focus: Box | None = None) -> list[Frame]:
        if count < 1:
            raise ValueError(f"burst count must be at least 1, not {count}")
        with self._state_lock:
            health, message = self._health, self._message
            self._capture_waiting += 1
            self._trigger_ns = time.monotonic_ns()  # the moment: stills exposed from here on
            self._exposed = None
        try:
            if health is Health.FAILED:
                raise CameraError(message)
            if self._thread is None:
                raise CameraError(f"{self.name}: not started")
            raw_focus = None if focus is None else self._raw_box(focus)
            if not self._device.acquire(timeout=self.capture_timeout_s):
                raise CameraError(f"{self.name}: not responding (preview held the device for {self.capture_timeout_s:.0f} s)")
            try:
                with self._state_lock:
                    self._capturing_since = time.monotonic()
                try:
                    images = self._grab_stills(count, raw_focus)
                except CameraError:
                    raise
                except Exception as exc:
                    raise CameraError(f"{self.name}: still capture failed: {type(exc).__name__}: {exc}") from exc
            finally:
                with self._state_lock:
                    self._capturing_since = None
                    self._quiet_from = time.monotonic()
                self._device.release()
        finally:
            with self._state_lock:
                self._capture_waiting -= 1
                self._trigger_ns = None
        if len(images) != count:
            raise CameraError(f"{self.name}: asked for {count} stills, got {len(images)}")
        exposed = self._exposed if self._exposed is not None and len(self._exposed) == count else [None] * count
        return [self._make_frame(image, when) for image, when in zip(images, exposed)]
