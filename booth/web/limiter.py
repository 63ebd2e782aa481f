"""One sliding-window rate limit in SQLite, per client and for the whole server: staff logins and short codes.

Each attempt is checked and counted in one write transaction (``BEGIN
IMMEDIATE``), so attempts racing in from several workers can never pass more
than the limit between them. A client over its own limit is refused before
anything is recorded, so one device adds at most ``per_client.attempts`` to
the overall count and cannot lock everybody else out on its own. An attempt
that turns out harmless is handed back (:meth:`Limiter.refund` one,
:meth:`Limiter.forget` all of a client's); rows older than the longer window
are dropped at the next attempt, so the table holds only the window.

Hand-written rather than a rate-limit library: those keep counts in one
process's memory or in Redis; this one must hold across uvicorn's worker
processes and restarts with nothing but the SQLite file the server has.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from booth.web.state import StateUnavailable, open_state


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` counted attempts in ``window_s`` seconds."""

    attempts: int
    window_s: float


class Limiter:
    """Attempts counted in table ``table`` of the state file; ``what`` names one attempt in errors."""

    def __init__(self, path: Path, table: str, *, per_client: Limit, overall: Limit, what: str) -> None:
        if not table.isidentifier():
            raise ValueError(f"table = {table!r}: a plain SQL name expected")
        self.table, self.per_client, self.overall, self.what = table, per_client, overall, what
        self._lock = threading.Lock()
        self._db = open_state(path)
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} (client TEXT NOT NULL, at REAL NOT NULL)")
        self._db.execute(f"CREATE INDEX IF NOT EXISTS {table}_at ON {table}(at)")

    def admit(self, client: str, now: float | None = None) -> tuple[float, int | None]:
        """``(0, ticket)`` when this attempt may go ahead (it is counted), else ``(seconds to wait, None)``.

        StateUnavailable if the count cannot be written (then nobody is let through).
        """
        now = time.time() if now is None else now
        try:
            return self._admit(client, now)
        except sqlite3.Error as exc:
            raise StateUnavailable(f"cannot count the {self.what}: {exc}") from None

    def _wait(self, limit: Limit, where: str, params: tuple[object, ...], now: float) -> float:
        rows = self._db.execute(f"SELECT at FROM {self.table} WHERE {where} ORDER BY at DESC LIMIT ?",
                                (*params, limit.attempts)).fetchall()
        return rows[-1][0] + limit.window_s - now if len(rows) >= limit.attempts else 0.0

    def _admit(self, client: str, now: float) -> tuple[float, int | None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one attempt at a time across workers
            try:
                wait = max(self._wait(self.per_client, "client = ? AND at > ?",
                                      (client, now - self.per_client.window_s), now),
                           self._wait(self.overall, "at > ?", (now - self.overall.window_s,), now))
                ticket = None
                if wait <= 0:
                    ticket = self._db.execute(f"INSERT INTO {self.table} VALUES (?, ?)", (client, now)).lastrowid
                    horizon = now - max(self.per_client.window_s, self.overall.window_s)
                    self._db.execute(f"DELETE FROM {self.table} WHERE at <= ?", (horizon,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return max(wait, 0.0), ticket

    def refund(self, ticket: int) -> None:
        """That one attempt no longer counts (a right short code); the others still do."""
        self._quietly(f"DELETE FROM {self.table} WHERE rowid = ?", (ticket,))

    def forget(self, client: str) -> None:
        """None of this client's attempts count any more (a right password ends a run of wrong ones)."""
        self._quietly(f"DELETE FROM {self.table} WHERE client = ?", (client,))

    def _quietly(self, sql: str, params: tuple[object, ...]) -> None:
        try:
            with self._lock:
                self._db.execute(sql, params)
        except sqlite3.Error:
            pass  # it stays counted: the limit only errs on the safe side

    def close(self) -> None:
        with self._lock:
            self._db.close()
