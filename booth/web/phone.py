"""The subject's photo page: /p/<token>, its files, and deleting it; and a visit's page, /v/<visit>.

Every route checks the token's shape first (booth.gallery.valid_token), so
path tricks never reach SQL or the disk. Unknown, deleted and malformed
tokens all get the same 404 page; an expired photo gets 410 with the same
page shape. Links are relative, so a public URL with a path prefix works.

A visit's page lists every live photo the guest kept in that visit, each
with the links of its own /p page (so each photo is still downloaded and
deleted exactly as on its own page), and "Download all": one ZIP of the
retouched photos, streamed as it is written (booth.web.export.guest_zip).
A ZIP because it is one download that both phones open: Android's Files app
and iOS's Files app (since iOS 13) unpack it with a tap, whereas several
downloads started by one tap are blocked or asked about one by one by
mobile browsers, and a page with scripts is something these pages never
carry. A visit never lists a photo kept in another visit: the photos come
from one indexed query on that visit's token. Unknown, malformed and
all-deleted visits get the same 404 as a photo; all expired, 410.
"""

from __future__ import annotations

import functools
import logging
import time
from urllib.parse import urlsplit
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from booth.coach.words import LOOK_INFO
from booth.gallery import Gallery, PhotoRecord, valid_token
from booth.i18n import N_
from booth.session import RETOUCH_NAMES
from booth.web.brand import brand_of
from booth.web.export import gallery_opener, guest_zip
from booth.web.files import photo_response
from booth.web.language import PageLanguage, language_of, page_language
from booth.web.pages import date_text, kept, render, render_text
from booth.web.settings import WebSettings

log = logging.getLogger(__name__)

_ASPECT = {"4:5": (800, 1000), "1:1": (800, 800), "2:3": (800, 1200)}


# The heading and the line of the page for an unknown (404) or expired (410) photo.
GONE = {
    404: (N_("No photo here"),
          N_("This link doesn't lead to a photo. It may be mistyped, or the photo may have been deleted.")),
    410: (N_("This photo has expired"), N_("Its time on the booth is over and it has been deleted.")),
}


def look_names(lang: PageLanguage) -> dict[str, str]:
    """Each look's name in ``lang``, by the gallery's key: the name the guest read on the booth's screen
    (booth.coach.words; importing it loads no coach maths). The staff pages name a photo's look with it too."""
    return {key: lang.tr(name) for key, (name, _) in LOOK_INFO.items()}


def gone(settings: WebSettings, lang: PageLanguage, status: int = 404, root: str = "/") -> Response:
    """The friendly page for unknown (404) and expired (410) photos; no hint which ever existed."""
    heading, message = (lang.tr(text) for text in GONE[410 if status == 410 else 404])
    return problem_page(settings, lang, status, heading, message, root)


def problem_page(settings: WebSettings, lang: PageLanguage, status: int, heading: str, message: str,
                 root: str = "/") -> Response:
    """gone.html: a heading, a line, and how long photos are kept (already in ``lang``)."""
    return render("gone.html", lang, status=status, title=heading, heading=heading, message=message, root=root,
                  **kept(settings.expiry_days))


NO_STORE = {"cache-control": "no-store"}  # a visit's page changes as its photos are deleted: never kept


def _filename(created: float, suffix: str = "", look: str | None = None) -> str:
    """The download's name; a visit's photos (taken within a minute) also carry their look, to tell them apart."""
    return (time.strftime("headshot-%Y-%m-%d-%H%M", time.localtime(created)) + (f"-{look}" if look else "")
            + suffix + ".jpg")


class _Photo(Protocol):
    """What a visit's page and ZIP need of a photo: a gallery record, or the cloud server's CloudPhoto."""

    @property
    def token(self) -> str: ...
    @property
    def created(self) -> float: ...
    @property
    def expires(self) -> float: ...
    @property
    def crop(self) -> str: ...
    @property
    def look(self) -> str: ...
    @property
    def visit(self) -> str | None: ...


