"""The booth's staff pages: the day's figures, the booth's health, the ZIP export, deleting.

Over this booth's gallery; the login, the guard and the ZIP streaming are
booth.web.staff_access and booth.web.export, which `booth web --cloud`
shares (booth/cloud/staff.py). Everything under /staff needs a valid session
cookie except the login form itself. Deleting (one photo, or every photo once
the event is over) asks for confirmation on a page of its own, and the POST
that does it must come from this site (:func:`booth.web.phone.same_origin`); both are
logged, without any photo's token or link.
"""

from __future__ import annotations

import logging
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booth.demo import DEMO_EXPIRY_S
from booth.gallery import Gallery
from booth.cloud.status import read_sync_status
from booth.i18n import N_
from booth.status import read_status
from booth.web.chart import hour_chart
from booth.web.export import export_zip, gallery_items
from booth.web.language import PageLanguage, language_of, number_text
from booth.web.pages import kept, render
from booth.web.phone import look_names, same_origin
from booth.web.settings import WebSettings
from booth.web.staff_access import NO_STORE, StaffAccess, client, small_form, zip_download
from booth.web.thumbs import thumbnail

log = logging.getLogger(__name__)

DONE = {"deleted": N_("The photo was deleted."), "wiped": N_("All photos were deleted.")}  # ?done= after a delete
DEMO_HOURS = round(DEMO_EXPIRY_S / 3600)  # how long demo photos are kept, as the staff page says it


def _size_text(n: float, lang: PageLanguage) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{number_text(n, 0 if unit in ('B', 'KB') else 1, lang)} {unit}"
        n /= 1024
    return f"{number_text(n, 1, lang)} TB"  # pragma: no cover


def _ago(seconds: float, lang: PageLanguage) -> str:
    if seconds < 90:
        return lang.gettext("{n} s ago", n=number_text(seconds, 0, lang))
    if seconds < 5400:
        return lang.gettext("{n} min ago", n=number_text(seconds / 60, 0, lang))
    return lang.gettext("{n} h ago", n=number_text(seconds / 3600, 1, lang))


