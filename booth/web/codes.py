"""Typing the short code: ``/<code>`` and the form on ``/``, behind a rate limit.

A code (booth/codes.py) is a short way to the photo's page, never the key
to it: a right code answers with a redirect to ``p/<token>``, and the token
stays the secret. So that codes cannot be guessed, every lookup of a
well-formed code is counted before it is answered, per client address and
for the whole server, in a small SQLite file shared by all workers; a right
code's count is handed back (a guest who types theirs costs nothing), a
wrong one stays counted for the window. The README works out how many
guesses that leaves an attacker.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booth import codes
from booth.durations import days_text
from booth.gallery import Gallery
from booth.web.auth import StateUnavailable, _state_db, client_key
from booth.web.pages import render
from booth.web.phone import gone
from booth.web.settings import WebSettings

log = logging.getLogger(__name__)

NO_STORE = {"cache-control": "no-store"}


@dataclass(frozen=True)
class Window:
    """At most ``attempts`` code lookups in ``window_s`` seconds."""

    attempts: int
    window_s: float


PER_CLIENT = Window(10, 600.0)  # a guest mistyping a few times is never stopped
OVERALL = Window(120, 3600.0)  # the whole server, whatever the number of addresses


class CodeLimiter:
    """Counts code lookups in SQLite, so the limit holds across workers and restarts."""

    def __init__(self, path: Path, *, per_client: Window = PER_CLIENT, overall: Window = OVERALL) -> None:
        self.per_client, self.overall = per_client, overall
        self._lock = threading.Lock()
        self._db = _state_db(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS code_lookups (client TEXT NOT NULL, at REAL NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS code_lookups_at ON code_lookups(at)")

    def admit(self, client: str, now: float | None = None) -> tuple[float, int | None]:
        """``(0, ticket)`` when this lookup may go ahead (and is counted), else ``(seconds to wait, None)``.

        Checked and counted in one write transaction: lookups racing in from
        several workers can never pass more than the limit between them.
        StateUnavailable if the count cannot be written (then nobody is let through).
        """
        now = time.time() if now is None else now
        try:
            return self._admit(client, now)
        except sqlite3.Error as exc:
            raise StateUnavailable(f"cannot count the code lookup: {exc}") from None

    def _admit(self, client: str, now: float) -> tuple[float, int | None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                waits = [0.0]
                for limit, where, params in (
                    (self.per_client, "client = ? AND at > ?", (client, now - self.per_client.window_s)),
                    (self.overall, "at > ?", (now - self.overall.window_s,)),
                ):
                    rows = self._db.execute(f"SELECT at FROM code_lookups WHERE {where} ORDER BY at DESC LIMIT ?",
                                            (*params, limit.attempts)).fetchall()
                    if len(rows) >= limit.attempts:
                        waits.append(rows[-1][0] + limit.window_s - now)
                wait = max(waits)
                ticket = None
                if wait <= 0:
                    ticket = self._db.execute("INSERT INTO code_lookups VALUES (?, ?)", (client, now)).lastrowid
                    horizon = now - max(self.per_client.window_s, self.overall.window_s)
                    self._db.execute("DELETE FROM code_lookups WHERE at <= ?", (horizon,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return wait, ticket

    def refund(self, ticket: int) -> None:
        """A right code: that one lookup no longer counts (the wrong ones still do)."""
        try:
            with self._lock:
                self._db.execute("DELETE FROM code_lookups WHERE rowid = ?", (ticket,))
        except sqlite3.Error:
            pass  # it stays counted: the limit only errs on the safe side

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _client(request: Request) -> str:
    return client_key(request.client.host) if request.client else "unknown"


def code_routes(gallery: Gallery, settings: WebSettings, limiter: CodeLimiter) -> list[Route]:
    """``/`` (the form, and ``/?code=…``) and ``/<code>``; list them last, after every fixed path."""
    expiry_text = days_text(settings.expiry_days)

    def form(error: str = "", status: int = 200, typed: str = "", headers: dict[str, str] | None = None) -> Response:
        return render("code.html", status=status, title="Find your photo", root="", error=error, typed=typed,
                      length=codes.CODE_LENGTH, expiry_text=expiry_text, headers={**NO_STORE, **(headers or {})})

    async def lookup(request: Request, code: str) -> Response:
        client = _client(request)
        try:
            wait, ticket = await run_in_threadpool(limiter.admit, client)
        except StateUnavailable as exc:
            log.error("short code lookup refused: %s", exc)
            return form("The booth cannot look codes up just now. Please scan the QR code instead.", 503)
        if ticket is None:
            log.warning("short code lookup refused: too many tries (client %s)", client)
            minutes = max(1, round(wait / 60))
            return form(f"Too many tries. Please wait about {minutes} minute(s), or scan the QR code instead.",
                        429, headers={"retry-after": str(int(wait) + 1)})
        record = await run_in_threadpool(gallery.by_code, code)
        if record is None or record.expired():
            # An expired photo answers like an unknown code: a code is not worth a hint that it ever existed.
            return form("No photo has that code. Check it on the booth's screen and try again.", 404,
                        typed=codes.display(code))
        await run_in_threadpool(limiter.refund, ticket)
        return RedirectResponse(f"p/{record.token}", status_code=303, headers=NO_STORE)

    async def index(request: Request) -> Response:
        typed = request.query_params.get("code")
        if typed is None:
            return form()
        code = codes.normalise(typed)
        if code is None:
            return form(f"A code has {codes.CODE_LENGTH} letters and digits, like the one on the booth's "
                        "screen.", 400, typed=typed[:4 * codes.CODE_LENGTH])
        return await lookup(request, code)

    async def by_path(request: Request) -> Response:
        code = codes.normalise(request.path_params["code"])
        if code is None:
            return gone(settings, 404)  # any other unknown path: the usual 404 page
        return await lookup(request, code)

    return [
        Route("/", index, methods=["GET"]),
        Route("/{code}", by_path, methods=["GET"]),
    ]
