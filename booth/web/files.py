"""Serving a photo file so that a phone's retry always works, and quickly.

Every answer carries Content-Length, an ETag and Last-Modified; a matching
If-None-Match (or ``*``) gets 304; Range and If-Range requests (a phone
resuming a download after the server restarted) go through Starlette's
FileResponse, which implements them. The file is opened before anything is
answered and served from that descriptor, so a photo deleted mid-request is
either sent whole or answered 404, never a 200 with no body. The ETag comes from the file's mtime and size (the
same formula as FileResponse), so it is stable across restarts and across
workers; a replaced file (new retouch level) gets a new one.

Plain GETs, the common case, are answered from a small in-memory cache of
recently served photos, sent as one body: reading a file in 64 KiB chunks
through a thread pool per request costs several times more than the send
itself. The cache key includes inode, mtime and size, so a replaced file
is never served stale, and a deleted photo is refused before we get here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from email.utils import formatdate
from typing import Any, BinaryIO

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

CACHE_CONTROL = "private, no-cache"  # revalidate every time: a deleted photo must vanish
CACHE_BYTES = 64 * 1024 * 1024
MAX_CACHED_FILE = 16 * 1024 * 1024


class _Bytes:
    """LRU of file contents keyed by (path, inode, mtime_ns, size)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.items: OrderedDict[tuple[str, int, int, int], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, int, int, int]) -> bytes | None:
        with self.lock:
            data = self.items.get(key)
            if data is not None:
                self.items.move_to_end(key)
            return data

    def put(self, key: tuple[str, int, int, int], data: bytes) -> None:
        with self.lock:
            if key in self.items:
                return
            self.items[key] = data
            self.used += len(data)
            while self.used > self.limit and self.items:
                _, old = self.items.popitem(last=False)
                self.used -= len(old)


_cache = _Bytes(CACHE_BYTES)


def etag_for(st: os.stat_result) -> str:
    base = f"{st.st_mtime}-{st.st_size}"
    return f'"{hashlib.md5(base.encode(), usedforsecurity=False).hexdigest()}"'


class _OpenFileResponse(FileResponse):
    """Starlette's FileResponse (ranges, If-Range, HEAD) serving a file we already hold open.

    FileResponse opens the path only after it has sent the headers, so a
    photo deleted in between got 200 and a full Content-Length followed by no
    body (and a traceback naming the file). Holding the descriptor from before
    the headers means a file deleted meanwhile is still sent whole: its data
    lives until the last descriptor closes. This overrides FileResponse's
    ``_open_file`` hook (starlette is pinned in constraints.txt; the range
    tests in tests/test_web_phone.py would catch a change of that hook).
    """

    def __init__(self, fh: BinaryIO, st: os.stat_result, **kwargs: Any) -> None:
        super().__init__(fh.name, stat_result=st, **kwargs)
        self._fh = fh

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Never the path-based send extension: the path may be gone; the descriptor is not.
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != "http.response.pathsend"}
        try:
            await super().__call__({**scope, "extensions": extensions}, receive, send)
        finally:
            self._fh.close()

    @contextlib.asynccontextmanager
    async def _open_file(self) -> AsyncIterator[anyio.AsyncFile[bytes]]:
        self._fh.seek(0)
        yield anyio.wrap_file(self._fh)


def _open(path: str) -> tuple[BinaryIO, os.stat_result] | None:
    """The file opened for reading and its stat, or None if it is gone (deleted meanwhile)."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the caller or by the response
    except FileNotFoundError:
        return None
    return fh, os.fstat(fh.fileno())


def _read_whole(fh: BinaryIO, path: str, st: os.stat_result) -> bytes:
    with fh:
        data = fh.read()
    if len(data) <= MAX_CACHED_FILE and len(data) == st.st_size:
        _cache.put((path, st.st_ino, st.st_mtime_ns, st.st_size), data)
    return data


def _not_modified(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: ``*`` matches any current file; otherwise a weak comparison of the listed tags."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)


async def photo_response(request: Request, path: os.PathLike[str] | str, *, filename: str | None,
                         attachment: bool) -> Response | None:
    """The file as a response, or None if it vanished (deleted meanwhile)."""
    path = os.fspath(path)
    opened = _open(path)
    if opened is None:
        return None
    fh, st = opened
    disposition = "attachment" if attachment else "inline"
    headers = {"cache-control": CACHE_CONTROL}
    etag = etag_for(st)
    if _not_modified(request.headers.get("if-none-match"), etag):
        fh.close()
        return Response(status_code=304, headers={**headers, "etag": etag,
                                                  "last-modified": formatdate(st.st_mtime, usegmt=True)})
    if request.method == "GET" and "range" not in request.headers:
        data = _cache.get((path, st.st_ino, st.st_mtime_ns, st.st_size))
        if data is None:  # a miss may wait on an SD card: off the event loop
            data = await run_in_threadpool(_read_whole, fh, path, st)
        else:
            fh.close()
        headers.update({"etag": etag, "last-modified": formatdate(st.st_mtime, usegmt=True),
                        "accept-ranges": "bytes"})
        if filename is not None:
            headers["content-disposition"] = f'{disposition}; filename="{filename}"'
        return Response(data, media_type="image/jpeg", headers=headers)
    return _OpenFileResponse(fh, st, media_type="image/jpeg", filename=filename,
                             content_disposition_type=disposition, headers=headers)
