"""Serving a photo file so that a phone's retry always works, and quickly.

Every answer carries Content-Length, an ETag and Last-Modified; a matching
If-None-Match gets 304; Range and If-Range requests (a phone resuming a
download after the server restarted) go through Starlette's FileResponse,
which implements them. The ETag comes from the file's mtime and size (the
same formula as FileResponse), so it is stable across restarts and across
workers; a replaced file (new retouch level) gets a new one.

Plain GETs, the common case, are answered from a small in-memory cache of
recently served photos, sent as one body: reading a file in 64 KiB chunks
through a thread pool per request costs several times more than the send
itself. The cache key includes inode, mtime and size, so a replaced file
is never served stale, and a deleted photo is refused before we get here.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from email.utils import formatdate

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

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


def _read_file(path: str, st: os.stat_result) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    if len(data) != st.st_size:  # replaced between stat and read: let the caller use FileResponse
        return None
    if len(data) <= MAX_CACHED_FILE:
        _cache.put((path, st.st_ino, st.st_mtime_ns, st.st_size), data)
    return data


async def photo_response(request: Request, path: os.PathLike[str] | str, *, filename: str | None,
                         attachment: bool) -> Response | None:
    """The file as a response, or None if it vanished (deleted meanwhile)."""
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    disposition = "attachment" if attachment else "inline"
    headers = {"cache-control": CACHE_CONTROL}
    etag = etag_for(st)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(",")):
        return Response(status_code=304, headers={**headers, "etag": etag,
                                                  "last-modified": formatdate(st.st_mtime, usegmt=True)})
    if request.method == "GET" and "range" not in request.headers:
        data = _cache.get((path, st.st_ino, st.st_mtime_ns, st.st_size))
        if data is None:  # a miss may wait on an SD card: off the event loop
            data = await run_in_threadpool(_read_file, path, st)
        if data is not None:
            headers.update({"etag": etag, "last-modified": formatdate(st.st_mtime, usegmt=True),
                            "accept-ranges": "bytes"})
            if filename is not None:
                headers["content-disposition"] = f'{disposition}; filename="{filename}"'
            return Response(data, media_type="image/jpeg", headers=headers)
    return FileResponse(path, media_type="image/jpeg", filename=filename, stat_result=st,
                        content_disposition_type=disposition, headers=headers)
