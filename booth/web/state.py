"""The photo server's small state file (login sessions, the rate limits): opening it, and failing closed.

One SQLite file shared by every worker (``WebSettings.state_path``: systemd's
RAM-backed ``RuntimeDirectory=`` when there is one, so a full data disk does
not stop it). Whoever cannot write it raises :class:`StateUnavailable`, and
the caller refuses rather than lets anything through uncounted.
"""

from __future__ import annotations

import ipaddress
import sqlite3
from pathlib import Path


class StateUnavailable(RuntimeError):
    """The state cannot be written (a full disk, say): refuse, never let anything through uncounted."""


def open_state(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (callers open their own BEGIN IMMEDIATE), WAL, waiting on locks."""
    db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA journal_mode = WAL")
    return db


def client_key(host: str) -> str:
    """Who a request counts against: the address, or its /64 for IPv6 (a phone can have many)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
