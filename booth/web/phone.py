"""The subject's photo page: /p/<token>, its files, and deleting it.

Every route checks the token's shape first (booth.gallery.valid_token), so
path tricks never reach SQL or the disk. Unknown, deleted and malformed
tokens all get the same 404 page; an expired photo gets 410 with the same
page shape. Links are relative, so a public URL with a path prefix works.
"""

from __future__ import annotations

import functools
import logging
import time
from urllib.parse import urlsplit
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from booth.durations import days_text
from booth.gallery import Gallery, PhotoRecord
from booth.session import RETOUCH_NAMES
from booth.web.files import photo_response
from booth.web.pages import date_text, render, render_text
from booth.web.settings import WebSettings

log = logging.getLogger(__name__)

_ASPECT = {"4:5": (800, 1000), "1:1": (800, 800), "2:3": (800, 1200)}


def gone(settings: WebSettings, status: int = 404, root: str = "/") -> Response:
    """The friendly page for unknown (404) and expired (410) photos; no hint which ever existed."""
    if status == 410:
        heading, message = "This photo has expired", "Its time on the booth is over and it has been deleted."
    else:
        heading, message = "No photo here", ("This link doesn't lead to a photo. It may be mistyped, "
                                             "or the photo may have been deleted.")
    return render("gone.html", status=status, title=heading, heading=heading, message=message, root=root,
                  expiry_text=days_text(settings.expiry_days))


def _filename(created: float, suffix: str = "") -> str:
    return time.strftime("headshot-%Y-%m-%d-%H%M", time.localtime(created)) + suffix + ".jpg"


def same_origin(request: Request) -> bool:
    """False for a POST another site's page made the browser send (the token alone is not the only guard).

    ``Sec-Fetch-Site`` (every current browser sends it) must say the form was
    on this site. Without it, an ``Origin`` naming another host is refused.
    ``Origin: null`` is allowed: our own pages send ``Referrer-Policy:
    no-referrer``, under which browsers send ``null`` for their own POSTs.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def phone_routes(gallery: Gallery, settings: WebSettings) -> list[Route]:
    """Routes for /p/<token>; closures over one Gallery per worker."""

    def lookup(request: Request, root: str) -> PhotoRecord | Response:
        """The live record, or the 404/410 page to answer with instead."""
        record = gallery.get(request.path_params["token"])
        if record is None:
            return gone(settings, 404, root)
        if record.expired():
            return gone(settings, 410, root)
        return record

    @functools.lru_cache(maxsize=256)
    def page_html(token: str, crop: str, retouch: str, created: float, expires: float) -> str:
        # The page depends on these fields alone, which never change: render it once.
        width, height = _ASPECT.get(crop, (800, 1000))
        return render_text("photo.html", title="Your headshot", root="../", token=token,
                           width=width, height=height, crop=crop, retouch=RETOUCH_NAMES.get(retouch, retouch),
                           filename=_filename(created),
                           original_filename=_filename(created, "-original"),
                           expiry_text=days_text(settings.expiry_days), until=date_text(expires))

    async def page(request: Request) -> Response:
        record = lookup(request, "../")
        if isinstance(record, Response):
            return record
        return HTMLResponse(page_html(record.token, record.crop, record.retouch, record.created, record.expires))

    def file_route(kind: str, attachment: bool, suffix: str | None) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            record = lookup(request, "../../")
            if isinstance(record, Response):
                return record
            name = _filename(record.created, suffix) if suffix is not None else None
            response = await photo_response(request, gallery.path(record, kind), filename=name, attachment=attachment)
            return response or gone(settings, 404, "../../")

        return serve

    async def confirm_delete(request: Request) -> Response:
        record = lookup(request, "../../")
        if isinstance(record, Response):
            return record
        return render("confirm_delete.html", title="Delete this photo?", root="../../", token=record.token)

    async def delete(request: Request) -> Response:
        # An expired photo can still be deleted by its owner right away.
        token = request.path_params["token"]
        if not same_origin(request):
            log.warning("a cross-site request to delete a photo was refused")
            return render("gone.html", status=403, title="Not deleted", heading="Not deleted",
                          message="Open your photo's link and use its Delete button.", root="../../",
                          expiry_text=days_text(settings.expiry_days))
        if not await run_in_threadpool(gallery.delete, token):  # fsyncs: off the event loop
            return gone(settings, 404, "../../")
        log.info("a photo was deleted by its owner")
        return render("deleted.html", title="Photo deleted", root="../../")

    return photo_page_routes(page, file_route, confirm_delete, delete)


def photo_page_routes(page: Any, file_route: Callable[[str, bool, str | None], Any],
                      confirm_delete: Any, delete: Any) -> list[Route]:
    """The photo page's paths, once for both servers: the booth's (gallery) and `booth web --cloud` (bucket).

    ``file_route(kind, attachment, suffix)`` makes the endpoint for one file
    kind; ``suffix`` None serves it inline, else it names the download.
    """
    return [
        Route("/p/{token}", page, methods=["GET"]),
        Route("/p/{token}/photo.jpg", file_route("retouched", False, None), methods=["GET"]),
        Route("/p/{token}/download", file_route("retouched", True, ""), methods=["GET"]),
        Route("/p/{token}/original", file_route("original", True, "-original"), methods=["GET"]),
        Route("/p/{token}/delete", confirm_delete, methods=["GET"]),
        Route("/p/{token}/delete", delete, methods=["POST"]),
    ]
