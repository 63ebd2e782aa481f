"""`booth web --cloud`: the phone's photo page served from the bucket, for guests on mobile data.

Stateless for guests: everything comes from the bucket on each request (the
only memory is a 30-second list of booth folders), so any number of these can run behind
a load balancer, and a fleet's booths share one. Same pages, same addresses,
same answers as the booth's own `booth web`: 404 for unknown or malformed
tokens, 410 once expired, "Delete my photo" with the same cross-site guard.

A photo whose ``pending`` marker is there but not its ``meta.json`` (booth.cloud.keys)
is on its way: the page says so and refreshes itself (a meta refresh, the
pages carry no scripts).

Files are *streamed* through this server rather than redirected to presigned
URLs: the bucket need not be reachable from the internet (a self-hosted store
on a private network, as in the tests); a deleted photo stops downloading at
once, whereas a presigned URL handed out keeps working until it expires; and
the answers carry exactly the headers the booth's own server sends (file
name, ETag, the security headers). The cost is the photo's bytes passing
through this server, a few MB per guest (benchmarks/sync.py).

A visit's page, /v/<visit>, is found through the visit's markers
(``<booth>/visits/<visit>/<token>``, booth.cloud.keys): one listing per
booth, then each photo's meta.json. While any of its photos is still on its
way the page says so and refreshes, as a photo's does; then it is the
booth's own visit page, its links the photos' own /p pages, and "Download
all" the same ZIP, streamed from the bucket.

Staff log in at /staff as on a booth and see every booth's photos
(booth/cloud/staff.py); where their sessions live is said in create_cloud_app.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from booth.cloud.keys import KIND_FILES, META, PENDING
from booth.cloud.meta import record_from_meta
from booth.cloud.staff import cloud_staff_routes
from booth.cloud.store import Store, StoreError
from booth.config import Config
from booth.gallery import valid_token
from booth.web.brand import brand_of
from booth.web.auth import PasswordChecker, PasswordHashError, Sessions, check_hash_format, login_limiter
from booth.web.errors import InternalErrors
from booth.web.headers import SecurityHeaders, content_security_policy
from booth.web.language import Languages, PageLanguage, language_of
from booth.web.pages import CSS, kept, render
from booth.web.export import guest_zip
from booth.web.phone import NO_STORE, _filename, _look_in_name, gone, not_deleted, photo_page_html, photo_page_routes
from booth.web.phone import problem_page, same_origin, visit_page_html, zip_entries
from booth.web.settings import WebSettings
from booth.web.staff_access import StaffAccess

log = logging.getLogger(__name__)

BOOTHS_TTL_S = 30.0  # a new booth's photos are found within this long
REFRESH_S = 5  # the "on its way" page reloads this often


@dataclass(frozen=True)
class CloudPhoto:
    booth: str
    token: str
    created: float
    expires: float
    crop: str
    retouch: str
    look: str = "unknown"
    visit: str | None = None


class Photos:
    """Finds a token's photo in whichever booth's folder holds it."""

    def __init__(self, store: Store, expiry_days: float) -> None:
        self.store = store
        self.expiry_s = expiry_days * 86400.0
        self._booths: tuple[float, list[str]] = (0.0, [])
        self._lock = threading.Lock()

    def booths(self, fresh: bool = False) -> list[str]:
        with self._lock:
            at, names = self._booths
            if fresh or time.monotonic() - at > BOOTHS_TTL_S:
                _, folders = self.store.list(self.store.layout.prefix, delimiter="/")
                names = [f[len(self.store.layout.prefix):].rstrip("/") for f in folders]
                self._booths = (time.monotonic(), names)
            return names

    def find(self, token: str) -> CloudPhoto | str | None:
        """The photo, "pending" when it is on its way, None when unknown."""
        if not valid_token(token):
            return None
        for fresh in (False, True):  # a booth new since the list was cached: look once more
            booths = self.booths(fresh)
            for booth in booths:
                meta = self.store.get_json(self.store.layout.photo(booth, token, META))
                if meta is not None:
                    record = record_from_meta(meta, token, self.expiry_s)
                    return None if record is None else CloudPhoto(booth, token, record.created, record.expires,
                                                                  record.crop, record.retouch, record.look,
                                                                  record.visit)
            for booth in booths:
                if self.store.etag(self.store.layout.photo(booth, token, PENDING)) is not None:
                    return PENDING
        return None

    def visit(self, visit: str) -> list[CloudPhoto | str]:
        """The visit's photos, oldest first, with "pending" for each still on its way; [] when unknown.

        A marker whose photo is gone (deleted, or pruned) is skipped.
        """
        if not valid_token(visit):
            return []
        for fresh in (False, True):
            for booth in self.booths(fresh):
                keys, _ = self.store.list(self.store.layout.visit_folder(booth, visit))
                tokens = [t for key in keys if valid_token(t := key.rsplit("/", 1)[-1])]
                if tokens:
                    found = [self._in(booth, token) for token in tokens]
                    photos = sorted((p for p in found if isinstance(p, CloudPhoto)), key=lambda p: (p.created, p.token))
                    return [*photos, *(p for p in found if p == PENDING)]
        return []

    def _in(self, booth: str, token: str) -> CloudPhoto | str | None:
        meta = self.store.get_json(self.store.layout.photo(booth, token, META))
        if meta is not None:
            record = record_from_meta(meta, token, self.expiry_s)
            return None if record is None else CloudPhoto(booth, token, record.created, record.expires,
                                                          record.crop, record.retouch, record.look, record.visit)
        return PENDING if self.store.etag(self.store.layout.photo(booth, token, PENDING)) is not None else None


def create_cloud_app(store: Store, settings: WebSettings) -> Starlette:
    photos = Photos(store, settings.expiry_days)
    # Staff login state is the one thing not in the bucket. Sessions and the login limit live, as on a
    # booth, in a small SQLite file of this server's own (settings.state_path: systemd's RuntimeDirectory=,
    # RAM, else the data folder), reusing the booth's code unchanged: logout really ends a session, and a
    # guess is counted before the password is checked. Not in the bucket: a session check on every staff
    # page and a counted guess would each be an S3 round trip, and S3 has no atomic "count if under the
    # limit" for several servers to share. Not signed cookies: a signed cookie cannot be revoked, so a
    # copied one would keep working after "Log out". The trade-off, behind a load balancer with several
    # servers: a session is known only to the server that issued it (route /staff/ to one server, or
    # make it sticky by cookie), and each server counts wrong passwords on its own, so N servers allow N
    # times the limit's guesses (5 per device per 15 min each: still hopeless against scrypt and a real
    # password). The guests' pages stay stateless.
    sessions = Sessions(settings.state_path, settings.staff_password_hash)
    limiter = login_limiter(settings.state_path)
    access = StaffAccess(sessions, limiter, PasswordChecker(settings.staff_password_hash))

    def on_its_way(lang: PageLanguage, title: str, root: str) -> Response:
        return render("on_its_way.html", lang, title=title, root=root, refresh_s=REFRESH_S,
                      **kept(settings.expiry_days), headers=NO_STORE)

    async def lookup(request: Request, root: str) -> CloudPhoto | Response:
        found = await run_in_threadpool(photos.find, request.path_params["token"])
        lang = language_of(request)
        if found is None:
            return gone(settings, lang, 404, root)
        if found == PENDING:
            return on_its_way(lang, lang.gettext("Your photo is on its way"), root)
        assert isinstance(found, CloudPhoto)
        if found.expires <= time.time():
            return gone(settings, lang, 410, root)
        return found

    async def page(request: Request) -> Response:
        photo = await lookup(request, "../")
        if isinstance(photo, Response):
            return photo
        return HTMLResponse(photo_page_html(language_of(request), settings, photo.token, photo.crop, photo.retouch,
                                            photo.created, photo.expires, _look_in_name(photo)))

    def file_route(kind: str, attachment: bool, suffix: str | None) -> Any:
        async def serve(request: Request) -> Response:
            photo = await lookup(request, "../../")
            if not isinstance(photo, CloudPhoto):
                return photo if photo.status_code != 200 else gone(settings, language_of(request), 404, "../../")
            key = store.layout.photo(photo.booth, photo.token, KIND_FILES[kind])
            try:
                obj = await run_in_threadpool(store.client.get_object, Bucket=store.cloud.bucket, Key=key,
                                              **({"IfNoneMatch": request.headers["if-none-match"]}
                                                 if "if-none-match" in request.headers else {}))
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code in ("304", "NotModified"):
                    return Response(status_code=304, headers={"etag": request.headers["if-none-match"],
                                                              "cache-control": "private, no-cache"})
                if code in ("404", "NoSuchKey"):
                    return gone(settings, language_of(request), 404, "../../")
                raise
            headers = {"content-length": str(obj["ContentLength"]), "etag": obj["ETag"],
                       "cache-control": "private, no-cache"}
            if suffix is not None:
                name = _filename(photo.created, suffix, _look_in_name(photo))
                headers["content-disposition"] = f'{"attachment" if attachment else "inline"}; filename="{name}"'
            body: Iterator[bytes] = obj["Body"].iter_chunks(256 * 1024)
            return StreamingResponse(body, media_type="image/jpeg", headers=headers)

        return serve

    async def confirm_delete(request: Request) -> Response:
        photo = await lookup(request, "../../")
        if isinstance(photo, Response):
            return photo
        lang = language_of(request)
        return render("confirm_delete.html", lang, title=lang.gettext("Delete this photo?"), root="../../",
                      token=photo.token)

    def delete_everywhere(photo: CloudPhoto) -> None:
        # meta.json first: from then on the photo is unknown here; then the files; then the
        # marker that tells its booth (`booth sync`) to delete the booth's own copy.
        store.delete(store.layout.photo_keys(photo.booth, photo.token, photo.visit))
        store.put(store.layout.deletion(photo.booth, photo.token), b"", "text/plain")

    async def delete(request: Request) -> Response:
        lang = language_of(request)
        if not same_origin(request):
            log.warning("a cross-site request to delete a photo was refused")
            return not_deleted(settings, lang)
        found = await run_in_threadpool(photos.find, request.path_params["token"])
        if not isinstance(found, CloudPhoto):  # an expired photo can still be deleted by its owner
            return gone(settings, lang, 404, "../../")
        await run_in_threadpool(delete_everywhere, found)
        log.info("a photo was deleted by its owner (cloud)")
        return render("deleted.html", lang, title=lang.gettext("Photo deleted"), root="../../", switcher=False)

    async def visit_lookup(request: Request, root: str) -> list[CloudPhoto] | Response:
        found = await run_in_threadpool(photos.visit, request.path_params["visit"])
        lang = language_of(request)
        if not found:  # unknown, malformed, or every photo deleted: as a deleted photo
            return gone(settings, lang, 404, root)
        if PENDING in found:
            return on_its_way(lang, lang.gettext("Your photos are on their way"), root)
        now = time.time()
        live = [p for p in found if isinstance(p, CloudPhoto) and p.expires > now]
        return live or gone(settings, lang, 410, root)

    async def visit_page(request: Request) -> Response:
        found = await visit_lookup(request, "../")
        if isinstance(found, Response):
            return found
        return HTMLResponse(visit_page_html(found, request.path_params["visit"], settings, language_of(request)),
                            headers=NO_STORE)

    async def visit_zip(request: Request) -> Response:
        found = await visit_lookup(request, "../../")
        if isinstance(found, Response):
            return found

        def opener(photo: CloudPhoto) -> Any:
            def open_file() -> Any:
                try:
                    return store.client.get_object(Bucket=store.cloud.bucket, Key=store.layout.photo(
                        photo.booth, photo.token, KIND_FILES["retouched"]))["Body"]
                except ClientError as exc:
                    if str(exc.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchKey", "NotFound"):
                        return None  # deleted meanwhile: left out
                    raise

            return open_file

        entries, name = zip_entries(found, opener)
        return StreamingResponse(guest_zip(entries), media_type="application/zip", headers={
            "content-disposition": f'attachment; filename="{name}"', **NO_STORE})

    async def not_found(request: Request, exc: Exception) -> Response:
        return gone(settings, language_of(request), 404)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            limiter.close()
            sessions.close()

    app = Starlette(routes=[*photo_page_routes(page, file_route, confirm_delete, delete, visit_page=visit_page,
                                               visit_zip=visit_zip), *brand_of(settings.event).routes(),
                            *cloud_staff_routes(store, settings, access)],
                    exception_handlers={404: not_found, 405: not_found}, lifespan=lifespan)
    app.router.redirect_slashes = False
    app.add_middleware(InternalErrors, page=lambda request: problem_page(
        settings, lang := language_of(request), 503, lang.gettext("Something went wrong"),
        lang.gettext("The photo could not be fetched. Please try again in a moment.")))
    app.add_middleware(Languages, offered=settings.languages)  # outside InternalErrors: its page speaks it too
    app.add_middleware(SecurityHeaders, csp=content_security_policy(CSS, settings.event.style if settings.event else ""))
    return app


def cli_web_cloud(args: argparse.Namespace, config: Config) -> int:
    """`booth web --cloud`: one process (it keeps no state: run more of them behind a load balancer to scale)."""
    import uvicorn

    from booth.web.server import log_config

    if not config.cloud.enabled:
        print("booth web: --cloud needs [cloud] bucket in the configuration", file=sys.stderr)
        return 2
    logging.getLogger("botocore").setLevel(logging.WARNING)
    try:
        store = Store.open(config.cloud)
        store.check()
    except StoreError as exc:
        print(f"booth web: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, whatever S3 said
        print(f"booth web: {store.explain(exc)}", file=sys.stderr)
        return 2
    settings = WebSettings.from_config(config)
    try:
        if settings.staff_password_hash:
            check_hash_format(settings.staff_password_hash)
        settings.state_path.parent.mkdir(parents=True, exist_ok=True)
    except (PasswordHashError, OSError) as exc:
        print(f"booth web: {exc}", file=sys.stderr)
        return 2
    host = args.host or config.web.host
    port = args.port or config.web.port
    log.info("cloud photo server on http://%s:%d, photos from the %s", host, port, store.where)
    uvicorn.run(create_cloud_app(store, settings), host=host, port=port, access_log=False, server_header=False,
                proxy_headers=False, timeout_keep_alive=5, log_level="info",
                log_config=log_config(bool(getattr(args, "verbose", False))))
    return 0
