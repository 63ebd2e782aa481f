"""Keeps a camera going at an event: notices a failed or stalled source and re-opens it.

The booth must come back by itself when a camera is unplugged and plugged in
again, or a driver hangs, without restarting the process (issue 6). A
:class:`SupervisedCamera` wraps whatever camera a factory makes, watches its
health, and when it turns FAILED or STALLED stops it and re-opens a fresh one
with exponential backoff. Meanwhile it reports "Camera unavailable —
retrying" (the text the screen shows), captures fail at once with that
message, and frame indices keep increasing across re-opens, so nobody
downstream waits for an index the new camera will never reach.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from booth.camera.base import Camera, CameraError, CameraStatus, Frame, Health, start_checked
from booth.observation import Box

_log = logging.getLogger("booth.camera")

RETRYING = "Camera unavailable — retrying"


@dataclass(frozen=True)
class RetryState:
    """What the supervisor is doing about a camera that is down (for the screen and the staff page)."""

    health: Health  # FAILED or STALLED: what took it down
    reason: str  # what the camera or the last re-open attempt said
    attempts: int  # re-open attempts so far
    next_retry_at: float  # by the supervisor's clock
    down_since: float  # time.monotonic()


def backoff(failures: int, first: float = 0.5, limit: float = 10.0) -> float:
    """Seconds before the next attempt after ``failures`` failed ones: first, doubling, capped."""
    return min(limit, first * 2.0 ** failures)


class SupervisedCamera(Camera):
    """A Camera that survives its inner camera failing; see the module docstring.

    ``factory`` makes a new, unstarted camera of the same source. ``clock``
    schedules retries (inject a fake one with ``watch=False`` and call
    :meth:`check` to step through a backoff schedule in a test).
    """

    def __init__(
        self,
        factory: Callable[[], Camera],
        *,
        initial: Camera | None = None,
        min_backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
        poll_s: float = 0.1,
        first_frame_timeout: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        watch: bool = True,
        log: Any = _log,
    ) -> None:
        self.factory = factory
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self.poll_s = poll_s
        self.first_frame_timeout = first_frame_timeout
        self.clock = clock
        self.log = log
        self._watch = watch
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a camera was installed or removed
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._inner: Camera | None = None
        self._initial = initial
        self._down: RetryState | None = None
        self._base = 0  # added to the inner camera's frame indices
        self._high = -1  # highest index handed out
        self._generation = 0
        self._last_cue: tuple[str, str | None, tuple[str, ...]] | None = None
        self._aspect: tuple[int, int] | None = None  # frame_to, passed on to every camera opened
        self._face: Callable[[], Box | None] | None = None  # follow_face, likewise
        self._sizes = ((0, 0), (0, 0))
        self._name = "camera"
        self._started = False

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start watching. Without ``initial``, one open is tried now; if it fails, retries follow."""
        if self._started:
            return
        self._started = True
        self._stop_event.clear()
        if self._initial is not None:
            self._install(self._initial, attempts=0)
            self._initial = None
        else:
            with self._lock:
                self._down = RetryState(Health.FAILED, "not opened yet", 0, self.clock(), time.monotonic())
            self.check()
        self._watch_start()

    def start_retrying(self, reason: str, like: Camera | None = None) -> None:
        """Start watching when the caller's own first open already failed with ``reason``.

        A configured camera may simply not be there yet (ribbon loose at boot,
        USB camera plugged in later): the booth then starts in the retrying
        state, as after a fault mid-run, with that attempt counted and the
        next one after its backoff. ``like``, an unopened camera of the same
        source, names it and gives its sizes until the real one opens.
        """
        if self._started:
            return
        self._started = True
        self._stop_event.clear()
        with self._lock:
            if like is not None:
                self._name, self._sizes = like.name, (like.preview_size, like.still_size)
            self._down = RetryState(Health.FAILED, reason, 1,
                                    self.clock() + self._backoff(1),
                                    time.monotonic())
        self._watch_start()

    def _backoff(self, failures: int) -> float:
        return backoff(failures, self.min_backoff_s, self.max_backoff_s)

    def _watch_start(self) -> None:
        if self._watch:
            self._thread = threading.Thread(target=self._run, name="camera-supervisor", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop_event.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=self.first_frame_timeout + 5.0)
        with self._lock:
            inner, self._inner = self._inner, None
            self._down = None
            self._generation += 1
            self._changed.notify_all()
        if inner is not None:
            self._stop_quietly(inner)
        self._started = False

    def _run(self) -> None:
        while not self._stop_event.wait(self.poll_s):
            try:
                self.check()
            except Exception:  # the watcher must outlive any one bad camera
                self.log.exception("camera: supervisor check failed")

    def _stop_quietly(self, camera: Camera) -> None:
        try:
            camera.stop()
        except Exception as exc:
            self.log.warning("camera: error while stopping %s: %s", camera.name, exc)

    def _install(self, camera: Camera, attempts: int) -> None:
        with self._lock:
            # The screen's last cue, passed on under the lock: a newer cue given
            # meanwhile (see :meth:`cue`) waits for it, so the newest one wins.
            if self._last_cue is not None:
                camera.cue(*self._last_cue)
            if self._aspect is not None:
                camera.frame_to(*self._aspect)
            if self._face is not None:
                camera.follow_face(self._face)
            self._inner = camera
            self._base = self._high + 1
            self._generation += 1
            self._down = None
            self._sizes = (camera.preview_size, camera.still_size)
            self._name = camera.name
            self._changed.notify_all()
        if attempts:
            self.log.info("camera: back after %d attempt(s): %s", attempts, camera.describe())

    def check(self) -> None:
        """One supervision step: notice a fault, or make a re-open attempt when one is due."""
        if self._stop_event.is_set():
            return
        with self._lock:
            inner, down = self._inner, self._down
        if inner is not None:
            status = inner.status
            if status.health not in (Health.FAILED, Health.STALLED):
                return
            with self._lock:
                if self._inner is not inner:
                    return
                self._inner = None
                self._generation += 1
                self._down = RetryState(status.health, status.message, 0,
                                        self.clock() + self._backoff(0),
                                        time.monotonic())
                self._changed.notify_all()
            self.log.warning("camera: %s (%s); %s", status.health.value, status.message, RETRYING)
            self._stop_quietly(inner)
            return
        if down is None or self.clock() < down.next_retry_at:
            return
        attempt = down.attempts + 1
        camera: Camera | None = None
        try:
            camera = self.factory()
            start_checked(camera, self.first_frame_timeout)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, CameraError) else f"{type(exc).__name__}: {exc}"
            wait = self._backoff(attempt)
            with self._lock:
                if self._down is down:
                    self._down = replace(down, reason=reason, attempts=attempt, next_retry_at=self.clock() + wait)
            self.log.info("camera: attempt %d failed (%s); next in %.1f s", attempt, reason, wait)
            return
        if self._stop_event.is_set():
            self._stop_quietly(camera)
            return
        self._install(camera, attempt)

    # ------------------------------------------------------------ state for the screen

    @property
    def retry(self) -> RetryState | None:
        """None while the camera works; otherwise attempts so far, next retry time and the reason."""
        with self._lock:
            return self._down

    @property
    def inner(self) -> Camera | None:
        with self._lock:
            return self._inner

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def status(self) -> CameraStatus:
        with self._lock:
            inner, down = self._inner, self._down
        if inner is not None:
            status = inner.status
            if status.health in (Health.FAILED, Health.STALLED):  # noticed before the watcher's next check
                return CameraStatus(status.health, RETRYING, status.since)
            return status
        if down is not None:
            return CameraStatus(down.health, RETRYING, down.down_since)
        return CameraStatus(Health.STOPPED, "", 0.0)

    def describe(self) -> str:
        inner, down = self.inner, self.retry
        if inner is not None:
            return inner.describe()
        if down is not None:
            return f"{self._name}: {RETRYING} (attempt {down.attempts}; {down.reason})"
        return f"{self._name}: stopped"

    @property
    def preview_size(self) -> tuple[int, int]:
        inner = self.inner
        return inner.preview_size if inner is not None else self._sizes[0]

    @property
    def still_size(self) -> tuple[int, int]:
        inner = self.inner
        return inner.still_size if inner is not None else self._sizes[1]

    # ------------------------------------------------------------ frames

    def _map(self, frame: Frame, base: int, generation: int) -> Frame | None:
        with self._lock:
            if generation != self._generation:
                return None  # from a camera that has just been replaced
            index = base + frame.index
            self._high = max(self._high, index)
        return Frame(frame.image, frame.timestamp, index)

    def latest(self) -> Frame | None:
        with self._lock:
            inner, base, generation = self._inner, self._base, self._generation
        frame = inner.latest() if inner is not None else None
        return None if frame is None else self._map(frame, base, generation)

    def wait_frame(self, after_index: int, timeout: float) -> Frame | None:
        deadline = time.monotonic() + timeout
        while not self._stop_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            step = min(remaining, 0.1)  # short steps, so a camera swapped in meanwhile is picked up
            with self._lock:
                inner, base, generation = self._inner, self._base, self._generation
                if inner is None:
                    self._changed.wait(step)
                    continue
            began = time.monotonic()
            frame = inner.wait_frame(max(after_index - base, -1), step)
            if frame is not None:
                mapped = self._map(frame, base, generation)
                if mapped is not None and mapped.index > after_index:
                    return mapped
                continue
            rest = step - (time.monotonic() - began)
            if rest > 0:  # the inner camera gave up early (failed or stopped): wait for the swap
                with self._lock:
                    if self._generation == generation:
                        self._changed.wait(rest)
        return None

    def capture_burst(self, count: int, focus: Box | None = None) -> list[Frame]:
        with self._lock:
            inner, base, generation = self._inner, self._base, self._generation
        if inner is None:
            raise CameraError(RETRYING)
        frames = inner.capture_burst(count, focus)
        mapped = [self._map(f, base, generation) for f in frames]
        if any(f is None for f in mapped):
            raise CameraError(RETRYING)
        return [f for f in mapped if f is not None]

    def frame_to(self, width: int, height: int) -> None:
        """Remember the screen's shape for any camera opened later, and pass it on."""
        with self._lock:
            self._aspect = (width, height)
            if self._inner is not None:
                self._inner.frame_to(width, height)

    def follow_face(self, where: Callable[[], Box | None]) -> None:
        with self._lock:
            self._face = where
            if self._inner is not None:
                self._inner.follow_face(where)

    def cue(self, state: str, look: str | None = None, prompts: tuple[str, ...] = ()) -> None:
        """Remember the cue for any camera opened later, and pass it on (in order, under the lock)."""
        with self._lock:
            self._last_cue = (state, look, prompts)
            if self._inner is not None:
                self._inner.cue(state, look, prompts)
