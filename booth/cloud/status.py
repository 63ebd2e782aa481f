"""`booth sync`'s queue, told to the staff page and `booth doctor` through a small file.

``sync-status.json`` in the data directory, replaced atomically after every
change: items waiting, when the oldest was queued, the last error (one
plain line, "" once uploads work again), and when it was written. No boto3
here: the staff page and doctor read it without loading S3 code.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from booth.i18n import ENGLISH, N_, Translator

SYNC_STATUS_FILE = "sync-status.json"
SYNC_STALE_AFTER_S = 120.0  # `booth sync` rewrites it at least every 30 s while it runs


@dataclass(frozen=True)
class SyncStatus:
    queue: int = 0
    oldest: float | None = None  # when the oldest waiting item was queued
    last_error: str = ""
    uploaded: int = 0  # photos uploaded since this `booth sync` started
    updated: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)

    def stale(self, now: float | None = None) -> bool:
        """Whether `booth sync` has stopped writing it (is not running)."""
        return (time.time() if now is None else now) - self.updated > SYNC_STALE_AFTER_S

    def line(self, now: float | None = None, tr: Translator = ENGLISH) -> str:
        """The one line staff see (in ``tr``'s language; `booth doctor` says it in English)."""
        now = time.time() if now is None else now
        if self.stale(now):
            return tr(N_("booth sync is not running (last seen {s} s ago)"), s=int(now - self.updated))
        # A count after a colon: no plural form to agree with it.
        text = tr(N_("all photos uploaded")) if not self.queue else tr(
            N_("waiting: {n}, the oldest for {s} s"), n=self.queue, s=int(now - (self.oldest or now)))
        # The error is S3's or the network's own text: shown as it came.
        return tr(N_("{text}; last error: {error}"), text=text, error=self.last_error) if self.last_error else text


def write_sync_status(data_dir: Path, status: SyncStatus) -> None:
    path = Path(data_dir) / SYNC_STATUS_FILE
    tmp = path.with_name(f".tmp-sync-{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(dataclasses.asdict(status)))
    os.replace(tmp, path)


def read_sync_status(data_dir: Path) -> SyncStatus | None:
    """The last status `booth sync` wrote, or None if it never ran here."""
    try:
        raw = json.loads((Path(data_dir) / SYNC_STATUS_FILE).read_text())
        return SyncStatus(int(raw["queue"]), None if raw["oldest"] is None else float(raw["oldest"]),
                          str(raw["last_error"]), int(raw.get("uploaded", 0)), float(raw["updated"]),
                          int(raw["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
