"""The booth process's health, handed to the staff page through a small file.

``booth web`` is a separate process (and may run sandboxed), so the booth
writes its state to ``status.json`` in the data directory, atomically, a few
times a minute; the staff page reads it and calls the booth "not running"
when the file is missing or older than :data:`STALE_AFTER_S`.
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

STATUS_FILE = "status.json"
STALE_AFTER_S = 30.0  # the booth refreshes at least every 10 s while alive


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
            and isinstance(status.disk_low, bool)):
        return None
    return status
