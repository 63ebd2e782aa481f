"""From a ``--camera`` spec to a running camera; ``auto`` finds the first that works.

Specs: ``auto | picamera | webcam[:N or :/dev/videoN] | replay:PATH | scripted[:PERSON]``.
``auto`` tries the Pi camera, then the first webcam, then the scripted
subject, and logs one line per source that did not work and why, so staff
can tell at a glance why the booth shows a stranger instead of them.

When ``booth run`` starts, a source that cannot be opened is one of two things:

- a device that is not there *yet* — the named webcam is not plugged in, or
  a camera is busy or shows no frame: the booth starts anyway, says "Camera
  unavailable — retrying" and opens it when it appears (:func:`open_supervised`);
- a Pi camera that was not found: the Pi finds its camera when it starts and
  never later (no hot-plugging), so after a short wait (the driver may still
  be loading at boot) the screen and systemd's status say to check the ribbon
  cable and restart the Pi (:data:`REBOOT`);
- a configuration it cannot work with — a spec that does not parse (``usb``),
  a ``replay:`` file or folder that is missing or unreadable (a path staff
  typed, not a device that comes and goes), an unknown scripted person,
  picamera2 not installed, or ``auto`` with nothing at all: one line and
  the start-error screen, since waiting would never fix it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from booth.camera.base import Camera, CameraError, NotDetected, start_checked
from booth.camera.supervisor import RETRYING, SupervisedCamera
from booth.config import Config

_log = logging.getLogger("booth.camera")

KINDS = ("auto", "picamera", "webcam", "replay", "scripted")
ALLOWED = "auto, picamera, webcam[:N or :/dev/videoN], replay:PATH or scripted[:PERSON]"
AUTO_ORDER = ("picamera", "webcam:0", "scripted")
DEVICES = ("picamera", "webcam")  # hardware that may be busy, or slow to give a first frame
REBOOT = "Pi camera not found: check its ribbon cable, then restart the Pi (it only looks for the camera when it starts)"


def parse_source(spec: str) -> tuple[str, str | None]:
    """``"webcam:2"`` → ``("webcam", "2")``; a bad spec raises CameraError saying what is allowed."""
    text = spec.strip()
    kind, sep, arg = text.partition(":")
    kind = kind.lower()

    def bad(why: str) -> CameraError:
        return CameraError(f'camera source "{spec}": {why}; allowed: {ALLOWED}')

    if kind not in KINDS:
        raise bad("unknown source")
    if kind in ("auto", "picamera"):
        if sep:
            raise bad(f"{kind} takes nothing after the colon")
        return kind, None
    if kind == "webcam":
        if not sep:
            return kind, "0"
        if not (arg.isdigit() or arg.startswith("/")):
            raise bad("webcam wants a device number or path, e.g. webcam:0 or webcam:/dev/video2")
        return kind, arg
    if kind == "replay":
        if not arg:
            raise bad("replay wants a video file or a folder of images, e.g. replay:/home/pi/demo.mp4")
        return kind, arg
    if sep and not re.fullmatch(r"[\w.-]+", arg):
        raise bad("scripted wants a person from the face set's labels.csv, e.g. scripted:london-004")
    return kind, arg or None


def make_camera(spec: str, config: Config, *, clock: Callable[[], float] | None = None) -> Camera:
    """The camera a (non-auto) spec names, not yet started. Sources are imported only when used."""
    kind, arg = parse_source(spec)
    camera: Any
    if kind == "picamera":
        from booth.camera.picamera import PiCamera

        camera = PiCamera(config.camera)
    elif kind == "webcam":
        from booth.camera.webcam import Webcam, device_arg

        camera = Webcam(config.camera, device_arg(arg))
    elif kind == "replay":
        from booth.camera.replay import Replay

        camera = Replay(config.camera, arg or "")
    elif kind == "scripted":
        from booth.camera.scripted import ScriptedCamera

        camera = ScriptedCamera(config, arg, clock=clock or time.monotonic)
    else:
        raise CameraError(f'camera source "{spec}": "auto" is resolved by open_camera, not make_camera')
    camera.source = spec if kind != "scripted" else f"scripted:{camera.person}"
    return camera


def first_frame_timeout(config: Config) -> float:
    """How long a freshly started source may take to show its first frame (a Pi camera needs ~1 s)."""
    return max(3.0, 2 * config.camera.stall_timeout_s)


def open_camera(spec: str | None, config: Config, log: Any = _log) -> Camera:
    """A started camera that has delivered a frame; ``spec`` None means config.camera.source."""
    spec = spec or config.camera.source
    kind, _ = parse_source(spec)
    timeout = first_frame_timeout(config)
    if kind != "auto":
        camera = make_camera(spec, config)
        start_checked(camera, timeout)
        log.info("camera: using %s", camera.describe())
        return camera
    reasons: list[str] = []
    for candidate in AUTO_ORDER:
        try:
            camera = make_camera(candidate, config)
            start_checked(camera, timeout)
        except CameraError as exc:
            log.info("camera: %s", exc)
            reasons.append(str(exc))
            continue
        if reasons:
            log.info("camera: using %s (%s)", camera.name, "; ".join(reasons))
        else:
            log.info("camera: using %s", camera.describe())
        return camera
    raise CameraError("no camera works: " + "; ".join(reasons))


def waits_for(kind: str, error: CameraError) -> bool:
    """Whether a first open of a ``kind`` source that failed with ``error`` is a device to wait for.

    A device source whose library is missing (picamera2 not installed) is a
    setup fault no retry can cure; anything else about a device (not
    connected, busy, no frame yet) may clear by itself.
    """
    return kind in DEVICES and not isinstance(error.__cause__, ImportError) and not isinstance(error, NotDetected)


def look_again(spec: str, config: Config, log: Any, first: NotDetected) -> Camera:
    """A Pi camera not found at start: look again for a short while (its driver may still be loading
    at boot), then give up with :data:`REBOOT`, since no later retry can find it."""
    wait = first_frame_timeout(config)
    deadline = time.monotonic() + wait
    log.warning("camera: %s; looking again for %.0f s", first, wait)
    while time.monotonic() < deadline:
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        try:
            return open_camera(spec, config, log)
        except NotDetected:
            continue
    raise NotDetected(REBOOT) from first


def open_supervised(spec: str | None, config: Config, log: Any = _log) -> Camera:
    """Like :func:`open_camera`, wrapped in a supervisor that re-opens the same source after a fault.

    The supervisor re-opens the source ``auto`` chose, not ``auto`` again: a
    booth whose Pi camera was unplugged should say so and wait for it, not
    quietly start photographing the scripted subject. A named webcam that is
    missing at start is waited for in the same way; a Pi camera that is not
    found raises :class:`NotDetected` (see the module docstring); a
    configuration error raises CameraError.
    """
    spec = spec or config.camera.source
    kind, _ = parse_source(spec)
    try:
        try:
            first = open_camera(spec, config, log)
        except NotDetected as missing:
            if kind != "picamera":
                raise
            first = look_again(spec, config, log, missing)
    except CameraError as exc:
        if not waits_for(kind, exc):
            raise
        log.warning("camera: %s; %s until it is there", exc, RETRYING)
        waiting = SupervisedCamera(lambda: make_camera(spec, config),
                                   first_frame_timeout=first_frame_timeout(config), log=log)
        waiting.start_retrying(str(exc), like=make_camera(spec, config))
        return waiting
    source: str = getattr(first, "source")
    supervised = SupervisedCamera(lambda: make_camera(source, config), initial=first,
                                  first_frame_timeout=first_frame_timeout(config), log=log)
    supervised.start()
    return supervised
