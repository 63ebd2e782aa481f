"""One interface for every camera source.

A source runs its own capture thread that drops preview frames into a
one-slot :class:`FrameSlot` (the latest frame only: nobody downstream ever
works on a stale backlog). Stills are captured on request at full resolution.

Pixel order everywhere in booth is RGB, uint8, HxWx3, C-contiguous. Sources
convert at the edge (OpenCV delivers BGR; Picamera2's "RGB888" is BGR in
memory).
"""

from __future__ import annotations

import enum
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from booth.observation import Box


class CameraError(Exception):
    """A camera could not be opened, or failed; the message says which and why."""


class NotDetected(CameraError):
    """A camera that is only found when the computer starts (a Pi camera on its ribbon) is not there.

    Retrying cannot bring it back; ``advice`` says what staff should do.
    """

    advice = "Switch the Pi off, check both ends of the camera's ribbon cable, switch it on again"


@dataclass(frozen=True, eq=False)
class Frame:
    image: np.ndarray  # HxWx3 uint8 RGB
    timestamp: float  # time.monotonic() when captured
    index: int  # strictly increasing per source

    @property
    def size(self) -> tuple[int, int]:
        return (self.image.shape[1], self.image.shape[0])


class Health(enum.Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    OK = "ok"
    STALLED = "stalled"  # started, but no frame for stall_timeout_s
    FAILED = "failed"  # the source raised; see message


@dataclass(frozen=True)
class CameraStatus:
    health: Health
    message: str = ""
    since: float = 0.0  # time.monotonic() of the last change


class FrameSlot:
    """A one-slot buffer holding the latest frame, with a wait for a newer one."""

    def __init__(self) -> None:
        self._frame: Frame | None = None
        self._cond = threading.Condition()
        self._closed = False

    def put(self, frame: Frame) -> None:
        with self._cond:
            self._frame = frame
            self._cond.notify_all()

    def latest(self) -> Frame | None:
        with self._cond:
            return self._frame

    def wait_newer(self, after_index: int, timeout: float) -> Frame | None:
        """The latest frame if its index > after_index, waiting up to timeout; else None."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._closed:
                frame = self._frame
                if frame is not None and frame.index > after_index:
                    return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return None

    def close(self) -> None:
        """Wake every waiter; later waits return None at once."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False
            self._frame = None


class Camera(ABC):
    """A camera source. Subclasses implement the capture; callers see this."""

    name: str = "camera"

    @abstractmethod
    def start(self) -> None:
        """Open the device and begin delivering preview frames. Raises CameraError."""

    @abstractmethod
    def stop(self) -> None:
        """Stop and release the device. Safe to call twice."""

    @abstractmethod
    def latest(self) -> Frame | None:
        """The newest preview frame, or None before the first."""

    @abstractmethod
    def wait_frame(self, after_index: int, timeout: float) -> Frame | None:
        """A preview frame newer than after_index, or None on timeout/failure (never hangs)."""

    @abstractmethod
    def capture_burst(self, count: int, focus: Box | None = None) -> list[Frame]:
        """count full-resolution stills, as fast as the source allows.

        ``focus`` is the face box in preview pixels: a source with autofocus
        runs a focus cycle on it first. Raises CameraError on failure.
        """

    @property
    @abstractmethod
    def status(self) -> CameraStatus:
        """Health now; STALLED when started but silent for too long."""

    @property
    @abstractmethod
    def preview_size(self) -> tuple[int, int]:
        """(width, height) of preview frames."""

    @property
    @abstractmethod
    def still_size(self) -> tuple[int, int]:
        """(width, height) of full-resolution stills."""

    def frame_to(self, width: int, height: int) -> None:
        """Deliver only the centred area of this aspect ratio (the screen's), in previews and stills alike.

        The screen fills itself with the preview; cropping both here means it
        shows all of the preview and the photo holds nothing it did not show
        (:mod:`booth.camera.view`). Every source honours it.
        """

    def follow_face(self, where: Callable[[], Box | None]) -> None:
        """Where the face is now, in preview pixels: a camera with autofocus keeps it sharp before the
        trigger, so the shot needs no focus cycle. Others ignore it."""

    def cue(self, state: str, look: str | None = None, prompts: tuple[str, ...] = ()) -> None:
        """What the screen now asks of the subject (session state, chosen look, the coach's prompt shown).

        Real cameras cannot make anyone smile, so this does nothing; the
        scripted subject overrides it to act like a person reading the screen.
        """

    def describe(self) -> str:
        """One line for logs and `booth doctor`: which camera, what resolution."""
        pw, ph = self.preview_size
        sw, sh = self.still_size
        return f"{self.name}: preview {pw}x{ph}, stills {sw}x{sh}"

    def __enter__(self) -> Camera:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_checked(camera: Camera, timeout: float) -> None:
    """Start ``camera`` and wait for its first frame; on failure stop it and raise CameraError."""
    camera.start()
    if camera.wait_frame(-1, timeout) is None:
        message = camera.status.message or f"{camera.name}: no frame within {timeout:.0f} s"
        camera.stop()
        raise CameraError(message)
