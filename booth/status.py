"""The booth process's health, handed to the staff page and to `booth doctor` through a small file.

``booth web`` is a separate process (and may run sandboxed), so the booth
writes its state to ``status.json`` in the data directory, atomically, a few
times a minute; the staff page reads it and calls the booth "not running"
when the file is missing or older than :data:`STALE_AFTER_S`. ``booth
doctor`` reads it too: beside a running booth it reports the camera and
GPIO the booth holds instead of trying to open them a second time.

The staff-facing problem line is made here, once (:func:`fault_message`):
``status.json``'s ``message`` and systemd's ``STATUS=`` line both come from
it, so they cannot disagree when two faults overlap.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booth.i18n import N_
from booth.session import CAMERA_RETRYING

STATUS_FILE = "status.json"
STALE_AFTER_S = 30.0  # the booth refreshes at least every 10 s while alive
RUNNING = "Running"  # systemd's STATUS= line when nothing is wrong
# Staff-facing (systemctl status, the status file): one wording for both, unlike
# the guest-facing session.DISK_FULL on the screen.
DISK_PAUSED = N_("Disk nearly full: captures paused")  # English here; the staff page says it in theirs


def fault_message(*, camera_ok: bool, disk_low: bool, camera_message: str = "") -> str:
    """The one problem staff should see, "" when all is well.

    The camera comes first: with the camera down nothing can be photographed,
    whatever the disk says, so a disk that recovers meanwhile must not make
    the line read "Running" (the disk's state stays in ``disk_low``).
    """
    if not camera_ok:
        return camera_message or CAMERA_RETRYING
    if disk_low:
        return DISK_PAUSED
    return ""


@dataclass
class BoothStatus:
    """A snapshot of the booth: what screen it is on and what is wrong, if anything."""

    state: str = "starting"  # the session state (attract, coach, review, ...)
    camera: str = ""  # which camera backend, e.g. "picamera" or "scripted"
    camera_ok: bool = True
    disk_low: bool = False
    message: str = ""  # the plain-words problem shown on screen, "" when all is well
    updated: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)
    photos_taken: int = 0  # since the process started
    started: float = field(default_factory=time.time)
    # What `booth doctor` reports instead of opening the devices the booth holds:
    camera_detail: str = ""  # the camera's own description (sizes), e.g. "Pi camera imx708: preview ..."
    camera_fps: float | None = None  # frames a second the preview delivered lately (None: not yet known)
    frame_age_s: float | None = None  # age of the newest preview frame when this was written
    gpio: dict[str, Any] = field(default_factory=dict)  # {"factory", "button", "led", "problems"}; {} = not opened
    # Counters since the process started: rates come from two snapshots (benchmarks/interference.py).
    frames_drawn: int = 0  # display loop iterations
    frames_analysed: int = 0  # preview frames through the face model

    @property
    def line(self) -> str:
        """systemd's STATUS= line for this snapshot."""
        return self.message or RUNNING

    def stale(self, now: float | None = None) -> bool:
        """True when the booth has not reported recently (not running or hung)."""
        return (time.time() if now is None else now) - self.updated > STALE_AFTER_S


def write_status(data_dir: Path, status: BoothStatus) -> None:
    """Replace status.json atomically (temp file, fsync, rename)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".{STATUS_FILE}.{secrets.token_hex(4)}.tmp"
    body = json.dumps(dataclasses.asdict(status), sort_keys=True).encode()
    try:
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, data_dir / STATUS_FILE)
    finally:
        tmp.unlink(missing_ok=True)


def read_status(data_dir: Path) -> BoothStatus | None:
    """The last status written, or None if there is none or it is unreadable."""
    try:
        raw: Any = json.loads((Path(data_dir) / STATUS_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    known = {f.name: f.type for f in dataclasses.fields(BoothStatus)}
    kwargs = {k: v for k, v in raw.items() if k in known}
    try:
        status = BoothStatus(**kwargs)
    except TypeError:
        return None
    # Keep the staff page robust against a hand-edited or foreign file.
    if not (isinstance(status.state, str) and isinstance(status.message, str)
            and isinstance(status.updated, (int, float)) and isinstance(status.camera_ok, bool)
            and isinstance(status.disk_low, bool) and isinstance(status.gpio, dict)
            and all(isinstance(v, (int, float)) or v is None for v in (status.camera_fps, status.frame_age_s))):
        return None
    return status
