"""The staff pages' login, logout and guard, whatever the photos come from.

Both photo servers use it: the booth's own `booth web` (booth/web/staff.py,
over the local gallery) and `booth web --cloud` (booth/cloud/staff.py, over
the bucket). The password is checked with scrypt behind the login limit
(booth.web.auth, booth.web.limiter); a session is a random cookie whose
hash is kept in the state file (booth.web.auth.Sessions), so logging out
really ends it. Without a valid session every other staff page answers with
a redirect to the login form (303), and nothing about photos is revealed;
with no password hash configured, staff pages are off and say how to switch
them on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from booth.i18n import N_
from booth.web.auth import COOKIE, SESSION_S, PasswordChecker, Sessions
from booth.web.language import PageLanguage, language_of
from booth.web.limiter import Limiter
from booth.web.pages import render
from booth.web.state import StateUnavailable, client_key

log = logging.getLogger(__name__)

MAX_FORM = 4096
NO_STORE = {"cache-control": "no-store"}
UNAVAILABLE = N_("Staff login is unavailable right now (the booth cannot record it).")
Handler = Callable[[Request], Awaitable[Response]]


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def small_form(request: Request) -> dict[str, str] | None:
    """A small urlencoded form, or None if it is too big."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return None
    parsed = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[0] for k, v in parsed.items()}


def zip_download(chunks: Iterator[bytes], request: Request, name: str = "booth-photos") -> Response:
    """The staff's ZIP (booth.web.export), streamed as it is written, named for today."""
    log.info("staff export started (client %s)", client(request))
    filename = time.strftime(f"{name}-%Y-%m-%d.zip")
    return StreamingResponse(chunks, media_type="application/zip",
                             headers={"content-disposition": f'attachment; filename="{filename}"', **NO_STORE})


@dataclass
class StaffAccess:
    """Who is logged in, and the login/logout pages; ``enabled`` is False without a password hash."""

    sessions: Sessions
    limiter: Limiter
    checker: PasswordChecker

    @property
    def enabled(self) -> bool:
        return bool(self.sessions.password_hash)

    def logged_in(self, request: Request) -> bool:
        return self.enabled and self.sessions.valid(request.cookies.get(COOKIE))

    @staticmethod
    def to_login() -> Response:
        return RedirectResponse("/staff/login", status_code=303, headers=NO_STORE)

    def guard(self, handler: Handler) -> Handler:
        """The handler, for logged-in staff only; everyone else is sent to the login form."""

        async def guarded(request: Request) -> Response:
            if not self.logged_in(request):
                return self.to_login()
            return await handler(request)

        return guarded

    def login_page(self, lang: PageLanguage, error: str = "", status: int = 200,
                   headers: dict[str, str] | None = None) -> Response:
        return render("staff_login.html", lang, status=status if self.enabled else 403,
                      title=lang.gettext("Staff login"), root="../", disabled=not self.enabled, error=error,
                      headers={**NO_STORE, **(headers or {})})

    async def login_form(self, request: Request) -> Response:
        return self.login_page(language_of(request))

    async def login(self, request: Request) -> Response:
        lang = language_of(request)
        if not self.enabled:
            return self.login_page(lang)
        who = client_key(client(request))
        form = await small_form(request)
        password = (form or {}).get("password", "")
        checker = self.checker
        if checker.busy():
            log.warning("staff login refused: too many checks at once (client %s)", who)
            return self.login_page(lang, lang.gettext("The booth is busy. Try again in a few seconds."), 503,
                                   {"retry-after": "5"})
        checker.pending += 1
        try:
            try:
                # Counted as a failure before the check: parallel guesses cannot outrun the limit.
                wait, _ = await run_in_threadpool(self.limiter.admit, who)
            except StateUnavailable as exc:
                log.error("staff login refused: %s", exc)
                return self.login_page(lang, lang.gettext(UNAVAILABLE), 503, {"retry-after": "60"})
            if wait > 0:
                log.warning("staff login refused: too many failed attempts (client %s)", who)
                minutes = max(1, round(wait / 60))
                return self.login_page(lang, lang.ngettext("Too many wrong passwords. Try again in about {n} minute.",
                                                           "Too many wrong passwords. Try again in about {n} minutes.",
                                                           minutes),
                                       429, {"retry-after": str(int(wait) + 1)})
            # verify_password refuses an empty or over-long password itself (the hash was checked at start-up).
            ok = await checker.check(password)
        finally:
            checker.pending -= 1
        if not ok:
            log.warning("staff login failed (client %s)", who)
            return self.login_page(lang, lang.gettext("Wrong password."), 401)
        await run_in_threadpool(self.limiter.forget, who)
        try:
            cookie = await run_in_threadpool(self.sessions.issue)
        except StateUnavailable as exc:
            log.error("staff login not completed: %s", exc)
            return self.login_page(lang, lang.gettext(UNAVAILABLE), 503, {"retry-after": "60"})
        log.info("staff logged in (client %s)", who)
        response = RedirectResponse("/staff", status_code=303, headers=NO_STORE)
        response.set_cookie(COOKIE, cookie, max_age=int(SESSION_S), path="/staff",
                            httponly=True, samesite="strict")
        return response

    async def logout(self, request: Request) -> Response:
        try:
            await run_in_threadpool(self.sessions.revoke, request.cookies.get(COOKIE))
        except StateUnavailable as exc:
            log.error("staff logout: %s", exc)
        response = self.to_login()
        response.delete_cookie(COOKIE, path="/staff", httponly=True, samesite="strict")
        return response

    def routes(self) -> list[Route]:
        return [
            Route("/staff/login", self.login_form, methods=["GET"]),
            Route("/staff/login", self.login, methods=["POST"]),
            Route("/staff/logout", self.logout, methods=["POST"]),
        ]