def _look_in_name(record: _Photo) -> str | None:
    return record.look if record.visit is not None else None


def visit_page_html(records: Sequence[_Photo], visit: str, settings: WebSettings, lang: PageLanguage) -> str:
    """The visit's page (both servers): each live photo with its own /p links, and Download all."""
    photos = [{"token": r.token, "width": _ASPECT.get(r.crop, (800, 1000))[0],
               "height": _ASPECT.get(r.crop, (800, 1000))[1],
               "look_name": look_names(lang).get(r.look, r.look.capitalize()),
               "filename": _filename(r.created, "", r.look),
               "original_filename": _filename(r.created, "-original", r.look)} for r in records]
    return render_text("visit.html", lang, title=lang.gettext("Your headshots"), root="../", photos=photos,
                       visit=visit, zip_name=_zip_name(records[0]), **kept(settings.expiry_days),
                       until=date_text(min(r.expires for r in records), lang),
                       event=brand_of(settings.event).context())


def photo_page_html(lang: PageLanguage, settings: WebSettings, token: str, crop: str, retouch: str, created: float,
                    expires: float, look: str | None) -> str:
    """A photo's page (both servers)."""
    width, height = _ASPECT.get(crop, (800, 1000))
    return render_text("photo.html", lang, title=lang.gettext("Your headshot"), root="../", token=token,
                       width=width, height=height, crop=crop, retouch=lang.tr(RETOUCH_NAMES.get(retouch, retouch)),
                       filename=_filename(created, "", look), original_filename=_filename(created, "-original", look),
                       **kept(settings.expiry_days), until=date_text(expires, lang),
                       event=brand_of(settings.event).context())


def not_deleted(settings: WebSettings, lang: PageLanguage) -> Response:
    """The answer to a cross-site request to delete a photo (both servers)."""
    return problem_page(settings, lang, 403, lang.gettext("Not deleted"),
                        lang.gettext("Open your photo's link and use its Delete button."), "../../")


P = TypeVar("P", bound=_Photo)


def zip_entries(records: Sequence[P], opener: Callable[[P], Callable[[], Any]]
                ) -> tuple[list[tuple[str, float, Callable[[], Any]]], str]:
    """(guest_zip's entries, the ZIP's name) for a visit's photos: one file name per photo
    (two of one look taken in the same minute would otherwise clash)."""
    files: list[tuple[str, float, Callable[[], Any]]] = []
    names: set[str] = set()
    for r in records:
        name, n = _filename(r.created, "", r.look), 1
        while name in names:
            n += 1
            name = _filename(r.created, f"-{n}", r.look)
        names.add(name)
        files.append((name, r.created, opener(r)))
    return files, _zip_name(records[0])


