"""The photo server's ASGI app: phone pages, staff pages, security headers.

Plain Starlette (what FastAPI is built on) rather than FastAPI itself: the
server has no JSON API to validate or document, and the phone page is its
hot path, so it skips the extra per-request layers.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from booth.gallery import Gallery
from booth.web.auth import PasswordChecker, Sessions, check_hash_format, login_limiter
from booth.web.brand import brand_of
from booth.web.codes import code_limiter, code_routes
from booth.web.errors import InternalErrors
from booth.web.headers import SecurityHeaders, content_security_policy
from booth.web.language import Languages, language_of
from booth.web.pages import CSS
from booth.web.phone import gone, phone_routes, problem_page
from booth.web.probes import probe_routes
from booth.web.settings import WebSettings
from booth.web.staff import staff_routes
from booth.web.staff_access import StaffAccess


def create_app(settings: WebSettings, *, reconcile: bool = False) -> Starlette:
    """One worker's app. The parent process reconciles the gallery once before workers start."""
    if settings.staff_password_hash:
        check_hash_format(settings.staff_password_hash)
    gallery = Gallery(settings.data_dir, expiry_days=settings.expiry_days, reconcile=reconcile,
                      outbox=settings.cloud)
    sessions = Sessions(settings.state_path, settings.staff_password_hash)
    limiter = login_limiter(settings.state_path)
    checker = PasswordChecker(settings.staff_password_hash)
    codes_limiter = code_limiter(settings.state_path)  # beside the login limit

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            gallery.close()
            limiter.close()
            sessions.close()
            codes_limiter.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        # Any path we do not serve looks exactly like an unknown photo.
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return Response(status_code=405, headers={**dict(exc.headers or {}), "allow": allowed(request)})
        return gone(settings, language_of(request), 404)

    def allowed(request: Request) -> str:
        # Starlette's Allow names only the first route with this path; a path served by two
        # routes (GET /p/<token>/delete asks, POST deletes) must list both.
        methods: set[str] = set()
        for route in app.router.routes:
            match, _ = route.matches({**request.scope, "method": "GET"})
            if match is not Match.NONE and isinstance(route, Route) and route.methods:
                methods |= route.methods
        return ", ".join(sorted(methods))

    app = Starlette(
        routes=[*probe_routes(), *phone_routes(gallery, settings),
                *staff_routes(gallery, settings, StaffAccess(sessions, limiter, checker)),
                *brand_of(settings.event).routes(),
                *code_routes(gallery, settings, codes_limiter)],  # last: "/{code}" must not shadow a fixed path
        exception_handlers={404: not_found, 405: not_found},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # "/p/<token>/" is simply not a page
    app.state.gallery = gallery
    app.add_middleware(InternalErrors, page=lambda request: problem_page(
        settings, lang := language_of(request), 500, lang.gettext("Something went wrong"),
        lang.gettext("The photo booth could not answer. Please try again in a moment.")))
    app.add_middleware(Languages, offered=settings.languages)  # outside InternalErrors: its page speaks it too
    app.add_middleware(SecurityHeaders, csp=content_security_policy(CSS, settings.event.style if settings.event else ""))  # outermost: on the 500 page too
    return app


def app_from_env() -> Starlette:
    """uvicorn's factory for each worker process (settings come from the parent)."""
    return create_app(WebSettings.from_env())