def staff_routes(gallery: Gallery, settings: WebSettings, access: StaffAccess) -> list[Route]:
    logged_in, to_login = access.logged_in, access.to_login

    def dashboard_sync(lang: PageLanguage, done: str = "") -> Response:
        now = time.time()
        stats = gallery.stats(now)
        free = gallery.free_bytes()
        status = read_status(settings.data_dir)
        _ = lang.gettext
        if status is None:
            booth_ok, state, detail = False, _("Not running"), _("the booth has not reported yet")
        elif status.stale(now):
            booth_ok, state = False, _("Not running")
            detail = _("last seen {ago}", ago=_ago(now - status.updated, lang))
        else:
            booth_ok = status.camera_ok and not status.disk_low and not status.message
            state = _("Running") if booth_ok else _("Needs attention")
            # status.state is the screen's internal name and status.camera the camera's: names, not words.
            parts = [_("screen: {state}", state=status.state),
                     _("camera: {camera}", camera=status.camera or "?") if status.camera_ok
                     else _("camera: {camera} (unavailable)", camera=status.camera or "?")]
            if status.disk_low:
                parts.append(_("disk nearly full: captures paused"))
            if status.message:
                parts.append(_(status.message))  # the booth's own words (booth.status): msgids, said here
            detail = "; ".join(parts)
        cloud_ok, cloud_detail = True, ""
        if settings.cloud:  # [cloud] set: `booth sync`'s queue and its last error, in one line
            sync = read_sync_status(settings.data_dir)
            cloud_ok = sync is not None and not sync.last_error and not sync.stale(now)
            cloud_detail = sync.line(now, lang.tr) if sync else _("booth sync has not run yet")
        return render("staff.html", lang, booths=None, selected="", cloud=settings.cloud, cloud_ok=cloud_ok,
                      cloud_detail=cloud_detail, title=_("Photo booth — staff"), wide=True, root="../", stats=stats,
                      free_text=_size_text(free, lang), disk_low=free < settings.min_free_mb * 1024 * 1024,
                      booth_ok=booth_ok, booth_state=state, booth_detail=detail,
                      chart=hour_chart(stats.per_hour, lang), **kept(settings.expiry_days), demo_hours=DEMO_HOURS,
                      looks=look_names(lang), done=done, headers=NO_STORE)

    async def dashboard(request: Request) -> Response:
        if not logged_in(request):
            return to_login()
        lang = language_of(request)
        done = lang.tr(DONE.get(request.query_params.get("done", ""), ""))
        return await run_in_threadpool(dashboard_sync, lang, done)

    def refused(request: Request) -> Response:
        return Response(language_of(request).gettext("This action must be sent from the booth's own staff page."),
                        status_code=403, media_type="text/plain", headers=NO_STORE)

    async def confirm_delete(request: Request) -> Response:
        if not logged_in(request):
            return to_login()
        record = gallery.get(request.path_params["token"])  # None for a malformed token too
        if record is None:
            return Response(status_code=404, headers=NO_STORE)
        lang = language_of(request)
        return render("staff_delete.html", lang, title=lang.gettext("Delete this photo?"), root="../../",
                      token=record.token, created=record.created, look=look_names(lang).get(record.look, record.look),
                      headers=NO_STORE)

    async def delete(request: Request) -> Response:
        if not logged_in(request):
            return to_login()
        if not same_origin(request):
            log.warning("staff delete refused: sent from another site (client %s)", client(request))
            return refused(request)
        record = gallery.get(request.path_params["token"])
        if record is None or not await run_in_threadpool(gallery.delete, record.token):
            return Response(status_code=404, headers=NO_STORE)
        log.info("staff deleted one photo taken %s (client %s)",
                 time.strftime("%Y-%m-%d %H:%M", time.localtime(record.created)), client(request))
        return RedirectResponse("/staff?done=deleted", status_code=303, headers=NO_STORE)

    def wipe_page(lang: PageLanguage, error: str = "", status: int = 200) -> Response:
        stats = gallery.stats()
        return render("staff_wipe.html", lang, status=status, title=lang.gettext("Delete all photos?"), root="../",
                      count=gallery.count(), quarantined=stats.quarantined, error=error, headers=NO_STORE)

    async def confirm_wipe(request: Request) -> Response:
        if not logged_in(request):
            return to_login()
        return await run_in_threadpool(wipe_page, language_of(request))

    async def wipe(request: Request) -> Response:
        if not logged_in(request):
            return to_login()
        if not same_origin(request):
            log.warning("staff wipe refused: sent from another site (client %s)", client(request))
            return refused(request)
        form = await small_form(request) or {}
        count = await run_in_threadpool(gallery.count)
        # The count typed must be the count now: photos taken since the page was shown are not wiped unseen.
        if form.get("count", "").strip() != str(count) or count == 0:
            lang = language_of(request)
            return await run_in_threadpool(
                wipe_page, lang, lang.gettext("Type {count} (the number of photos now on the booth) to confirm.",
                                              count=count), 409)
        photos, quarantined = await run_in_threadpool(gallery.wipe)
        log.warning("staff wiped the event: %d photo(s) and %d quarantined file(s) deleted (client %s)",
                    photos, quarantined, client(request))
        return RedirectResponse("/staff?done=wiped", status_code=303, headers=NO_STORE)

    async def export(request: Request) -> Response:
        if not logged_in(request):
            return to_login()
        return zip_download(export_zip(gallery_items(gallery)), request)

    async def thumb(request: Request) -> Response:
        if not logged_in(request):
            return to_login()
        token = request.path_params["token"]
        record = gallery.get(token)  # None for a malformed token too
        data = None
        if record is not None and not record.expired():
            data = await run_in_threadpool(thumbnail, gallery.path(record, "retouched"))
        if data is None:
            return Response(status_code=404, headers=NO_STORE)
        return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=300"})

    return [
        Route("/staff", dashboard, methods=["GET"]),
        Route("/staff/", dashboard, methods=["GET"]),
        *access.routes(),
        Route("/staff/export.zip", export, methods=["GET"]),
        Route("/staff/thumb/{token}.jpg", thumb, methods=["GET"]),
        Route("/staff/delete/{token}", confirm_delete, methods=["GET"]),
        Route("/staff/delete/{token}", delete, methods=["POST"]),
        Route("/staff/wipe", confirm_wipe, methods=["GET"]),
        Route("/staff/wipe", wipe, methods=["POST"]),
    ]
