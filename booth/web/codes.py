"""Typing the short code: ``/<code>`` and the form on ``/``, behind a rate limit.

A code (booth/codes.py) is a short way to the photo's page, never the key
to it: a right code answers with a redirect to ``p/<token>`` (or, for the
code of a visit, to the visit's page ``v/<visit>``), and the token stays
the secret. So that codes cannot be guessed, every lookup of a
well-formed code is counted before it is answered, per client address and
for the whole server (booth.web.limiter, in the SQLite file shared by all
workers); a right code's count is handed back (a guest who types theirs costs nothing), a
wrong one stays counted for the window. The README works out how many
guesses that leaves an attacker.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booth import codes
from booth.gallery import Gallery
from booth.web.language import PageLanguage, language_of
from booth.web.limiter import Limit, Limiter
from booth.web.pages import kept, render
from booth.web.phone import gone
from booth.web.settings import WebSettings
from booth.web.state import StateUnavailable, client_key

log = logging.getLogger(__name__)

NO_STORE = {"cache-control": "no-store"}


# A guest mistyping a few times is never stopped; the whole server is, whatever the number of addresses.
PER_CLIENT = Limit(10, 600.0)
OVERALL = Limit(120, 3600.0)


def code_limiter(path: Path, *, per_client: Limit = PER_CLIENT, overall: Limit = OVERALL) -> Limiter:
    """Code lookups, counted in the state file's ``code_lookups`` table (beside the login limit)."""
    return Limiter(path, "code_lookups", per_client=per_client, overall=overall, what="code lookup")


def _client(request: Request) -> str:
    return client_key(request.client.host) if request.client else "unknown"


def code_routes(gallery: Gallery, settings: WebSettings, limiter: Limiter) -> list[Route]:
    """``/`` (the form, and ``/?code=…``) and ``/<code>``; list them last, after every fixed path."""
    def form(lang: PageLanguage, error: str = "", status: int = 200, typed: str = "",
             headers: dict[str, str] | None = None) -> Response:
        return render("code.html", lang, status=status, title=lang.gettext("Find your photo"), root="", error=error,
                      typed=typed, length=codes.CODE_LENGTH, **kept(settings.expiry_days),
                      headers={**NO_STORE, **(headers or {})})

    async def lookup(request: Request, code: str) -> Response:
        client = _client(request)
        lang = language_of(request)
        try:
            wait, ticket = await run_in_threadpool(limiter.admit, client)
        except StateUnavailable as exc:
            log.error("short code lookup refused: %s", exc)
            return form(lang, lang.gettext(
                "The booth cannot look codes up just now. Please scan the QR code instead."), 503)
        if ticket is None:
            log.warning("short code lookup refused: too many tries (client %s)", client)
            minutes = max(1, round(wait / 60))
            wait_text = lang.ngettext("Too many tries. Please wait about {n} minute, or scan the QR code instead.",
                                      "Too many tries. Please wait about {n} minutes, or scan the QR code instead.",
                                      minutes)
            return form(lang, wait_text, 429, headers={"retry-after": str(int(wait) + 1)})
        page = await run_in_threadpool(_page_of, code)
        if page is None:
            return form(lang, lang.gettext("No photo has that code. Check it on the booth's screen and try again."),
                        404, typed=codes.display(code))
        await run_in_threadpool(limiter.refund, ticket)
        return RedirectResponse(page, status_code=303, headers=NO_STORE)

    def _page_of(code: str) -> str | None:
        """The page a right code leads to: a photo's ``p/<token>``, or a visit's ``v/<visit>`` (the session
        of looks: the share screen shows the visit's code). An expired photo, or a visit with no live photo
        left, answers like an unknown code: a code is not worth a hint that it ever existed."""
        record = gallery.by_code(code)
        if record is not None:
            return None if record.expired() else f"p/{record.token}"
        visit = gallery.visit_by_code(code)
        return None if visit is None else f"v/{visit}"

    async def index(request: Request) -> Response:
        typed = request.query_params.get("code")
        lang = language_of(request)
        if typed is None:
            return form(lang)
        code = codes.normalise(typed)
        if code is None:
            return form(lang, lang.ngettext("A code has {n} letter or digit, like the one on the booth's screen.",
                                            "A code has {n} letters and digits, like the one on the booth's screen.",
                                            codes.CODE_LENGTH), 400, typed=typed[:4 * codes.CODE_LENGTH])
        return await lookup(request, code)

    async def by_path(request: Request) -> Response:
        code = codes.normalise(request.path_params["code"])
        if code is None:
            return gone(settings, language_of(request), 404)  # any other unknown path: the usual 404 page
        return await lookup(request, code)

    return [
        Route("/", index, methods=["GET"]),
        Route("/{code}", by_path, methods=["GET"]),
    ]