def _zip_name(first: _Photo) -> str:
    return time.strftime("headshots-%Y-%m-%d-%H%M.zip", time.localtime(first.created))


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
            return gone(settings, language_of(request), 404, root)
        if record.expired():
            return gone(settings, language_of(request), 410, root)
        return record

    @functools.lru_cache(maxsize=256)
    def page_html(code: str, offered: tuple[str, ...], token: str, crop: str, retouch: str, created: float,
                  expires: float, look: str | None) -> str:
        # The page depends on its language and these fields alone, which never change: render it once.
        return photo_page_html(page_language(code, offered), settings, token, crop, retouch, created, expires, look)

    async def page(request: Request) -> Response:
        record = lookup(request, "../")
        if isinstance(record, Response):
            return record
        lang = language_of(request)
        return HTMLResponse(page_html(lang.code, tuple(x.code for x in lang.offered), record.token, record.crop,
                                      record.retouch, record.created, record.expires, _look_in_name(record)))

    def file_route(kind: str, attachment: bool, suffix: str | None) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            record = lookup(request, "../../")
            if isinstance(record, Response):
                return record
            name = _filename(record.created, suffix, _look_in_name(record)) if suffix is not None else None
            response = await photo_response(request, gallery.path(record, kind), filename=name, attachment=attachment)
            return response or gone(settings, language_of(request), 404, "../../")

        return serve

    async def confirm_delete(request: Request) -> Response:
        record = lookup(request, "../../")
        if isinstance(record, Response):
            return record
        lang = language_of(request)
        return render("confirm_delete.html", lang, title=lang.gettext("Delete this photo?"), root="../../",
                      token=record.token)

    async def delete(request: Request) -> Response:
        # An expired photo can still be deleted by its owner right away.
        token = request.path_params["token"]
        lang = language_of(request)
        if not same_origin(request):
            log.warning("a cross-site request to delete a photo was refused")
            return not_deleted(settings, lang)
        record = gallery.get(token)
        if not await run_in_threadpool(gallery.delete, token):  # fsyncs: off the event loop
            return gone(settings, lang, 404, "../../")
        log.info("a photo was deleted by its owner")
        # Deleted from a visit's page: the way back to the visit's other photos, while it has any.
        back = record.visit if record is not None and record.visit and gallery.visit_photos(record.visit) else None
        return render("deleted.html", lang, title=lang.gettext("Photo deleted"), root="../../", visit=back,
                      switcher=False)  # a POST's answer: a ?lang= link would ask to delete again

    def visit_lookup(request: Request, root: str) -> list[PhotoRecord] | Response:
        """The visit's live photos, or the 404/410 page: 410 only when every photo it still has is expired."""
        visit = request.path_params["visit"]
        lang = language_of(request)
        if not valid_token(visit):
            return gone(settings, lang, 404, root)
        now = time.time()
        records = gallery.visit_photos(visit, include_expired=True, now=now)
        if not records:  # unknown, or every photo deleted: as a deleted photo
            return gone(settings, lang, 404, root)
        live = [r for r in records if not r.expired(now)]
        return live or gone(settings, lang, 410, root)

    async def visit_page(request: Request) -> Response:
        records = visit_lookup(request, "../")
        if isinstance(records, Response):
            return records
        return HTMLResponse(visit_page_html(records, request.path_params["visit"], settings, language_of(request)),
                            headers=NO_STORE)

    async def visit_zip(request: Request) -> Response:
        records = visit_lookup(request, "../../")
        if isinstance(records, Response):
            return records
        files, name = zip_entries(records, lambda r: functools.partial(gallery_opener(gallery, r), "retouched"))
        return StreamingResponse(guest_zip(files), media_type="application/zip", headers={
            "content-disposition": f'attachment; filename="{name}"', **NO_STORE})

    return photo_page_routes(page, file_route, confirm_delete, delete, visit_page=visit_page, visit_zip=visit_zip)


def photo_page_routes(page: Any, file_route: Callable[[str, bool, str | None], Any],
                      confirm_delete: Any, delete: Any, *, visit_page: Any = None,
                      visit_zip: Any = None) -> list[Route]:
    """The photo page's paths, once for both servers: the booth's (gallery) and `booth web --cloud` (bucket).

    ``file_route(kind, attachment, suffix)`` makes the endpoint for one file
    kind; ``suffix`` None serves it inline, else it names the download.
    ``visit_page`` and ``visit_zip`` serve /v/<visit> and its "Download all".
    """
    visits = [] if visit_page is None or visit_zip is None else [
        Route("/v/{visit}", visit_page, methods=["GET"]),
        Route("/v/{visit}/all.zip", visit_zip, methods=["GET"]),
    ]
    return [*visits,
        Route("/p/{token}", page, methods=["GET"]),
        Route("/p/{token}/photo.jpg", file_route("retouched", False, None), methods=["GET"]),
        Route("/p/{token}/download", file_route("retouched", True, ""), methods=["GET"]),
        Route("/p/{token}/original", file_route("original", True, "-original"), methods=["GET"]),
        Route("/p/{token}/delete", confirm_delete, methods=["GET"]),
        Route("/p/{token}/delete", delete, methods=["POST"]),
    ]
