"""Staff pages on `booth web --cloud`: every booth's photos in the bucket, per booth and per hour, and their ZIP.

The same login, pages and ZIP as a booth's own staff page
(booth.web.staff_access, the staff.html template, booth.web.export); only
where photos come from differs: the ``meta.json`` of every photo under the
prefix, every booth's folder (:class:`Catalogue`). A ``?booth=`` filter narrows
the figures, the chart, the latest photos and the ZIP to one booth. As on a
booth, demo photos are counted apart and never exported, and expired photos
(by the server's own ``expiry_days`` too) are neither shown nor exported. The
booth's health, its disk and deleting are a booth's own staff page's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from botocore.exceptions import ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booth.cloud.keys import KIND_FILES, META
from booth.cloud.meta import record_from_meta
from booth.cloud.store import Store
from booth.gallery import PhotoRecord, photo_stats, valid_token
from booth.web.chart import hour_chart
from booth.web.export import ExportItem, export_zip
from booth.web.language import language_of
from booth.web.pages import kept, render
from booth.web.phone import look_names
from booth.web.staff import DEMO_HOURS
from booth.web.settings import WebSettings
from booth.web.staff_access import NO_STORE, StaffAccess, zip_download
from booth.web.thumbs import thumbnail_of

FETCH_PARALLEL = 8  # meta.json objects fetched at once: small GETs that wait on round trips


@dataclass(frozen=True)
class BoothPhoto:
    booth: str
    record: PhotoRecord


@dataclass(frozen=True)
class BoothRow:
    """One booth's line on the page."""

    booth: str
    today: int
    total: int
    latest: float | None


class Catalogue:
    """Every photo in the bucket: the prefix listed on each call, each ``meta.json`` fetched once.

    A photo's meta.json never changes once written (the same photo always
    gives the same bytes, booth.cloud.meta), so what was read is kept, in
    memory, for as long as the listing still holds the key; a deleted photo
    drops out with its key. Nothing is written anywhere: the server stays
    stateless.
    """

    def __init__(self, store: Store, expiry_days: float) -> None:
        self.store = store
        self.expiry_s = expiry_days * 86400.0
        self._known: dict[str, BoothPhoto | None] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(FETCH_PARALLEL, thread_name_prefix="meta")

    def _parse(self, key: str) -> tuple[str, str] | None:
        parts = key[len(self.store.layout.prefix):].split("/")
        if len(parts) == 3 and parts[2] == META and parts[0] and valid_token(parts[1]):
            return parts[0], parts[1]
        return None

    def _fetch(self, key: str, booth: str, token: str) -> BoothPhoto | None:
        meta = self.store.get_json(key)  # None if deleted since the listing
        record = None if meta is None else record_from_meta(meta, token, self.expiry_s)
        return None if record is None else BoothPhoto(booth, record)

    def photos(self) -> list[BoothPhoto]:
        """Every photo whose meta.json is in the bucket (demo and expired included), oldest first."""
        keys, _ = self.store.list(self.store.layout.prefix)
        wanted = {key: where for key in keys if (where := self._parse(key)) is not None}
        with self._lock:
            missing = [key for key in wanted if key not in self._known]
        fetched = dict(zip(missing, self._pool.map(lambda k: self._fetch(k, *wanted[k]), missing)))
        with self._lock:
            self._known.update(fetched)
            for key in [k for k in self._known if k not in wanted]:
                del self._known[key]
            found = [p for key in wanted if (p := self._known.get(key)) is not None]
        return sorted(found, key=lambda p: (p.record.created, p.record.token))

    def find(self, token: str) -> BoothPhoto | None:
        """A photo already listed (the staff page's thumbnails name those only)."""
        with self._lock:
            return next((p for p in self._known.values() if p is not None and p.record.token == token), None)

    def open(self, photo: BoothPhoto, kind: str) -> BinaryIO | None:
        """The file's bytes as a stream from the bucket, None if it is gone meanwhile."""
        key = self.store.layout.photo(photo.booth, photo.record.token, KIND_FILES[kind])
        try:
            return self.store.client.get_object(Bucket=self.store.cloud.bucket, Key=key)["Body"]
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code", "")) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise


def booth_rows(photos: list[BoothPhoto], now: float) -> list[BoothRow]:
    """Per booth: photos today and kept (event photos, not expired), and when the latest was taken."""
    rows = []
    for booth in sorted({p.booth for p in photos}):
        stats = photo_stats([p.record for p in photos if p.booth == booth], now)
        latest = max((r.created for r in stats.latest), default=None)
        rows.append(BoothRow(booth, stats.today, stats.total, latest))
    return rows


def cloud_staff_routes(store: Store, settings: WebSettings, access: StaffAccess) -> list[Route]:
    catalogue = Catalogue(store, settings.expiry_days)

    def chosen(request: Request, photos: list[BoothPhoto]) -> tuple[str, list[BoothPhoto]] | None:
        """The ``?booth=`` filter and the photos it keeps; None for a booth with nothing in the bucket."""
        booth = request.query_params.get("booth", "")
        if not booth:
            return "", photos
        kept = [p for p in photos if p.booth == booth]
        return (booth, kept) if kept else None

    def dashboard_sync(request: Request) -> Response:
        now = time.time()
        photos = catalogue.photos()
        choice = chosen(request, photos)
        lang = language_of(request)
        if choice is None:
            return Response(lang.gettext("No booth of that name has photos in the bucket."), status_code=404,
                            media_type="text/plain", headers=NO_STORE)
        selected, shown = choice
        stats = photo_stats([p.record for p in shown], now)
        return render("staff.html", lang, booths=booth_rows(photos, now), selected=selected,
                      title=lang.gettext("Photo booths — staff"), wide=True, root="../", stats=stats,
                      chart=hour_chart(stats.per_hour, lang), **kept(settings.expiry_days),
                      demo_hours=DEMO_HOURS, looks=look_names(lang), done="", headers=NO_STORE)

    async def dashboard(request: Request) -> Response:
        return await run_in_threadpool(dashboard_sync, request)

    def items(kept: list[BoothPhoto], now: float) -> Iterator[ExportItem]:
        for photo in kept:
            if not photo.record.demo and not photo.record.expired(now):  # demo photos are no guest's
                yield ExportItem(photo.record, lambda kind, p=photo: catalogue.open(p, kind), folder=photo.booth)

    async def export(request: Request) -> Response:
        photos = await run_in_threadpool(catalogue.photos)
        choice = chosen(request, photos)
        if choice is None:
            return Response(status_code=404, headers=NO_STORE)
        return zip_download(export_zip(items(choice[1], time.time())), request)

    def thumb_sync(token: str) -> bytes | None:
        photo = catalogue.find(token)
        if photo is None or photo.record.expired():
            return None
        key = store.layout.photo(photo.booth, token, KIND_FILES["retouched"])
        data = store.get(key)
        return None if data is None else thumbnail_of(data, key)

    async def thumb(request: Request) -> Response:
        data = await run_in_threadpool(thumb_sync, request.path_params["token"])
        if data is None:
            return Response(status_code=404, headers=NO_STORE)
        return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=300"})

    return [
        Route("/staff", access.guard(dashboard), methods=["GET"]),
        Route("/staff/", access.guard(dashboard), methods=["GET"]),
        *access.routes(),
        Route("/staff/export.zip", access.guard(export), methods=["GET"]),
        Route("/staff/thumb/{token}.jpg", access.guard(thumb), methods=["GET"]),
    ]
