"""Is there room for another photo? A free-space check cheap enough for every frame.

The booth stops offering captures below ``[storage] min_free_mb`` rather
than failing halfway through a save. ``statvfs`` is a syscall, so the answer
is cached for ``ttl_s``: the render loop can ask 30 times a second while the
disk is asked every couple of seconds. ``f_bavail`` (blocks an unprivileged
user may use) is what counts: the booth runs as its own user, so root's
reserved blocks are not ours.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024


def free_mb_at(path: Path) -> float:
    """Free megabytes available to a non-root user on the filesystem holding ``path``.

    ``path`` may not exist yet (a fresh data directory): the nearest existing
    parent is asked instead, which is on the filesystem it will be created on.
    """
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    st = os.statvfs(probe)
    return st.f_bavail * st.f_frsize / MB


class DiskGuard:
    """Answers "is there at least ``min_free_mb`` free under ``path``?" with a short cache.

    An unreadable filesystem (``statvfs`` fails) counts as no space: better
    to say "storage full" than to lose a photo.
    """

    def __init__(
        self,
        path: Path,
        min_free_mb: int,
        *,
        ttl_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.min_free_mb = min_free_mb
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._free: float = 0.0

    def free_mb(self) -> float:
        """Free megabytes, at most ``ttl_s`` old."""
        with self._lock:
            now = self._clock()
            if self._checked_at is None or now - self._checked_at >= self.ttl_s:
                try:
                    self._free = free_mb_at(self.path)
                except OSError:
                    self._free = 0.0
                self._checked_at = now
            return self._free

    def ok(self) -> bool:
        """True while captures may be offered."""
        return self.free_mb() >= self.min_free_mb
